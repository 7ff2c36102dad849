// Where the ranks and threads of a job sit: ranks per node and whether ranks x threads
// exceeds the cores a node gives the job (oversubscription makes OpenMP threads spin against
// each other and runs many times slower, so apps warn about it and records mark it).
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/comm/node.hpp"  // require_memory, for the apps that include this header

#include <string>

namespace tessera {

struct Placement {
  int ranks_on_node = 1;   ///< ranks sharing this rank's node
  int threads = 1;         ///< OpenMP threads per rank
  int cores_on_node = 1;   ///< cores this process may run on (its CPU affinity mask)
  bool oversubscribed = false;  ///< true on any node where ranks x threads > cores
};

/// Collective over `comm`.
Placement probe_placement(const Communicator& comm);


}  // namespace tessera
