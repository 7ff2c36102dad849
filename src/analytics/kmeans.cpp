// Distributed k-means: seeding, Lloyd iterations, empty-cluster relocation, checks.
#include "tessera/analytics/kmeans.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/domain/row_exchange.hpp"

#include "tessera/kernels/counter_rng.hpp"
#include "tessera/kernels/threads.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace tessera {

namespace {

using kernels::CounterRng;
using kernels::FixedInt;
using kernels::SumMode;

// Stream numbers: one per purpose, so no two choices share random numbers (and none shares
// them with the blob generator's small stream numbers under the same seed).
constexpr std::uint64_t kStreams = std::uint64_t{0x6b6d} << 48;  // "km"
constexpr std::uint64_t kStreamRandomInit = kStreams + 1;
constexpr std::uint64_t kStreamFirstCentre = kStreams + 2;
constexpr std::uint64_t kStreamPlusPlus = kStreams + (std::uint64_t{1} << 32);    // + centre number
constexpr std::uint64_t kStreamParallel = kStreams + (std::uint64_t{2} << 32);    // + round
constexpr std::uint64_t kStreamCandidates = kStreams + (std::uint64_t{3} << 32);  // + centre number

struct Keyed {
  double key;
  std::int64_t index;
  bool operator<(const Keyed& o) const { return key < o.key || (key == o.key && index < o.index); }
};

// The `count` smallest (key, index) pairs over all ranks, smallest first.
std::vector<Keyed> smallest_globally(const Communicator& comm, std::vector<Keyed> local, std::size_t count) {
  const std::size_t keep = std::min(count, local.size());
  std::partial_sort(local.begin(), local.begin() + static_cast<std::ptrdiff_t>(keep), local.end());
  local.resize(keep);
  std::vector<double> keys;
  std::vector<std::int64_t> indices;
  for (const auto& k : local) {
    keys.push_back(k.key);
    indices.push_back(k.index);
  }
  const auto all_keys = allgatherv(comm, std::span<const double>(keys));
  const auto all_indices = allgatherv(comm, std::span<const std::int64_t>(indices));
  std::vector<Keyed> all(all_keys.size());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = {all_keys[i], all_indices[i]};
  std::sort(all.begin(), all.end());
  all.resize(std::min(count, all.size()));
  return all;
}

std::vector<std::int64_t> to_limbs(const std::vector<FixedInt>& v) {
  std::vector<std::int64_t> limbs(3 * v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const auto l = kernels::to_limbs(v[i]);
    std::copy(l.limb, l.limb + 3, limbs.begin() + static_cast<std::ptrdiff_t>(3 * i));
  }
  return limbs;
}

}  // namespace

KMeansInit parse_kmeans_init(const std::string& text, std::optional<DatasetRef>& file) {
  file.reset();
  if (text == "k-means++") return KMeansInit::kmeans_plus_plus;
  if (text == "k-means-par" || text == "k-means||") return KMeansInit::kmeans_parallel;
  if (text == "random") return KMeansInit::random;
  if (text.find(":/") != std::string::npos) {
    file = parse_dataset_ref(text, "--init");
    return KMeansInit::file;
  }
  throw UsageError("--init '" + text + "' is not a seeding method; use k-means++, k-means-par, random or "
                   "FILE.h5:/centres (a k x features dataset)");
}

const char* kmeans_init_name(KMeansInit init) {
  switch (init) {
    case KMeansInit::kmeans_plus_plus: return "k-means++";
    case KMeansInit::kmeans_parallel: return "k-means-par";
    case KMeansInit::random: return "random";
    case KMeansInit::file: return "file";
  }
  return "?";
}

