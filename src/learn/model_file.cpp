// Model files (see model_file.hpp).
#include "tessera/learn/model_file.hpp"

#include "tessera/base/error.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/kernels/element_type.hpp"

#include <nlohmann/json.hpp>

#include <map>

namespace tessera {

namespace {
std::string weights_name(std::size_t l) { return "layer" + std::to_string(l) + "_weights"; }
std::string bias_name(std::size_t l) { return "layer" + std::to_string(l) + "_bias"; }
}  // namespace

template <class T>
std::filesystem::path write_model(const Communicator& comm, const std::filesystem::path& path, const ModelSpec& spec,
                                  std::span<const T> parameters, double input_scale, OutputAttributes attributes) {
  std::vector<T> copy(parameters.begin(), parameters.end());  // views take mutable spans
  std::vector<double> scale{input_scale};
  std::vector<ArrayView> arrays;
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t l = 0; l < spec.layers().size(); ++l) {
    const LayerShape& layer = spec.layers()[l];
    arrays.push_back(view_replicated<T>(weights_name(l), std::span<T>(copy).subspan(static_cast<std::size_t>(layer.weights),
                                                                                      static_cast<std::size_t>(layer.in * layer.out)),
                                        {layer.in, layer.out}));
    arrays.push_back(view_replicated<T>(bias_name(l), std::span<T>(copy).subspan(static_cast<std::size_t>(layer.bias),
                                                                                   static_cast<std::size_t>(layer.out)),
                                        {layer.out}));
    layers.push_back({{"name", "layer" + std::to_string(l)},
                      {"weights", weights_name(l)},
                      {"bias", bias_name(l)},
                      {"shape", {layer.in, layer.out}},
                      {"activation", l + 1 == spec.layers().size() ? "softmax" : "relu"}});
  }
  arrays.push_back(view_replicated<double>("input_scale", scale, {1}));
  ArrayAttributes described;
  for (std::size_t l = 0; l < spec.layers().size(); ++l) {
    const std::string layer = "layer " + std::to_string(l);
    described[weights_name(l)] = OutputAttributes::quantity(layer + " weights (out = in . W + b)", "1", {"in", "out"});
    described[bias_name(l)] = OutputAttributes::quantity(layer + " bias", "1", {"out"});
  }
  described["input_scale"] = OutputAttributes::quantity("factor applied to the raw input features", "1", {"one"});
  attributes.text["title"] = "multilayer perceptron trained by data-parallel SGD";
  attributes.text["model"] = model_kind_name(spec.kind());
  attributes.text["hidden"] = spec.hidden_text();
  attributes.text["layers"] = layers.dump();
  attributes.text["precision"] = std::string(kernels::type_name(kernels::element_type_of<T>()));
  attributes.integers["inputs"] = spec.inputs();
  attributes.integers["classes"] = spec.classes();
  attributes.integers["parameters"] = spec.parameters();
  attributes.reals["input_scale"] = input_scale;
  return write_output_file(comm, path, arrays, attributes, described);
}

LoadedModel read_model(const Communicator& comm, const std::filesystem::path& path) {
  const std::vector<DatasetInfo> found = list_datasets(comm, path);
  std::map<std::string, DatasetInfo> by_name;
  for (const DatasetInfo& info : found) by_name.emplace(info.ref.path.substr(1), info);
  const auto refuse = [&](const std::string& why) {
    throw UsageError("--evaluate " + path.string() + " is not a model written by train: " + why, true);
  };
  if (!by_name.count(weights_name(0))) refuse("it has no /" + weights_name(0));
  std::vector<DatasetInfo> weights;
  std::vector<DatasetInfo> biases;
  for (std::size_t l = 0; by_name.count(weights_name(l)); ++l) {
    const DatasetInfo& w = by_name.at(weights_name(l));
    if (!by_name.count(bias_name(l))) refuse("/" + weights_name(l) + " has no /" + bias_name(l));
    const DatasetInfo& b = by_name.at(bias_name(l));
    if (w.shape.size() != 2 || b.shape.size() != 1 || b.shape[0] != w.shape[1]) {
      refuse("/" + weights_name(l) + " is " + shape_string(w.shape) + " and /" + bias_name(l) + " is " +
             shape_string(b.shape) + " (expected in x out and out)");
    }
    if (l > 0 && w.shape[0] != weights.back().shape[1]) {
      refuse("layer " + std::to_string(l) + " takes " + std::to_string(w.shape[0]) + " inputs but layer " +
             std::to_string(l - 1) + " gives " + std::to_string(weights.back().shape[1]));
    }
    weights.push_back(w);
    biases.push_back(b);
  }
  std::vector<std::int64_t> hidden;
  for (std::size_t l = 0; l + 1 < weights.size(); ++l) hidden.push_back(weights[l].shape[1]);
  LoadedModel model{ModelSpec(weights.size() == 1 ? ModelKind::softmax : ModelKind::mlp, weights[0].shape[0], hidden,
                              weights.back().shape[1]),
                    {}, 1.0, std::string(kernels::type_name(weights[0].type))};
  model.parameters.resize(static_cast<std::size_t>(model.spec.parameters()));
  for (std::size_t l = 0; l < weights.size(); ++l) {
    const LayerShape& layer = model.spec.layers()[l];
    const std::vector<double> w = read_replicated<double>(comm, weights[l]);
    const std::vector<double> b = read_replicated<double>(comm, biases[l]);
    std::copy(w.begin(), w.end(), model.parameters.begin() + layer.weights);
    std::copy(b.begin(), b.end(), model.parameters.begin() + layer.bias);
  }
  if (by_name.count("input_scale")) model.input_scale = read_replicated<double>(comm, by_name.at("input_scale")).at(0);
  return model;
}

template std::filesystem::path write_model<float>(const Communicator&, const std::filesystem::path&, const ModelSpec&,
                                                  std::span<const float>, double, OutputAttributes);
template std::filesystem::path write_model<double>(const Communicator&, const std::filesystem::path&, const ModelSpec&,
                                                   std::span<const double>, double, OutputAttributes);

}  // namespace tessera
