// Process-level error handling for apps.
#include "src/run/main_guard.hpp"

#include "src/comm/environment.hpp"

#include <cstdio>
#include <optional>

namespace tessera {

int run_main(int argc, char** argv, const AppMain& body) {
  std::optional<Environment> environment;
  try {
    environment.emplace(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return static_cast<int>(ExitCode::runtime);
  }
  const int rank = environment->world().rank();
  int code = static_cast<int>(ExitCode::runtime);
  try {
    return static_cast<int>(body(environment->world(), argc, argv));
  } catch (const Error& e) {
    if (e.collective()) {
      if (rank == 0) std::fprintf(stderr, "error: %s\n", e.what());
      return static_cast<int>(e.code());
    }
    code = static_cast<int>(e.code());
    std::fprintf(stderr, "[rank %d] error: %s\n", rank, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "[rank %d] error: %s\n", rank, e.what());
  }
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  return code;
}

}  // namespace tessera
