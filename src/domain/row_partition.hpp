// RowPartition: which rows of a table (a data set of samples x features) each rank holds.
// Rows are split in contiguous runs in rank order, either uniformly (the first n % P ranks
// get one row more) or as each rank's own count says (rows produced or received by the rank,
// offsets by a prefix sum). Ranks may hold zero rows (n < P, or a rank with nothing left after
// a filter): everything built on a partition must work with empty ranks.
#pragma once

#include "tessera/comm/communicator.hpp"

#include <cstdint>
#include <vector>

namespace tessera {

class RowPartition {
 public:
  /// `rows` over `parts` ranks, uniformly.
  static RowPartition uniform(std::int64_t rows, int parts);
  /// Collective: each rank of `comm` holds `local_rows`, in rank order.
  static RowPartition from_local_count(const Communicator& comm, std::int64_t local_rows);
  /// From every part's count, in order.
  static RowPartition from_counts(const std::vector<std::int64_t>& counts);

  [[nodiscard]] std::int64_t rows() const { return offsets_.back(); }
  [[nodiscard]] int parts() const { return static_cast<int>(offsets_.size()) - 1; }
  [[nodiscard]] std::int64_t offset(int part) const { return offsets_[static_cast<std::size_t>(part)]; }
  [[nodiscard]] std::int64_t count(int part) const {
    return offsets_[static_cast<std::size_t>(part) + 1] - offsets_[static_cast<std::size_t>(part)];
  }
  /// The part holding global row `row` (0 <= row < rows()); an empty part never owns a row.
  [[nodiscard]] int owner(std::int64_t row) const;
  [[nodiscard]] std::vector<std::int64_t> counts() const;

 private:
  explicit RowPartition(std::vector<std::int64_t> offsets) : offsets_(std::move(offsets)) {}
  std::vector<std::int64_t> offsets_;  // parts + 1 entries, offsets_[0] = 0
};

}  // namespace tessera
