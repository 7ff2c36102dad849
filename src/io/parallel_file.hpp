// Collective HDF5 files over MPI-IO: create/open, attributes (identical on all ranks, as
// parallel HDF5 requires for metadata) and global arrays written and read as per-rank
// hyperslabs with collective transfers. Checkpoints and snapshots are both built on this.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/io/hdf5_handle.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tessera::h5 {

/// Collective: creates (truncating) `path` for parallel writing.
Handle create_parallel(const Communicator& comm, const std::filesystem::path& path);
/// Collective: opens `path` read-only for parallel reading.
Handle open_parallel(const Communicator& comm, const std::filesystem::path& path);

/// Strings are variable-length UTF-8 (h5py reads them as str); numbers in native types.
void write_attribute(hid_t object, const std::string& name, const std::string& value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values);
void write_attribute(hid_t object, const std::string& name, double value);
void write_attribute(hid_t object, const std::string& name, std::int64_t value);
void write_attribute(hid_t object, const std::string& name, const std::vector<double>& values);
void write_attribute(hid_t object, const std::string& name, std::uint64_t value);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::int64_t>& values);
void write_attribute(hid_t object, const std::string& name, const std::vector<std::uint64_t>& values);

[[nodiscard]] bool has_attribute(hid_t object, const std::string& name);
/// A string attribute, variable- or fixed-length.
[[nodiscard]] std::string read_string_attribute(hid_t object, const std::string& name);
[[nodiscard]] double read_double_attribute(hid_t object, const std::string& name);
[[nodiscard]] std::int64_t read_int64_attribute(hid_t object, const std::string& name);
[[nodiscard]] std::uint64_t read_uint64_attribute(hid_t object, const std::string& name);
[[nodiscard]] std::vector<std::int64_t> read_int64_array_attribute(hid_t object, const std::string& name);
[[nodiscard]] std::vector<std::uint64_t> read_uint64_array_attribute(hid_t object, const std::string& name);

/// Collective: creates dataset `view.name` under `parent` with the view's global shape and
/// element type and writes every rank's block into it (a replicated view: rank 0's copy). Returns the dataset (open) for attributes.
/// The raw transfer can fail on some ranks only (a full disk seen by one I/O aggregator): the
/// ranks agree on its outcome right after it, before any other collective HDF5 call, so a
/// failure throws the same collective error on every rank instead of leaving them out of step.
Handle write_array(const Communicator& comm, hid_t parent, const ArrayView& view);
/// Collective: reads every rank's block of dataset `view.name` under `parent` into the view
/// (a replicated view: the whole array on every rank), agreeing on the outcome as write_array
/// does. Throws if the dataset is missing or its global shape or element type differs from
/// the view's (no conversion: it would turn collective I/O into independent I/O).
void read_array(const Communicator& comm, hid_t parent, const ArrayView& view);
/// Collective: flushes `file` to stable storage (MPI_File_sync underneath), agreeing on the
/// outcome. Checkpoints call this before they are renamed to their final name.
void sync_file(const Communicator& comm, hid_t file, const std::string& what);

/// Shape of a dataset, slowest first (1 to 4 entries).
[[nodiscard]] std::vector<std::int64_t> dataset_shape(hid_t parent, const std::string& name);
/// Element type of a dataset, or nothing for a type tessera does not read.
[[nodiscard]] std::optional<ElementType> dataset_type(hid_t parent, const std::string& name);

/// The HDF5 native type of an element type (an HDF5 library constant: not to be closed).
[[nodiscard]] hid_t native_type(ElementType type);
/// The element type a stored HDF5 type is, or nothing (strings, compounds, float16, int16, ...).
[[nodiscard]] std::optional<ElementType> element_type(hid_t file_type);
/// "float32", "int16", "strings", ... for messages.
[[nodiscard]] std::string describe_type(hid_t file_type);
/// A transfer list for collective MPI-IO transfers.
[[nodiscard]] Handle collective_transfer();

}  // namespace tessera::h5
