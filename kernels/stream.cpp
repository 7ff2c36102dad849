// STREAM copy and triad, threaded with a static schedule.
#include "tessera/kernels/stream.hpp"

#include <cstddef>

namespace tessera::kernels {

void stream_copy(std::span<const double> a, std::span<double> b) {
  const double* __restrict src = a.data();
  double* __restrict dst = b.data();
  const auto n = static_cast<std::ptrdiff_t>(a.size());
#pragma omp parallel for simd schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) dst[i] = src[i];
}

void stream_copy_ref(std::span<const double> a, std::span<double> b) {
  for (std::size_t i = 0; i < a.size(); ++i) b[i] = a[i];
}

void stream_triad(std::span<double> a, std::span<const double> b, std::span<const double> c,
                  double scalar) {
  double* __restrict pa = a.data();
  const double* __restrict pb = b.data();
  const double* __restrict pc = c.data();
  const auto n = static_cast<std::ptrdiff_t>(a.size());
#pragma omp parallel for simd schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) pa[i] = pb[i] + scalar * pc[i];
}

void stream_triad_ref(std::span<double> a, std::span<const double> b, std::span<const double> c,
                      double scalar) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = b[i] + scalar * c[i];
}

void first_touch_fill(std::span<double> a, double value) {
  double* p = a.data();
  const auto n = static_cast<std::ptrdiff_t>(a.size());
#pragma omp parallel for simd schedule(static)
  for (std::ptrdiff_t i = 0; i < n; ++i) p[i] = value;
}

}  // namespace tessera::kernels
