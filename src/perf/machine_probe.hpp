// Measurements of the machine a job runs on, for scaling reports and performance models:
// STREAM bandwidth per rank and for all ranks of a node together, MPI ping-pong latency and
// bandwidth, allreduce time, and the time of a halo exchange of a given block size. Every
// function is collective over `comm` and returns the same figures on every rank.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/perf/stats.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

struct StreamFigure {
  std::string kernel;  ///< "copy" or "triad"
  std::string scope;   ///< "rank" (rank 0 alone) or "all" (every rank at once, summed)
  int threads = 1;
  Stats bytes_per_s;
};

/// STREAM copy and triad on arrays of `cells` doubles per rank, for each thread count.
std::vector<StreamFigure> probe_stream(const Communicator& comm, std::int64_t cells, const std::vector<int>& threads,
                                       int repeats);

struct PingPongFigure {
  std::int64_t bytes = 0;
  Stats latency_s;        ///< one-way time (half the round trip)
  Stats bytes_per_s;      ///< bytes / one-way time
};

/// Ping-pong between ranks 0 and 1 (empty with fewer than 2 ranks).
std::vector<PingPongFigure> probe_ping_pong(const Communicator& comm, const std::vector<std::int64_t>& sizes,
                                            int repeats);

struct CollectiveFigure {
  std::int64_t bytes = 0;
  Stats seconds;  ///< per call, max over ranks
};

/// MPI_Allreduce (sum of doubles) of each size.
std::vector<CollectiveFigure> probe_allreduce(const Communicator& comm, const std::vector<std::int64_t>& sizes,
                                              int repeats);

struct HaloFigure {
  int dims = 3;
  std::int64_t block = 0;          ///< cells per dimension of each rank's block
  std::int64_t bytes_per_rank = 0; ///< bytes one rank sends per exchange (most loaded rank)
  Stats seconds;                   ///< per exchange, max over ranks
};

/// A face halo exchange (width 1) of a block^dims block per rank on a Cartesian grid.
HaloFigure probe_halo(const Communicator& comm, int dims, std::int64_t block, int repeats);

}  // namespace tessera
