// SIGTERM and SIGUSR1 (what Slurm sends before a time limit or pre-emption) only set a flag;
// the step loop asks all ranks at each step end whether any rank saw one, so every rank stops
// after the same step and writes one consistent checkpoint. A second signal sets the same flag
// again and changes nothing. The death of the rank's launcher (mpirun gives up after a second
// signal and leaves its ranks behind) counts as a SIGTERM.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/comm/request.hpp"

namespace tessera {

class StopSignal {
 public:
  /// Installs the handlers (idempotent).
  static void install();
  /// Whether this rank received a stop signal; 0 or the signal number.
  [[nodiscard]] static int local();
  /// Collective: the signal number any rank received (highest), or 0.
  [[nodiscard]] static int agreed(const Communicator& comm);
  /// For tests: forget a received signal.
  static void reset();
  /// The launcher (mpirun, orted, slurmstepd) that started this rank has died: act as on
  /// SIGTERM (checkpoint at the next agreed step end and exit 75), and let run_main skip
  /// MPI_Finalize, which needs the launcher. Called by the watchdog thread.
  static void launcher_gone();
  [[nodiscard]] static bool is_launcher_gone();
};

/// The per-step agreement, split phase so that it costs no latency: each step end completes
/// the reduction posted at the previous step end (MPI_Iallreduce, MAX of the flags) and posts
/// this step's flags. A signal is acted on one step after it arrived, on every rank alike.
class StopAgreement {
 public:
  explicit StopAgreement(const Communicator& comm);
  /// Completes a posted reduction (every rank posted the same number of them).
  ~StopAgreement();
  StopAgreement(const StopAgreement&) = delete;
  StopAgreement& operator=(const StopAgreement&) = delete;

  /// Collective, once per step: the signal agreed from the flags posted by the previous call
  /// (0 at the first call), after posting this rank's flag now.
  int exchange();
  /// Collective: completes any posted reduction and agrees on the flags now (blocking).
  int settle();

 private:
  int complete();
  Communicator comm_;
  int mine_ = 0;
  int agreed_ = 0;
  Request request_;
};

}  // namespace tessera
