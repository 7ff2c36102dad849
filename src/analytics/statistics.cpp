// Exact distributed statistics (see statistics.hpp).
#include "tessera/analytics/statistics.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/kernels/local_sort.hpp"
#include "tessera/kernels/moments.hpp"
#include "tessera/kernels/radix_select.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera {

template <class T>
Moments compute_moments(const Communicator& comm, std::span<const T> x) {
  Moments m;
  m.count = allreduce_sum(comm, static_cast<std::int64_t>(x.size()));
  kernels::MomentSums local;
  kernels::accumulate_moments<T>(x, local);
  // Reduced as order-preserving bits: MPI_MIN on doubles could keep either zero.
  const std::uint64_t ends[2] = {kernels::ordered_bits(local.min), ~kernels::ordered_bits(local.max)};
  std::uint64_t reduced[2] = {0, 0};
  allreduce<std::uint64_t>(comm, ends, reduced, MPI_MIN);
  m.min = kernels::key_of_bits<double>(reduced[0]);
  m.max = kernels::key_of_bits<double>(~reduced[1]);
  m.sum = global_exact_sum(comm, local.sum);
  if (m.count == 0) return m;
  // The exact mean lies in [min, max]; the rounded sum over n may step one ulp outside.
  m.mean = std::clamp(m.sum / static_cast<double>(m.count), m.min, m.max);
  // Second pass: each square is rounded the same way on any rank, and summed exactly.
  kernels::ExactSum squares;
  kernels::accumulate_squared_deviations<T>(x, m.mean, squares);
  m.variance = global_exact_sum(comm, squares) / static_cast<double>(m.count);
  return m;
}

std::int64_t Quantile::rank_among(std::int64_t n) const {
  // ceil(numerator * n / denominator) in 128-bit integers: exact for any n.
  __extension__ using Wide = __int128;
  const Wide product = static_cast<Wide>(numerator) * n;
  const auto k = static_cast<std::int64_t>((product + denominator - 1) / denominator);
  return std::max<std::int64_t>(1, k) - 1;
}

namespace {
Quantile parse_quantile(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return UsageError("--quantiles: '" + text + "' " + why + "; give decimals in [0, 1] such as 0.5,0.9,0.99");
  };
  // digits[.digits][e[+-]digits], kept as an exact decimal.
  std::size_t at = 0;
  std::int64_t numerator = 0;
  int digits = 0;
  int scale = 0;  // decimal places taken
  bool any = false;
  auto take_digit = [&](char c, bool fraction) {
    if (numerator == 0 && c == '0') {
      if (fraction) ++scale;
      any = true;
      return;
    }
    if (++digits > 15) throw bad("has more than 15 significant digits");
    numerator = numerator * 10 + (c - '0');
    if (fraction) ++scale;
    any = true;
  };
  while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) take_digit(text[at++], false);
  if (at < text.size() && text[at] == '.') {
    ++at;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0) take_digit(text[at++], true);
  }
  if (!any) throw bad("is not a number");
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    int sign = 1;
    if (at < text.size() && (text[at] == '-' || text[at] == '+')) sign = text[at++] == '-' ? -1 : 1;
    int exponent = 0;
    bool exponent_digits = false;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) != 0 && exponent < 100) {
      exponent = exponent * 10 + (text[at++] - '0');
      exponent_digits = true;
    }
    if (!exponent_digits) throw bad("has an incomplete exponent");
    scale -= sign * exponent;
  }
  if (at != text.size()) throw bad("is not a number");
  // numerator x 10^-scale; in [0, 1] a positive scale up to 18 keeps the denominator in int64.
  while (scale < 0 && numerator != 0 && numerator <= 1) {
    numerator *= 10;
    ++scale;
  }
  if (scale < 0 && numerator != 0) throw bad("is above 1");
  if (scale > 18) throw bad("needs more than 18 decimal places");
  Quantile q;
  q.text = text;
  q.numerator = numerator;
  q.denominator = 1;
  for (int i = 0; i < std::max(scale, 0); ++i) q.denominator *= 10;
  if (q.numerator > q.denominator) throw bad("is above 1");
  q.value = static_cast<double>(q.numerator) / static_cast<double>(q.denominator);
  return q;
}
}  // namespace

std::vector<Quantile> parse_quantiles(const std::string& list) {
  std::vector<Quantile> out;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = std::min(list.find(',', start), list.size());
    std::string item = list.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item.empty()) throw UsageError("--quantiles '" + list + "' has an empty entry; give e.g. 0.5,0.9,0.99");
    out.push_back(parse_quantile(item));
    start = comma + 1;
  }
  return out;
}

