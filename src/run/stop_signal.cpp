// Async-signal-safe flag setting.
#include "tessera/run/stop_signal.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/fault_injection.hpp"
#include "tessera/comm/collectives.hpp"

#include "tessera/comm/mpi_check.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>

namespace tessera {

namespace {
// Lock-free atomics are async-signal-safe, and the launcher watch sets them from a thread.
std::atomic<int> g_signal{0};
std::atomic<bool> g_launcher_gone{false};
static_assert(std::atomic<int>::is_always_lock_free);
extern "C" void on_stop_signal(int signal_number) { g_signal.store(signal_number, std::memory_order_relaxed); }
}  // namespace

void StopSignal::launcher_gone() {
  g_launcher_gone.store(true);
  g_signal.store(SIGTERM);
}

bool StopSignal::is_launcher_gone() { return g_launcher_gone.load(); }

void StopSignal::install() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
  // Past a file-size limit a write should fail with EFBIG (reported as an I/O error), not kill.
  std::signal(SIGXFSZ, SIG_IGN);
  // A rank whose launcher died writes its last messages into a closed pipe: that must fail
  // quietly, not kill the rank before its checkpoint is on disk.
  std::signal(SIGPIPE, SIG_IGN);
}

int StopSignal::local() { return g_signal.load(std::memory_order_relaxed); }

int StopSignal::agreed(const Communicator& comm) {
  const activity::Scope doing("allreduce (stop-signal agreement)");
  fault::point(fault::Site::allreduce);
  return allreduce_max(comm, g_signal.load(std::memory_order_relaxed));
}

void StopSignal::reset() { g_signal.store(0); }

StopAgreement::StopAgreement(const Communicator& comm) : comm_(Communicator::duplicate(comm.get())) {}

StopAgreement::~StopAgreement() {
  // Always wait, also while an exception unwinds: freeing a pending non-blocking collective is
  // erroneous in MPI, and the wait cannot hang, since every rank that posted this reduction
  // did so at the same step end. A rank that died is the watchdog's and MPI_Abort's business.
  if (!request_.active()) return;
  try {
    request_.wait();
  } catch (...) {  // a destructor must not throw; the job is failing anyway
  }
}

int StopAgreement::complete() {
  if (!request_.active()) return 0;
  const activity::Scope doing("allreduce (stop-signal agreement)");
  request_.wait();
  return agreed_;
}

int StopAgreement::exchange() {
  const int previous = complete();
  fault::point(fault::Site::allreduce);
  mine_ = g_signal.load(std::memory_order_relaxed);
  TESSERA_MPI_CHECK(MPI_Iallreduce(&mine_, &agreed_, 1, MPI_INT, MPI_MAX, comm_.get(), request_.handle()));
  return previous;
}

int StopAgreement::settle() {
  const int previous = complete();
  return std::max(previous, StopSignal::agreed(comm_));
}

}  // namespace tessera
