// Row sums for fused dot products.
#include "tessera/kernels/partial_sum.hpp"

namespace tessera::kernels {

void PartialSum::add_products(const double* a, const double* b, Index count) {
  if (mode_ == SumMode::reproducible) {
    exact_->add_products(a, b, count);
    return;
  }
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (Index i = 0; i < count; ++i) s += a[i] * b[i];
  fast_ += s;
}

}  // namespace tessera::kernels
