// Async-signal-safe flag setting.
#include "src/run/stop_signal.hpp"

#include "src/base/activity.hpp"
#include "src/base/fault_injection.hpp"
#include "src/comm/collectives.hpp"

#include <csignal>

namespace tessera {

namespace {
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_stop_signal(int signal_number) { g_signal = signal_number; }
}  // namespace

void StopSignal::install() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
  // Past a file-size limit a write should fail with EFBIG (reported as an I/O error), not kill.
  std::signal(SIGXFSZ, SIG_IGN);
}

int StopSignal::local() { return g_signal; }

int StopSignal::agreed(const Communicator& comm) {
  const activity::Scope doing("allreduce (stop-signal agreement)");
  fault::point(fault::Site::allreduce);
  return allreduce_max(comm, static_cast<int>(g_signal));
}

void StopSignal::reset() { g_signal = 0; }

}  // namespace tessera
