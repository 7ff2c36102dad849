// Data-parallel training steps and evaluation (see trainer.hpp).
#include "tessera/learn/trainer.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/comm/mpi_check.hpp"
#include "tessera/kernels/dense_layers.hpp"
#include "tessera/kernels/mlp_passes.hpp"
#include "tessera/kernels/threads.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace tessera {

template <class T>
Trainer<T>::Trainer(Communicator comm, ModelSpec spec, TrainConfig config, const LabelledRows<T>& train)
    : comm_(std::move(comm)),
      spec_(std::move(spec)),
      config_(config),
      train_(train),
      plan_(train.rows(), config.batch, config.micro_batch, config.seed),
      optimizer_(config.optimizer, spec_.parameters()),
      parameters_(static_cast<std::size_t>(spec_.parameters())),
      threads_(kernels::max_threads()) {
  kernels::use_single_threaded_blas();
  const std::int64_t micro_per_step = (config_.batch + config_.micro_batch - 1) / config_.micro_batch;
  if (micro_per_step > kernels::kBinnedMaxTerms) {
    throw UsageError("--batch " + std::to_string(config_.batch) + " / --micro-batch " + std::to_string(config_.micro_batch) +
                     " makes " + std::to_string(micro_per_step) + " micro-batches per step; reproducible sums take at most " +
                     std::to_string(kernels::kBinnedMaxTerms) + " (use a larger --micro-batch)",
                     true);
  }
  const std::int64_t rows = plan_.max_rows_per_rank(comm_.size());
  for (const LayerShape& layer : spec_.layers()) {
    activations_.emplace_back(static_cast<std::size_t>(rows * layer.out));
    deltas_.emplace_back(static_cast<std::size_t>(rows * layer.out));
  }
  const auto n = static_cast<std::size_t>(spec_.parameters());
  scratch_.assign(static_cast<std::size_t>(threads_), std::vector<T>(n));
  if (config_.sum_mode == kernels::SumMode::reproducible) {
    thread_binned_.resize(static_cast<std::size_t>(threads_));
    for (auto& binned : thread_binned_) binned.resize(n);
  } else {
    thread_sums_.assign(static_cast<std::size_t>(threads_), std::vector<double>(n));
  }
  gradient_.resize(n);
}

template <class T>
void Trainer<T>::initialise() {
  spec_.initialise<T>(config_.seed, parameters_);
}

