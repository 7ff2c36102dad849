// Field storage.
#include "src/domain/field.hpp"

#include "kernels/stream.hpp"

#include <utility>

namespace tessera {

Field::Field(const CartDecomposition& decomposition, int ghost)
    : layout_(decomposition.layout(ghost)),
      offset_(decomposition.offset()),
      global_(decomposition.global()),
      values_(static_cast<std::size_t>(layout_.size())) {
  // Touch pages with the threads that will sweep them (NUMA placement).
  kernels::first_touch_fill(values_, 0.0);
}

ArrayView Field::view(std::string name) {
  return view_grid(std::move(name), values_, layout_, offset_, global_);
}

}  // namespace tessera
