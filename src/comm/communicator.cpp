// Ownership and error-handler setup for communicators.
#include "tessera/comm/communicator.hpp"

#include "tessera/comm/mpi_check.hpp"

namespace tessera {

namespace {
void free_comm(MPI_Comm* comm) {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && *comm != MPI_COMM_NULL) MPI_Comm_free(comm);
  delete comm;
}
}  // namespace

Communicator::Communicator(MPI_Comm owned) : handle_(new MPI_Comm(owned), free_comm) {
  if (owned == MPI_COMM_NULL) return;
  TESSERA_MPI_CHECK(MPI_Comm_set_errhandler(owned, MPI_ERRORS_RETURN));
  TESSERA_MPI_CHECK(MPI_Comm_rank(owned, &rank_));
  TESSERA_MPI_CHECK(MPI_Comm_size(owned, &size_));
}

Communicator Communicator::duplicate(MPI_Comm comm) {
  MPI_Comm copy = MPI_COMM_NULL;
  TESSERA_MPI_CHECK(MPI_Comm_dup(comm, &copy));
  return Communicator(copy);
}

Communicator Communicator::adopt(MPI_Comm comm) { return Communicator(comm); }

void Communicator::barrier() const { TESSERA_MPI_CHECK(MPI_Barrier(get())); }

Communicator Communicator::split(int color, int key) const {
  MPI_Comm part = MPI_COMM_NULL;
  TESSERA_MPI_CHECK(MPI_Comm_split(get(), color, key, &part));
  return Communicator(part);
}

}  // namespace tessera
