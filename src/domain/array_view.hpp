// ArrayView: where one rank's part of a named global array sits, in the global array and in
// the rank's memory, and what its elements are. Checkpoints, snapshots, data-set I/O and
// digests work on views, so they serve any app (fields with ghost layers, tables of rows,
// replicated centres and weights) without copying.
//
// Three distributions:
//   blocks      every rank holds a disjoint block (grids, the rows of a data set);
//   ragged      blocks of rows whose per-rank counts are data (a sort's buckets): stored with
//               those counts, restored on any rank count;
//   replicated  every rank holds the whole array (k-means centres, model weights): written
//               once, digested once.
#pragma once

#include "tessera/kernels/digest.hpp"
#include "tessera/kernels/element_type.hpp"
#include "tessera/kernels/grid_layout.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

using kernels::ElementType;
using kernels::Extents;
using kernels::kMaxDims;

enum class Distribution { blocks, ragged, replicated };
const char* distribution_name(Distribution d);

struct ArrayView {
  std::string name;
  ElementType type = ElementType::f64;
  Distribution distribution = Distribution::blocks;
  int ndims = 1;  ///< number of dimensions, 1..4; the extents below are slowest-first, padded in front
  Extents global_shape{1, 1, 1, 1};
  Extents offset{0, 0, 0, 0};        ///< block start in the global array
  Extents count{1, 1, 1, 1};         ///< block extent
  Extents memory_shape{1, 1, 1, 1};  ///< allocated local array
  Extents memory_start{0, 0, 0, 0};  ///< block start in the local array
  void* data = nullptr;

  /// The data as T*; throws when T is not the view's element type.
  template <class T>
  [[nodiscard]] T* as() const {
    if (kernels::element_type_of<T>() != type) throw_type_mismatch(kernels::element_type_of<T>());
    return static_cast<T*>(data);
  }
  [[noreturn]] void throw_type_mismatch(ElementType wanted) const;

  [[nodiscard]] std::int64_t block_size() const { return count[0] * count[1] * count[2] * count[3]; }
  [[nodiscard]] std::int64_t global_size() const {
    return global_shape[0] * global_shape[1] * global_shape[2] * global_shape[3];
  }
  [[nodiscard]] kernels::StridedBlock strided_block() const;
  /// The block's first element.
  [[nodiscard]] const void* first() const;
  /// The global shape with only the view's ndims entries.
  [[nodiscard]] std::vector<std::int64_t> shape() const;
};

/// View of a contiguous 1D block: elements [offset, offset + local.size()) of `global_size`.
template <class T>
ArrayView view_1d(std::string name, std::span<T> local, std::int64_t offset, std::int64_t global_size);

/// View of a rank's rows of a table `global_rows x columns` (row-major, contiguous): its
/// rows [row_offset, row_offset + local.size() / columns).
template <class T>
ArrayView view_rows(std::string name, std::span<T> local, std::int64_t columns, std::int64_t row_offset,
                    std::int64_t global_rows, Distribution distribution = Distribution::blocks);

/// View of a rank's rows of a table whose element type is known at run time only (a values
/// data set carried along by a sort): `local_rows` rows of `columns` elements of `type` at
/// `data`, rows [row_offset, + local_rows) of `global_rows`; `ndims` 1 (columns must be 1) or 2.
ArrayView view_table(std::string name, ElementType type, void* data, std::int64_t local_rows, std::int64_t columns,
                     int ndims, std::int64_t row_offset, std::int64_t global_rows,
                     Distribution distribution = Distribution::blocks);

/// View of an array every rank holds whole, of `shape` (1 to 4 extents, slowest first).
template <class T>
ArrayView view_replicated(std::string name, std::span<T> data, const std::vector<std::int64_t>& shape);

/// View of the interior of a grid block laid out as `layout` (ghosts excluded), placed at
/// `offset` (x, y, z) in a global grid of `global` cells.
ArrayView view_grid(std::string name, std::span<double> data, const kernels::GridLayout& layout,
                    const std::array<std::int64_t, 3>& offset, const std::array<std::int64_t, 3>& global);

/// "4x3" for {4, 3}.
std::string shape_string(const std::vector<std::int64_t>& shape);

}  // namespace tessera
