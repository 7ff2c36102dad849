// 1D block partition of N items over P parts: the first N % P parts get one item more.
// Any N >= 0 and P >= 1; parts may be empty when N < P.
#pragma once

#include <cstdint>

namespace tessera {

class BlockPartition {
 public:
  BlockPartition(std::int64_t items, int parts);

  [[nodiscard]] std::int64_t items() const { return items_; }
  [[nodiscard]] int parts() const { return parts_; }
  [[nodiscard]] std::int64_t offset(int part) const;
  [[nodiscard]] std::int64_t count(int part) const;
  /// The part holding global item `index` (0 <= index < items).
  [[nodiscard]] int owner(std::int64_t index) const;

 private:
  std::int64_t items_;
  int parts_;
  std::int64_t base_;       // items every part gets
  std::int64_t remainder_;  // parts that get one more
};

}  // namespace tessera
