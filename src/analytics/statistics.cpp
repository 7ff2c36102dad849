// Exact distributed statistics (see statistics.hpp).
#include "src/analytics/statistics.hpp"

#include "kernels/local_sort.hpp"
#include "kernels/moments.hpp"
#include "kernels/radix_select.hpp"
#include "src/base/error.hpp"
#include "src/comm/collectives.hpp"
#include "src/comm/global_sum.hpp"

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
  m.min = allreduce_min(comm, local.min);
  m.max = allreduce_max(comm, local.max);
  m.sum = global_exact_sum(comm, local.sum);
  if (m.count == 0) return m;
  m.mean = m.sum / static_cast<double>(m.count);
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
  const std::size_t targets = ranks.size();
  // Candidates: this rank's keys that may still be one of the targets.
  std::vector<Bits> candidates(x.size());
  kernels::to_ordered_bits<T>(x, candidates);
  std::vector<Bits> prefix(targets, 0);
  std::vector<std::int64_t> remaining(ranks.begin(), ranks.end());  // rank within the prefix's keys
  std::vector<std::int64_t> counts(targets * kernels::kSelectRadix);
  for (int known = 0; known < kWidth; known += kernels::kSelectDigitBits) {
    std::fill(counts.begin(), counts.end(), 0);
    kernels::count_digits<Bits>(candidates, known, prefix, counts);
    allreduce_in_place<std::int64_t>(comm, counts, MPI_SUM);
    for (std::size_t t = 0; t < targets; ++t) {
      std::int64_t below = 0;
      int digit = 0;
      for (; digit < kernels::kSelectRadix; ++digit) {
        const std::int64_t c = counts[t * kernels::kSelectRadix + static_cast<std::size_t>(digit)];
        if (remaining[t] < below + c) break;
        below += c;
      }
      if (digit == kernels::kSelectRadix) throw RuntimeError("select_ranks: a rank beyond the data's count");
      remaining[t] -= below;
      prefix[t] = static_cast<Bits>((prefix[t] << kernels::kSelectDigitBits) | static_cast<Bits>(digit));
    }
    const int now_known = known + kernels::kSelectDigitBits;
    if (now_known < kWidth) candidates.resize(kernels::compact_matching<Bits>(candidates, now_known, prefix));
  }
  std::vector<T> out(targets);
  for (std::size_t t = 0; t < targets; ++t) out[t] = kernels::key_of_bits<T>(prefix[t]);
  return out;
}

std::pair<double, double> automatic_range(const Moments& m) {
  if (m.min == m.max) return {m.min - 0.5, m.max + 0.5};
  return {m.min, m.max};
}

template <class T>
Histogram compute_histogram(const Communicator& comm, std::span<const T> x, std::int64_t bins, double lo, double hi) {
  if (!(lo < hi) || bins < 1) {
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

#define TESSERA_STATS(T)                                                                                 \
  template Moments compute_moments<T>(const Communicator&, std::span<const T>);                          \
  template Histogram compute_histogram<T>(const Communicator&, std::span<const T>, std::int64_t, double, \
                                          double);
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
