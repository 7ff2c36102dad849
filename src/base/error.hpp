// Error types and the process exit codes every tessera app documents.
#pragma once

#include <stdexcept>
#include <string>

namespace tessera {

/// Process exit status of every tessera app (see README, "Exit codes").
enum class ExitCode : int {
  success = 0,              ///< ran and verified
  verification_failed = 1,  ///< ran, but the result failed its own check
  usage = 2,                ///< bad command line, configuration or input
  runtime = 3,              ///< MPI, I/O or other failure while running
  hang = 76,                ///< the watchdog saw no progress for --watchdog-timeout seconds
  interrupted = 75,         ///< stopped by SIGTERM/SIGUSR1 after writing a checkpoint: requeue
};

/// Base of all tessera errors. `collective()` is true when every rank of the communicator
/// throws the same error at the same point (after an agreement), so the ranks can leave
/// together with a single message instead of aborting.
class Error : public std::runtime_error {
 public:
  Error(const std::string& what, ExitCode code, bool collective = false)
      : std::runtime_error(what), code_(code), collective_(collective) {}
  [[nodiscard]] ExitCode code() const { return code_; }
  [[nodiscard]] bool collective() const { return collective_; }

 private:
  ExitCode code_;
  bool collective_;
};

/// Bad options, configuration or input: exit status 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& what, bool collective = false)
      : Error(what, ExitCode::usage, collective) {}
};

/// A failure while running (MPI, file system, HDF5): exit status 3.
class RuntimeError : public Error {
 public:
  explicit RuntimeError(const std::string& what, bool collective = false)
      : Error(what, ExitCode::runtime, collective) {}
};

}  // namespace tessera
