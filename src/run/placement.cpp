// Node-local rank counting with MPI_Comm_split_type and the CPU affinity mask.
#include "tessera/run/placement.hpp"

#include "tessera/comm/collectives.hpp"
#include "tessera/comm/mpi_check.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/kernels/threads.hpp"

#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <bit>
#include <thread>
#include <vector>

namespace tessera {


Placement probe_placement(const Communicator& comm) {
  const Communicator node_comm = node_communicator(comm);
  Placement p;
  p.ranks_on_node = node_comm.size();
  p.threads = kernels::max_threads();
  // The launcher may bind each rank to a few cores (Open MPI binds to cores by default for
  // small jobs): a rank's threads must fit its own mask, and the node's ranks x threads must
  // fit the union of all masks on the node.
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) != 0) {
    for (unsigned c = 0; c < std::thread::hardware_concurrency() && c < CPU_SETSIZE; ++c) CPU_SET(c, &mask);
  }
  const int own = CPU_COUNT(&mask);
  std::vector<unsigned char> bits(CPU_SETSIZE / 8, 0);
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &mask)) bits[static_cast<std::size_t>(c / 8)] |= static_cast<unsigned char>(1U << (c % 8));
  }
  allreduce_in_place<unsigned char>(node_comm, bits, MPI_BOR);
  int united = 0;
  for (unsigned char b : bits) united += std::popcount(b);
  p.cores_on_node = united;
  const bool here = p.threads > own || p.ranks_on_node * p.threads > united;
  p.oversubscribed = allreduce_max(comm, here ? 1 : 0) != 0;
  return p;
}

}  // namespace tessera
