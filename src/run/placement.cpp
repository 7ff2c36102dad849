// Node-local rank counting with MPI_Comm_split_type and the CPU affinity mask.
#include "src/run/placement.hpp"

#include "kernels/threads.hpp"
#include "src/comm/collectives.hpp"
#include "src/comm/mpi_check.hpp"

#include <sched.h>

#include <thread>

namespace tessera {

Placement probe_placement(const Communicator& comm) {
  MPI_Comm node = MPI_COMM_NULL;
  TESSERA_MPI_CHECK(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  const Communicator node_comm = Communicator::adopt(node);
  Placement p;
  p.ranks_on_node = node_comm.size();
  p.threads = kernels::max_threads();
  // The launcher may bind a rank to few cores; without binding the mask is the whole node.
  // Ranks on a node may see different masks, so count the union through the largest.
  cpu_set_t mask;
  CPU_ZERO(&mask);
  const int visible = sched_getaffinity(0, sizeof mask, &mask) == 0 ? CPU_COUNT(&mask)
                                                                    : static_cast<int>(std::thread::hardware_concurrency());
  p.cores_on_node = allreduce_max(node_comm, visible);
  const bool here = p.ranks_on_node * p.threads > p.cores_on_node;
  p.oversubscribed = allreduce_max(comm, here ? 1 : 0) != 0;
  return p;
}

}  // namespace tessera
