// k-means kernels: the assignment step of Lloyd's algorithm (nearest centre for every point)
// fused with the accumulation of the next centres, and the distance updates of k-means++
// seeding. Node-local, over a rank's rows (n x d, row-major) in float or double.
//
// Nearest centres are found in the GEMM form that scikit-learn and oneDAL use:
// argmin_j ||x - c_j||^2 = argmin_j (||c_j||^2 / 2 - x.c_j), the dot products computed as a
// register-blocked matrix product (16 or 32 points in vector lanes x 8 broadcast centres per
// block), the argmin a lane-wise select. Every point goes through the
// same instruction sequence wherever it sits (a partial block is padded, not handled by a
// scalar tail), so its label depends on the point and the centres only: not on n, its
// position, the thread count or the rank count. Ties go to the lowest centre index.
// The distance to the chosen centre is then computed directly, sum_f (x_f - c_f)^2 in double,
// for the inertia: the GEMM form loses digits for points far from the origin.
//
// Centre sums are formed per thread and merged in thread order (fast), or as fixed-point
// integers (kernels/fixed_sum.hpp), bitwise independent of any split of the points.
#pragma once

#include "tessera/kernels/fixed_sum.hpp"
#include "tessera/kernels/partial_sum.hpp"
#include "tessera/kernels/sum_mode.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::kernels {

/// Centres prepared for the assignment kernel: transposed and padded to whole blocks.
template <class T>
struct PreparedCentres {
  static constexpr int kBlock = 8;  ///< centres per register block
  int k = 0;
  int d = 0;
  int k_padded = 0;
  std::vector<T> transposed;     ///< d x k_padded, padding columns zero
  std::vector<T> half_norms;     ///< k_padded: ||c_j||^2 / 2 in T, +inf for padding
  std::vector<double> rows;      ///< k x d, the centres in double (for direct distances)
};

/// Prepares `centres` (k x d, double) for assign_and_accumulate.
template <class T>
void prepare_centres(std::span<const double> centres, int k, int d, PreparedCentres<T>& out);

/// What one assignment sweep produces on a rank.
struct AssignmentTotals {
  std::vector<double> sums;          ///< k x d, SumMode::fast
  std::vector<FixedInt> fixed_sums;  ///< k x d, SumMode::reproducible (scaled by `scale`)
  std::vector<std::int64_t> counts;  ///< k
  PartialSum inertia;                ///< sum of squared distances to the chosen centres
  std::int64_t changed = 0;          ///< points whose label differs from the one passed in
};

/// For each point: labels[i] = nearest centre (labels[i] on entry is the previous label, -1 if
/// none, for the `changed` count), distances[i] = its squared distance (if not empty); adds
/// the point to its centre's sum and count, and the distance to the inertia. `scale` is used in
/// exact mode only. `totals` is reset first.
template <class T>
void assign_and_accumulate(std::span<const T> points, const PreparedCentres<T>& centres, std::span<std::int32_t> labels,
                           std::span<double> distances, SumMode mode, FixedPointScale scale, AssignmentTotals& totals);
/// Reference twin: plain loops, direct distances for the argmin, no blocking.
template <class T>
void assign_and_accumulate_ref(std::span<const T> points, const PreparedCentres<T>& centres,
                               std::span<std::int32_t> labels, std::span<double> distances, SumMode mode,
                               FixedPointScale scale, AssignmentTotals& totals);

/// k-means++ seeding: distances[i] = min(distances[i], ||x_i - centre||^2), in double.
template <class T>
void update_min_distances(std::span<const T> points, int d, std::span<const double> centre, std::span<double> distances);
template <class T>
void update_min_distances_ref(std::span<const T> points, int d, std::span<const double> centre,
                              std::span<double> distances);

}  // namespace tessera::kernels
