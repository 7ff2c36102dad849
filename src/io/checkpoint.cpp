// Checkpoint files: layout (format 3; format 2 is the same with fixed-length string attributes,
// format 1, written by earlier builds for heat and cg, is format 2 without /integers and with
// float64 block arrays only; both are still read)
//   /                  attributes: format, format_version, app, step, time, config_hash,
//                      ranks, proc_grid, version, rng_state, meta_digest
//   /scalars           one double attribute per app scalar
//   /integers          one int64 attribute per integer app state (format 2)
//   /arrays/<name>     global datasets in their own element type, each with attributes
//                      "digest", "distribution" (format 2) and, for ragged arrays, "rank_counts"
#include "tessera/io/checkpoint.hpp"

#include "tessera/base/fault_injection.hpp"
#include "tessera/base/file_kind.hpp"
#include "tessera/base/fnv1a.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/parallel_file.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <utility>

namespace tessera {

namespace fs = std::filesystem;

namespace {

constexpr const char* kFormat = "tessera-checkpoint";
// 3: string attributes are variable-length UTF-8 (2: fixed-length); both are read.
constexpr std::int64_t kFormatVersion = 3;
constexpr std::int64_t kOldestReadable = 1;
constexpr const char* kPrefix = "ckpt_";
constexpr const char* kSuffix = ".h5";
constexpr const char* kPartial = ".partial";

std::optional<std::int64_t> step_of(const std::string& name) {
  const std::string prefix = kPrefix;
  const std::string suffix = kSuffix;
  if (name.size() <= prefix.size() + suffix.size() || name.rfind(prefix, 0) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return std::nullopt;
  }
  const std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 18 || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoll(digits);
}

// Makes a rename durable: without this a crash right after rename may lose it.
void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string hex(std::uint64_t v) { return digest_hex(v); }

// "cells: checkpoint [64,64,1], this run [96,96,1]" for every option that differs.
std::string describe_difference(const std::string& stored, const std::string& current) {
  auto parse = [](const std::string& text) {
    std::map<std::string, std::string> options;
    std::size_t at = 0;
    while (at < text.size()) {
      std::size_t end = text.find("; ", at);
      if (end == std::string::npos) end = text.size();
      const std::string item = text.substr(at, end - at);
      const std::size_t eq = item.find('=');
      if (eq != std::string::npos) options[item.substr(0, eq)] = item.substr(eq + 1);
      at = end + 2;
    }
    return options;
  };
  const auto a = parse(stored);
  const auto b = parse(current);
  std::string out;
  for (const auto& [key, value] : b) {
    const auto it = a.find(key);
    const std::string old = it == a.end() ? "(unset)" : it->second;
    if (old != value) out += (out.empty() ? "" : "; ") + key + ": checkpoint " + old + ", this run " + value;
  }
  return out.empty() ? "config hashes differ" : out;
}

// A hash of the metadata, so damage to the attributes is caught as well as to the arrays.
std::uint64_t meta_digest(const CheckpointMeta& m, std::int64_t ranks) {
  Fnv1a h;
  h.text(m.app).value(m.step).value(m.time).value(m.config_hash).text(m.config).value(ranks).text(m.version);
  for (auto v : m.proc_grid) h.value(v);
  for (auto v : m.rng_state) h.value(v);
  for (const auto& [name, value] : m.scalars) h.text(name).value(value);
  for (const auto& [name, value] : m.integers) h.text(name).value(value);
  return h.get();
}

// A checksum proves the metadata is what some writer wrote, not that the values make sense:
// a forged or buggy file must not start a run at step -5 or time NaN.
void check_meta_ranges(const CheckpointMeta& m, const fs::path& path) {
  auto refuse = [&](const std::string& what) {
    throw RuntimeError(path.string() + " has impossible metadata: " + what + "; the file is damaged or forged");
  };
  if (m.step < 0) refuse("step " + std::to_string(m.step) + " (a step is >= 0)");
  if (!std::isfinite(m.time) || m.time < 0.0) refuse("time " + std::to_string(m.time) + " (a time is finite and >= 0)");
  if (m.ranks < 1) refuse("ranks " + std::to_string(m.ranks) + " (at least 1 rank wrote it)");
  std::int64_t product = 1;
  for (const auto g : m.proc_grid) {
    if (g < 1 || g > m.ranks) refuse("process grid entry " + std::to_string(g) + " (entries are 1 to ranks)");
    product *= g;
  }
  if (!m.proc_grid.empty() && product != m.ranks) {
    refuse("a process grid of " + std::to_string(product) + " ranks written by " + std::to_string(m.ranks) + " ranks");
  }
  if (const auto named = step_of(path.filename().string()); named && *named != m.step) {
    refuse("step " + std::to_string(m.step) + " in a file named for step " + std::to_string(*named));
  }
}

}  // namespace

CheckpointStore::CheckpointStore(Communicator comm, fs::path directory, int keep)
    : comm_(std::move(comm)), directory_(std::move(directory)), keep_(keep) {
  if (keep_ < 1) throw UsageError("--keep must be at least 1, got " + std::to_string(keep_));
}

std::string CheckpointStore::file_name(std::int64_t step) {
  char name[64];
  std::snprintf(name, sizeof name, "%s%09lld%s", kPrefix, static_cast<long long>(step), kSuffix);
  return name;
}

std::vector<CheckpointInfo> CheckpointStore::list() const {
  std::vector<CheckpointInfo> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    if (const auto step = step_of(entry.path().filename().string()); step && entry.is_regular_file(ec)) {
      found.push_back({entry.path(), *step});
    }
  }
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.step < b.step; });
  return found;
}

