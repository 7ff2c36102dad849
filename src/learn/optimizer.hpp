// Optimizers and learning-rate schedules of the training loop. The optimizer owns its state
// (momentum or Adam's two moments, one value per parameter), which checkpoints save beside
// the weights; the learning rate is a function of the step alone, so a resumed run continues
// on the same schedule.
#pragma once

#include "tessera/domain/array_view.hpp"
#include "tessera/kernels/optimizer_steps.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

enum class OptimizerKind { sgd, adam };
enum class Schedule { constant, cosine, step };

struct OptimizerConfig {
  OptimizerKind kind = OptimizerKind::adam;
  double lr = 1e-3;
  double momentum = 0.9;      ///< sgd
  double weight_decay = 0.0;  ///< L2, added to the gradient
  double beta1 = 0.9;         ///< adam
  double beta2 = 0.999;
  double epsilon = 1e-8;
  Schedule schedule = Schedule::constant;
  std::int64_t warmup_steps = 0;     ///< linear ramp from lr / warmup to lr
  std::int64_t decay_epochs = 10;    ///< step schedule: multiply by decay_factor every decay_epochs
  double decay_factor = 0.1;
};

OptimizerKind parse_optimizer_kind(const std::string& text);
const char* optimizer_kind_name(OptimizerKind kind);
Schedule parse_schedule(const std::string& text);
const char* schedule_name(Schedule schedule);

/// The learning rate of 0-based step `step` of `total_steps`, `steps_per_epoch` per epoch.
double learning_rate(const OptimizerConfig& config, std::int64_t step, std::int64_t total_steps,
                     std::int64_t steps_per_epoch);

template <class T>
class Optimizer {
 public:
  Optimizer(OptimizerConfig config, std::int64_t parameters);

  /// Updates `parameters` with the gradient sum over `rows` rows for 0-based step `step`.
  void update(std::span<T> parameters, std::span<const double> gradient_sum, std::int64_t rows, std::int64_t step,
              double lr);

  /// The state arrays for checkpoints (replicated): none for plain sgd, the velocity for sgd
  /// with momentum, the two moments for adam.
  std::vector<ArrayView> state();
  [[nodiscard]] const OptimizerConfig& config() const { return config_; }

 private:
  OptimizerConfig config_;
  std::vector<T> first_;   // velocity (sgd) or first moment (adam)
  std::vector<T> second_;  // second moment (adam)
};

}  // namespace tessera
