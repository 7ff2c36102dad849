// Async-signal-safe flag setting.
#include "src/run/stop_signal.hpp"

#include "src/base/activity.hpp"
#include "src/base/fault_injection.hpp"
#include "src/comm/collectives.hpp"

#include "src/comm/mpi_check.hpp"

#include <algorithm>
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
  mine_ = static_cast<int>(g_signal);
  TESSERA_MPI_CHECK(MPI_Iallreduce(&mine_, &agreed_, 1, MPI_INT, MPI_MAX, comm_.get(), request_.handle()));
  return previous;
}

int StopAgreement::settle() {
  const int previous = complete();
  return std::max(previous, StopSignal::agreed(comm_));
}

}  // namespace tessera