std::vector<CheckpointStore::Stray> CheckpointStore::strays() const {
  std::vector<Stray> found;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(directory_, ec)) {
    const std::string name = entry.path().filename().string();
    if (!step_of(name)) continue;
    if (std::string kind = non_regular_kind(entry.path()); !kind.empty()) found.push_back({name, std::move(kind)});
  }
  std::sort(found.begin(), found.end(), [](const Stray& a, const Stray& b) { return a.name < b.name; });
  return found;
}

fs::path CheckpointStore::write(const CheckpointMeta& meta, std::span<const ArrayView> arrays) {
  const fs::path final_path = directory_ / file_name(meta.step);
  const fs::path partial_path = fs::path(final_path.string() + kPartial);

  collective_check(comm_, [&] {
    if (!comm_.is_root()) return;
    std::error_code ec;
    fs::create_directories(directory_, ec);
    if (ec) throw RuntimeError("cannot create checkpoint directory " + directory_.string() + ": " + ec.message());
  });

  // A full disk found before writing fails cleanly; found by a write half-way, it leaves
  // HDF5 unable to close the file. Arrays plus a margin for metadata.
  double bytes = 64 * 1024;
  for (const auto& a : arrays) {
    bytes += static_cast<double>(kernels::size_of(a.type)) * static_cast<double>(a.global_size());
  }
  bytes *= 1.01;
  collective_check(comm_, [&] {
    if (!comm_.is_root()) return;
    std::error_code ec;
    const auto space = fs::space(directory_, ec);
    if (!ec && static_cast<double>(space.available) < bytes) {
      char text[160];
      std::snprintf(text, sizeof text, ": it needs about %.1f MiB, the file system has %.1f MiB free", bytes / 1048576.0,
                    static_cast<double>(space.available) / 1048576.0);
      throw RuntimeError("not enough space for checkpoint " + partial_path.string() + text +
                         " (No space left on device); free space or use another --checkpoint-dir");
    }
  });

  std::vector<std::uint64_t> digests;
  digests.reserve(arrays.size());
  for (const auto& a : arrays) digests.push_back(array_digest(comm_, a));
  // A ragged array's rows per rank (its slowest dimension), for readers that want them.
  std::vector<std::vector<std::int64_t>> rank_counts(arrays.size());
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    if (arrays[i].distribution != Distribution::ragged) continue;
    const std::int64_t rows = arrays[i].count[static_cast<std::size_t>(kMaxDims - arrays[i].ndims)];
    rank_counts[i] = allgather(comm_, rows);
  }

  collective_check(comm_, [&] {
    h5::Handle file = h5::create_parallel(comm_, partial_path);
    h5::write_attribute(file, "format", std::string(kFormat));
    h5::write_attribute(file, "format_version", kFormatVersion);
    h5::write_attribute(file, "app", meta.app);
    h5::write_attribute(file, "step", meta.step);
    h5::write_attribute(file, "time", meta.time);
    h5::write_attribute(file, "config_hash", meta.config_hash);
    h5::write_attribute(file, "config", meta.config);
    h5::write_attribute(file, "ranks", static_cast<std::int64_t>(comm_.size()));
    h5::write_attribute(file, "proc_grid", meta.proc_grid);
    h5::write_attribute(file, "version", meta.version);
    h5::write_attribute(file, "rng_state", meta.rng_state);
    {
      h5::Handle scalars = h5::group_handle(H5Gcreate2(file, "scalars", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                            "creating group 'scalars'");
      for (const auto& [name, value] : meta.scalars) h5::write_attribute(scalars, name, value);
      h5::Handle integers = h5::group_handle(H5Gcreate2(file, "integers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                             "creating group 'integers'");
      for (const auto& [name, value] : meta.integers) h5::write_attribute(integers, name, value);
      h5::Handle group = h5::group_handle(H5Gcreate2(file, "arrays", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                                          "creating group 'arrays'");
      for (std::size_t i = 0; i < arrays.size(); ++i) {
        h5::Handle dataset = h5::write_array(comm_, group, arrays[i]);
        h5::write_attribute(dataset, "digest", digests[i]);
        h5::write_attribute(dataset, "distribution", std::string(distribution_name(arrays[i].distribution)));
        if (!rank_counts[i].empty()) h5::write_attribute(dataset, "rank_counts", rank_counts[i]);
        // Rehearsal: die with part of the file written. An injected error is agreed on at
        // once, as a failed transfer is (write_array): the other ranks would otherwise go on
        // into the next collective write and wait there for the failed rank forever.
        std::exception_ptr injected;
        try {
          fault::point(fault::Site::checkpoint);
        } catch (...) {
          injected = std::current_exception();
        }
        agree_on_error(comm_, injected);
      }
    }
    h5::write_attribute(file, "meta_digest", meta_digest(meta, comm_.size()));
    h5::sync_file(comm_, file, "flushing checkpoint " + partial_path.string() + " to disk");
    file.close();
  });

  // Only now, with every rank's part closed, does the checkpoint get its final name.
  collective_check(comm_, [&] {
    if (!comm_.is_root()) return;
    std::error_code ec;
    fs::rename(partial_path, final_path, ec);
    if (ec) throw RuntimeError("cannot commit checkpoint " + final_path.string() + ": " + ec.message());
    sync_directory(directory_);
    // Keep the new checkpoint and the newest keep-1 older ones. Checkpoints of later steps
    // belong to a timeline this run abandoned (it resumed from an earlier step, or started
    // fresh): they go, so they can neither crowd out this run's checkpoints nor be resumed.
    std::vector<CheckpointInfo> older;
    for (const auto& c : list()) {
      if (c.step < meta.step) {
        older.push_back(c);
      } else if (c.step > meta.step) {
        fs::remove(c.path, ec);
      }
    }
    for (std::size_t i = 0; i + static_cast<std::size_t>(keep_ - 1) < older.size(); ++i) fs::remove(older[i].path, ec);
    for (const auto& entry : fs::directory_iterator(directory_, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with(kPartial) && step_of(name.substr(0, name.size() - std::string(kPartial).size()))) {
        fs::remove(entry.path(), ec);
      }
    }
  });
  return final_path;
}

CheckpointMeta read_checkpoint_meta(const Communicator& comm, const fs::path& path) {
  h5::Handle file = h5::open_parallel(comm, path);
  if (!h5::has_attribute(file, "format") || h5::read_string_attribute(file, "format") != kFormat) {
    throw RuntimeError(path.string() + " is not a tessera checkpoint (no 'format' attribute '" + kFormat + "')");
  }
  const auto format_version = h5::read_int64_attribute(file, "format_version");
  if (format_version < kOldestReadable || format_version > kFormatVersion) {
    throw RuntimeError(path.string() + " has checkpoint format version " + std::to_string(format_version) +
                       "; this build reads versions " + std::to_string(kOldestReadable) + " to " +
                       std::to_string(kFormatVersion) + " (use the tessera build that wrote it)");
  }
  CheckpointMeta meta;
  meta.app = h5::read_string_attribute(file, "app");
  meta.step = h5::read_int64_attribute(file, "step");
  meta.time = h5::read_double_attribute(file, "time");
  meta.config_hash = h5::read_uint64_attribute(file, "config_hash");
  meta.config = h5::read_string_attribute(file, "config");
  meta.ranks = h5::read_int64_attribute(file, "ranks");
  meta.proc_grid = h5::read_int64_array_attribute(file, "proc_grid");
  meta.version = h5::read_string_attribute(file, "version");
  meta.rng_state = h5::read_uint64_array_attribute(file, "rng_state");
  h5::Handle scalars = h5::group_handle(H5Gopen2(file, "scalars", H5P_DEFAULT), "opening group 'scalars'");
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  h5::check(H5Aiterate2(scalars, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), "listing group 'scalars'");
  for (const auto& name : names) meta.scalars[name] = h5::read_double_attribute(scalars, name);
  if (format_version >= 2) {
    h5::Handle integers = h5::group_handle(H5Gopen2(file, "integers", H5P_DEFAULT), "opening group 'integers'");
    names.clear();
    h5::check(H5Aiterate2(integers, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), "listing group 'integers'");
    for (const auto& name : names) meta.integers[name] = h5::read_int64_attribute(integers, name);
  }
  const std::uint64_t stored = h5::read_uint64_attribute(file, "meta_digest");
  if (stored != meta_digest(meta, meta.ranks)) {
    throw RuntimeError("the metadata of " + path.string() + " fails its checksum: the file is damaged");
  }
  check_meta_ranges(meta, path);
  return meta;
}

std::vector<StoredArray> read_checkpoint_arrays(const Communicator& comm, const fs::path& path) {
  h5::Handle file = h5::open_parallel(comm, path);
  h5::Handle group = h5::group_handle(H5Gopen2(file, "arrays", H5P_DEFAULT), "opening group 'arrays'");
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  h5::check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), "listing the arrays");
  std::vector<StoredArray> arrays;
  // Sizes are checked against the file before anyone allocates for them: a small forged file
  // declaring a 30000 x 30000 array must be refused, not read into 7 GB.
  std::error_code ec;
  const auto file_bytes = static_cast<double>(fs::file_size(path, ec));
  double stored_bytes = 0.0;
  for (const auto& name : names) {
    StoredArray a;
    a.name = name;
    a.shape = h5::dataset_shape(group, name);
    const auto type = h5::dataset_type(group, name);
    if (!type) throw RuntimeError("array '" + name + "' has an element type tessera does not write");
    a.type = *type;
    h5::Handle dataset = h5::dataset_handle(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "opening '" + name + "'");
    double declared = static_cast<double>(kernels::size_of(a.type));
    for (const auto extent : a.shape) declared *= static_cast<double>(extent);
    const auto storage = static_cast<double>(H5Dget_storage_size(dataset));
    stored_bytes += storage;
    if (storage < declared || stored_bytes > file_bytes) {
      char text[200];
      std::snprintf(text, sizeof text, "array '%s' declares %s %s (%.4g bytes), but the file stores %.4g bytes of it",
                    name.c_str(), shape_string(a.shape).c_str(), std::string(kernels::type_name(a.type)).c_str(),
                    declared, std::min(storage, file_bytes));
      throw RuntimeError(std::string(text) + ": the file is truncated, damaged or forged");
    }
    a.digest = h5::read_uint64_attribute(dataset, "digest");
    if (h5::has_attribute(dataset, "distribution")) {
      const std::string d = h5::read_string_attribute(dataset, "distribution");
      a.distribution = d == "replicated" ? Distribution::replicated
                       : d == "ragged"   ? Distribution::ragged
                                         : Distribution::blocks;
    }
    if (h5::has_attribute(dataset, "rank_counts")) a.rank_counts = h5::read_int64_array_attribute(dataset, "rank_counts");
    arrays.push_back(std::move(a));
  }
  return arrays;
}

void CheckpointStore::load(const fs::path& path, std::span<const ArrayView> arrays) {
  std::vector<std::uint64_t> stored(arrays.size(), 0);
  collective_check(comm_, [&] {
    h5::Handle file = h5::open_parallel(comm_, path);
    h5::Handle group = h5::group_handle(H5Gopen2(file, "arrays", H5P_DEFAULT), "opening group 'arrays'");
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      h5::read_array(comm_, group, arrays[i]);
      h5::Handle dataset = h5::dataset_handle(H5Dopen2(group, arrays[i].name.c_str(), H5P_DEFAULT),
                                              "opening dataset '" + arrays[i].name + "'");
      stored[i] = h5::read_uint64_attribute(dataset, "digest");
    }
  });
  // Digests of distributed arrays are global sums, identical on every rank; a replicated
  // array's is computed by each rank on its own copy, so the ranks agree on the verdict.
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    std::uint64_t computed = array_digest(comm_, arrays[i]);
    if (arrays[i].distribution == Distribution::replicated &&
        allreduce_max(comm_, computed != stored[i] ? 1 : 0) != 0) {
      computed = ~stored[i];
    }
    if (computed != stored[i]) {
      throw RuntimeError("array '" + arrays[i].name + "' fails its checksum (stored " + hex(stored[i]) +
                             ", read back " + hex(computed) + "): the file is damaged",
                         true);
    }
  }
}

