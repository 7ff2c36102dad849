// Memory layout of one rank's block of a structured 2D or 3D grid (interior cells plus ghost
// layers, x fastest), and boxes of cells to sweep over. Pure index arithmetic, no MPI.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace tessera::kernels {

using Index = std::int64_t;

/// A box of cells [lo, hi) in a rank's interior coordinates (x = 0, y = 1, z = 2).
/// Ghost cells have coordinates below 0 or at/above the interior extent.
struct Box {
  std::array<Index, 3> lo{0, 0, 0};
  std::array<Index, 3> hi{0, 0, 0};

  [[nodiscard]] bool empty() const { return hi[0] <= lo[0] || hi[1] <= lo[1] || hi[2] <= lo[2]; }
  [[nodiscard]] Index size() const {
    return empty() ? 0 : (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
  }
  friend bool operator==(const Box&, const Box&) = default;
};

/// Interior extent n per dimension plus `ghost` layers on both sides of every used dimension.
/// A 2D grid has dims == 2 and n[2] == 1 (no ghosts in z).
struct GridLayout {
  int dims = 3;
  std::array<Index, 3> n{1, 1, 1};
  int ghost = 1;

  [[nodiscard]] Index ghost_in(int d) const { return d < dims ? ghost : 0; }
  [[nodiscard]] Index extent(int d) const { return n[d] + 2 * ghost_in(d); }
  [[nodiscard]] Index stride(int d) const {
    return d == 0 ? 1 : (d == 1 ? extent(0) : extent(0) * extent(1));
  }
  [[nodiscard]] Index size() const { return extent(0) * extent(1) * extent(2); }
  /// Offset of cell (i, j, k) in interior coordinates.
  [[nodiscard]] Index index(Index i, Index j, Index k) const {
    return (i + ghost_in(0)) + (j + ghost_in(1)) * stride(1) + (k + ghost_in(2)) * stride(2);
  }
  [[nodiscard]] Box interior() const { return Box{{0, 0, 0}, {n[0], n[1], n[2]}}; }
};

/// Where a rank's block sits in the global grid and the grid spacing: global cell g has
/// coordinate (g + 1) * h, so the Dirichlet boundary x = 0 and x = 1 lies just outside.
struct GridGeometry {
  std::array<Index, 3> offset{0, 0, 0};
  std::array<double, 3> h{1.0, 1.0, 1.0};
};

/// `box` shrunk by `width` cells on both sides of each of the first `dims` dimensions.
Box shrink(const Box& box, int dims, Index width);

/// The cells of `outer` that are not in `inner` (inner must lie inside outer), as at most
/// 2 * dims disjoint boxes. Used to sweep the boundary shell after the interior.
std::vector<Box> shell(const Box& outer, const Box& inner, int dims);

/// Thread `me` of `team`'s share of `box` for a sweep: a slab of z planes, or of y rows when
/// the box has fewer planes than threads (a thin face). Shares are disjoint and cover the box.
Box thread_share(const Box& box, int team, int me);

}  // namespace tessera::kernels
