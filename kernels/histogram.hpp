// Histograms with equal-width bins, numpy's convention (numpy.histogram): N bins over
// [lo, hi], edges[i] = i * ((hi - lo) / N) + lo (edges[N] = hi), bin i holds
// edges[i] <= x < edges[i + 1], the last bin also x == hi; values outside [lo, hi] are not
// binned (counted as below / above), NaNs in no bin. Values are binned in float64. The fast kernel estimates
// the bin from (x - lo) * (N / (hi - lo)) and corrects it against the edges, as numpy does, so
// the counts equal numpy's; the twin finds each bin by binary search over the edges.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::kernels {

/// The N + 1 edges of N equal bins over [lo, hi] (numpy.linspace's arithmetic).
std::vector<double> histogram_edges(double lo, double hi, std::int64_t bins);

struct BinCounts {
  std::vector<std::int64_t> counts;
  std::int64_t below = 0;  ///< values < lo
  std::int64_t above = 0;  ///< values > hi
};

/// Adds the values of `x` to `out` (counts sized to edges.size() - 1). Parallel. The edges
/// must come from histogram_edges with lo < hi and bins / (hi - lo) finite.
template <class T>
void bin_counts(std::span<const T> x, std::span<const double> edges, BinCounts& out);
template <class T>
void bin_counts_ref(std::span<const T> x, std::span<const double> edges, BinCounts& out);

}  // namespace tessera::kernels
