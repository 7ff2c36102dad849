// Field storage.
#include "tessera/grid/field.hpp"

#include "tessera/kernels/stream.hpp"

#include <utility>

namespace tessera {

Field::Field(const CartDecomposition& decomposition, int ghost)
    : layout_(decomposition.layout(ghost)),
      offset_(decomposition.offset()),
      global_(decomposition.global()),
      size_(static_cast<std::size_t>(layout_.size())),
      values_(new double[size_]) {
  // Zeroed by the threads that will sweep these pages, so they land in their NUMA domains.
  kernels::first_touch_fill(data(), 0.0);
}

ArrayView Field::view(std::string name) {
  return view_grid(std::move(name), data(), layout_, offset_, global_);
}

}  // namespace tessera
