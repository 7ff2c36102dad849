// Reductions over boxes: OpenMP reductions over (k, j) rows, SIMD along x.
#include "tessera/kernels/reduce.hpp"

#include <algorithm>
#include <cmath>

namespace tessera::kernels {

double max_abs_diff(std::span<const double> a, std::span<const double> b, const GridLayout& layout,
                    const Box& box) {
  if (box.empty()) return 0.0;
  double result = 0.0;
  const Index nx = box.hi[0] - box.lo[0];
#pragma omp parallel for collapse(2) reduction(max : result) schedule(static)
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      const double* pa = a.data() + layout.index(box.lo[0], j, k);
      const double* pb = b.data() + layout.index(box.lo[0], j, k);
#pragma omp simd reduction(max : result)
      for (Index i = 0; i < nx; ++i) result = std::max(result, std::abs(pa[i] - pb[i]));
    }
  }
  return result;
}

double max_abs_diff_ref(std::span<const double> a, std::span<const double> b,
                        const GridLayout& layout, const Box& box) {
  double result = 0.0;
  for (Index k = box.lo[2]; k < box.hi[2]; ++k)
    for (Index j = box.lo[1]; j < box.hi[1]; ++j)
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const Index c = layout.index(i, j, k);
        result = std::max(result, std::abs(a[c] - b[c]));
      }
  return result;
}

double max_abs(std::span<const double> a, const GridLayout& layout, const Box& box) {
  if (box.empty()) return 0.0;
  double result = 0.0;
  const Index nx = box.hi[0] - box.lo[0];
#pragma omp parallel for collapse(2) reduction(max : result) schedule(static)
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      const double* pa = a.data() + layout.index(box.lo[0], j, k);
#pragma omp simd reduction(max : result)
      for (Index i = 0; i < nx; ++i) result = std::max(result, std::abs(pa[i]));
    }
  }
  return result;
}

double max_abs_ref(std::span<const double> a, const GridLayout& layout, const Box& box) {
  double result = 0.0;
  for (Index k = box.lo[2]; k < box.hi[2]; ++k)
    for (Index j = box.lo[1]; j < box.hi[1]; ++j)
      for (Index i = box.lo[0]; i < box.hi[0]; ++i)
        result = std::max(result, std::abs(a[layout.index(i, j, k)]));
  return result;
}

double sum_squares(std::span<const double> a, const GridLayout& layout, const Box& box) {
  if (box.empty()) return 0.0;
  double result = 0.0;
  const Index nx = box.hi[0] - box.lo[0];
#pragma omp parallel for collapse(2) reduction(+ : result) schedule(static)
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      const double* pa = a.data() + layout.index(box.lo[0], j, k);
#pragma omp simd reduction(+ : result)
      for (Index i = 0; i < nx; ++i) result += pa[i] * pa[i];
    }
  }
  return result;
}

double sum_squares_ref(std::span<const double> a, const GridLayout& layout, const Box& box) {
  double result = 0.0;
  for (Index k = box.lo[2]; k < box.hi[2]; ++k)
    for (Index j = box.lo[1]; j < box.hi[1]; ++j)
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const double v = a[layout.index(i, j, k)];
        result += v * v;
      }
  return result;
}

}  // namespace tessera::kernels
