// Result files: an app's named arrays (any element type and distribution) and a few
// attributes in one HDF5 file, written collectively under a temporary name and renamed when
// complete, so a file with the final name is never half-written. Readable with h5py, pandas
// or h5dump like any HDF5 file.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"

#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// Attributes of a file or of one of its datasets (all ranks give the same values). Strings are
/// stored so that h5py reads them as str.
struct OutputAttributes {
  std::map<std::string, std::string> text;
  std::map<std::string, double> reals;
  std::map<std::string, std::int64_t> integers;
  std::map<std::string, std::vector<std::string>> text_lists;
  std::map<std::string, std::vector<double>> real_lists;

  /// The attributes that say where a file came from: app, tessera_version, git_revision (as
  /// `git describe` writes it), and options (JSON text of the options that define the result)
  /// when given.
  static OutputAttributes provenance(const std::string& app, const std::string& options_json = {});
  /// The attributes that describe a dataset: long_name and units (the CF conventions' names),
  /// and dimension_names in storage order (slowest first) when given.
  static OutputAttributes quantity(const std::string& long_name, const std::string& units,
                                   std::vector<std::string> dimension_names = {});
  /// Adds every attribute of `other`, replacing those of the same name.
  OutputAttributes& merge(const OutputAttributes& other);
};

/// Attributes of datasets, by dataset name: dimension names, units, a description.
using ArrayAttributes = std::map<std::string, OutputAttributes>;

/// Writes `attributes` on an open file, group or dataset. Collective in a parallel file (the
/// same values on every rank).
void write_attributes(hid_t object, const OutputAttributes& attributes);

/// Collective: creates `path`'s directory, opens PATH.partial for parallel writing, lets
/// `write` fill it (every rank calls it with the open file), closes it and renames it to
/// `path`. Any failure is agreed on by all ranks; `path` is then not touched.
void write_file_atomically(const Communicator& comm, const std::filesystem::path& path,
                           const std::function<void(hid_t file)>& write);

/// Not collective (the caller's rank writes): `text` into PATH.partial, then renamed to `path`,
/// so a reader never sees half a file (JSON results, XDMF descriptions).
void write_text_atomically(const std::filesystem::path& path, const std::string& text);

/// Collective: writes `arrays` as datasets /<name> of `path` (replacing the file) with
/// `attributes` on the root group and `array_attributes` on the datasets they name; returns
/// `path`.
std::filesystem::path write_output_file(const Communicator& comm, const std::filesystem::path& path,
                                        std::span<const ArrayView> arrays, const OutputAttributes& attributes,
                                        const ArrayAttributes& array_attributes = {});

}  // namespace tessera