template <class T>
std::vector<T> select_ranks(const Communicator& comm, std::span<const T> x, std::span<const std::int64_t> ranks) {
  using Bits = kernels::OrderedBits<T>;
  constexpr int kWidth = 8 * sizeof(Bits);
  constexpr int kDigit = kernels::kSelectDigitBits;
  const std::size_t targets = ranks.size();
  // Whole digits on which all keys of all ranks agree are known without counting (integers in
  // a small range, floats of one sign and exponent range).
  Bits all_and = 0;
  Bits any_or = 0;
  kernels::and_or<T>(x, all_and, any_or);
  Bits reduced[2] = {all_and, static_cast<Bits>(~any_or)};
  allreduce_in_place<Bits>(comm, reduced, MPI_BAND);
  const Bits differ = static_cast<Bits>(~reduced[0] & ~reduced[1]);  // bits where keys disagree
  int known = 0;
  while (known < kWidth && ((differ >> (kWidth - known - kDigit)) & (kernels::kSelectRadix - 1)) == 0) known += kDigit;
  const Bits common = known == 0        ? Bits{0}
                      : known == kWidth ? reduced[0]  // every key equal
                                        : static_cast<Bits>((reduced[0] >> (kWidth - known - 1)) >> 1);
  std::vector<Bits> prefix(targets, common);
  std::vector<std::int64_t> remaining(ranks.begin(), ranks.end());  // rank within the prefix's keys
  std::vector<std::int64_t> counts(targets * kernels::kSelectRadix);
  std::vector<std::int64_t> local(counts.size());
  // The candidates are the data itself (read through its bit patterns) until enough keys have
  // left for a copy of the rest to pay: then the bit patterns of those that may still match.
  std::vector<Bits> candidates;
  bool copied = false;
  // A target whose prefix holds equal keys only (duplicates: Zipf's many 1s) is found at once.
  std::vector<char> found(targets, 0);
  std::vector<Bits> ands(targets);
  std::vector<Bits> ors(targets);
  std::vector<Bits> not_ors(targets);
  for (; known < kWidth; known += kDigit) {
    // Found targets keep their full key as prefix, which no key's shorter top bits can equal
    // but by chance; their counts are ignored below.
    std::fill(local.begin(), local.end(), 0);
    std::fill(ands.begin(), ands.end(), static_cast<Bits>(~Bits{0}));
    std::fill(ors.begin(), ors.end(), Bits{0});
    if (copied) {
      kernels::count_digits<Bits>(candidates, known, prefix, local, ands, ors);
    } else {
      kernels::count_digits<T>(x, known, prefix, local, ands, ors);
    }
    for (std::size_t t = 0; t < targets; ++t) not_ors[t] = static_cast<Bits>(~ors[t]);
    allreduce<std::int64_t>(comm, local, counts, MPI_SUM);
    allreduce_in_place<Bits>(comm, ands, MPI_BAND);
    allreduce_in_place<Bits>(comm, not_ors, MPI_BAND);
    std::int64_t still_local = 0;  // this rank's keys that match some new prefix
    std::vector<Bits> seen;
    for (std::size_t t = 0; t < targets; ++t) {
      if (found[t] != 0) continue;
      if (ands[t] == static_cast<Bits>(~not_ors[t])) {  // every key with this prefix is equal
        prefix[t] = ands[t];
        found[t] = 1;
        continue;
      }
      std::int64_t below = 0;
      int digit = 0;
      for (; digit < kernels::kSelectRadix; ++digit) {
        const std::int64_t c = counts[t * kernels::kSelectRadix + static_cast<std::size_t>(digit)];
        if (remaining[t] < below + c) break;
        below += c;
      }
      if (digit == kernels::kSelectRadix) throw RuntimeError("select_ranks: a rank beyond the data's count");
      remaining[t] -= below;
      const auto next = static_cast<Bits>((prefix[t] << kDigit) | static_cast<Bits>(digit));
      if (std::find(seen.begin(), seen.end(), next) == seen.end()) {
        seen.push_back(next);
        still_local += local[t * kernels::kSelectRadix + static_cast<std::size_t>(digit)];
      }
      prefix[t] = next;
    }
    if (std::all_of(found.begin(), found.end(), [](char f) { return f != 0; })) break;
    const int now_known = known + kDigit;
    const std::size_t scanned = copied ? candidates.size() : x.size();
    if (now_known < kWidth && 2 * static_cast<std::size_t>(still_local) <= scanned) {
      candidates = copied ? kernels::keep_matching<Bits>(candidates, now_known, prefix)
                          : kernels::keep_matching<T>(x, now_known, prefix);
      copied = true;
    }
  }
  std::vector<T> out(targets);
  for (std::size_t t = 0; t < targets; ++t) out[t] = kernels::key_of_bits<T>(prefix[t]);
  return out;
}

