// Equal-width histograms (see histogram.hpp).
#include "tessera/kernels/histogram.hpp"

#include <omp.h>

#include <algorithm>

namespace tessera::kernels {

std::vector<double> histogram_edges(double lo, double hi, std::int64_t bins) {
  std::vector<double> edges(static_cast<std::size_t>(bins) + 1);
  const double step = (hi - lo) / static_cast<double>(bins);
  for (std::int64_t i = 0; i <= bins; ++i) edges[static_cast<std::size_t>(i)] = static_cast<double>(i) * step + lo;
  edges.back() = hi;
  return edges;
}

template <class T>
void bin_counts(std::span<const T> x, std::span<const double> edges, BinCounts& out) {
  const auto bins = static_cast<std::int64_t>(edges.size()) - 1;
  const double lo = edges.front();
  const double hi = edges.back();
  const double norm = static_cast<double>(bins) / (hi - lo);
  const std::size_t n = x.size();
  const int threads = static_cast<int>(std::clamp<std::size_t>(n >> 16, 1, static_cast<std::size_t>(omp_get_max_threads())));
  std::vector<std::int64_t> local(static_cast<std::size_t>(threads) * static_cast<std::size_t>(bins + 2), 0);
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    std::int64_t* mine = local.data() + t * static_cast<std::size_t>(bins + 2);
    for (std::size_t i = n * t / nt; i < n * (t + 1) / nt; ++i) {
      const auto v = static_cast<double>(x[i]);
      if (v != v) continue;  // NaN: in no bin, as numpy
      if (v < lo) {
        ++mine[bins];
        continue;
      }
      if (v > hi) {
        ++mine[bins + 1];
        continue;
      }
      // In [0, bins] for v in [lo, hi] (callers keep bins / (hi - lo) finite); the clamp keeps
      // a rounding at the ends inside the array.
      auto b = std::clamp<std::int64_t>(static_cast<std::int64_t>((v - lo) * norm), 0, bins - 1);
      if (v < edges[static_cast<std::size_t>(b)]) {
        --b;
      } else if (b != bins - 1 && v >= edges[static_cast<std::size_t>(b) + 1]) {
        ++b;
      }
      ++mine[b];
    }
  }
  for (int t = 0; t < threads; ++t) {
    const std::int64_t* from = local.data() + static_cast<std::size_t>(t) * static_cast<std::size_t>(bins + 2);
    for (std::int64_t b = 0; b < bins; ++b) out.counts[static_cast<std::size_t>(b)] += from[b];
    out.below += from[bins];
    out.above += from[bins + 1];
  }
}

template <class T>
void bin_counts_ref(std::span<const T> x, std::span<const double> edges, BinCounts& out) {
  const auto bins = static_cast<std::int64_t>(edges.size()) - 1;
  for (const T value : x) {
    const auto v = static_cast<double>(value);
    if (v != v) continue;
    if (v < edges.front()) {
      ++out.below;
    } else if (v > edges.back()) {
      ++out.above;
    } else {
      // The last edge <= v; v == hi belongs to the last bin.
      const auto b = std::upper_bound(edges.begin(), edges.end(), v) - edges.begin() - 1;
      ++out.counts[static_cast<std::size_t>(std::min<std::int64_t>(b, bins - 1))];
    }
  }
}

#define TESSERA_HISTOGRAM(T)                                                             \
  template void bin_counts<T>(std::span<const T>, std::span<const double>, BinCounts&); \
  template void bin_counts_ref<T>(std::span<const T>, std::span<const double>, BinCounts&);
TESSERA_HISTOGRAM(float)
TESSERA_HISTOGRAM(double)
TESSERA_HISTOGRAM(std::int32_t)
TESSERA_HISTOGRAM(std::int64_t)
TESSERA_HISTOGRAM(std::uint8_t)
TESSERA_HISTOGRAM(std::uint64_t)
#undef TESSERA_HISTOGRAM

}  // namespace tessera::kernels
