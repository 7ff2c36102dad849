// ArrayView: where one rank's block of a named global array sits, in the global array and in
// the rank's memory. Checkpoints, snapshots and digests work on views, so they serve any app
// (fields with ghost layers, plain 1D vectors) without copying.
#pragma once

#include "kernels/digest.hpp"
#include "kernels/grid_layout.hpp"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

struct ArrayView {
  std::string name;
  int rank = 1;  ///< number of dimensions, 1..3; arrays below are slowest-first, padded in front
  std::array<std::int64_t, 3> global_shape{1, 1, 1};
  std::array<std::int64_t, 3> offset{0, 0, 0};        ///< block start in the global array
  std::array<std::int64_t, 3> count{1, 1, 1};         ///< block extent
  std::array<std::int64_t, 3> memory_shape{1, 1, 1};  ///< allocated local array
  std::array<std::int64_t, 3> memory_start{0, 0, 0};  ///< block start in the local array
  double* data = nullptr;

  [[nodiscard]] std::int64_t block_size() const { return count[0] * count[1] * count[2]; }
  [[nodiscard]] kernels::StridedBlock strided_block() const;
  [[nodiscard]] const double* first() const;
};

/// View of a contiguous 1D block: elements [offset, offset + local.size()) of `global_size`.
ArrayView view_1d(std::string name, std::span<double> local, std::int64_t offset, std::int64_t global_size);

/// View of the interior of a grid block laid out as `layout` (ghosts excluded), placed at
/// `offset` (x, y, z) in a global grid of `global` cells.
ArrayView view_grid(std::string name, std::span<double> data, const kernels::GridLayout& layout,
                    const std::array<std::int64_t, 3>& offset, const std::array<std::int64_t, 3>& global);

}  // namespace tessera
