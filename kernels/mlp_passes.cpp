// Multilayer-perceptron passes over micro-batches (see mlp_passes.hpp).
#include "tessera/kernels/mlp_passes.hpp"

#include <omp.h>

#include <algorithm>

namespace tessera::kernels {

namespace {

// Rows x through every layer; layer l writes out(l) (ReLU after all but the last); returns
// the logits.
template <class T, class Output>
const T* forward_rows(std::span<const DenseShape> layers, const T* parameters, const T* x, std::int64_t rows, Output out) {
  const T* in = x;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const DenseShape& layer = layers[l];
    T* z = out(l);
    dense_forward<T>(in, parameters + layer.weights, parameters + layer.bias, z, rows, layer.in, layer.out);
    if (l + 1 != layers.size()) relu_forward<T>(z, rows * layer.out);
    in = z;
  }
  return in;
}

}  // namespace

template <class T>
void mlp_forward_loss(std::span<const DenseShape> layers, const T* parameters, const T* x, MicroBatchOffsets offsets,
                      std::span<T* const> outputs, const std::int32_t* labels, T* dlogits, double* losses,
                      std::int64_t* corrects) {
  const std::size_t last = layers.size() - 1;
  const std::int64_t classes = layers[last].out;
  const auto micro = static_cast<std::int64_t>(offsets.size()) - 1;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t j = 0; j < micro; ++j) {
    const std::int64_t r0 = offsets[static_cast<std::size_t>(j)];
    const std::int64_t rows = offsets[static_cast<std::size_t>(j) + 1] - r0;
    const T* logits = forward_rows<T>(layers, parameters, x + r0 * layers[0].in, rows,
                                      [&](std::size_t l) { return outputs[l] + r0 * layers[l].out; });
    const LossResult loss = softmax_cross_entropy<T>(logits, labels + r0, rows, classes,
                                                     dlogits + r0 * classes, nullptr, nullptr);
    losses[j] = loss.loss;
    corrects[j] = loss.correct;
  }
}

template <class T>
void mlp_backward_layer(std::span<const DenseShape> layers, std::size_t l, const T* parameters, const T* x,
                        std::span<T* const> outputs, std::span<T* const> deltas, MicroBatchOffsets offsets,
                        std::span<std::vector<T>> scratch, ThreadGradients sums, const std::function<void()>& progress) {
  const DenseShape& layer = layers[l];
  const auto micro = static_cast<std::int64_t>(offsets.size()) - 1;
  const auto first = static_cast<std::size_t>(layer.weights);
  const auto count = static_cast<std::size_t>(layer.parameters());
  const bool binned = !sums.binned.empty();
  // One thread per scratch buffer and accumulator the caller provided.
#pragma omp parallel num_threads(static_cast<int>(scratch.size()))
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    T* dw = scratch[t].data() + first;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t j = 0; j < micro; ++j) {
      const std::int64_t r0 = offsets[static_cast<std::size_t>(j)];
      const std::int64_t rows = offsets[static_cast<std::size_t>(j) + 1] - r0;
      const T* in = l == 0 ? x + r0 * layer.in : outputs[l - 1] + r0 * layer.in;
      T* dx = l == 0 ? nullptr : deltas[l - 1] + r0 * layer.in;
      dense_backward<T>(in, deltas[l] + r0 * layer.out, parameters + layer.weights, dw, dw + layer.in * layer.out, dx,
                        rows, layer.in, layer.out);
      if (dx != nullptr) relu_backward<T>(outputs[l - 1] + r0 * layer.in, dx, rows * layer.in);
      if (binned) {
        binned_deposit(sums.binned[t].ref().slice(first, count), std::span<const T>(dw, count));
      } else {
        double* sum = sums.plain[t].data() + first;
        for (std::size_t k = 0; k < count; ++k) sum[k] += static_cast<double>(dw[k]);
      }
      if (t == 0 && progress) progress();
    }
  }
}

void merge_plain(std::span<const std::vector<double>> plain, std::size_t first, std::size_t count, double* out) {
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < n; ++k) {
    double s = 0;
    for (const auto& sums : plain) s += sums[first + static_cast<std::size_t>(k)];
    out[k] = s;
  }
}

