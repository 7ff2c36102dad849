// Moving a few rows of a row-partitioned table to every rank: the chosen initial centres of
// k-means, the splitter samples of a sort, a minibatch's indices. The rows are named by their
// global index; their owners contribute them and every rank receives all of them, in the order
// asked for, as doubles (exact for every element type tessera reads except int64/uint64
// beyond 2^53).
#pragma once

#include "src/comm/communicator.hpp"
#include "src/domain/row_partition.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

/// Collective: rows `indices` (global, the same list on every rank) of the table whose rows
/// this rank holds as `local` (part.count(rank) x columns), as a indices.size() x columns
/// array on every rank.
template <class T>
std::vector<double> fetch_rows(const Communicator& comm, const RowPartition& part, std::span<const T> local,
                               std::int64_t columns, std::span<const std::int64_t> indices);

}  // namespace tessera
