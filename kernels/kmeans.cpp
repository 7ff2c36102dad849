// k-means kernels. The blocked nearest-centre search is compiled for several x86-64 levels
// (AVX-512, AVX2+FMA, baseline) and picked at run time; each OpenMP thread calls it tile by
// tile (the outlined OpenMP body itself would not inherit a clone's target). This file is
// compiled with -ffp-contract=fast: within one build and CPU every point still takes the same
// instructions, which is all reproducibility needs.
#include "tessera/kernels/kmeans.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define TESSERA_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define TESSERA_CLONES
#endif

namespace tessera::kernels {

namespace {

typedef double VecD __attribute__((vector_size(64)));  // 8 doubles
typedef float VecF __attribute__((vector_size(64)));   // 16 floats

// Register blocking: points sit in vector lanes (two vectors of them per tile), centres are
// broadcast, eight at a time: 2 x 8 accumulators, and the argmin over centres is a lane-wise
// compare-and-select, with no horizontal reduction per point.
template <class T>
struct Tile;
template <>
struct Tile<double> {
  using Vec = VecD;
  using Index = std::int64_t;
};
template <>
struct Tile<float> {
  using Vec = VecF;
  using Index = std::int32_t;
};
constexpr int kTileVectors = 2;
template <class T>
constexpr int kLanes = static_cast<int>(sizeof(typename Tile<T>::Vec) / sizeof(T));
template <class T>
constexpr int kTilePoints = kTileVectors * kLanes<T>;

// Eight consecutive elements as doubles.
template <class T>
inline VecD load8(const T* x) {
  if constexpr (std::is_same_v<T, double>) {
    VecD v;
    std::memcpy(&v, x, sizeof v);
    return v;
  } else {
    typedef float VecF8 __attribute__((vector_size(32)));
    VecF8 v;
    std::memcpy(&v, x, sizeof v);
    return __builtin_convertvector(v, VecD);
  }
}

// ||x - c||^2 in double with eight partial sums over f mod 8, combined in a fixed tree: a
// fixed order per point (so deterministic), without a chain of d dependent additions.
template <class T>
inline double squared_distance(const T* __restrict x, const double* __restrict c, int d) {
  VecD acc{};
  int f = 0;
  for (; f + 8 <= d; f += 8) {
    const VecD diff = load8(x + f) - load8(c + f);
    acc += diff * diff;
  }
  for (int l = 0; f < d; ++f, ++l) {
    const double diff = static_cast<double>(x[f]) - c[f];
    acc[l] += diff * diff;
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

// Nearest centres for a tile of m <= kTilePoints points (a full tile's worth of rows
// readable at `tile`), then each point's direct distance and its share of the sums.
// `scratch` holds d x kTilePoints elements (the tile transposed).
template <class T, SumMode kMode>
TESSERA_CLONES void process_tile(const T* tile, int m, const PreparedCentres<T>& c, T* scratch, std::int32_t* labels,
                                 double* distances, FixedPointScale scale, AssignmentTotals& totals) {
  using Vec = typename Tile<T>::Vec;
  using Index = typename Tile<T>::Index;
  typedef Index IndexVec __attribute__((vector_size(sizeof(Vec))));
  constexpr int L = kLanes<T>;
  constexpr int V = kTileVectors;
  constexpr int P = kTilePoints<T>;
  constexpr int B = PreparedCentres<T>::kBlock;
  const int d = c.d;
  const int k_padded = c.k_padded;
  const T* __restrict transposed = c.transposed.data();
  T* __restrict xt = scratch;
  for (int p = 0; p < P; ++p)
    for (int f = 0; f < d; ++f) xt[f * P + p] = tile[p * d + f];

  // Running minimum per point; centres go in increasing order and replace only on a strictly
  // smaller score, so ties keep the lower index.
  Vec best[V];
  IndexVec best_index[V];
  for (int v = 0; v < V; ++v) {
    best[v] = Vec{} + std::numeric_limits<T>::infinity();
    best_index[v] = IndexVec{};
  }
  for (int jb = 0; jb < k_padded; jb += B) {
    Vec acc[V][B];
    for (int v = 0; v < V; ++v)
      for (int j = 0; j < B; ++j) acc[v][j] = Vec{};
    for (int f = 0; f < d; ++f) {
      Vec x[V];
      for (int v = 0; v < V; ++v) std::memcpy(&x[v], xt + f * P + v * L, sizeof(Vec));
      const T* cf = transposed + static_cast<std::ptrdiff_t>(f) * k_padded + jb;
      for (int j = 0; j < B; ++j) {
        const T cj = cf[j];
        for (int v = 0; v < V; ++v) acc[v][j] += x[v] * cj;
      }
    }
    for (int j = 0; j < B; ++j) {
      const T h = c.half_norms[static_cast<std::size_t>(jb + j)];
      for (int v = 0; v < V; ++v) {
        const Vec score = h - acc[v][j];
        const auto smaller = score < best[v];
        best[v] = smaller ? score : best[v];
        best_index[v] = smaller ? IndexVec{} + static_cast<Index>(jb + j) : best_index[v];
      }
    }
  }
  Index chosen[P];
  std::memcpy(chosen, best_index, sizeof chosen);

  double inertia = 0.0;
  double* __restrict sums = totals.sums.data();
  FixedInt* __restrict fixed = totals.fixed_sums.data();
  std::int64_t* __restrict counts = totals.counts.data();
  std::int64_t changed = 0;
  for (int p = 0; p < m; ++p) {
    const auto j = static_cast<std::int32_t>(chosen[p]);
    const T* x = tile + static_cast<std::ptrdiff_t>(p) * d;
    const double distance = squared_distance(x, c.rows.data() + static_cast<std::ptrdiff_t>(j) * d, d);
    const std::ptrdiff_t row = static_cast<std::ptrdiff_t>(j) * d;
    if constexpr (kMode == SumMode::reproducible) {
      for (int f = 0; f < d; ++f) fixed[row + f] += scale.to_fixed(static_cast<double>(x[f]));
      totals.inertia.add(distance);
    } else {
      for (int f = 0; f < d; ++f) sums[row + f] += static_cast<double>(x[f]);
      inertia += distance;
    }
    changed += labels[p] != j ? 1 : 0;
    labels[p] = j;
    ++counts[j];
    if (distances != nullptr) distances[p] = distance;
  }
  totals.changed += changed;
  if constexpr (kMode == SumMode::fast) totals.inertia.add(inertia);
}

void reset(AssignmentTotals& totals, int k, int d, SumMode mode) {
  const auto cells = static_cast<std::size_t>(k) * static_cast<std::size_t>(d);
  totals.sums.assign(mode == SumMode::fast ? cells : 0, 0.0);
  totals.fixed_sums.assign(mode == SumMode::reproducible ? cells : 0, FixedInt{0});
  totals.counts.assign(static_cast<std::size_t>(k), 0);
  totals.inertia = PartialSum(mode);
  totals.changed = 0;
}

}  // namespace

template <class T>
void prepare_centres(std::span<const double> centres, int k, int d, PreparedCentres<T>& out) {
  constexpr int B = PreparedCentres<T>::kBlock;
  out.k = k;
  out.d = d;
  out.k_padded = (k + B - 1) / B * B;
  out.transposed.assign(static_cast<std::size_t>(out.k_padded) * static_cast<std::size_t>(d), T{0});
  out.half_norms.assign(static_cast<std::size_t>(out.k_padded), std::numeric_limits<T>::infinity());
  out.rows.assign(centres.begin(), centres.end());
  for (int j = 0; j < k; ++j) {
    // The norm of the centre as the kernel sees it (rounded to T), summed in a fixed order.
    T norm = 0;
    for (int f = 0; f < d; ++f) {
      const T c = static_cast<T>(centres[static_cast<std::size_t>(j) * d + f]);
      out.transposed[static_cast<std::size_t>(f) * out.k_padded + j] = c;
      norm += c * c;
    }
    out.half_norms[static_cast<std::size_t>(j)] = norm / 2;
  }
}

template <class T>
void assign_and_accumulate(std::span<const T> points, const PreparedCentres<T>& c, std::span<std::int32_t> labels,
                           std::span<double> distances, SumMode mode, FixedPointScale scale, AssignmentTotals& totals) {
  const int k = c.k;
  const int d = c.d;
  const auto n = static_cast<std::int64_t>(labels.size());
  reset(totals, k, d, mode);
  if (n == 0) return;
  constexpr int P = kTilePoints<T>;
  const std::int64_t tiles = (n + P - 1) / P;
  const int threads = std::max(1, std::min<int>(omp_get_max_threads(), static_cast<int>(tiles)));
  std::vector<AssignmentTotals> per_thread(static_cast<std::size_t>(threads));

#pragma omp parallel num_threads(threads)
  {
    AssignmentTotals& mine = per_thread[static_cast<std::size_t>(omp_get_thread_num())];
    reset(mine, k, d, mode);
    std::vector<T> padded(static_cast<std::size_t>(P) * static_cast<std::size_t>(d), T{0});
    std::vector<T> scratch(static_cast<std::size_t>(P) * static_cast<std::size_t>(d));
#pragma omp for schedule(static)
    for (std::int64_t tile = 0; tile < tiles; ++tile) {
      const std::int64_t first = tile * P;
      const int m = static_cast<int>(std::min<std::int64_t>(P, n - first));
      const T* rows = points.data() + first * d;
      if (m < P) {  // pad, so the last points take the same instructions as all others
        std::fill(padded.begin(), padded.end(), T{0});
        std::copy(rows, rows + static_cast<std::ptrdiff_t>(m) * d, padded.begin());
        rows = padded.data();
      }
      // The rows of the tile after next are fetched while this one computes: one core's
      // hardware prefetchers alone leave this loop waiting on memory for small k and d.
      const std::int64_t ahead = std::min<std::int64_t>(n, first + 3 * P) * d;
      for (std::int64_t at = (first + 2 * P) * d; at < ahead; at += 64 / static_cast<std::int64_t>(sizeof(T))) {
        __builtin_prefetch(points.data() + at);
      }
      std::int32_t* tile_labels = labels.data() + first;
      double* tile_distances = distances.empty() ? nullptr : distances.data() + first;
      if (mode == SumMode::reproducible) {
        process_tile<T, SumMode::reproducible>(rows, m, c, scratch.data(), tile_labels, tile_distances, scale, mine);
      } else {
        process_tile<T, SumMode::fast>(rows, m, c, scratch.data(), tile_labels, tile_distances, scale, mine);
      }
    }
  }
  // Merge in thread order (the fast sums depend on the thread count; the exact ones do not).
  for (const auto& mine : per_thread) {
    for (std::size_t i = 0; i < totals.sums.size(); ++i) totals.sums[i] += mine.sums[i];
    for (std::size_t i = 0; i < totals.fixed_sums.size(); ++i) totals.fixed_sums[i] += mine.fixed_sums[i];
    for (int j = 0; j < k; ++j) totals.counts[static_cast<std::size_t>(j)] += mine.counts[static_cast<std::size_t>(j)];
    totals.inertia.add(mine.inertia);
    totals.changed += mine.changed;
  }
}

template <class T>
void assign_and_accumulate_ref(std::span<const T> points, const PreparedCentres<T>& c, std::span<std::int32_t> labels,
                               std::span<double> distances, SumMode mode, FixedPointScale scale,
                               AssignmentTotals& totals) {
  const int k = c.k;
  const int d = c.d;
  reset(totals, k, d, mode);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const T* x = points.data() + i * static_cast<std::size_t>(d);
    std::int32_t best = 0;
    double best_distance = std::numeric_limits<double>::infinity();
    for (int j = 0; j < k; ++j) {
      double distance = 0.0;
      for (int f = 0; f < d; ++f) {
        const double diff = static_cast<double>(x[f]) - c.rows[static_cast<std::size_t>(j) * d + f];
        distance += diff * diff;
      }
      if (distance < best_distance) {
        best_distance = distance;
        best = j;
      }
    }
    if (labels[i] != best) ++totals.changed;
    labels[i] = best;
    ++totals.counts[static_cast<std::size_t>(best)];
    for (int f = 0; f < d; ++f) {
      const std::size_t at = static_cast<std::size_t>(best) * d + f;
      if (mode == SumMode::reproducible) {
        totals.fixed_sums[at] += scale.to_fixed(static_cast<double>(x[f]));
      } else {
        totals.sums[at] += static_cast<double>(x[f]);
      }
    }
    totals.inertia.add(best_distance);
    if (!distances.empty()) distances[i] = best_distance;
  }
}

template <class T>
void update_min_distances(std::span<const T> points, int d, std::span<const double> centre, std::span<double> distances) {
  const auto n = static_cast<std::int64_t>(distances.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const T* x = points.data() + i * d;
    double distance = 0.0;
    for (int f = 0; f < d; ++f) {
      const double diff = static_cast<double>(x[f]) - centre[static_cast<std::size_t>(f)];
      distance += diff * diff;
    }
    distances[static_cast<std::size_t>(i)] = std::min(distances[static_cast<std::size_t>(i)], distance);
  }
}

template <class T>
void update_min_distances_ref(std::span<const T> points, int d, std::span<const double> centre,
                              std::span<double> distances) {
  for (std::size_t i = 0; i < distances.size(); ++i) {
    double distance = 0.0;
    for (int f = 0; f < d; ++f) {
      const double diff = static_cast<double>(points[i * static_cast<std::size_t>(d) + f]) - centre[static_cast<std::size_t>(f)];
      distance += diff * diff;
    }
    if (distance < distances[i]) distances[i] = distance;
  }
}

#define TESSERA_KMEANS_INSTANTIATE(T)                                                                              \
  template void prepare_centres<T>(std::span<const double>, int, int, PreparedCentres<T>&);                        \
  template void assign_and_accumulate<T>(std::span<const T>, const PreparedCentres<T>&, std::span<std::int32_t>,   \
                                         std::span<double>, SumMode, FixedPointScale, AssignmentTotals&);          \
  template void assign_and_accumulate_ref<T>(std::span<const T>, const PreparedCentres<T>&,                        \
                                             std::span<std::int32_t>, std::span<double>, SumMode, FixedPointScale, \
                                             AssignmentTotals&);                                                   \
  template void update_min_distances<T>(std::span<const T>, int, std::span<const double>, std::span<double>);      \
  template void update_min_distances_ref<T>(std::span<const T>, int, std::span<const double>, std::span<double>);
TESSERA_KMEANS_INSTANTIATE(float)
TESSERA_KMEANS_INSTANTIATE(double)
#undef TESSERA_KMEANS_INSTANTIATE

}  // namespace tessera::kernels