template <class T>
KMeans<T>::KMeans(Communicator comm, const DatasetInfo& data, KMeansConfig config)
    : comm_(std::move(comm)),
      data_(data),
      config_(std::move(config)),
      part_(RowPartition::uniform(data.rows(), comm_.size())),
      k_(config_.k),
      d_(0),
      first_row_(part_.offset(comm_.rank())) {
  require_dims(data_, 2, "a 2D table (rows x features); convert other layouts with tools/tessera-import");
  if (data_.columns() < 1 || data_.rows() < 1) {
    throw UsageError(data_.ref.text() + " is empty (" + shape_string(data_.shape) + "); k-means needs rows and features",
                     true);
  }
  if (config_.k < 1) throw UsageError("--k must be at least 1, got " + std::to_string(config_.k), true);
  if (config_.k > data_.rows()) {
    throw UsageError("--k " + std::to_string(config_.k) + " is larger than the " + std::to_string(data_.rows()) +
                         " rows of " + data_.ref.text() + "; choose k <= " + std::to_string(data_.rows()),
                     true);
  }
  if (data_.columns() > std::numeric_limits<int>::max() / 64) {
    throw UsageError(data_.ref.text() + " has " + std::to_string(data_.columns()) + " features; k-means here handles at most " +
                         std::to_string(std::numeric_limits<int>::max() / 64),
                     true);
  }
  if (static_cast<double>(config_.k) * static_cast<double>(data_.columns()) > 1e8) {
    throw UsageError("--k " + std::to_string(config_.k) + " x " + std::to_string(data_.columns()) +
                         " features is more centre data than k-means holds per rank (1e8 values); use a smaller k",
                     true);
  }
  d_ = static_cast<int>(data_.columns());
  const std::int64_t n_local = part_.count(comm_.rank());
  // Points, labels and distances per row, plus the conversion batch.
  require_memory_for_rows(comm_, data_, part_,
                          static_cast<double>(d_) * static_cast<double>(sizeof(T)) + sizeof(std::int32_t) + sizeof(double));
  // What does not grow with the rows: centres, per-thread centre sums (16 bytes a cell in
  // fixed point), k-means|| candidates (about 2k x rounds of them), the read batch.
  const double cells = static_cast<double>(config_.k) * static_cast<double>(data_.columns());
  const double threads = kernels::max_threads();
  require_memory(comm_,
                 cells * (8 * 3 + 16 * (threads + 1)) +
                     (config_.init == KMeansInit::kmeans_parallel
                          ? cells * 8 * (2 * config_.parallel_oversampling * config_.parallel_rounds + 1) * (threads + 1)
                          : 0) +
                     64.0 * 1048576.0,
                 "the centres and per-thread sums of k = " + std::to_string(config_.k) + " x " +
                     std::to_string(data_.columns()) + " features");
  points_.resize(static_cast<std::size_t>(n_local) * static_cast<std::size_t>(d_));
  read_rows<T>(comm_, data_, part_, points_);
  require_finite<T>(comm_, data_, points_, d_, first_row_);

  // Global mean and variance per feature, in the run's sum mode.
  const SumMode mode = config_.sum_mode;
  std::vector<PartialSum> sums;
  for (int f = 0; f < d_; ++f) sums.emplace_back(mode);
  for (std::int64_t i = 0; i < n_local; ++i) {
    for (int f = 0; f < d_; ++f) sums[static_cast<std::size_t>(f)].add(static_cast<double>(points_[static_cast<std::size_t>(i * d_ + f)]));
  }
  const std::vector<double> totals = global_sums(comm_, sums);
  const double n = static_cast<double>(data_.rows());
  mean_.resize(static_cast<std::size_t>(d_));
  for (int f = 0; f < d_; ++f) mean_[static_cast<std::size_t>(f)] = totals[static_cast<std::size_t>(f)] / n;
  double local_max = 0;
  std::vector<PartialSum> squares;
  for (int f = 0; f < d_; ++f) squares.emplace_back(mode);
  for (std::int64_t i = 0; i < n_local; ++i) {
    for (int f = 0; f < d_; ++f) {
      T& x = points_[static_cast<std::size_t>(i * d_ + f)];
      x = static_cast<T>(static_cast<double>(x) - mean_[static_cast<std::size_t>(f)]);
      local_max = std::max(local_max, std::abs(static_cast<double>(x)));
      squares[static_cast<std::size_t>(f)].add(static_cast<double>(x) * static_cast<double>(x));
    }
  }
  const std::vector<double> square_totals = global_sums(comm_, squares);
  // scikit-learn's tolerance: tol times the mean of the per-feature variances.
  double variance = 0;
  for (int f = 0; f < d_; ++f) variance += square_totals[static_cast<std::size_t>(f)] / n;
  tolerance_ = config_.tol * variance / d_;
  scale_abs_ = allreduce_max(comm_, local_max);
  if (std::is_same_v<T, float> && scale_abs_ * scale_abs_ * d_ > 1e37) {
    throw UsageError(data_.ref.text() + " has values up to " + std::to_string(scale_abs_) +
                         " from its mean: their squared distances overflow float32; use --precision float64 or "
                         "rescale the data",
                     true);
  }
  fixed_scale_ = kernels::FixedPointScale::for_bound(scale_abs_, data_.rows());
  centres_.assign(static_cast<std::size_t>(k_) * static_cast<std::size_t>(d_), 0.0);
  labels_.assign(static_cast<std::size_t>(n_local), -1);
  distances_.assign(static_cast<std::size_t>(n_local), 0.0);
}

