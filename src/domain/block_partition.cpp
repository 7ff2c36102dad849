// Block partition arithmetic (closed form, no tables).
#include "tessera/domain/block_partition.hpp"

#include "tessera/base/error.hpp"

#include <string>

namespace tessera {

BlockPartition::BlockPartition(std::int64_t items, int parts) : items_(items), parts_(parts) {
  if (parts < 1) throw UsageError("block partition needs at least one part, got " + std::to_string(parts));
  if (items < 0) throw UsageError("block partition needs a non-negative item count, got " + std::to_string(items));
  base_ = items / parts;
  remainder_ = items % parts;
}

std::int64_t BlockPartition::offset(int part) const {
  return part * base_ + (part < remainder_ ? part : remainder_);
}

std::int64_t BlockPartition::count(int part) const { return base_ + (part < remainder_ ? 1 : 0); }

int BlockPartition::owner(std::int64_t index) const {
  if (index < 0 || index >= items_) {
    throw UsageError("index " + std::to_string(index) + " is outside [0, " + std::to_string(items_) + ")");
  }
  const std::int64_t big = remainder_ * (base_ + 1);  // items held by the larger parts
  if (index < big) return static_cast<int>(index / (base_ + 1));
  return static_cast<int>(remainder_ + (index - big) / base_);
}

}  // namespace tessera
