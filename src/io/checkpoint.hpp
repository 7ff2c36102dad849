// Checkpoint/restart on parallel HDF5. One file per checkpoint holds the app's named global
// arrays of any element type (each rank writes its block collectively; a replicated array is
// written once; a ragged one keeps its per-rank row counts) and metadata, including integer
// state such as random-number counters. A checkpoint is written under
// a temporary name and renamed only after every rank closed it, so a file with the final name
// is complete; each array carries a decomposition-independent digest that restart verifies, so
// a checkpoint written on P ranks is read and checked on any Q ranks. Restart takes the newest
// checkpoint that verifies, reporting and skipping damaged ones.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tessera {

struct CheckpointMeta {
  std::string app;
  std::int64_t step = 0;
  double time = 0.0;
  std::vector<std::uint64_t> rng_state;  ///< the app's random generator state, if any
  std::uint64_t config_hash = 0;         ///< hash of the options that define the computed result
  std::string config;                    ///< the same options as "key=value; ..." text
  std::int64_t ranks = 0;
  std::vector<std::int64_t> proc_grid;
  std::string version;
  std::map<std::string, double> scalars;         ///< app state that is not an array (solver scalars)
  std::map<std::string, std::int64_t> integers;  ///< integer app state (counters, RNG positions)
};

/// An array as a checkpoint holds it: what an app needs to size its buffers before reading.
struct StoredArray {
  std::string name;
  ElementType type = ElementType::f64;
  Distribution distribution = Distribution::blocks;
  std::vector<std::int64_t> shape;        ///< global shape, slowest first
  std::vector<std::int64_t> rank_counts;  ///< ragged arrays: rows each writing rank held
  std::uint64_t digest = 0;
};

struct CheckpointInfo {
  std::filesystem::path path;
  std::int64_t step = 0;
};

class CheckpointStore {
 public:
  /// `keep`: how many of the newest checkpoints to keep (>= 1).
  CheckpointStore(Communicator comm, std::filesystem::path directory, int keep);

  /// Collective: writes a checkpoint of `arrays` for `meta.step` and commits it atomically,
  /// then removes all but the newest `keep`. Returns the committed file.
  std::filesystem::path write(const CheckpointMeta& meta, std::span<const ArrayView> arrays);

  /// Collective: reads the newest checkpoint that passes verification into `arrays` and
  /// returns its metadata, or nothing when there is none. Every damaged checkpoint skipped is
  /// passed to `warn` (on all ranks). A checkpoint of another app or another configuration
  /// hash is not skipped but refused with a UsageError: resuming it would silently change the
  /// problem.
  std::optional<CheckpointMeta> restore_latest(std::span<const ArrayView> arrays, const std::string& app,
                                               std::uint64_t config_hash,
                                               const std::function<void(const std::string&)>& warn,
                                               const std::string& config = {});

  /// Restore in two steps, for state whose size the checkpoint decides (ragged arrays, data
  /// sized by the run that wrote it): `prepare` is called on every rank with the metadata and
  /// the stored arrays of a candidate checkpoint, sizes the app's buffers and returns the
  /// views to read into; then those views are read and verified. Otherwise as above.
  using PrepareViews =
      std::function<std::vector<ArrayView>(const CheckpointMeta&, const std::vector<StoredArray>&)>;
  std::optional<CheckpointMeta> restore_latest(const PrepareViews& prepare, const std::string& app,
                                               std::uint64_t config_hash,
                                               const std::function<void(const std::string&)>& warn,
                                               const std::string& config = {});

  /// Committed checkpoints in the directory, oldest first (this rank's view of the directory).
  [[nodiscard]] std::vector<CheckpointInfo> list() const;
  /// Entries named like checkpoints that are not regular files (a directory, a FIFO, a
  /// symlink to a device): never read, never removed, reported.
  struct Stray {
    std::string name;
    std::string kind;  ///< "a directory", "a FIFO", ...
  };
  [[nodiscard]] std::vector<Stray> strays() const;
  [[nodiscard]] const std::filesystem::path& directory() const { return directory_; }

  /// File name of the checkpoint for `step`.
  static std::string file_name(std::int64_t step);

 private:
  void load(const std::filesystem::path& path, std::span<const ArrayView> arrays);
  Communicator comm_;
  std::filesystem::path directory_;
  int keep_;
};

/// Reads a checkpoint's metadata (collective over `comm`, which may be a single rank).
CheckpointMeta read_checkpoint_meta(const Communicator& comm, const std::filesystem::path& path);
/// Lists the arrays of a checkpoint (collective over `comm`).
std::vector<StoredArray> read_checkpoint_arrays(const Communicator& comm, const std::filesystem::path& path);

}  // namespace tessera
