// Node communicator (MPI_Comm_split_type) and the memory check.
#include "src/comm/node.hpp"

#include "src/base/error.hpp"
#include "src/comm/collectives.hpp"
#include "src/comm/mpi_check.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace tessera {

Communicator node_communicator(const Communicator& comm) {
  MPI_Comm node = MPI_COMM_NULL;
  TESSERA_MPI_CHECK(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  return Communicator::adopt(node);
}

void require_memory(const Communicator& comm, double bytes_per_rank, const std::string& what) {
  const Communicator node_comm = node_communicator(comm);
  const double node_bytes = static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
  // The smallest share of any node decides, so every rank reaches the same verdict (nodes may
  // differ in memory and in ranks).
  const double share = allreduce_min(comm, node_bytes / node_comm.size());
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
