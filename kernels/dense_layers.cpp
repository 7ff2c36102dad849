// Dense-layer kernels (see dense_layers.hpp): Eigen maps over the caller's buffers, products
// forwarded to the BLAS (EIGEN_USE_BLAS). Only this file includes Eigen with that setting.
#define EIGEN_USE_BLAS
#include "tessera/kernels/dense_layers.hpp"

#include <dlfcn.h>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera::kernels {

namespace {

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMap = Eigen::Map<const RowMatrix<T>>;
template <class T>
using Map = Eigen::Map<RowMatrix<T>>;
template <class T>
using ConstRow = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;
template <class T>
using Row = Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>;

}  // namespace

template <class T>
void dense_forward(const T* x, const T* w, const T* b, T* z, LayerIndex rows, LayerIndex in, LayerIndex out) {
  if (rows == 0) return;
  Map<T> zm(z, rows, out);
  zm.noalias() = ConstMap<T>(x, rows, in) * ConstMap<T>(w, in, out);
  zm.rowwise() += ConstRow<T>(b, out);
}

template <class T>
void dense_backward(const T* x, const T* dz, const T* w, T* dw, T* db, T* dx, LayerIndex rows, LayerIndex in,
                    LayerIndex out) {
  const ConstMap<T> dzm(dz, rows, out);
  Map<T> dwm(dw, in, out);
  Row<T> dbm(db, out);
  if (rows == 0) {
    dwm.setZero();
    dbm.setZero();
    return;
  }
  dwm.noalias() = ConstMap<T>(x, rows, in).transpose() * dzm;
  // Column sums in row order (a fixed order; Eigen's colwise().sum() may reorder).
  dbm = dzm.row(0);
  for (LayerIndex r = 1; r < rows; ++r) dbm += dzm.row(r);
  if (dx != nullptr) Map<T>(dx, rows, in).noalias() = dzm * ConstMap<T>(w, in, out).transpose();
}

template <class T>
void relu_forward(T* z, LayerIndex count) {
  for (LayerIndex i = 0; i < count; ++i) z[i] = z[i] > T(0) ? z[i] : T(0);
}

template <class T>
void relu_backward(const T* a, T* da, LayerIndex count) {
  for (LayerIndex i = 0; i < count; ++i) da[i] = a[i] > T(0) ? da[i] : T(0);
}

template <class T>
LossResult softmax_cross_entropy(const T* z, const std::int32_t* labels, LayerIndex rows, LayerIndex classes, T* dz,
                                 double* loss_per_row, std::int32_t* predicted) {
  LossResult result;
  for (LayerIndex r = 0; r < rows; ++r) {
    const T* zr = z + r * classes;
    LayerIndex best = 0;
    for (LayerIndex c = 1; c < classes; ++c) best = zr[c] > zr[best] ? c : best;
    const double top = static_cast<double>(zr[best]);
    double total = 0;
    for (LayerIndex c = 0; c < classes; ++c) total += std::exp(static_cast<double>(zr[c]) - top);
    const std::int32_t label = labels[r];
    // -log softmax = log(sum exp(z - top)) - (z[label] - top)
    const double loss = std::log(total) - (static_cast<double>(zr[label]) - top);
    result.loss += loss;
    result.correct += best == label ? 1 : 0;
    if (loss_per_row != nullptr) loss_per_row[r] = loss;
    if (predicted != nullptr) predicted[r] = static_cast<std::int32_t>(best);
    if (dz != nullptr) {
      T* dzr = dz + r * classes;
      for (LayerIndex c = 0; c < classes; ++c) {
        dzr[c] = static_cast<T>(std::exp(static_cast<double>(zr[c]) - top) / total - (c == label ? 1.0 : 0.0));
      }
    }
  }
  return result;
}

template <class T>
void dense_forward_ref(const T* x, const T* w, const T* b, T* z, LayerIndex rows, LayerIndex in, LayerIndex out) {
  for (LayerIndex r = 0; r < rows; ++r) {
    for (LayerIndex o = 0; o < out; ++o) {
      T sum = 0;
      for (LayerIndex i = 0; i < in; ++i) sum += x[r * in + i] * w[i * out + o];
      z[r * out + o] = sum + b[o];
    }
  }
}

template <class T>
void dense_backward_ref(const T* x, const T* dz, const T* w, T* dw, T* db, T* dx, LayerIndex rows, LayerIndex in,
                        LayerIndex out) {
  for (LayerIndex i = 0; i < in; ++i) {
    for (LayerIndex o = 0; o < out; ++o) {
      T sum = 0;
      for (LayerIndex r = 0; r < rows; ++r) sum += x[r * in + i] * dz[r * out + o];
      dw[i * out + o] = sum;
    }
  }
  for (LayerIndex o = 0; o < out; ++o) {
    T sum = 0;
    for (LayerIndex r = 0; r < rows; ++r) sum += dz[r * out + o];
    db[o] = sum;
  }
  if (dx == nullptr) return;
  for (LayerIndex r = 0; r < rows; ++r) {
    for (LayerIndex i = 0; i < in; ++i) {
      T sum = 0;
      for (LayerIndex o = 0; o < out; ++o) sum += dz[r * out + o] * w[i * out + o];
      dx[r * in + i] = sum;
    }
  }
}

void use_single_threaded_blas() {
  // OpenBLAS and BLIS name their setter differently; the reference BLAS has none (and needs
  // none). Looked up at run time so that any BLAS the system provides works.
  using Setter = void (*)(int);
  for (const char* name : {"openblas_set_num_threads", "bli_thread_set_num_threads"}) {
    if (void* symbol = dlsym(RTLD_DEFAULT, name)) reinterpret_cast<Setter>(symbol)(1);
  }
}

const char* blas_library() {
  Dl_info info{};
  void* symbol = dlsym(RTLD_DEFAULT, "sgemm_");
  if (symbol != nullptr && dladdr(symbol, &info) != 0 && info.dli_fname != nullptr) return info.dli_fname;
  return "unknown";
}

#define TESSERA_DENSE_LAYERS(T)                                                                                        \
  template void dense_forward<T>(const T*, const T*, const T*, T*, LayerIndex, LayerIndex, LayerIndex);              \
  template void dense_backward<T>(const T*, const T*, const T*, T*, T*, T*, LayerIndex, LayerIndex, LayerIndex);     \
  template void relu_forward<T>(T*, LayerIndex);                                                                     \
  template void relu_backward<T>(const T*, T*, LayerIndex);                                                          \
  template LossResult softmax_cross_entropy<T>(const T*, const std::int32_t*, LayerIndex, LayerIndex, T*, double*,   \
                                               std::int32_t*);                                                        \
  template void dense_forward_ref<T>(const T*, const T*, const T*, T*, LayerIndex, LayerIndex, LayerIndex);          \
  template void dense_backward_ref<T>(const T*, const T*, const T*, T*, T*, T*, LayerIndex, LayerIndex, LayerIndex);
TESSERA_DENSE_LAYERS(float)
TESSERA_DENSE_LAYERS(double)
#undef TESSERA_DENSE_LAYERS

}  // namespace tessera::kernels