template <class T>
std::vector<std::int64_t> KMeans<T>::pick_random_rows(int count, std::uint64_t stream) const {
  const CounterRng rng(config_.seed, stream);
  std::vector<Keyed> keys(labels_.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto row = first_row_ + static_cast<std::int64_t>(i);
    keys[i] = {rng.uniform(static_cast<std::uint64_t>(row)), row};
  }
  std::vector<std::int64_t> rows;
  for (const auto& k : smallest_globally(comm_, std::move(keys), static_cast<std::size_t>(count))) rows.push_back(k.index);
  return rows;
}

// One row drawn with probability proportional to its weight, by an exponential race: row i
// draws -log(u_i) / w_i and the smallest wins. The draw of a row depends on its global index
// only, so the winner is the same on any rank count. All weights zero: a uniform draw.
template <class T>
std::int64_t KMeans<T>::sample_by_weight(std::span<const double> weights, std::uint64_t stream) const {
  const CounterRng rng(config_.seed, stream);
  Keyed best{std::numeric_limits<double>::infinity(), std::numeric_limits<std::int64_t>::max()};
  for (std::size_t i = 0; i < weights.size(); ++i) {
    if (!(weights[i] > 0)) continue;
    const auto row = first_row_ + static_cast<std::int64_t>(i);
    const Keyed k{-std::log(rng.uniform_open(static_cast<std::uint64_t>(row))) / weights[i], row};
    if (k < best) best = k;
  }
  const auto winner = smallest_globally(comm_, {best}, 1);
  if (!winner.empty() && winner[0].index != std::numeric_limits<std::int64_t>::max()) return winner[0].index;
  return pick_random_rows(1, stream)[0];
}

// Copies into the existing buffer: the views of state() (checkpoints) point at it.
template <class T>
void KMeans<T>::set_centres(const std::vector<double>& centres) {
  if (centres.size() != centres_.size()) {
    throw RuntimeError("k-means seeding produced " + std::to_string(centres.size()) + " values for " +
                       std::to_string(k_) + " x " + std::to_string(d_) + " centres");
  }
  std::copy(centres.begin(), centres.end(), centres_.begin());
}

template <class T>
void KMeans<T>::add_centre(std::span<const double> centre) {
  kernels::update_min_distances<T>(points_, d_, centre, distances_);
}

template <class T>
std::string KMeans<T>::initialise() {
  // A fresh start: no previous labels (a failed restore may have left some behind).
  std::fill(labels_.begin(), labels_.end(), -1);
  switch (config_.init) {
    case KMeansInit::random: {
      const auto rows = pick_random_rows(k_, kStreamRandomInit);
      set_centres(fetch_rows<T>(comm_, part_, points_, d_, rows));
      return "random: " + std::to_string(k_) + " distinct rows";
    }
    case KMeansInit::kmeans_plus_plus: return init_plus_plus();
    case KMeansInit::kmeans_parallel: return init_parallel();
    case KMeansInit::file: return init_from_file();
  }
  return {};
}

template <class T>
std::string KMeans<T>::init_plus_plus() {
  std::fill(distances_.begin(), distances_.end(), std::numeric_limits<double>::infinity());
  std::vector<double> chosen = fetch_rows<T>(comm_, part_, points_, d_, pick_random_rows(1, kStreamFirstCentre));
  add_centre(chosen);
  for (int c = 1; c < k_; ++c) {
    const std::int64_t row = sample_by_weight(distances_, kStreamPlusPlus + static_cast<std::uint64_t>(c));
    const std::array<std::int64_t, 1> one{row};
    const auto centre = fetch_rows<T>(comm_, part_, points_, d_, one);
    chosen.insert(chosen.end(), centre.begin(), centre.end());
    if (c + 1 < k_) add_centre(centre);
  }
  set_centres(chosen);
  return "k-means++: " + std::to_string(k_) + " centres by D^2 sampling";
}

