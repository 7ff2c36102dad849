// Parameter updates of the optimizers, element by element over the whole parameter vector
// (OpenMP inside). Each element's update depends on that element alone, so the result is the
// same bits on any thread count. The gradient arrives as a sum over the batch's rows in double
// (the global sum) and is scaled by 1 / rows here; updates are computed in double and stored
// in the parameters' type.
#pragma once

#include <cstdint>

namespace tessera::kernels {

/// Stochastic gradient descent with momentum and L2 weight decay (PyTorch's convention):
/// g = gradient_sum * scale + weight_decay * w; v = momentum * v + g; w -= lr * v
/// (v unused when momentum is 0).
struct SgdStep {
  double lr = 0.01;
  double momentum = 0.0;
  double weight_decay = 0.0;
};
template <class T>
void sgd_update(T* w, const double* gradient_sum, double scale, T* velocity, std::int64_t count, const SgdStep& step);

/// Adam (Kingma and Ba) with L2 weight decay added to the gradient; t is the 1-based step:
/// m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
/// w -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps).
struct AdamStep {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double epsilon = 1e-8;
  double weight_decay = 0.0;
  std::int64_t t = 1;
};
template <class T>
void adam_update(T* w, const double* gradient_sum, double scale, T* m, T* v, std::int64_t count, const AdamStep& step);

}  // namespace tessera::kernels
