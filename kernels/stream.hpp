// STREAM-style bandwidth kernels: the yardstick that kernel benchmarks and the machine probe
// report their achieved bandwidth against.
#pragma once

#include <span>

namespace tessera::kernels {

/// b = a (16 bytes moved per element, not counting write-allocate).
void stream_copy(std::span<const double> a, std::span<double> b);
void stream_copy_ref(std::span<const double> a, std::span<double> b);

/// a = b + scalar * c (24 bytes moved per element).
void stream_triad(std::span<double> a, std::span<const double> b, std::span<const double> c,
                  double scalar);
void stream_triad_ref(std::span<double> a, std::span<const double> b, std::span<const double> c,
                      double scalar);

/// Writes `value` with the same static OpenMP schedule the kernels use, so pages are first
/// touched by the threads that later sweep them.
void first_touch_fill(std::span<double> a, double value);

}  // namespace tessera::kernels
