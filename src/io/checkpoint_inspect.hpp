// Inspection of checkpoint files without knowing the app that wrote them: metadata, the global
// shape of every array, and a full verification (metadata checksum, every array read back and
// its digest compared), for tessera-ckpt and for scripts that must know whether a checkpoint
// can be trusted.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/io/checkpoint.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tessera {

struct ArrayInfo {
  std::string name;
  int dims = 1;                     ///< the dataset's number of dimensions
  std::vector<std::int64_t> shape;  ///< global shape, slowest first (dims entries)
  ElementType type = ElementType::f64;
  Distribution distribution = Distribution::blocks;
  std::uint64_t stored_digest = 0;
  bool digest_ok = false;           ///< set by verify_checkpoint
};

struct CheckpointReport {
  std::filesystem::path path;
  bool valid = false;
  std::string problem;  ///< why it is not valid
  bool meta_ok = false; ///< the metadata was read and passed its checks (`meta` is meaningful)
  CheckpointMeta meta;
  std::vector<ArrayInfo> arrays;
};

/// Collective over `comm`: reads metadata and array shapes; with `verify`, also reads every
/// array (split over the ranks of `comm`) and checks its digest. Never throws for a damaged
/// file: the report says what is wrong.
CheckpointReport inspect_checkpoint(const Communicator& comm, const std::filesystem::path& path, bool verify);

}  // namespace tessera