template <class T>
std::string KMeans<T>::init_parallel() {
  std::fill(distances_.begin(), distances_.end(), std::numeric_limits<double>::infinity());
  std::vector<double> candidates = fetch_rows<T>(comm_, part_, points_, d_, pick_random_rows(1, kStreamFirstCentre));
  add_centre(candidates);
  const double oversampling = config_.parallel_oversampling * k_;
  kernels::PreparedCentres<T> prepared;
  kernels::AssignmentTotals totals;
  std::vector<std::int32_t> scratch(labels_.size());
  std::vector<double> nearest(labels_.size());
  for (int round = 0; round < config_.parallel_rounds; ++round) {
    PartialSum cost(config_.sum_mode);
    for (double w : distances_) cost.add(w);
    const double phi = global_sum(comm_, cost);
    if (!(phi > 0)) break;  // every point is a candidate already
    const CounterRng rng(config_.seed, kStreamParallel + static_cast<std::uint64_t>(round));
    std::vector<std::int64_t> picked;
    for (std::size_t i = 0; i < distances_.size(); ++i) {
      const auto row = first_row_ + static_cast<std::int64_t>(i);
      if (rng.uniform(static_cast<std::uint64_t>(row)) < oversampling * distances_[i] / phi) picked.push_back(row);
    }
    const auto all = allgatherv(comm_, std::span<const std::int64_t>(picked));  // increasing rows
    if (all.empty()) continue;
    const auto rows = fetch_rows<T>(comm_, part_, points_, d_, all);
    candidates.insert(candidates.end(), rows.begin(), rows.end());
    kernels::prepare_centres<T>(rows, static_cast<int>(all.size()), d_, prepared);
    kernels::assign_and_accumulate<T>(points_, prepared, scratch, nearest, SumMode::fast, kernels::FixedPointScale(), totals);
    for (std::size_t i = 0; i < distances_.size(); ++i) distances_[i] = std::min(distances_[i], nearest[i]);
  }
  const int m = static_cast<int>(candidates.size() / static_cast<std::size_t>(d_));
  if (m < k_) {
    const std::string note = init_plus_plus();
    return "k-means-par found only " + std::to_string(m) + " candidates for k = " + std::to_string(k_) + "; " + note;
  }
  // Weight of a candidate: the points nearest to it (exact integers, the same on every rank).
  kernels::prepare_centres<T>(candidates, m, d_, prepared);
  kernels::assign_and_accumulate<T>(points_, prepared, scratch, {}, SumMode::fast, kernels::FixedPointScale(), totals);
  std::vector<std::int64_t> weight = totals.counts;
  allreduce_in_place(comm_, std::span<std::int64_t>(weight), MPI_SUM);
  // Weighted k-means++ on the candidates: the same computation on every rank.
  std::vector<double> chosen_distance(static_cast<std::size_t>(m), std::numeric_limits<double>::infinity());
  auto pick = [&](std::uint64_t stream) {
    const CounterRng rng(config_.seed, stream);
    Keyed best{std::numeric_limits<double>::infinity(), -1};
    for (int c = 0; c < m; ++c) {
      const double w = static_cast<double>(weight[static_cast<std::size_t>(c)]) * chosen_distance[static_cast<std::size_t>(c)];
      if (!(w > 0)) continue;
      const Keyed key{-std::log(rng.uniform_open(static_cast<std::uint64_t>(c))) / w, c};
      if (key < best) best = key;
    }
    return best.index;
  };
  std::vector<double> chosen;
  std::vector<char> taken(static_cast<std::size_t>(m), 0);
  for (int c = 0; c < k_; ++c) {
    std::int64_t at = pick(kStreamCandidates + static_cast<std::uint64_t>(c));
    if (at < 0) {  // all remaining weight is zero (duplicates): the first candidate not taken
      at = std::find(taken.begin(), taken.end(), 0) - taken.begin();
    }
    taken[static_cast<std::size_t>(at)] = 1;
    const double* centre = candidates.data() + at * d_;
    chosen.insert(chosen.end(), centre, centre + d_);
    for (int j = 0; j < m; ++j) {
      double dist = 0;
      for (int f = 0; f < d_; ++f) {
        const double diff = candidates[static_cast<std::size_t>(j) * d_ + f] - centre[f];
        dist += diff * diff;
      }
      auto& best = chosen_distance[static_cast<std::size_t>(j)];
      best = std::min(best, dist);
    }
  }
  set_centres(chosen);
  return "k-means-par: " + std::to_string(config_.parallel_rounds) + " rounds gave " + std::to_string(m) +
         " candidates, weighted k-means++ chose " + std::to_string(k_);
}

