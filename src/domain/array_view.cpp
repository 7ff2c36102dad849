// Building views and their strided-block description.
#include "src/domain/array_view.hpp"

#include <utility>

namespace tessera {

kernels::StridedBlock ArrayView::strided_block() const {
  kernels::StridedBlock b;
  b.count = count;
  b.global_offset = offset;
  b.global_shape = global_shape;
  b.memory_stride = {memory_shape[1] * memory_shape[2], memory_shape[2], 1};
  return b;
}

const double* ArrayView::first() const {
  return data + (memory_start[0] * memory_shape[1] + memory_start[1]) * memory_shape[2] + memory_start[2];
}

ArrayView view_1d(std::string name, std::span<double> local, std::int64_t offset, std::int64_t global_size) {
  ArrayView v;
  v.name = std::move(name);
  v.rank = 1;
  const auto n = static_cast<std::int64_t>(local.size());
  v.global_shape = {1, 1, global_size};
  v.offset = {0, 0, offset};
  v.count = {1, 1, n};
  v.memory_shape = {1, 1, n};
  v.data = local.data();
  return v;
}

ArrayView view_grid(std::string name, std::span<double> data, const kernels::GridLayout& layout,
                    const std::array<std::int64_t, 3>& offset, const std::array<std::int64_t, 3>& global) {
  ArrayView v;
  v.name = std::move(name);
  v.rank = layout.dims;
  v.data = data.data();
  // Global arrays are stored slowest-first (z, y, x), as HDF5 and XDMF expect.
  for (int d = 0; d < 3; ++d) {
    const int slot = 2 - d;
    v.global_shape[slot] = global[d];
    v.offset[slot] = offset[d];
    v.count[slot] = layout.n[d];
    v.memory_shape[slot] = layout.extent(d);
    v.memory_start[slot] = layout.ghost_in(d);
  }
  return v;
}

}  // namespace tessera
