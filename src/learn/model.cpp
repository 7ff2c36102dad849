// Model shapes and initial weights (see model.hpp).
#include "tessera/learn/model.hpp"

#include "tessera/base/error.hpp"
#include "tessera/kernels/counter_rng.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tessera {

namespace {
constexpr std::uint64_t kStreamInitialWeights = 0x77e1;
constexpr std::int64_t kMaxWidth = std::int64_t{1} << 20;
}  // namespace

ModelSpec::ModelSpec(ModelKind kind, std::int64_t inputs, std::vector<std::int64_t> hidden, std::int64_t classes)
    : kind_(kind), inputs_(inputs), hidden_(std::move(hidden)), classes_(classes) {
  if (kind_ == ModelKind::softmax && !hidden_.empty()) {
    throw UsageError("--hidden is for --model mlp; softmax regression has no hidden layers (drop --hidden or use "
                     "--model mlp)");
  }
  if (kind_ == ModelKind::mlp && hidden_.empty()) {
    throw UsageError("--model mlp needs hidden layer sizes, e.g. --hidden 128 or --hidden 256,128");
  }
  for (const std::int64_t width : hidden_) {
    if (width < 1 || width > kMaxWidth) {
      throw UsageError("--hidden " + hidden_text() + ": every hidden layer needs 1 to " + std::to_string(kMaxWidth) +
                       " units, got " + std::to_string(width));
    }
  }
  std::int64_t in = inputs_;
  std::vector<std::int64_t> outs = hidden_;
  outs.push_back(classes_);
  for (const std::int64_t out : outs) {
    LayerShape layer{in, out, parameters_, parameters_ + in * out};
    parameters_ += layer.parameters();
    layers_.push_back(layer);
    in = out;
  }
}

std::int64_t ModelSpec::widest() const {
  std::int64_t widest = inputs_;
  for (const LayerShape& layer : layers_) widest = std::max(widest, layer.out);
  return widest;
}

std::string ModelSpec::hidden_text() const {
  std::string text;
  for (const std::int64_t width : hidden_) text += (text.empty() ? "" : ",") + std::to_string(width);
  return text;
}

std::string ModelSpec::describe() const {
  std::string sizes = std::to_string(inputs_);
  for (const LayerShape& layer : layers_) sizes += "-" + std::to_string(layer.out);
  std::string count = std::to_string(parameters_);
  for (int i = static_cast<int>(count.size()) - 3; i > 0; i -= 3) count.insert(static_cast<std::size_t>(i), ",");
  return std::string(model_kind_name(kind_)) + " " + sizes + " (" + count + " parameters)";
}

template <class T>
void ModelSpec::initialise(std::uint64_t seed, std::span<T> parameters) const {
  const kernels::CounterRng rng(seed, kStreamInitialWeights);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const LayerShape& layer = layers_[l];
    const bool last = l + 1 == layers_.size();
    // Uniform(-a, a) with variance 2 / in (He, for ReLU) or 2 / (in + out) (Glorot).
    const double variance = last ? 2.0 / static_cast<double>(layer.in + layer.out) : 2.0 / static_cast<double>(layer.in);
    const double a = std::sqrt(3.0 * variance);
    for (std::int64_t i = 0; i < layer.in * layer.out; ++i) {
      const std::int64_t index = layer.weights + i;
      parameters[static_cast<std::size_t>(index)] =
          static_cast<T>(a * (2.0 * rng.uniform(static_cast<std::uint64_t>(index)) - 1.0));
    }
    std::fill_n(parameters.begin() + layer.bias, layer.out, T(0));
  }
}

template void ModelSpec::initialise<float>(std::uint64_t, std::span<float>) const;
template void ModelSpec::initialise<double>(std::uint64_t, std::span<double>) const;

ModelKind parse_model_kind(const std::string& text) {
  if (text == "softmax") return ModelKind::softmax;
  if (text == "mlp") return ModelKind::mlp;
  throw UsageError("--model " + text + ": unknown model; use softmax (softmax regression) or mlp (with --hidden)");
}

const char* model_kind_name(ModelKind kind) { return kind == ModelKind::softmax ? "softmax" : "mlp"; }

std::vector<std::int64_t> parse_hidden_sizes(const std::string& text, const std::string& option) {
  std::vector<std::int64_t> sizes;
  if (text.empty()) return sizes;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size()) {
      throw UsageError(option + " " + text + ": '" + item + "' is not a layer size; give positive integers separated "
                       "by commas, e.g. " + option + " 256,128");
    }
    if (value < 1) {
      throw UsageError(option + " " + text + ": every hidden layer needs at least 1 unit, got " + std::to_string(value));
    }
    sizes.push_back(value);
    start = end + 1;
  }
  return sizes;
}

}  // namespace tessera
