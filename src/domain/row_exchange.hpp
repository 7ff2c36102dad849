// Moving a few rows of a row-partitioned table to every rank: the chosen initial centres of
// k-means, the splitter samples of a sort, a minibatch's indices. The rows are named by their
// global index; their owners contribute them and every rank receives all of them, in the order
// asked for, as doubles (exact for every element type tessera reads except int64/uint64
// beyond 2^53).
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/comm/redistribute.hpp"
#include "tessera/domain/row_partition.hpp"

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

/// Collective: the plan that moves this rank's rows, global rows [first_row, first_row +
/// rows) of a table held in contiguous runs in rank order, so that each rank r ends with rows
/// [target.offset(r), + target.count(r)): rebalancing after a filter or a sort's exchange.
Redistribution rows_to_partition(const Communicator& comm, std::int64_t first_row, std::int64_t rows,
                                 const RowPartition& target, std::int64_t message_limit = kMpiMaxCount);

}  // namespace tessera
