// The passes of a multilayer perceptron over a batch cut into micro-batches, with OpenMP
// over the micro-batches: each thread takes whole micro-batches and runs the layer kernels
// (kernels/dense_layers.hpp) on them single-threaded, so a micro-batch's results are the same
// bits on any thread count. Parameter gradients are added per thread, either plainly or into
// binned accumulators (kernels/binned_sum.hpp) when the sum must not depend on which thread
// took which micro-batch. The caller (src/learn/trainer) combines threads and ranks.
#pragma once

#include "tessera/kernels/binned_sum.hpp"
#include "tessera/kernels/dense_layers.hpp"
#include "tessera/kernels/partial_sum.hpp"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace tessera::kernels {

/// Micro-batch j is rows [offsets[j], offsets[j + 1]) of the batch.
using MicroBatchOffsets = std::span<const std::int64_t>;

/// Forward pass and softmax cross-entropy of every micro-batch: outputs[l] (rows x
/// layers[l].out) receives layer l's output (after ReLU except for the last layer),
/// dlogits the loss gradient of the logits; losses[j] and corrects[j] per micro-batch.
template <class T>
void mlp_forward_loss(std::span<const DenseShape> layers, const T* parameters, const T* x, MicroBatchOffsets offsets,
                      std::span<T* const> outputs, const std::int32_t* labels, T* dlogits, double* losses,
                      std::int64_t* corrects);

/// Per-thread gradient accumulators over the whole parameter vector: `plain` (double sums)
/// or `binned`, one per thread (the other empty).
struct ThreadGradients {
  std::span<std::vector<double>> plain;
  std::span<BinnedVector> binned;
};

/// Backward pass of layer l for every micro-batch: each micro-batch's weight and bias
/// gradient (computed in the thread's `scratch`, a parameter-sized buffer) is added to its
/// thread's accumulator, and for l > 0 deltas[l - 1] receives the gradient below (through the
/// ReLU). deltas[l] holds the gradient of layer l's output. Runs on scratch.size() threads
/// (one accumulator of `sums` each). Thread 0 calls `progress` after
/// each of its micro-batches (to drive communication in flight).
template <class T>
void mlp_backward_layer(std::span<const DenseShape> layers, std::size_t l, const T* parameters, const T* x,
                        std::span<T* const> outputs, std::span<T* const> deltas, MicroBatchOffsets offsets,
                        std::span<std::vector<T>> scratch, ThreadGradients sums, const std::function<void()>& progress);

/// out[k] = the sum over threads of plain[t][first + k], k < count.
void merge_plain(std::span<const std::vector<double>> plain, std::size_t first, std::size_t count, double* out);
/// binned[0] += binned[t] for t > 0, over elements [first, first + count).
void merge_binned(std::span<BinnedVector> binned, std::size_t first, std::size_t count);

/// Loss and confusion counts of a model on `rows` rows (x: rows x layers[0].in, labels) whose
/// first is global row `first_row`. Rows are pushed through in chunks of `chunk` rows aligned
/// to global row numbers, the rows a rank lacks filled with zeros, so each row meets the same
/// products on any split of the rows over ranks and threads. Per-row losses are added into
/// `loss` (exact in SumMode::reproducible); confusion (classes x classes, [label][predicted]) is
/// incremented.
template <class T>
void mlp_evaluate(std::span<const DenseShape> layers, const T* parameters, const T* x, const std::int32_t* labels,
                  std::int64_t first_row, std::int64_t rows, std::int64_t chunk, PartialSum& loss,
                  std::span<std::int64_t> confusion);

}  // namespace tessera::kernels