template <class T>
std::string KMeans<T>::init_from_file() {
  const DatasetInfo info = describe_dataset(comm_, *config_.init_file);
  if (info.shape.size() != 2 || info.shape[0] != k_ || info.shape[1] != d_) {
    throw UsageError("--init " + info.ref.text() + " has shape " + shape_string(info.shape) + "; the centres must be " +
                         std::to_string(k_) + "x" + std::to_string(d_) + " (--k x the features of " + data_.ref.text() + ")",
                     true);
  }
  std::vector<double> given = read_replicated<double>(comm_, info);
  for (int j = 0; j < k_; ++j) {
    for (int f = 0; f < d_; ++f) given[static_cast<std::size_t>(j) * d_ + f] -= mean_[static_cast<std::size_t>(f)];
  }
  set_centres(given);
  return "centres from " + info.ref.text();
}

template <class T>
void KMeans<T>::relocate_empty(std::vector<std::int64_t>& counts, std::vector<double>& sums,
                               std::vector<FixedInt>& fixed) {
  std::vector<int> empty;
  for (int j = 0; j < k_; ++j) {
    if (counts[static_cast<std::size_t>(j)] == 0) empty.push_back(j);
  }
  if (empty.empty()) return;
  // The points farthest from their centres: largest distance first, ties to the lower row.
  std::vector<Keyed> keys(distances_.size());
  for (std::size_t i = 0; i < keys.size(); ++i) keys[i] = {-distances_[i], first_row_ + static_cast<std::int64_t>(i)};
  const auto far = smallest_globally(comm_, std::move(keys), empty.size());
  std::vector<std::int64_t> rows;
  for (const auto& f : far) rows.push_back(f.index);
  const auto x = fetch_rows<T>(comm_, part_, points_, d_, rows);
  // Whose cluster each far point leaves: its owner knows.
  std::vector<std::int64_t> from(rows.size(), 0);
  for (std::size_t t = 0; t < rows.size(); ++t) {
    if (rows[t] >= first_row_ && rows[t] < first_row_ + static_cast<std::int64_t>(labels_.size())) {
      from[t] = labels_[static_cast<std::size_t>(rows[t] - first_row_)];
    }
  }
  allreduce_in_place(comm_, std::span<std::int64_t>(from), MPI_SUM);
  for (std::size_t t = 0; t < rows.size(); ++t) {
    const int j = empty[t];
    const auto old = static_cast<std::size_t>(from[t]);
    for (int f = 0; f < d_; ++f) {
      const double v = x[t * static_cast<std::size_t>(d_) + f];
      const std::size_t at_old = old * d_ + f;
      const std::size_t at_new = static_cast<std::size_t>(j) * d_ + f;
      if (config_.sum_mode == SumMode::reproducible) {
        const FixedInt q = fixed_scale_.to_fixed(v);
        fixed[at_old] -= q;
        fixed[at_new] = q;
      } else {
        sums[at_old] -= v;
        sums[at_new] = v;
      }
    }
    --counts[old];
    counts[static_cast<std::size_t>(j)] = 1;
    if (rows[t] >= first_row_ && rows[t] < first_row_ + static_cast<std::int64_t>(labels_.size())) {
      labels_[static_cast<std::size_t>(rows[t] - first_row_)] = j;
    }
  }
}

