// Data sets: a user's HDF5 table of rows (samples x features), too big for one node, read
// collectively with each rank taking its rows of a RowPartition. Every data app names its
// input the same way, `--input FILE.h5:/path/to/dataset`. describe_dataset() learns type,
// shape and chunking without reading data; read_rows() reads a rank's rows in bounded
// batches in the file's own type (so the transfer stays collective) and converts in memory to
// the type the app computes in. Bad input is refused with one message naming the file, the
// dataset and the offending value.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/domain/row_partition.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// FILE.h5:/path/to/dataset
struct DatasetRef {
  std::filesystem::path file;
  std::string path;  ///< absolute path inside the file, starting with '/'
  [[nodiscard]] std::string text() const { return file.string() + ":" + path; }
};

/// Parses "FILE.h5:/path/to/dataset"; `option` names the option in messages (e.g. "--input").
/// Throws a UsageError for a spec without ":/".
DatasetRef parse_dataset_ref(const std::string& spec, const std::string& option);

struct DatasetInfo {
  DatasetRef ref;
  ElementType type = ElementType::f64;
  std::vector<std::int64_t> shape;  ///< slowest first
  std::vector<std::int64_t> chunk;  ///< chunk shape; empty for a contiguous dataset
  [[nodiscard]] std::int64_t rows() const { return shape.empty() ? 0 : shape[0]; }
  /// Elements per row (the product of all but the first extent; 1 for a 1D dataset).
  [[nodiscard]] std::int64_t columns() const;
  /// "float32 2000000x16 (chunks 4096x16)".
  [[nodiscard]] std::string describe() const;
};

/// Collective: type, shape and chunking of a dataset, without reading its data. Throws a
/// collective UsageError naming the file and the dataset for a missing or unreadable file, a
/// file that is not HDF5, a missing dataset (listing what the file holds), a group or scalar
/// where a dataset is expected, and an element type tessera does not read.
DatasetInfo describe_dataset(const Communicator& comm, const DatasetRef& ref);

/// Collective: every dataset in `file` (recursively), for listings such as `tessera-data info`.
std::vector<DatasetInfo> list_datasets(const Communicator& comm, const std::filesystem::path& file);

/// Collective: a string attribute of the dataset, if it has one (e.g. "labels", naming the
/// dataset of true labels beside generated or imported points).
std::optional<std::string> dataset_string_attribute(const Communicator& comm, const DatasetRef& ref,
                                                    const std::string& name);

/// Collective: the dataset the `labels` attribute of `ref` names (generated and imported data
/// name their labels beside the samples), resolved in the same file; none without one.
std::optional<DatasetRef> named_labels(const Communicator& comm, const DatasetRef& ref);
/// Throws a UsageError unless the dataset has `ndims` dimensions; `needed` says what the app
/// needs, e.g. "a 2D table (rows x features)".
void require_dims(const DatasetInfo& info, int ndims, const std::string& needed);

/// Collective: throws a collective UsageError, before anything is allocated, when the rows a
/// rank holds under `part` need more memory (`bytes_per_row` each: the data in the type the
/// app computes in, plus what it keeps per row) than the rank's share of its node.
void require_memory_for_rows(const Communicator& comm, const DatasetInfo& info, const RowPartition& part,
                             double bytes_per_row);

/// Collective: reads this rank's rows [part.offset(rank), + part.count(rank)) of the dataset
/// into `out` (row-major, part.count(rank) x info.columns() elements), converting from the
/// file's type to T in memory, in collective batches of at most `batch_bytes` per rank.
template <class T>
void read_rows(const Communicator& comm, const DatasetInfo& info, const RowPartition& part, std::span<T> out,
               std::int64_t batch_bytes = std::int64_t{64} << 20);

/// Collective: a small dataset every rank needs whole (given centres, model weights), read in
/// row blocks and gathered: rows() x columns() elements converted to T, the same on every rank.
/// Throws a collective UsageError for NaN or infinite values.
template <class T>
std::vector<T> read_replicated(const Communicator& comm, const DatasetInfo& info);
/// Collective: throws a collective UsageError when any row holds a NaN or an infinity, with
/// their count and the first such global row. `row_offset` is this rank's first global row.
template <class T>
void require_finite(const Communicator& comm, const DatasetInfo& info, std::span<const T> rows,
                    std::int64_t columns, std::int64_t row_offset);

}  // namespace tessera
