// Directory locks by flock(2).
#include "tessera/run/directory_lock.hpp"

#include "tessera/base/error.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
#include <utility>

namespace tessera {

namespace {

std::string holder_line(const std::string& app) {
  char host[256] = "unknown-host";
  gethostname(host, sizeof host - 1);
  char stamp[32] = "";
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return app + " on host " + host + ", pid " + std::to_string(getpid()) + ", started " + stamp;
}

std::string read_holder(int fd) {
  std::string text(512, '\0');
  const ssize_t got = pread(fd, text.data(), text.size(), 0);
  text.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
  return text.empty() ? "another process" : text;
}

}  // namespace

DirectoryLock::DirectoryLock(const std::filesystem::path& directory, const std::string& app,
                             void (*warn)(const std::string&)) {
  const std::filesystem::path path = directory / kFileName;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw UsageError("cannot create the lock file " + path.string() + " (" + std::strerror(errno) +
                     "); choose a writable directory");
  }
  if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    if (error == EWOULDBLOCK) {
      const std::string holder = read_holder(fd_);
      ::close(std::exchange(fd_, -1));
      throw UsageError(directory.string() + " is in use by another run (" + holder +
                       "); wait for it to end, or give this run another --output / --checkpoint-dir");
    }
    // Some parallel file systems are mounted without lock support: run, but say so.
    warn("cannot lock " + path.string() + " (" + std::strerror(error) +
         "); a second run on the same directory would not be detected");
    ::close(std::exchange(fd_, -1));
    return;
  }
  const std::string line = holder_line(app) + "\n";
  if (ftruncate(fd_, 0) != 0 || pwrite(fd_, line.data(), line.size(), 0) != static_cast<ssize_t>(line.size())) {
    // The lock holds without the description; only the message of a refused run is poorer.
  }
}

DirectoryLock::DirectoryLock(DirectoryLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DirectoryLock::~DirectoryLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock; the file stays, harmless and reused
}

}  // namespace tessera
