// Data-parallel training of a ModelSpec on a LabelledRows set split over ranks. Every rank
// holds the whole model (replicated); a step fetches the samples of this rank's micro-batches
// (src/learn/batch_plan.hpp), runs forward and backward passes on them (one micro-batch per
// OpenMP thread at a time, kernels/dense_layers.hpp), sums the gradients over micro-batches,
// threads and ranks, and applies the optimizer identically everywhere.
//
// The gradient sum, in the run's SumMode:
//   fast   each thread adds its micro-batches' gradients, the threads' sums are added, and
//          each layer's gradient goes into a nonblocking MPI_Iallreduce as soon as the
//          backward pass has finished it, overlapping the backward pass of the layers below
//          (as DDP's buckets do). The last bits depend on the rank and thread counts.
//   exact  every micro-batch's gradient is deposited into binned accumulators
//          (kernels/binned_sum.hpp) and summed over ranks with global_binned_sum: the weights
//          are bitwise the same on any rank and thread count.
// Either way a micro-batch's gradient itself is the same bits wherever it is computed.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/comm/request.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/kernels/binned_sum.hpp"
#include "tessera/kernels/sum_mode.hpp"
#include "tessera/learn/batch_plan.hpp"
#include "tessera/learn/labelled_rows.hpp"
#include "tessera/learn/model.hpp"
#include "tessera/learn/optimizer.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

struct TrainConfig {
  std::int64_t batch = 256;
  std::int64_t micro_batch = 32;
  std::int64_t epochs = 10;
  std::uint64_t seed = 1;
  OptimizerConfig optimizer;
  kernels::SumMode sum_mode = kernels::SumMode::fast;
};

/// One step's outcome, the same on every rank.
struct StepResult {
  double loss_sum = 0;        ///< summed over the batch's samples (before the update)
  std::int64_t correct = 0;   ///< samples the model classified right (before the update)
  std::int64_t samples = 0;
  double lr = 0;
};

/// An evaluation of the model on a labelled set, the same on every rank.
struct Evaluation {
  double loss_sum = 0;
  std::int64_t correct = 0;
  std::int64_t samples = 0;
  std::vector<std::int64_t> confusion;  ///< classes x classes: [true label][predicted]
  [[nodiscard]] double accuracy() const { return samples > 0 ? static_cast<double>(correct) / static_cast<double>(samples) : 0.0; }
  [[nodiscard]] double loss() const { return samples > 0 ? loss_sum / static_cast<double>(samples) : 0.0; }
};

/// Collective: loss, accuracy and confusion matrix of a model on `data`, rows pushed through
/// in chunks of `chunk` aligned to global row numbers (the same bits on any rank and thread
/// count in exact mode).
template <class T>
Evaluation evaluate_model(const Communicator& comm, const ModelSpec& spec, std::span<const T> parameters,
                          const LabelledRows<T>& data, std::int64_t chunk, kernels::SumMode mode);

template <class T>
class Trainer {
 public:
  /// Collective. `train` stays owned by the caller and must outlive the trainer.
  Trainer(Communicator comm, ModelSpec spec, TrainConfig config, const LabelledRows<T>& train);

  /// Initial weights from the seed (also the state a restart overwrites).
  void initialise();
  /// Collective: optimizer step `step` (0-based over the whole run). Throws a collective
  /// RuntimeError when the loss or the gradient is no longer finite (the training diverged).
  StepResult step(std::int64_t step);
  /// Collective: loss, accuracy and confusion matrix of the current model on `data`. Rows are
  /// evaluated in fixed chunks aligned to global row numbers, so the result is the same bits on
  /// any rank and thread count in exact mode.
  Evaluation evaluate(const LabelledRows<T>& data) const;

  /// Parameters and optimizer state, for checkpoints.
  std::vector<ArrayView> state();
  [[nodiscard]] std::span<T> parameters() { return parameters_; }
  [[nodiscard]] std::span<const T> parameters() const { return parameters_; }
  [[nodiscard]] const ModelSpec& spec() const { return spec_; }
  [[nodiscard]] const BatchPlan& plan() const { return plan_; }
  [[nodiscard]] const TrainConfig& config() const { return config_; }
  [[nodiscard]] std::int64_t total_steps() const { return config_.epochs * plan_.steps_per_epoch(); }
  [[nodiscard]] const Communicator& comm() const { return comm_; }

 private:
  Communicator comm_;
  ModelSpec spec_;
  TrainConfig config_;
  const LabelledRows<T>& train_;
  BatchPlan plan_;
  Optimizer<T> optimizer_;
  std::vector<T> parameters_;
  int threads_;
  // Per step, sized once for the most rows a rank computes.
  std::vector<T> batch_x_;
  std::vector<std::int32_t> batch_y_;
  std::vector<std::vector<T>> activations_;  // per layer output: rows x out (ReLU applied on hidden layers)
  std::vector<std::vector<T>> deltas_;       // per layer output: gradient of the loss
  std::vector<std::vector<T>> scratch_;      // per thread: one micro-batch's parameter gradient
  std::vector<std::vector<double>> thread_sums_;       // fast mode: per thread
  std::vector<kernels::BinnedVector> thread_binned_;  // exact mode: per thread
  std::vector<double> gradient_;                     // the global gradient sum
  std::vector<Request> pending_;                     // fast mode: the layers' reductions in flight
};

}  // namespace tessera
