// What a path names, for the files tessera reads (checkpoints, configs, data sets): only
// regular files are read. A FIFO blocks the reader forever, a device streams without end and a
// directory cannot be opened; each is refused up front, saying what was found.
#pragma once

#include <filesystem>
#include <string>

namespace tessera {

/// "" for a regular file (or a symlink to one), otherwise what the path is: "missing", "a
/// directory", "a FIFO", "a character device", ...
std::string non_regular_kind(const std::filesystem::path& path);

/// Throws a UsageError naming `role` (e.g. "config file"), the path and what it is when
/// the path is not a regular file.
void require_regular_file(const std::filesystem::path& path, const std::string& role);

}  // namespace tessera
