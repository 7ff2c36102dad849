// Node-local reductions over a box of a rank's block, with plain reference twins.
// Rank-level results are combined across ranks by the library (src/comm/collectives.hpp).
#pragma once

#include "tessera/kernels/grid_layout.hpp"

#include <span>

namespace tessera::kernels {

/// max |a - b| over the cells of `box` (0 for an empty box).
double max_abs_diff(std::span<const double> a, std::span<const double> b, const GridLayout& layout,
                    const Box& box);
double max_abs_diff_ref(std::span<const double> a, std::span<const double> b,
                        const GridLayout& layout, const Box& box);

/// max |a| over the cells of `box` (0 for an empty box).
double max_abs(std::span<const double> a, const GridLayout& layout, const Box& box);
double max_abs_ref(std::span<const double> a, const GridLayout& layout, const Box& box);

/// Sum of a^2 over the cells of `box`.
double sum_squares(std::span<const double> a, const GridLayout& layout, const Box& box);
double sum_squares_ref(std::span<const double> a, const GridLayout& layout, const Box& box);

}  // namespace tessera::kernels