template <class T>
LloydStep KMeans<T>::iterate() {
  const SumMode mode = config_.sum_mode;
  kernels::prepare_centres<T>(centres_, k_, d_, prepared_);
  kernels::AssignmentTotals totals;
  kernels::assign_and_accumulate<T>(points_, prepared_, labels_, distances_, mode, fixed_scale_, totals);
  LloydStep step;
  const activity::Scope reducing("allreduce");  // the watchdog names it if a rank never arrives
  allreduce_in_place(comm_, std::span<std::int64_t>(totals.counts), MPI_SUM);
  step.changed = allreduce_sum(comm_, totals.changed);
  step.inertia = global_sum(comm_, totals.inertia);
  if (mode == SumMode::reproducible) {
    std::vector<std::int64_t> limbs = to_limbs(totals.fixed_sums);
    allreduce_in_place(comm_, std::span<std::int64_t>(limbs), MPI_SUM);
    for (std::size_t i = 0; i < totals.fixed_sums.size(); ++i) totals.fixed_sums[i] = kernels::from_limbs(&limbs[3 * i]);
  } else {
    allreduce_in_place(comm_, std::span<double>(totals.sums), MPI_SUM);
  }
  for (auto c : totals.counts) step.relocated += c == 0 ? 1 : 0;
  relocate_empty(totals.counts, totals.sums, totals.fixed_sums);
  for (int j = 0; j < k_; ++j) {
    const auto count = static_cast<double>(totals.counts[static_cast<std::size_t>(j)]);
    for (int f = 0; f < d_; ++f) {
      const std::size_t at = static_cast<std::size_t>(j) * d_ + f;
      const double sum = mode == SumMode::reproducible ? fixed_scale_.to_double(totals.fixed_sums[at]) : totals.sums[at];
      const double next = count > 0 ? sum / count : centres_[at];
      step.shift += (next - centres_[at]) * (next - centres_[at]);
      centres_[at] = next;
    }
  }
  step.strict = step.changed == 0;
  return step;
}

template <class T>
double KMeans<T>::finish(bool strict) {
  kernels::prepare_centres<T>(centres_, k_, d_, prepared_);
  kernels::AssignmentTotals totals;
  std::vector<std::int32_t> final_labels = labels_;
  kernels::assign_and_accumulate<T>(points_, prepared_, final_labels, distances_, config_.sum_mode, fixed_scale_, totals);
  // After a strict convergence the labels are those of the last iteration already (the
  // relocation of an empty cluster aside, which is no convergence); otherwise they move to
  // the final centres, as scikit-learn's last E-step does.
  if (!strict || allreduce_sum(comm_, totals.changed) != 0) std::copy(final_labels.begin(), final_labels.end(), labels_.begin());
  return global_sum(comm_, totals.inertia);
}

template <class T>
KMeansCheck KMeans<T>::check_centres() const {
  KMeansCheck check;
  std::vector<double> sums(static_cast<std::size_t>(k_) * d_, 0.0);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(k_), 0);
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    const auto j = static_cast<std::size_t>(labels_[i]);
    ++counts[j];
    for (int f = 0; f < d_; ++f) sums[j * d_ + f] += static_cast<double>(points_[i * d_ + f]);
  }
  allreduce_in_place(comm_, std::span<double>(sums), MPI_SUM);
  allreduce_in_place(comm_, std::span<std::int64_t>(counts), MPI_SUM);
  const double scale = std::max(scale_abs_, std::numeric_limits<double>::min());
  for (int j = 0; j < k_; ++j) {
    const auto count = counts[static_cast<std::size_t>(j)];
    if (count == 0) {
      ++check.empty_clusters;
      continue;
    }
    for (int f = 0; f < d_; ++f) {
      const std::size_t at = static_cast<std::size_t>(j) * d_ + f;
      const double error = std::abs(sums[at] / static_cast<double>(count) - centres_[at]) / scale;
      check.max_centre_error = std::max(check.max_centre_error, error);
    }
  }
  // The centres are means of T values summed in double: a few ulps of double, whatever T.
  const double limit = 1e-10;
  if (check.max_centre_error > limit || check.empty_clusters > 0) {
    check.passed = false;
    char text[200];
    std::snprintf(text, sizeof text, "%lld empty clusters; largest |centre - mean of its points| %.3e of the data scale (limit %.0e)",
                  static_cast<long long>(check.empty_clusters), check.max_centre_error, limit);
    check.reason = text;
  }
  return check;
}

