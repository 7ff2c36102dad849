// Trained models on disk: OUTPUT/model.h5 holds every layer's weights (/layerL_weights,
// in x out) and biases (/layerL_bias), the input scale the model was trained with
// (/input_scale), and root attributes naming the model, its layers and shapes, so h5py users
// can read it without tessera. read_model() rebuilds the ModelSpec from the shapes alone.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/learn/model.hpp"

#include <filesystem>
#include <span>
#include <vector>

namespace tessera {

/// Collective: writes the model (parameters as laid out by `spec`) atomically to `path`.
template <class T>
std::filesystem::path write_model(const Communicator& comm, const std::filesystem::path& path, const ModelSpec& spec,
                                  std::span<const T> parameters, double input_scale, OutputAttributes attributes);

struct LoadedModel {
  ModelSpec spec;
  std::vector<double> parameters;
  double input_scale = 1.0;
  std::string precision;  ///< the element type the weights were stored in
};

/// Collective: reads a model written by write_model. Throws a collective UsageError for a
/// file that is not one (missing layers, shapes that do not chain).
LoadedModel read_model(const Communicator& comm, const std::filesystem::path& path);

}  // namespace tessera
