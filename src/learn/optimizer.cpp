// Optimizers and schedules (see optimizer.hpp).
#include "tessera/learn/optimizer.hpp"

#include "tessera/base/error.hpp"

#include <cmath>
#include <numbers>

namespace tessera {

OptimizerKind parse_optimizer_kind(const std::string& text) {
  if (text == "sgd") return OptimizerKind::sgd;
  if (text == "adam") return OptimizerKind::adam;
  throw UsageError("--optimizer " + text + ": unknown optimizer; use sgd (with --momentum) or adam");
}

const char* optimizer_kind_name(OptimizerKind kind) { return kind == OptimizerKind::sgd ? "sgd" : "adam"; }

Schedule parse_schedule(const std::string& text) {
  if (text == "constant") return Schedule::constant;
  if (text == "cosine") return Schedule::cosine;
  if (text == "step") return Schedule::step;
  throw UsageError("--schedule " + text + ": unknown schedule; use constant, cosine (to 0 at the last step) or step "
                   "(x --decay-factor every --decay-epochs)");
}

const char* schedule_name(Schedule schedule) {
  switch (schedule) {
    case Schedule::constant: return "constant";
    case Schedule::cosine: return "cosine";
    case Schedule::step: return "step";
  }
  return "?";
}

double learning_rate(const OptimizerConfig& config, std::int64_t step, std::int64_t total_steps,
                     std::int64_t steps_per_epoch) {
  double lr = config.lr;
  switch (config.schedule) {
    case Schedule::constant: break;
    case Schedule::cosine:
      lr *= 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(step) / static_cast<double>(total_steps)));
      break;
    case Schedule::step: {
      const std::int64_t epoch = step / steps_per_epoch;
      lr *= std::pow(config.decay_factor, static_cast<double>(epoch / config.decay_epochs));
      break;
    }
  }
  if (step < config.warmup_steps) lr *= static_cast<double>(step + 1) / static_cast<double>(config.warmup_steps);
  return lr;
}

template <class T>
Optimizer<T>::Optimizer(OptimizerConfig config, std::int64_t parameters) : config_(config) {
  const auto n = static_cast<std::size_t>(parameters);
  if (config_.kind == OptimizerKind::adam) {
    first_.assign(n, T(0));
    second_.assign(n, T(0));
  } else if (config_.momentum != 0.0) {
    first_.assign(n, T(0));
  }
}

template <class T>
void Optimizer<T>::update(std::span<T> parameters, std::span<const double> gradient_sum, std::int64_t rows,
                          std::int64_t step, double lr) {
  const double scale = 1.0 / static_cast<double>(rows);
  const auto count = static_cast<std::int64_t>(parameters.size());
  if (config_.kind == OptimizerKind::adam) {
    const kernels::AdamStep s{lr, config_.beta1, config_.beta2, config_.epsilon, config_.weight_decay, step + 1};
    kernels::adam_update<T>(parameters.data(), gradient_sum.data(), scale, first_.data(), second_.data(), count, s);
  } else {
    const kernels::SgdStep s{lr, config_.momentum, config_.weight_decay};
    kernels::sgd_update<T>(parameters.data(), gradient_sum.data(), scale, first_.empty() ? nullptr : first_.data(),
                           count, s);
  }
}

template <class T>
std::vector<ArrayView> Optimizer<T>::state() {
  std::vector<ArrayView> views;
  const std::int64_t n = static_cast<std::int64_t>(first_.size());
  if (config_.kind == OptimizerKind::adam) {
    views.push_back(view_replicated<T>("adam_moment1", first_, {n}));
    views.push_back(view_replicated<T>("adam_moment2", second_, {n}));
  } else if (!first_.empty()) {
    views.push_back(view_replicated<T>("sgd_velocity", first_, {n}));
  }
  return views;
}

template class Optimizer<float>;
template class Optimizer<double>;

}  // namespace tessera
