// An exclusive claim on a run's directories (--output, --checkpoint-dir), so that a second run
// started on the same directories is refused at once instead of pruning the first one's files.
// The claim is flock(2) on a lock file in the directory: the kernel releases it when the
// holding process ends, however it ends, so a killed run never leaves a stale lock behind.
#pragma once

#include <filesystem>
#include <string>

namespace tessera {

class DirectoryLock {
 public:
  /// Takes the lock on `directory` (which must exist) for this process, recording `app`, host,
  /// pid and start time in it. Throws a UsageError naming the holder when another process holds
  /// it. On a file system without flock support it warns through `warn` and holds nothing.
  DirectoryLock(const std::filesystem::path& directory, const std::string& app,
                void (*warn)(const std::string&));
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  DirectoryLock(DirectoryLock&& other) noexcept;
  DirectoryLock& operator=(DirectoryLock&&) = delete;
  ~DirectoryLock();

  static constexpr const char* kFileName = ".tessera.lock";

 private:
  int fd_ = -1;
};

}  // namespace tessera
