// Exact moments (see moments.hpp).
#include "tessera/kernels/moments.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tessera::kernels {

namespace {
// Total order on doubles: -0.0 below +0.0, so min and max do not depend on which zero came first.
bool below(double a, double b) { return a < b || (a == b && std::signbit(a) && !std::signbit(b)); }
constexpr std::size_t kPerThread = std::size_t{1} << 16;
int threads_for(std::size_t n) {
  return static_cast<int>(std::clamp<std::size_t>(n / kPerThread, 1, static_cast<std::size_t>(omp_get_max_threads())));
}
}  // namespace

template <class T>
void accumulate_moments(std::span<const T> x, MomentSums& out) {
  const std::size_t n = x.size();
  const int threads = threads_for(n);
  std::vector<MomentSums> partial(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    MomentSums& mine = partial[t];
    double lo = mine.min;
    double hi = mine.max;
    for (std::size_t i = n * t / nt; i < n * (t + 1) / nt; ++i) {
      const auto v = static_cast<double>(x[i]);
      lo = below(v, lo) ? v : lo;
      hi = below(hi, v) ? v : hi;
      mine.sum.add(v);
    }
    mine.min = lo;
    mine.max = hi;
  }
  for (const auto& p : partial) {
    out.min = below(p.min, out.min) ? p.min : out.min;
    out.max = below(out.max, p.max) ? p.max : out.max;
    out.sum.add(p.sum);
  }
}

template <class T>
void accumulate_moments_ref(std::span<const T> x, MomentSums& out) {
  for (const T value : x) {
    const auto v = static_cast<double>(value);
    out.min = below(v, out.min) ? v : out.min;
    out.max = below(out.max, v) ? v : out.max;
    out.sum.add(v);
  }
}

template <class T>
void accumulate_squared_deviations(std::span<const T> x, double mean, ExactSum& out) {
  const std::size_t n = x.size();
  const int threads = threads_for(n);
  std::vector<ExactSum> partial(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    ExactSum& mine = partial[t];
    for (std::size_t i = n * t / nt; i < n * (t + 1) / nt; ++i) {
      const double d = static_cast<double>(x[i]) - mean;
      mine.add(d * d);
    }
  }
  for (const auto& p : partial) out.add(p);
}

template <class T>
void accumulate_squared_deviations_ref(std::span<const T> x, double mean, ExactSum& out) {
  for (const T value : x) {
    const double d = static_cast<double>(value) - mean;
    out.add(d * d);
  }
}

#define TESSERA_MOMENTS(T)                                                                            \
  template void accumulate_moments<T>(std::span<const T>, MomentSums&);                               \
  template void accumulate_moments_ref<T>(std::span<const T>, MomentSums&);                           \
  template void accumulate_squared_deviations<T>(std::span<const T>, double, ExactSum&);              \
  template void accumulate_squared_deviations_ref<T>(std::span<const T>, double, ExactSum&);
TESSERA_MOMENTS(float)
TESSERA_MOMENTS(double)
TESSERA_MOMENTS(std::int32_t)
TESSERA_MOMENTS(std::int64_t)
TESSERA_MOMENTS(std::uint8_t)
TESSERA_MOMENTS(std::uint64_t)
#undef TESSERA_MOMENTS

}  // namespace tessera::kernels
