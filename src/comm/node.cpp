// Node communicator (MPI_Comm_split_type) and the memory check.
#include "tessera/comm/node.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/mpi_check.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

namespace tessera {

Communicator node_communicator(const Communicator& comm) {
  MPI_Comm node = MPI_COMM_NULL;
  TESSERA_MPI_CHECK(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  return Communicator::adopt(node);
}

namespace {

// The memory this process may use: the node's physical memory, or less where a cgroup (a
// Slurm job's allocation, a container) limits it.
double memory_limit_bytes() {
  double bytes = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  for (const char* path : {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    std::ifstream file(path);
    double limit = 0.0;
    if (file >> limit && limit > 0.0) bytes = std::min(bytes, limit);  // "max" reads as no number
  }
  return bytes;
}

}  // namespace

void require_memory(const Communicator& comm, double bytes_per_rank, const std::string& what) {
  const Communicator node_comm = node_communicator(comm);
  // All of it cannot be had: the system, MPI's buffers and the libraries need their part.
  const double node_bytes = kUsableMemoryFraction * memory_limit_bytes();
  // The smallest share of any node decides, so every rank reaches the same verdict (nodes may
  // differ in memory and in ranks).
  const double share = allreduce_min(comm, node_bytes / node_comm.size());
  const double worst = allreduce_max(comm, bytes_per_rank);
  const int ranks_on_node = allreduce_max(comm, node_comm.size());
  if (worst > share || !std::isfinite(worst)) {
    char text[400];
    std::snprintf(text, sizeof text,
                  "%s need %.3g GiB per rank, but a node here has %.3g GiB usable (%.0f%% of its memory) for %d "
                  "ranks (%.3g GiB each); use more ranks or nodes, or a smaller problem",
                  what.c_str(), worst / 1073741824.0, node_bytes / 1073741824.0, 100.0 * kUsableMemoryFraction,
                  ranks_on_node, share / 1073741824.0);
    throw UsageError(text, true);
  }
}

}  // namespace tessera