void merge_binned(std::span<BinnedVector> binned, std::size_t first, std::size_t count) {
  constexpr std::int64_t kChunk = 4096;
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
  for (std::int64_t c = 0; c < n; c += kChunk) {
    const auto size = static_cast<std::size_t>(std::min(kChunk, n - c));
    const BinnedRef into = binned[0].ref().slice(first + static_cast<std::size_t>(c), size);
    for (std::size_t t = 1; t < binned.size(); ++t) {
      binned_merge(into, binned[t].ref().slice(first + static_cast<std::size_t>(c), size));
    }
  }
}

template <class T>
void mlp_evaluate(std::span<const DenseShape> layers, const T* parameters, const T* x, const std::int32_t* labels,
                  std::int64_t first_row, std::int64_t rows, std::int64_t chunk, PartialSum& loss,
                  std::span<std::int64_t> confusion) {
  const std::int64_t columns = layers[0].in;
  const std::int64_t classes = layers.back().out;
  std::int64_t widest = columns;
  for (const DenseShape& layer : layers) widest = std::max(widest, layer.out);
  const std::int64_t end = first_row + rows;
  const std::int64_t chunk_first = first_row / chunk;
  const std::int64_t chunk_end = rows > 0 ? (end - 1) / chunk + 1 : chunk_first;
  const int threads = omp_get_max_threads();
  std::vector<PartialSum> losses;
  for (int t = 0; t < threads; ++t) losses.emplace_back(loss.mode());
  std::vector<std::vector<std::int64_t>> counts(static_cast<std::size_t>(threads), std::vector<std::int64_t>(confusion.size()));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    std::vector<T> input(static_cast<std::size_t>(chunk * columns));
    std::vector<T> a(static_cast<std::size_t>(chunk * widest));
    std::vector<T> b(a.size());
    std::vector<std::int32_t> chunk_labels(static_cast<std::size_t>(chunk));
    std::vector<double> row_loss(static_cast<std::size_t>(chunk));
    std::vector<std::int32_t> predicted(static_cast<std::size_t>(chunk));
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t c = chunk_first; c < chunk_end; ++c) {
      const std::int64_t g0 = c * chunk;
      const std::int64_t lo = std::max(g0, first_row);
      const std::int64_t hi = std::min(g0 + chunk, end);
      std::fill(input.begin(), input.end(), T(0));
      std::fill(chunk_labels.begin(), chunk_labels.end(), 0);
      std::copy(x + (lo - first_row) * columns, x + (hi - first_row) * columns, input.begin() + (lo - g0) * columns);
      std::copy(labels + (lo - first_row), labels + (hi - first_row), chunk_labels.begin() + (lo - g0));
      // Layers write alternately into a and b.
      const T* logits = forward_rows<T>(layers, parameters, input.data(), chunk,
                                        [&](std::size_t l) { return l % 2 == 0 ? a.data() : b.data(); });
      softmax_cross_entropy<T>(logits, chunk_labels.data(), chunk, classes, nullptr, row_loss.data(), predicted.data());
      for (std::int64_t r = lo - g0; r < hi - g0; ++r) {
        const auto i = static_cast<std::size_t>(r);
        losses[t].add(row_loss[i]);
        ++counts[t][static_cast<std::size_t>(chunk_labels[i] * classes + predicted[i])];
      }
    }
  }
  for (std::size_t t = 0; t < losses.size(); ++t) {
    loss.add(losses[t]);
    for (std::size_t k = 0; k < confusion.size(); ++k) confusion[k] += counts[t][k];
  }
}

#define TESSERA_MLP_PASSES(T)                                                                                        \
  template void mlp_forward_loss<T>(std::span<const DenseShape>, const T*, const T*, MicroBatchOffsets,              \
                                    std::span<T* const>, const std::int32_t*, T*, double*, std::int64_t*);           \
  template void mlp_backward_layer<T>(std::span<const DenseShape>, std::size_t, const T*, const T*,                  \
                                      std::span<T* const>, std::span<T* const>, MicroBatchOffsets,                   \
                                      std::span<std::vector<T>>, ThreadGradients, const std::function<void()>&);    \
  template void mlp_evaluate<T>(std::span<const DenseShape>, const T*, const T*, const std::int32_t*, std::int64_t,  \
                                std::int64_t, std::int64_t, PartialSum&, std::span<std::int64_t>);
TESSERA_MLP_PASSES(float)
TESSERA_MLP_PASSES(double)
#undef TESSERA_MLP_PASSES

}  // namespace tessera::kernels
