// Explicit heat-equation updates (2D 5-point, 3D 7-point) over a box of a rank's block, and
// the separable sine-product field the heat app starts from. Each optimized kernel has a plain
// reference twin (`*_ref`) that tests compare against bit for bit.
#pragma once

#include "tessera/kernels/grid_layout.hpp"

#include <array>
#include <span>

namespace tessera::kernels {

/// Diffusion numbers r_d = alpha * dt / h_d^2 per dimension.
using Diffusion = std::array<double, 3>;

/// out = u + r_x (u_W + u_E - 2u) + r_y (u_S + u_N - 2u) for every cell of `box`.
/// Reads one ghost layer around `box`; `in` and `out` share `layout` and must not overlap.
void heat_update_2d(std::span<const double> in, std::span<double> out, const GridLayout& layout,
                    const Box& box, const Diffusion& r);
void heat_update_2d_ref(std::span<const double> in, std::span<double> out,
                        const GridLayout& layout, const Box& box, const Diffusion& r);

/// As heat_update_2d, plus r_z (u_B + u_T - 2u).
void heat_update_3d(std::span<const double> in, std::span<double> out, const GridLayout& layout,
                    const Box& box, const Diffusion& r);
void heat_update_3d_ref(std::span<const double> in, std::span<double> out,
                        const GridLayout& layout, const Box& box, const Diffusion& r);

/// u = amplitude * prod_d sin(pi x_d) on every cell of `box` (the heat app's initial state,
/// an eigenvector of the discrete Laplacian).
void fill_sine_product(std::span<double> u, const GridLayout& layout, const Box& box,
                       const GridGeometry& geometry, double amplitude);
void fill_sine_product_ref(std::span<double> u, const GridLayout& layout, const Box& box,
                           const GridGeometry& geometry, double amplitude);

}  // namespace tessera::kernels
