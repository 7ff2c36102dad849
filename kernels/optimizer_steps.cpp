// Optimizer updates (see optimizer_steps.hpp).
#include "tessera/kernels/optimizer_steps.hpp"

#include <cmath>

namespace tessera::kernels {

template <class T>
void sgd_update(T* w, const double* gradient_sum, double scale, T* velocity, std::int64_t count, const SgdStep& step) {
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    const double g = gradient_sum[i] * scale + step.weight_decay * static_cast<double>(w[i]);
    double direction = g;
    if (step.momentum != 0.0) {
      direction = step.momentum * static_cast<double>(velocity[i]) + g;
      velocity[i] = static_cast<T>(direction);
    }
    w[i] = static_cast<T>(static_cast<double>(w[i]) - step.lr * direction);
  }
}

template <class T>
void adam_update(T* w, const double* gradient_sum, double scale, T* m, T* v, std::int64_t count, const AdamStep& step) {
  const double correction1 = 1.0 - std::pow(step.beta1, static_cast<double>(step.t));
  const double correction2 = 1.0 - std::pow(step.beta2, static_cast<double>(step.t));
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    const double g = gradient_sum[i] * scale + step.weight_decay * static_cast<double>(w[i]);
    const double mi = step.beta1 * static_cast<double>(m[i]) + (1.0 - step.beta1) * g;
    const double vi = step.beta2 * static_cast<double>(v[i]) + (1.0 - step.beta2) * g * g;
    m[i] = static_cast<T>(mi);
    v[i] = static_cast<T>(vi);
    w[i] = static_cast<T>(static_cast<double>(w[i]) -
                          step.lr * (mi / correction1) / (std::sqrt(vi / correction2) + step.epsilon));
  }
}

template void sgd_update<float>(float*, const double*, double, float*, std::int64_t, const SgdStep&);
template void sgd_update<double>(double*, const double*, double, double*, std::int64_t, const SgdStep&);
template void adam_update<float>(float*, const double*, double, float*, float*, std::int64_t, const AdamStep&);
template void adam_update<double>(double*, const double*, double, double*, double*, std::int64_t, const AdamStep&);

}  // namespace tessera::kernels
