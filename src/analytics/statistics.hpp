// Exact statistics of a distributed column of numbers (the stats app): count, min, max, mean
// and variance from reproducible sums, quantiles by distributed selection (no sort, no gather
// of the data), histograms with exact integer counts. Every figure is bitwise the same for any
// rank and thread count.
//
// Quantile convention: the q-quantile of n values is the element of 1-based rank
// max(1, ceil(q n)) in sorted order (numpy.quantile's method "inverted_cdf"); q is taken as
// the exact decimal the user typed, so ceil(q n) has no rounding error.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/kernels/histogram.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

struct Moments {
  std::int64_t count = 0;
  double min = 0;
  double max = 0;
  double sum = 0;       ///< the exact sum, rounded once
  double mean = 0;      ///< sum / count
  double variance = 0;  ///< population variance: sum((x - mean)^2) / count, the squares summed exactly
};

/// Collective. Values are taken as float64 (exact for every type but int64/uint64 beyond 2^53).
template <class T>
Moments compute_moments(const Communicator& comm, std::span<const T> x);

/// A quantile as typed ("0.99", "1e-3"): the exact decimal numerator / 10^digits.
struct Quantile {
  std::string text;
  double value = 0;
  std::int64_t numerator = 0;
  std::int64_t denominator = 1;
  /// The 0-based rank of the element it selects among n: max(1, ceil(q n)) - 1.
  [[nodiscard]] std::int64_t rank_among(std::int64_t n) const;
};

/// Parses a comma-separated list "0.5,0.9,0.99" of decimals in [0, 1] (up to 15 significant
/// digits, optional exponent); throws a UsageError naming a bad entry.
std::vector<Quantile> parse_quantiles(const std::string& list);

/// Collective: the elements of 0-based ranks `ranks` (each < total count) in sorted order
/// (totalOrder for floats), by rounds of digit counts: 4 rounds for 4-byte types, 8 for 8-byte.
template <class T>
std::vector<T> select_ranks(const Communicator& comm, std::span<const T> x, std::span<const std::int64_t> ranks);

/// How many elements are below a value, and equal to it.
struct RankCount {
  std::int64_t less = 0;
  std::int64_t equal = 0;
};

/// Collective: for each of `values`, how many elements of every rank's `x` are below it and
/// equal to it (totalOrder), in one pass over the data: the check of selected quantiles.
template <class T>
std::vector<RankCount> count_around(const Communicator& comm, std::span<const T> x, std::span<const T> values);

struct Histogram {
  std::vector<double> edges;
  kernels::BinCounts bins;
};

/// The automatic histogram range, numpy's: [min, max], widened to [v - 0.5, v + 0.5] when all
/// values equal v.
std::pair<double, double> automatic_range(const Moments& m);

/// Why [lo, hi] cannot hold `bins` equal bins ("is empty", "is not finite", "is wider than the
/// largest double", "is too narrow for N bins"), or empty when it can.
std::string histogram_range_problem(double lo, double hi, std::int64_t bins);

/// Collective: `bins` equal bins over [lo, hi] (numpy.histogram's edges and rule); the range
/// must pass histogram_range_problem.
template <class T>
Histogram compute_histogram(const Communicator& comm, std::span<const T> x, std::int64_t bins, double lo, double hi);

}  // namespace tessera
