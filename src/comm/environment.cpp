// MPI start-up and shut-down.
#include "tessera/comm/environment.hpp"

#include "tessera/comm/mpi_check.hpp"

#include <string>

namespace tessera {

namespace {
int init_mpi(int& argc, char**& argv, int required) {
  int provided = MPI_THREAD_SINGLE;
  const int rc = MPI_Init_thread(&argc, &argv, required, &provided);
  if (rc != MPI_SUCCESS) throw RuntimeError("MPI_Init_thread failed (code " + std::to_string(rc) + ")");
  // Errors during set-up must come back to us too, not abort inside MPI.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (provided < required) {
    MPI_Finalize();
    throw RuntimeError("the MPI library provides thread level " + std::to_string(provided) +
                       " but tessera needs " + std::to_string(required) +
                       " (MPI_THREAD_FUNNELED); use an MPI built with thread support");
  }
  return provided;
}
}  // namespace

Environment::Environment(int& argc, char**& argv, int required_thread_level)
    : provided_(init_mpi(argc, argv, required_thread_level)),
      world_(Communicator::duplicate(MPI_COMM_WORLD)) {}

Environment::~Environment() {
  world_ = Communicator::adopt(MPI_COMM_NULL);
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

}  // namespace tessera
