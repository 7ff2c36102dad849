// Hang watchdog: a thread on every rank (off the compute path, no MPI calls) that watches the
// rank's activity record. When the rank has made no progress (no step completed, no phase
// changed) for the timeout, it prints which phase the rank is stuck in, since when and at
// which step, and ends the process with exit status 76, which ends the whole job; the
// neighbours and collectives partners of a stuck rank report their own waits the same way.
// File I/O phases (checkpoint and snapshot writes, restart reads) may take longer on a busy
// parallel file system: they get ten times the timeout.
// The same thread watches the rank's parent, its launcher: when the launcher dies (mpirun
// ending after a second SIGTERM does not take its ranks along) the rank is reparented, and it
// stops as on SIGTERM instead of running on as an orphan (StopSignal::launcher_gone).
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace tessera {

class Watchdog {
 public:
  /// `timeout_seconds` <= 0: no hang watch (the launcher is watched all the same).
  Watchdog(int rank, double timeout_seconds);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  void watch();
  int rank_;
  double timeout_;
  int launcher_;  ///< parent process id at start; 1 (no launcher to watch) disables the watch
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tessera
