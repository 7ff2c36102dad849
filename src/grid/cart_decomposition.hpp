// Cartesian block decomposition of a 2D or 3D global grid over the ranks of a communicator,
// on MPI_Cart_create. The process grid is chosen by MPI_Dims_create or given by the user (0
// entries are filled in); global sizes need not divide evenly.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/kernels/grid_layout.hpp"

#include <array>
#include <cstdint>
#include <string>

namespace tessera {

struct CartSpec {
  int dims = 3;                                ///< 2 or 3
  std::array<std::int64_t, 3> global{1, 1, 1}; ///< cells per dimension (x, y, z)
  std::array<int, 3> proc_grid{0, 0, 0};       ///< ranks per dimension, 0 = choose
  std::array<bool, 3> periodic{false, false, false};
};

class CartDecomposition {
 public:
  /// Collective over `comm`. Throws a collective UsageError if the spec cannot work on this
  /// many ranks (every rank reaches the same verdict).
  CartDecomposition(const Communicator& comm, const CartSpec& spec);

  [[nodiscard]] const Communicator& comm() const { return cart_; }
  [[nodiscard]] int dims() const { return spec_.dims; }
  [[nodiscard]] const std::array<std::int64_t, 3>& global() const { return spec_.global; }
  [[nodiscard]] const std::array<int, 3>& proc_grid() const { return spec_.proc_grid; }
  [[nodiscard]] const std::array<bool, 3>& periodic() const { return spec_.periodic; }
  [[nodiscard]] const std::array<int, 3>& coords() const { return coords_; }
  /// First global cell and cell count of this rank's block per dimension.
  [[nodiscard]] const std::array<std::int64_t, 3>& offset() const { return offset_; }
  [[nodiscard]] const std::array<std::int64_t, 3>& count() const { return count_; }
  /// Neighbour rank in `dim` on `side` (-1 or +1); MPI_PROC_NULL at a non-periodic edge.
  [[nodiscard]] int neighbor(int dim, int side) const;
  /// Memory layout of this rank's block with `ghost` layers.
  [[nodiscard]] kernels::GridLayout layout(int ghost) const;
  /// "PxQ" or "PxQxR".
  [[nodiscard]] std::string proc_grid_string() const;

 private:
  CartSpec spec_;
  Communicator cart_;
  std::array<int, 3> coords_{0, 0, 0};
  std::array<std::int64_t, 3> offset_{0, 0, 0};
  std::array<std::int64_t, 3> count_{1, 1, 1};
  std::array<std::array<int, 2>, 3> neighbors_{};
};

/// Parses "4x2", "2x2x1", "0x2" (0 = choose) into a process grid of `dims` entries.
std::array<int, 3> parse_proc_grid(const std::string& text, int dims);

}  // namespace tessera
