// Row partitions: offsets tables (one entry per rank; a few MB even at a million ranks).
#include "tessera/domain/row_partition.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/block_partition.hpp"

#include <algorithm>
#include <string>

namespace tessera {

RowPartition RowPartition::uniform(std::int64_t rows, int parts) {
  const BlockPartition block(rows, parts);  // checks rows >= 0 and parts >= 1
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(parts) + 1);
  for (int p = 0; p <= parts; ++p) offsets[static_cast<std::size_t>(p)] = p < parts ? block.offset(p) : rows;
  return RowPartition(std::move(offsets));
}

RowPartition RowPartition::from_counts(const std::vector<std::int64_t>& counts) {
  if (counts.empty()) throw RuntimeError("a row partition needs at least one part");
  std::vector<std::int64_t> offsets(counts.size() + 1, 0);
  for (std::size_t p = 0; p < counts.size(); ++p) {
    if (counts[p] < 0) throw RuntimeError("part " + std::to_string(p) + " has a negative row count " + std::to_string(counts[p]));
    offsets[p + 1] = offsets[p] + counts[p];
  }
  return RowPartition(std::move(offsets));
}

RowPartition RowPartition::from_local_count(const Communicator& comm, std::int64_t local_rows) {
  return from_counts(allgather(comm, local_rows));
}

int RowPartition::owner(std::int64_t row) const {
  if (row < 0 || row >= rows()) {
    throw RuntimeError("row " + std::to_string(row) + " is outside [0, " + std::to_string(rows()) + ")");
  }
  // The last offset <= row: skips empty parts, whose offset equals the next part's.
  const auto it = std::upper_bound(offsets_.begin(), offsets_.end(), row);
  return static_cast<int>(it - offsets_.begin()) - 1;
}

std::vector<std::int64_t> RowPartition::counts() const {
  std::vector<std::int64_t> c(static_cast<std::size_t>(parts()));
  for (int p = 0; p < parts(); ++p) c[static_cast<std::size_t>(p)] = count(p);
  return c;
}

}  // namespace tessera
