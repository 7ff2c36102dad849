// The outermost frame of every app: MPI environment, and the rule for leaving. An error that
// all ranks agreed on ends every rank with its exit code and one message from rank 0; an
// error on one rank alone prints "[rank r] error: ..." and aborts the whole job with the
// error's exit code, so no rank is left waiting in a collective.
#pragma once

#include "tessera/base/error.hpp"
#include "tessera/comm/communicator.hpp"

#include <functional>

namespace tessera {

using AppMain = std::function<ExitCode(const Communicator& world, int argc, char** argv)>;

/// What SIGTERM and SIGUSR1 do to the process.
enum class StopSignals {
  terminate,            ///< the default action: tools that make no checkpoints
  checkpoint_and_exit,  ///< caught from the first instruction on (StopSignal): apps that run steps
};

/// Runs `body` inside an MPI environment; returns the process exit status.
int run_main(int argc, char** argv, const AppMain& body, StopSignals signals = StopSignals::terminate);

}  // namespace tessera
