// Layer kernels of a multilayer perceptron over one micro-batch of rows (row-major arrays:
// rows x features). A dense layer computes z = x w + b with w stored in x out; ReLU and the
// softmax cross-entropy loss close the network. The products are Eigen expressions over our
// buffers, evaluated by the optimized BLAS Eigen is built against (EIGEN_USE_BLAS), one
// thread per call: callers run micro-batches on their threads side by side, so every
// micro-batch's result is the same bits whichever thread computes it and however many there
// are. Each kernel has a plain-loop reference twin.
#pragma once

#include <cstdint>

namespace tessera::kernels {

using LayerIndex = std::int64_t;

/// A dense layer's place in a flat parameter vector: weights (in x out, row-major) at
/// `weights`, then `out` biases at `bias`.
struct DenseShape {
  LayerIndex in = 0;
  LayerIndex out = 0;
  LayerIndex weights = 0;
  LayerIndex bias = 0;
  [[nodiscard]] LayerIndex parameters() const { return in * out + out; }
};

/// z (rows x out) = x (rows x in) * w (in x out) + b (out), b added to every row.
template <class T>
void dense_forward(const T* x, const T* w, const T* b, T* z, LayerIndex rows, LayerIndex in, LayerIndex out);

/// The gradients of a dense layer for one micro-batch, given dz (rows x out), the gradient of
/// the loss with respect to its output: dw (in x out) = x^T dz and db (out) = the column sums
/// of dz (both overwritten: the micro-batch's sum over its rows), and, when dx is not null,
/// dx (rows x in) = dz w^T for the layer below.
template <class T>
void dense_backward(const T* x, const T* dz, const T* w, T* dw, T* db, T* dx, LayerIndex rows, LayerIndex in,
                    LayerIndex out);

/// z = max(z, 0), in place.
template <class T>
void relu_forward(T* z, LayerIndex count);
/// da *= (a > 0), with a the layer's ReLU output.
template <class T>
void relu_backward(const T* a, T* da, LayerIndex count);

struct LossResult {
  double loss = 0;            ///< sum over the rows of -log softmax(z)[label], summed in row order
  std::int64_t correct = 0;   ///< rows whose largest logit (lowest index on ties) is the label
};
/// Softmax cross-entropy of logits z (rows x classes) against labels (0 <= label < classes),
/// computed in double. Optional outputs (null to skip): dz = softmax(z) - onehot(label), the
/// gradient of the summed loss; loss_per_row; predicted (the argmax per row).
template <class T>
LossResult softmax_cross_entropy(const T* z, const std::int32_t* labels, LayerIndex rows, LayerIndex classes, T* dz,
                                 double* loss_per_row, std::int32_t* predicted);

/// Reference twins: plain loops, accumulating in T in index order.
template <class T>
void dense_forward_ref(const T* x, const T* w, const T* b, T* z, LayerIndex rows, LayerIndex in, LayerIndex out);
template <class T>
void dense_backward_ref(const T* x, const T* dz, const T* w, T* dw, T* db, T* dx, LayerIndex rows, LayerIndex in,
                        LayerIndex out);

/// The BLAS behind the products runs one thread per call (OpenBLAS would otherwise start its
/// own threads inside ours). Call once before the first product; safe to call again.
void use_single_threaded_blas();
/// The BLAS library the products call, as the dynamic loader resolved it ("libopenblas..."),
/// for run records and benchmark reports.
const char* blas_library();

}  // namespace tessera::kernels
