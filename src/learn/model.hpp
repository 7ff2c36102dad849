// The models the train app fits: softmax regression (one dense layer) and multilayer
// perceptrons (dense layers with ReLU between them), closed by softmax cross-entropy. A
// ModelSpec says the layer sizes; all parameters live in one flat vector (per layer: weights
// in x out row-major, then the biases), which is what the gradient sum, the optimizer and the
// checkpoints see. Initial weights are counter-based draws keyed by (seed, parameter index):
// the same on any rank count.
#pragma once

#include "tessera/kernels/dense_layers.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

enum class ModelKind { softmax, mlp };

/// A layer's sizes and the offsets of its weights (in x out) and biases in the parameters.
using LayerShape = kernels::DenseShape;

class ModelSpec {
 public:
  /// Throws a UsageError for hidden sizes with an mlp that are missing or not positive, and
  /// for hidden sizes given to softmax.
  ModelSpec(ModelKind kind, std::int64_t inputs, std::vector<std::int64_t> hidden, std::int64_t classes);

  [[nodiscard]] ModelKind kind() const { return kind_; }
  [[nodiscard]] std::int64_t inputs() const { return inputs_; }
  [[nodiscard]] std::int64_t classes() const { return classes_; }
  [[nodiscard]] const std::vector<std::int64_t>& hidden() const { return hidden_; }
  [[nodiscard]] const std::vector<LayerShape>& layers() const { return layers_; }
  [[nodiscard]] std::int64_t parameters() const { return parameters_; }
  /// The widest layer input or output (workspace sizing).
  [[nodiscard]] std::int64_t widest() const;
  /// "mlp 784-128-10 (101,770 parameters)".
  [[nodiscard]] std::string describe() const;
  /// "128,64" (empty for softmax).
  [[nodiscard]] std::string hidden_text() const;

  /// He-uniform weights for layers followed by ReLU, Glorot-uniform for the output layer,
  /// zero biases; a function of (seed, index) only.
  template <class T>
  void initialise(std::uint64_t seed, std::span<T> parameters) const;

 private:
  ModelKind kind_;
  std::int64_t inputs_;
  std::vector<std::int64_t> hidden_;
  std::int64_t classes_;
  std::vector<LayerShape> layers_;
  std::int64_t parameters_ = 0;
};

ModelKind parse_model_kind(const std::string& text);
const char* model_kind_name(ModelKind kind);
/// "128,64" -> {128, 64}; throws a UsageError naming `option` for anything else.
std::vector<std::int64_t> parse_hidden_sizes(const std::string& text, const std::string& option);

}  // namespace tessera