template <class T>
KMeansCheck KMeans<T>::check_labels() const {
  KMeansCheck check;
  // Distances in double from the T values; the kernel compared them in T (GEMM form), so a
  // label may differ from the double argmin only within T's rounding of a near-tie.
  const double eps = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  std::int64_t wrong = 0;
  const double scale2 = scale_abs_ * scale_abs_ * d_;
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    double best = std::numeric_limits<double>::infinity();
    double own = 0;
    for (int j = 0; j < k_; ++j) {
      double dist = 0;
      for (int f = 0; f < d_; ++f) {
        const double diff = static_cast<double>(points_[i * d_ + f]) - centres_[static_cast<std::size_t>(j) * d_ + f];
        dist += diff * diff;
      }
      best = std::min(best, dist);
      if (j == labels_[i]) own = dist;
    }
    if (own > best + eps * scale2) ++wrong;
  }
  check.not_nearest = allreduce_sum(comm_, wrong);
  if (check.not_nearest > 0) {
    check.passed = false;
    check.reason = std::to_string(check.not_nearest) + " points are not labelled with a nearest centre";
  }
  return check;
}

template <class T>
std::vector<ArrayView> KMeans<T>::state() {
  return {view_replicated<double>("centres", centres_, {k_, d_}),
          view_1d<std::int32_t>("labels", labels_, first_row_, part_.rows())};
}

template <class T>
std::vector<double> KMeans<T>::centres() const {
  std::vector<double> out = centres_;
  for (int j = 0; j < k_; ++j) {
    for (int f = 0; f < d_; ++f) out[static_cast<std::size_t>(j) * d_ + f] += mean_[static_cast<std::size_t>(f)];
  }
  return out;
}

template <class T>
std::vector<std::int64_t> KMeans<T>::cluster_sizes() const {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(k_), 0);
  for (auto j : labels_) ++counts[static_cast<std::size_t>(j)];
  allreduce_in_place(comm_, std::span<std::int64_t>(counts), MPI_SUM);
  return counts;
}

double adjusted_rand_index(const Communicator& comm, std::span<const std::int32_t> labels, int clusters,
                           std::span<const std::int64_t> truth) {
  // Labels are used as table indices: refuse any outside [0, 2^20) and tables beyond 1e8 cells.
  constexpr std::int64_t kMaxClasses = std::int64_t{1} << 20;
  std::int64_t lowest = 0;
  std::int64_t classes = 0;
  for (auto t : truth) {
    lowest = std::min(lowest, t);
    classes = std::max(classes, std::min(t, kMaxClasses) + 1);
  }
  lowest = allreduce_min(comm, lowest);
  classes = allreduce_max(comm, classes);
  if (lowest < 0 || classes > kMaxClasses || static_cast<double>(classes) * clusters > 1e8) {
    throw UsageError("the true labels must be integers in [0, " + std::to_string(kMaxClasses) +
                         ") with at most 1e8 label pairs in the contingency table; found labels in [" +
                         std::to_string(lowest) + ", " + std::to_string(classes - 1) + "]",
                     true);
  }
  std::vector<std::int64_t> table(static_cast<std::size_t>(clusters * classes), 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (truth[i] < 0) continue;
    ++table[static_cast<std::size_t>(labels[i] * classes + truth[i])];
  }
  allreduce_in_place(comm, std::span<std::int64_t>(table), MPI_SUM);
  auto pairs = [](double x) { return x * (x - 1) / 2; };
  double index = 0;
  double n = 0;
  std::vector<double> rows(static_cast<std::size_t>(clusters), 0);
  std::vector<double> cols(static_cast<std::size_t>(classes), 0);
  for (int a = 0; a < clusters; ++a) {
    for (std::int64_t b = 0; b < classes; ++b) {
      const auto c = static_cast<double>(table[static_cast<std::size_t>(a * classes + b)]);
      index += pairs(c);
      rows[static_cast<std::size_t>(a)] += c;
      cols[static_cast<std::size_t>(b)] += c;
      n += c;
    }
  }
  double sum_rows = 0;
  double sum_cols = 0;
  for (double r : rows) sum_rows += pairs(r);
  for (double c : cols) sum_cols += pairs(c);
  if (n < 2) return 1.0;  // no pairs to disagree on
  const double expected = sum_rows * sum_cols / pairs(n);
  const double maximum = (sum_rows + sum_cols) / 2;
  return maximum == expected ? 1.0 : (index - expected) / (maximum - expected);
}

template class KMeans<float>;
template class KMeans<double>;

}  // namespace tessera