template <class T>
StepResult Trainer<T>::step(std::int64_t step) {
  const BatchPlan::Step s = plan_.step(step);
  LocalBatch local;
  {
    const activity::Scope doing("fetching the batch's samples");
    local = fetch_batch<T>(comm_, plan_, step, train_.part, train_.x, train_.y, train_.columns, batch_x_, batch_y_);
  }
  const std::span<const LayerShape> layers = spec_.layers();
  const std::int64_t micro = local.micro_count();
  std::vector<double> losses(static_cast<std::size_t>(micro));
  std::vector<std::int64_t> corrects(static_cast<std::size_t>(micro));
  std::vector<T*> outputs;
  std::vector<T*> deltas;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    outputs.push_back(activations_[l].data());
    deltas.push_back(deltas_[l].data());
  }
  kernels::mlp_forward_loss<T>(layers, parameters_.data(), batch_x_.data(), local.micro_offsets, outputs,
                               batch_y_.data(), deltas.back(), losses.data(), corrects.data());

  // Backward, layer by layer from the top; in fast mode each layer's sum is on its way over
  // the network while the layers below are computed.
  const bool exact = config_.sum_mode == kernels::SumMode::reproducible;
  for (auto& sums : thread_sums_) std::fill(sums.begin(), sums.end(), 0.0);
  for (auto& binned : thread_binned_) kernels::binned_clear(binned.ref());
  const kernels::ThreadGradients sums{thread_sums_, thread_binned_};
  const std::function<void()> progress = [this] {
    if (!pending_.empty()) test_all(pending_);
  };
  for (std::size_t l = layers.size(); l-- > 0;) {
    kernels::mlp_backward_layer<T>(layers, l, parameters_.data(), batch_x_.data(), outputs, deltas,
                                   local.micro_offsets, scratch_, sums, progress);
    const auto first = static_cast<std::size_t>(layers[l].weights);
    const auto count = static_cast<std::size_t>(layers[l].parameters());
    if (exact) {
      kernels::merge_binned(thread_binned_, first, count);
    } else {
      kernels::merge_plain(thread_sums_, first, count, gradient_.data() + first);
      Request request;
      TESSERA_MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, gradient_.data() + first, static_cast<int>(count), MPI_DOUBLE,
                                       MPI_SUM, comm_.get(), request.handle()));
      pending_.push_back(std::move(request));
    }
  }
  {
    const activity::Scope doing("summing the gradients");
    if (exact) {
      global_binned_sum(comm_, thread_binned_.front().ref(), gradient_);
    } else {
      wait_all(pending_);
      pending_.clear();
    }
  }

  std::vector<PartialSum> totals_local;
  totals_local.emplace_back(config_.sum_mode);
  totals_local.emplace_back(config_.sum_mode);
  for (std::int64_t j = 0; j < micro; ++j) {
    totals_local[0].add(losses[static_cast<std::size_t>(j)]);
    totals_local[1].add(static_cast<double>(corrects[static_cast<std::size_t>(j)]));
  }
  const std::vector<double> totals = global_sums(comm_, totals_local);
  StepResult result;
  result.loss_sum = totals[0];
  result.correct = static_cast<std::int64_t>(totals[1]);
  result.samples = s.size;
  const bool finite = std::isfinite(result.loss_sum) &&
                      std::all_of(gradient_.begin(), gradient_.end(), [](double g) { return std::isfinite(g); });
  if (!finite) {  // every rank holds the same sums: all take this branch
    char text[240];
    std::snprintf(text, sizeof text,
                  "the training diverged at step %lld (epoch %lld): the loss or a gradient is no longer finite "
                  "(mean loss %g); lower --lr (now %g)",
                  static_cast<long long>(step), static_cast<long long>(s.epoch + 1),
                  result.loss_sum / static_cast<double>(s.size), config_.optimizer.lr);
    throw RuntimeError(text, true);
  }
  result.lr = learning_rate(config_.optimizer, step, total_steps(), plan_.steps_per_epoch());
  optimizer_.update(parameters_, gradient_, s.size, step, result.lr);
  return result;
}

template <class T>
Evaluation evaluate_model(const Communicator& comm, const ModelSpec& spec, std::span<const T> parameters,
                          const LabelledRows<T>& data, std::int64_t chunk, kernels::SumMode mode) {
  const activity::Scope doing("evaluating the model");
  const std::int64_t classes = spec.classes();
  PartialSum loss(mode);
  Evaluation result;
  result.confusion.assign(static_cast<std::size_t>(classes * classes), 0);
  kernels::mlp_evaluate<T>(spec.layers(), parameters.data(), data.x.data(), data.y.data(), data.part.offset(comm.rank()),
                           data.local_rows(), chunk, loss, result.confusion);
  result.loss_sum = global_sum(comm, loss);
  allreduce_in_place<std::int64_t>(comm, result.confusion, MPI_SUM);
  for (std::int64_t k = 0; k < classes; ++k) result.correct += result.confusion[static_cast<std::size_t>(k * classes + k)];
  result.samples = data.rows();
  return result;
}

template <class T>
Evaluation Trainer<T>::evaluate(const LabelledRows<T>& data) const {
  return evaluate_model<T>(comm_, spec_, parameters_, data, config_.micro_batch, config_.sum_mode);
}

template <class T>
std::vector<ArrayView> Trainer<T>::state() {
  std::vector<ArrayView> views{view_replicated<T>("parameters", std::span<T>(parameters_), {spec_.parameters()})};
  for (ArrayView& view : optimizer_.state()) views.push_back(std::move(view));
  return views;
}

template Evaluation evaluate_model<float>(const Communicator&, const ModelSpec&, std::span<const float>,
                                          const LabelledRows<float>&, std::int64_t, kernels::SumMode);
template Evaluation evaluate_model<double>(const Communicator&, const ModelSpec&, std::span<const double>,
                                           const LabelledRows<double>&, std::int64_t, kernels::SumMode);
template class Trainer<float>;
template class Trainer<double>;

}  // namespace tessera