std::pair<double, double> automatic_range(const Moments& m) {
  if (m.min != m.max) return {m.min, m.max};
  double lo = m.min - 0.5;
  double hi = m.max + 0.5;
  if (lo == hi) {  // |v| so large that 0.5 is below its ulp
    lo = std::nextafter(m.min, -std::numeric_limits<double>::infinity());
    hi = std::nextafter(m.max, std::numeric_limits<double>::infinity());
  }
  return {lo, hi};
}

std::string histogram_range_problem(double lo, double hi, std::int64_t bins) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) return "is not finite";
  if (!(lo < hi)) return "is empty";
  if (!std::isfinite(hi - lo)) return "is wider than the largest double";
  if (!std::isfinite(static_cast<double>(bins) / (hi - lo))) return "is too narrow for " + std::to_string(bins) + " bins";
  return {};
}

template <class T>
Histogram compute_histogram(const Communicator& comm, std::span<const T> x, std::int64_t bins, double lo, double hi) {
  if (!histogram_range_problem(lo, hi, bins).empty() || bins < 1) {
    throw RuntimeError("compute_histogram: " + std::to_string(bins) + " bins over [" + std::to_string(lo) + ", " +
                       std::to_string(hi) + "]: needs bins >= 1 and lo < hi");
  }
  Histogram h;
  h.edges = kernels::histogram_edges(lo, hi, bins);
  h.bins.counts.assign(static_cast<std::size_t>(bins), 0);
  kernels::bin_counts<T>(x, h.edges, h.bins);
  allreduce_in_place<std::int64_t>(comm, h.bins.counts, MPI_SUM);
  h.bins.below = allreduce_sum(comm, h.bins.below);
  h.bins.above = allreduce_sum(comm, h.bins.above);
  return h;
}

template <class T>
std::vector<RankCount> count_around(const Communicator& comm, std::span<const T> x, std::span<const T> values) {
  using Bits = kernels::OrderedBits<T>;
  // Distinct targets in order; each element is placed among them by one binary search.
  std::vector<Bits> targets;
  for (const T v : values) targets.push_back(kernels::ordered_bits(v));
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  const std::size_t m = targets.size();
  // at[2 i]: elements between target i - 1 and target i (exclusive); at[2 i + 1]: equal to target i.
  std::vector<std::int64_t> at(2 * m + 1, 0);
  for (const T e : x) {
    const Bits b = kernels::ordered_bits(e);
    const auto i = static_cast<std::size_t>(std::lower_bound(targets.begin(), targets.end(), b) - targets.begin());
    ++at[i < m && targets[i] == b ? 2 * i + 1 : 2 * i];
  }
  allreduce_in_place<std::int64_t>(comm, at, MPI_SUM);
  std::vector<RankCount> out;
  for (const T v : values) {
    const auto i = static_cast<std::size_t>(
        std::lower_bound(targets.begin(), targets.end(), kernels::ordered_bits(v)) - targets.begin());
    RankCount c;
    for (std::size_t j = 0; j < 2 * i + 1; ++j) c.less += at[j];
    c.equal = at[2 * i + 1];
    out.push_back(c);
  }
  return out;
}

#define TESSERA_STATS(T)                                                                                 \
  template Moments compute_moments<T>(const Communicator&, std::span<const T>);                          \
  template Histogram compute_histogram<T>(const Communicator&, std::span<const T>, std::int64_t, double, \
                                          double);                                                     \
  template std::vector<RankCount> count_around<T>(const Communicator&, std::span<const T>, std::span<const T>);
TESSERA_STATS(float)
TESSERA_STATS(double)
TESSERA_STATS(std::int32_t)
TESSERA_STATS(std::int64_t)
TESSERA_STATS(std::uint8_t)
TESSERA_STATS(std::uint64_t)
#undef TESSERA_STATS
template std::vector<float> select_ranks<float>(const Communicator&, std::span<const float>, std::span<const std::int64_t>);
template std::vector<double> select_ranks<double>(const Communicator&, std::span<const double>, std::span<const std::int64_t>);
template std::vector<std::int32_t> select_ranks<std::int32_t>(const Communicator&, std::span<const std::int32_t>,
                                                              std::span<const std::int64_t>);
template std::vector<std::int64_t> select_ranks<std::int64_t>(const Communicator&, std::span<const std::int64_t>,
                                                              std::span<const std::int64_t>);
template std::vector<std::uint8_t> select_ranks<std::uint8_t>(const Communicator&, std::span<const std::uint8_t>,
                                                              std::span<const std::int64_t>);
template std::vector<std::uint64_t> select_ranks<std::uint64_t>(const Communicator&, std::span<const std::uint64_t>,
                                                                std::span<const std::int64_t>);

}  // namespace tessera
