// The 7-point Poisson operator and the fused vector kernels of conjugate gradients, over a box
// of a rank's 3D block, and the manufactured problem the cg app solves. Kernels that need a
// dot product fuse it into the sweep (each row's products are summed while the row is still
// in L1), so no vector is read twice. Each optimized kernel has a plain reference twin
// (`*_ref`); in exact sum mode the two agree bit for bit, sums included.
#pragma once

#include "tessera/kernels/grid_layout.hpp"
#include "tessera/kernels/partial_sum.hpp"

#include <array>
#include <span>

namespace tessera::kernels {

/// A u = sum_d c_d (2 u - u_{-d} - u_{+d}) with c_d = 1 / h_d^2: the negative Laplacian.
struct Stencil7 {
  std::array<double, 3> c{1.0, 1.0, 1.0};
  [[nodiscard]] double diagonal() const { return 2.0 * (c[0] + c[1] + c[2]); }
};

/// The operator for grid spacings h.
Stencil7 poisson_stencil(const std::array<double, 3>& h);

/// out = A in on the cells of `box` (reads one ghost layer around it); returns sum in * out.
PartialSum apply_poisson(std::span<const double> in, std::span<double> out, const GridLayout& layout,
                         const Box& box, const Stencil7& stencil, SumMode mode);
PartialSum apply_poisson_ref(std::span<const double> in, std::span<double> out, const GridLayout& layout,
                             const Box& box, const Stencil7& stencil, SumMode mode);

/// r = r - alpha q; returns sum r * r of the updated r.
PartialSum update_residual(std::span<double> r, std::span<const double> q, double alpha, const GridLayout& layout,
                           const Box& box, SumMode mode);
PartialSum update_residual_ref(std::span<double> r, std::span<const double> q, double alpha,
                               const GridLayout& layout, const Box& box, SumMode mode);

/// x = x + alpha p, then p = r_scale r + beta p, in one pass (r_scale applies a constant
/// diagonal preconditioner; 1 for none).
void update_solution_direction(std::span<double> x, std::span<double> p, std::span<const double> r, double alpha,
                               double beta, double r_scale, const GridLayout& layout, const Box& box);
void update_solution_direction_ref(std::span<double> x, std::span<double> p, std::span<const double> r,
                                   double alpha, double beta, double r_scale, const GridLayout& layout,
                                   const Box& box);

/// v = b - v; returns sum v * v of the result (the true residual from v = A x).
PartialSum subtract_from(std::span<const double> b, std::span<double> v, const GridLayout& layout, const Box& box,
                         SumMode mode);
PartialSum subtract_from_ref(std::span<const double> b, std::span<double> v, const GridLayout& layout,
                             const Box& box, SumMode mode);

/// sum a * b over the cells of `box`.
PartialSum dot(std::span<const double> a, std::span<const double> b, const GridLayout& layout, const Box& box,
               SumMode mode);
PartialSum dot_ref(std::span<const double> a, std::span<const double> b, const GridLayout& layout,
                   const Box& box, SumMode mode);

/// The manufactured problem on the unit cube: u = a(x) a(y) a(z) with a(t) = t (1 - t) e^t,
/// zero on the boundary and not an eigenvector of the operator, and f = -Laplace(u).
void fill_manufactured_solution(std::span<double> u, const GridLayout& layout, const Box& box,
                                const GridGeometry& geometry);
void fill_manufactured_rhs(std::span<double> f, const GridLayout& layout, const Box& box,
                           const GridGeometry& geometry);
void fill_manufactured_solution_ref(std::span<double> u, const GridLayout& layout, const Box& box,
                                    const GridGeometry& geometry);
void fill_manufactured_rhs_ref(std::span<double> f, const GridLayout& layout, const Box& box,
                               const GridGeometry& geometry);

/// Bounds on the manufactured solution for error estimates: max |u| and max |d^4 u / dx_d^4|
/// over the cube (the same for every d).
struct ManufacturedBounds {
  double max_u;
  double max_fourth_derivative;
};
ManufacturedBounds manufactured_bounds();

}  // namespace tessera::kernels
