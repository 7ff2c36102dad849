// Building views and their strided-block description.
#include "tessera/domain/array_view.hpp"

#include "tessera/base/error.hpp"

#include <utility>

namespace tessera {

const char* distribution_name(Distribution d) {
  switch (d) {
    case Distribution::blocks: return "blocks";
    case Distribution::ragged: return "ragged";
    case Distribution::replicated: return "replicated";
  }
  return "?";
}

void ArrayView::throw_type_mismatch(ElementType wanted) const {
  throw RuntimeError("array '" + name + "' holds " + std::string(kernels::type_name(type)) + ", not " +
                     std::string(kernels::type_name(wanted)));
}

kernels::StridedBlock ArrayView::strided_block() const {
  kernels::StridedBlock b;
  b.count = count;
  b.global_offset = offset;
  b.global_shape = global_shape;
  std::int64_t stride = 1;
  for (int d = kMaxDims - 1; d >= 0; --d) {
    b.memory_stride[d] = stride;
    stride *= memory_shape[d];
  }
  return b;
}

const void* ArrayView::first() const {
  std::int64_t at = 0;
  for (int d = 0; d < kMaxDims; ++d) at = at * memory_shape[d] + memory_start[d];
  return static_cast<const char*>(data) + at * static_cast<std::int64_t>(kernels::size_of(type));
}

std::vector<std::int64_t> ArrayView::shape() const {
  return {global_shape.begin() + (kMaxDims - ndims), global_shape.end()};
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += 'x';
    s += std::to_string(shape[i]);
  }
  return s;
}

template <class T>
ArrayView view_1d(std::string name, std::span<T> local, std::int64_t offset, std::int64_t global_size) {
  ArrayView v;
  v.name = std::move(name);
  v.type = kernels::element_type_of<T>();
  v.ndims = 1;
  const auto n = static_cast<std::int64_t>(local.size());
  v.global_shape = {1, 1, 1, global_size};
  v.offset = {0, 0, 0, offset};
  v.count = {1, 1, 1, n};
  v.memory_shape = {1, 1, 1, n};
  v.data = const_cast<std::remove_const_t<T>*>(local.data());
  return v;
}

template <class T>
ArrayView view_rows(std::string name, std::span<T> local, std::int64_t columns, std::int64_t row_offset,
                    std::int64_t global_rows, Distribution distribution) {
  if (columns < 1 || static_cast<std::int64_t>(local.size()) % columns != 0) {
    throw RuntimeError("view_rows('" + name + "'): " + std::to_string(local.size()) +
                       " elements are not whole rows of " + std::to_string(columns));
  }
  ArrayView v;
  v.name = std::move(name);
  v.type = kernels::element_type_of<T>();
  v.distribution = distribution;
  v.ndims = 2;
  const std::int64_t rows = static_cast<std::int64_t>(local.size()) / columns;
  v.global_shape = {1, 1, global_rows, columns};
  v.offset = {0, 0, row_offset, 0};
  v.count = {1, 1, rows, columns};
  v.memory_shape = v.count;
  v.data = const_cast<std::remove_const_t<T>*>(local.data());
  return v;
}

ArrayView view_table(std::string name, ElementType type, void* data, std::int64_t local_rows, std::int64_t columns,
                     int ndims, std::int64_t row_offset, std::int64_t global_rows, Distribution distribution) {
  if ((ndims != 1 && ndims != 2) || columns < 1 || (ndims == 1 && columns != 1)) {
    throw RuntimeError("view_table('" + name + "'): a table has 1 or 2 dimensions (1D: one column), not " +
                       std::to_string(ndims) + " with " + std::to_string(columns) + " columns");
  }
  ArrayView v;
  v.name = std::move(name);
  v.type = type;
  v.distribution = distribution;
  v.ndims = ndims;
  v.global_shape = {1, 1, global_rows, columns};
  v.offset = {0, 0, row_offset, 0};
  v.count = {1, 1, local_rows, columns};
  if (ndims == 1) {
    v.global_shape = {1, 1, 1, global_rows};
    v.offset = {0, 0, 0, row_offset};
    v.count = {1, 1, 1, local_rows};
  }
  v.memory_shape = v.count;
  v.data = data;
  return v;
}

template <class T>
ArrayView view_replicated(std::string name, std::span<T> data, const std::vector<std::int64_t>& shape) {
  if (shape.empty() || shape.size() > static_cast<std::size_t>(kMaxDims)) {
    throw RuntimeError("view_replicated('" + name + "'): 1 to 4 dimensions, got " + std::to_string(shape.size()));
  }
  ArrayView v;
  v.name = std::move(name);
  v.type = kernels::element_type_of<T>();
  v.distribution = Distribution::replicated;
  v.ndims = static_cast<int>(shape.size());
  std::int64_t size = 1;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    v.global_shape[kMaxDims - shape.size() + i] = shape[i];
    size *= shape[i];
  }
  if (size != static_cast<std::int64_t>(data.size())) {
    throw RuntimeError("view_replicated('" + v.name + "'): shape " + shape_string(shape) + " needs " +
                       std::to_string(size) + " elements, the buffer has " + std::to_string(data.size()));
  }
  v.count = v.global_shape;
  v.memory_shape = v.global_shape;
  v.data = const_cast<std::remove_const_t<T>*>(data.data());
  return v;
}

ArrayView view_grid(std::string name, std::span<double> data, const kernels::GridLayout& layout,
                    const std::array<std::int64_t, 3>& offset, const std::array<std::int64_t, 3>& global) {
  ArrayView v;
  v.name = std::move(name);
  v.ndims = layout.dims;
  v.data = data.data();
  // Global arrays are stored slowest-first (z, y, x), as HDF5 and XDMF expect.
  for (int d = 0; d < 3; ++d) {
    const int slot = kMaxDims - 1 - d;
    v.global_shape[slot] = global[d];
    v.offset[slot] = offset[d];
    v.count[slot] = layout.n[d];
    v.memory_shape[slot] = layout.extent(d);
    v.memory_start[slot] = layout.ghost_in(d);
  }
  return v;
}

#define TESSERA_VIEW_INSTANTIATE(T)                                                                        \
  template ArrayView view_1d<T>(std::string, std::span<T>, std::int64_t, std::int64_t);                    \
  template ArrayView view_rows<T>(std::string, std::span<T>, std::int64_t, std::int64_t, std::int64_t,     \
                                  Distribution);                                                           \
  template ArrayView view_replicated<T>(std::string, std::span<T>, const std::vector<std::int64_t>&);
TESSERA_VIEW_INSTANTIATE(float)
TESSERA_VIEW_INSTANTIATE(double)
TESSERA_VIEW_INSTANTIATE(std::int32_t)
TESSERA_VIEW_INSTANTIATE(std::int64_t)
TESSERA_VIEW_INSTANTIATE(std::uint8_t)
TESSERA_VIEW_INSTANTIATE(std::uint64_t)
TESSERA_VIEW_INSTANTIATE(const float)
TESSERA_VIEW_INSTANTIATE(const double)
TESSERA_VIEW_INSTANTIATE(const std::int32_t)
TESSERA_VIEW_INSTANTIATE(const std::int64_t)
TESSERA_VIEW_INSTANTIATE(const std::uint8_t)
TESSERA_VIEW_INSTANTIATE(const std::uint64_t)
#undef TESSERA_VIEW_INSTANTIATE

}  // namespace tessera
