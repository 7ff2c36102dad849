// Process-level error handling for apps.
#include "tessera/run/main_guard.hpp"

#include "tessera/comm/environment.hpp"
#include "tessera/io/hdf5_handle.hpp"
#include "tessera/run/stop_signal.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>

namespace tessera {

int run_main(int argc, char** argv, const AppMain& body, StopSignals signals) {
  // Before MPI_Init, which can take a while: a signal in the first moments of a run must
  // end it with a checkpoint and exit 75 like any other, not with the default 143.
  if (signals == StopSignals::checkpoint_and_exit) StopSignal::install();
  std::optional<Environment> environment;
  try {
    environment.emplace(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(ExitCode::runtime);
  }
  const int rank = environment->world().rank();
  int code = static_cast<int>(ExitCode::runtime);
  // After a failed parallel write HDF5 holds files it cannot close, and MPI_Finalize would
  // hang on them: end those jobs with MPI_Abort and the exit code they would have had.
  // Every rank reaches finish (a collective error is thrown on all of them), but only some
  // may hold such files: they agree first, so no rank waits in MPI_Finalize for the others.
  auto finish = [&](int status) {
    int mine = h5::abandoned_files();
    int any = 0;
    MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (any > 0) {
      if (rank == 0) {
        std::fprintf(stderr, "note: %d file(s) could not be closed after write errors; ending with MPI_Abort(%d)\n",
                     any, status);
      }
      std::fflush(stdout);
      std::fflush(stderr);
      MPI_Barrier(MPI_COMM_WORLD);
      MPI_Abort(MPI_COMM_WORLD, status);
    }
    return status;
  };
  try {
    const int status = finish(static_cast<int>(body(environment->world(), argc, argv)));
    if (StopSignal::is_launcher_gone()) {
      // MPI_Finalize talks to the launcher, which is dead: leave without it.
      std::fflush(stdout);
      std::fflush(stderr);
      std::_Exit(status);
    }
    return status;
  } catch (const Error& e) {
    if (e.collective()) {
      if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
      return finish(static_cast<int>(e.code()));
    }
    code = static_cast<int>(e.code());
    std::fprintf(stderr, "[rank %d] error: %s\n", rank, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] error: %s\n", rank, e.what());
  }
  // MPI_Abort skips exit's flushes: what was printed so far must not be lost in a pipe.
  std::fflush(stdout);
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  return code;
}

}  // namespace tessera
