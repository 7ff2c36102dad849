// What ranks on one node share: the node's communicator and its memory. Anything that
// allocates a share of a large global object (grids, data sets) checks it fits first, so an
// oversized job ends with a message at start-up instead of being killed by the OOM killer.
#pragma once

#include "tessera/comm/communicator.hpp"

#include <string>

namespace tessera {

/// Collective over `comm`: the ranks of `comm` that share this rank's node (memory).
Communicator node_communicator(const Communicator& comm);

/// The share of a node's memory (physical, or its cgroup limit) that a job may plan to use.
inline constexpr double kUsableMemoryFraction = 0.9;

/// Collective: throws a UsageError on every rank when `bytes_per_rank` (what `what` needs on
/// each rank) exceeds the usable memory of this node shared among its ranks.
void require_memory(const Communicator& comm, double bytes_per_rank, const std::string& what);

}  // namespace tessera
