// Node-local rank counting with MPI_Comm_split_type and the CPU affinity mask.
#include "src/run/placement.hpp"

#include "kernels/threads.hpp"
#include "src/comm/collectives.hpp"
#include "src/comm/mpi_check.hpp"

#include <sched.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include <bit>
#include <thread>
#include <vector>

namespace tessera {

namespace {
// The ranks of `comm` that share this rank's node (memory).
Communicator node_communicator(const Communicator& comm) {
  MPI_Comm node = MPI_COMM_NULL;
  TESSERA_MPI_CHECK(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  return Communicator::adopt(node);
}
}  // namespace

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

void require_memory(const Communicator& comm, double bytes_per_rank, const std::string& what) {
  const Communicator node_comm = node_communicator(comm);
  const double node_bytes = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  const double share = node_bytes / node_comm.size();
  const double worst = allreduce_max(comm, bytes_per_rank);
  const int ranks_on_node = allreduce_max(comm, node_comm.size());
  if (worst > share || !std::isfinite(worst)) {
    char text[400];
    std::snprintf(text, sizeof text,
                  "%s need %.3g GiB per rank, but a node here has %.3g GiB for %d ranks (%.3g GiB each); "
                  "use more ranks or nodes, or a smaller problem",
                  what.c_str(), worst / 1073741824.0, node_bytes / 1073741824.0, ranks_on_node, share / 1073741824.0);
    throw UsageError(text, true);
  }
}

}  // namespace tessera
