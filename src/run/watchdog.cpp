// The watchdog thread.
#include "tessera/run/watchdog.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"
#include "tessera/run/stop_signal.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace tessera {

Watchdog::Watchdog(int rank, double timeout_seconds)
    : rank_(rank), timeout_(timeout_seconds), launcher_(static_cast<int>(getppid())) {
  activity::enter("compute");
  if (timeout_ > 0 || launcher_ > 1) thread_ = std::thread([this] { watch(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watchdog::watch() {
  const auto period = std::chrono::duration<double>(timeout_ > 0 ? std::clamp(timeout_ / 4.0, 0.05, 0.5) : 0.5);
  std::unique_lock<std::mutex> lock(mutex_);
  bool orphan = false;
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    if (!orphan && launcher_ > 1 && static_cast<int>(getppid()) != launcher_) {
      orphan = true;
      std::fprintf(stderr, "[rank %d] the launcher (pid %d) is gone: stopping as on SIGTERM (checkpoint, exit %d)\n",
                   rank_, launcher_, static_cast<int>(ExitCode::interrupted));
      std::fflush(stderr);
      StopSignal::launcher_gone();
    }
    if (timeout_ <= 0) continue;
    const activity::State& s = activity::state();
    const double idle = static_cast<double>(activity::now_ns() - s.since_ns.load(std::memory_order_acquire)) * 1e-9;
    const double limit = s.io.load(std::memory_order_relaxed) ? 10.0 * timeout_ : timeout_;
    if (idle < limit) continue;
    const int peer = s.peer.load();
    char waiting[48] = "";
    if (peer >= 0) std::snprintf(waiting, sizeof waiting, " (waiting for rank %d)", peer);
    std::fprintf(stderr,
                 "[rank %d] watchdog: no progress for %.1f s: stuck in %s%s since %.1f s ago, after step %lld; "
                 "ending the job with exit code %d\n",
                 rank_, idle, s.what.load(), waiting, idle, static_cast<long long>(s.step.load()),
                 static_cast<int>(ExitCode::hang));
    std::fflush(stderr);
    // No MPI from this thread (FUNNELED): leaving the process makes the launcher end the job.
    std::_Exit(static_cast<int>(ExitCode::hang));
  }
}

}  // namespace tessera