std::optional<CheckpointMeta> CheckpointStore::restore_latest(std::span<const ArrayView> arrays, const std::string& app,
                                                              std::uint64_t config_hash,
                                                              const std::function<void(const std::string&)>& warn,
                                                              const std::string& config) {
  const std::vector<ArrayView> fixed(arrays.begin(), arrays.end());
  return restore_latest([&](const CheckpointMeta&, const std::vector<StoredArray>&) { return fixed; }, app,
                        config_hash, warn, config);
}

std::optional<CheckpointMeta> CheckpointStore::restore_latest(const PrepareViews& prepare, const std::string& app,
                                                              std::uint64_t config_hash,
                                                              const std::function<void(const std::string&)>& warn,
                                                              const std::string& config) {
  // One rank reads the directory, so all ranks try the same files in the same order.
  std::string listing;
  if (comm_.is_root()) {
    for (const auto& stray : strays()) {
      warn("ignoring " + (directory_ / stray.name).string() + ": named like a checkpoint but " + stray.kind +
           ", not a regular file");
    }
    auto found = list();
    for (auto it = found.rbegin(); it != found.rend(); ++it) listing += it->path.string() + '\n';
  }
  listing = broadcast(comm_, listing, 0);
  std::istringstream lines(listing);
  std::string candidate;
  while (std::getline(lines, candidate)) {
    CheckpointMeta meta;
    std::vector<StoredArray> stored;
    try {
      collective_check(comm_, [&] {
        meta = read_checkpoint_meta(comm_, candidate);
        stored = read_checkpoint_arrays(comm_, candidate);
      });
    } catch (const Error& e) {
      warn("checkpoint " + candidate + " is unusable (" + e.what() + "); trying the previous one");
      continue;
    }
    if (meta.app != app) {
      throw UsageError("checkpoint " + candidate + " was written by app '" + meta.app + "', not '" + app +
                           "'; point --checkpoint-dir at this app's checkpoints",
                       true);
    }
    if (meta.config_hash != config_hash) {
      throw UsageError("checkpoint " + candidate + " was written with different problem options (" +
                           describe_difference(meta.config, config) +
                           "); restart with the same problem options, or use another --checkpoint-dir",
                       true);
    }
    std::vector<ArrayView> views;
    collective_check(comm_, [&] { views = prepare(meta, stored); });
    try {
      load(candidate, views);
    } catch (const Error& e) {
      warn("checkpoint " + candidate + " is damaged (" + e.what() + "); trying the previous one");
      continue;
    }
    return meta;
  }
  return std::nullopt;
}

}  // namespace tessera
