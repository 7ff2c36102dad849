// SIGTERM and SIGUSR1 (what Slurm sends before a time limit or pre-emption) only set a flag;
// the step loop asks all ranks at each step end whether any rank saw one, so every rank stops
// after the same step and writes one consistent checkpoint.
#pragma once

#include "src/comm/communicator.hpp"

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
};

}  // namespace tessera
