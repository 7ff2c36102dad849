// A tiny app for the rank-failure test: the last rank throws while every other rank waits in
// a collective. run_main must end the whole job promptly with that rank's message and the
// error's exit code, not leave the others hanging.
#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/run/main_guard.hpp"

#include <string>

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, [](const tessera::Communicator& world, int, char**) {
    if (world.rank() == world.size() - 1) {
      throw tessera::RuntimeError("disk quota exceeded on rank " + std::to_string(world.rank()));
    }
    world.barrier();  // never completes: the last rank does not come
    return tessera::ExitCode::success;
  });
}
