// Helpers shared by the kernel tests.
#pragma once

#include "tessera/kernels/grid_layout.hpp"

#include <random>
#include <vector>

namespace tessera::kernels::test {

/// A field of `layout` (ghosts included) with values uniform in [-1, 1), fixed by `seed`.
inline std::vector<double> random_field(const GridLayout& layout, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 1.0);
  std::vector<double> v(static_cast<std::size_t>(layout.size()));
  for (auto& x : v) x = dist(rng);
  return v;
}

}  // namespace tessera::kernels::test
