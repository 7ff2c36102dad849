// Heat kernels against their reference twins: bit-identical on every box, grid shape and
// thread count, and the interior + rim split covers every cell exactly once.
#include "tessera/kernels/heat.hpp"

#include "tests/kernels/test_fields.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <random>
#include <vector>

namespace tessera::kernels {
namespace {

using test::random_field;

struct Shape {
  int dims;
  std::array<Index, 3> n;
  int ghost;
};

class HeatKernels : public testing::TestWithParam<Shape> {};

TEST_P(HeatKernels, MatchReferenceBitwiseOnAnyThreadCount) {
  const Shape s = GetParam();
  const GridLayout layout{s.dims, s.n, s.ghost};
  const auto in = random_field(layout, 7);
  const Diffusion r{0.11, 0.07, 0.05};
  std::vector<double> expected(in.size(), 0.0);
  (s.dims == 2 ? heat_update_2d_ref : heat_update_3d_ref)(in, expected, layout, layout.interior(), r);
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    std::vector<double> got(in.size(), 0.0);
    (s.dims == 2 ? heat_update_2d : heat_update_3d)(in, got, layout, layout.interior(), r);
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(expected[i]))
          << "cell " << i << " with " << threads << " threads";
    }
  }
  omp_set_num_threads(1);
}

TEST_P(HeatKernels, InteriorPlusRimEqualsWholeBlock) {
  const Shape s = GetParam();
  const GridLayout layout{s.dims, s.n, s.ghost};
  const auto in = random_field(layout, 11);
  const Diffusion r{0.1, 0.1, 0.1};
  const auto update = s.dims == 2 ? heat_update_2d : heat_update_3d;
  std::vector<double> whole(in.size(), 0.0);
  update(in, whole, layout, layout.interior(), r);

  const Box inner = shrink(layout.interior(), s.dims, 1);
  const auto rim = shell(layout.interior(), inner, s.dims);
  std::vector<double> split(in.size(), 0.0);
  std::vector<int> visits(in.size(), 0);
  update(in, split, layout, inner, r);
  for (Box b : {inner}) {
    for (Index k = b.lo[2]; k < b.hi[2]; ++k)
      for (Index j = b.lo[1]; j < b.hi[1]; ++j)
        for (Index i = b.lo[0]; i < b.hi[0]; ++i) ++visits[static_cast<std::size_t>(layout.index(i, j, k))];
  }
  for (const Box& b : rim) {
    update(in, split, layout, b, r);
    for (Index k = b.lo[2]; k < b.hi[2]; ++k)
      for (Index j = b.lo[1]; j < b.hi[1]; ++j)
        for (Index i = b.lo[0]; i < b.hi[0]; ++i) ++visits[static_cast<std::size_t>(layout.index(i, j, k))];
  }
  EXPECT_EQ(split, whole);
  const Box all = layout.interior();
  for (Index k = 0; k < layout.extent(2); ++k)
    for (Index j = 0; j < layout.extent(1); ++j)
      for (Index i = 0; i < layout.extent(0); ++i) {
        const Index ii = i - layout.ghost_in(0), jj = j - layout.ghost_in(1), kk = k - layout.ghost_in(2);
        const bool inside = ii >= all.lo[0] && ii < all.hi[0] && jj >= all.lo[1] && jj < all.hi[1] &&
                            kk >= all.lo[2] && kk < all.hi[2];
        ASSERT_EQ(visits[static_cast<std::size_t>(layout.index(ii, jj, kk))], inside ? 1 : 0)
            << "cell (" << ii << "," << jj << "," << kk << ")";
      }
}

INSTANTIATE_TEST_SUITE_P(Shapes, HeatKernels,
                         testing::Values(Shape{2, {17, 9, 1}, 1}, Shape{2, {1, 5, 1}, 1}, Shape{2, {2, 2, 1}, 2},
                                         Shape{2, {33, 3, 1}, 2}, Shape{3, {7, 5, 3}, 1}, Shape{3, {1, 1, 1}, 1},
                                         Shape{3, {9, 4, 6}, 2}, Shape{3, {2, 13, 2}, 1}));

TEST(HeatKernels, SineProductMatchesReference) {
  const GridLayout layout{3, {6, 5, 4}, 1};
  GridGeometry geometry{{3, 0, 7}, {1.0 / 21, 1.0 / 6, 1.0 / 12}};
  std::vector<double> a(static_cast<std::size_t>(layout.size()), 0.0), b = a;
  fill_sine_product(a, layout, layout.interior(), geometry, 0.75);
  fill_sine_product_ref(b, layout, layout.interior(), geometry, 0.75);
  EXPECT_EQ(a, b);
  // Cell (0,0,0) of this block is global (3,0,7): x = 4h, y = h, z = 8h.
  EXPECT_DOUBLE_EQ(a[static_cast<std::size_t>(layout.index(0, 0, 0))],
                   0.75 * std::sin(M_PI * 4 / 21) * std::sin(M_PI / 6) * std::sin(M_PI * 8 / 12));
}

TEST(HeatKernels, UpdateMatchesHandComputedStencil) {
  const GridLayout layout{2, {3, 3, 1}, 1};
  std::vector<double> in(static_cast<std::size_t>(layout.size()), 0.0), out(in.size(), 0.0);
  in[static_cast<std::size_t>(layout.index(1, 1, 0))] = 1.0;
  heat_update_2d(in, out, layout, layout.interior(), {0.25, 0.125, 0.0});
  EXPECT_DOUBLE_EQ(out[static_cast<std::size_t>(layout.index(1, 1, 0))], 1.0 - 2 * 0.25 - 2 * 0.125);
  EXPECT_DOUBLE_EQ(out[static_cast<std::size_t>(layout.index(0, 1, 0))], 0.25);
  EXPECT_DOUBLE_EQ(out[static_cast<std::size_t>(layout.index(1, 2, 0))], 0.125);
  EXPECT_DOUBLE_EQ(out[static_cast<std::size_t>(layout.index(0, 0, 0))], 0.0);
}

}  // namespace
}  // namespace tessera::kernels
