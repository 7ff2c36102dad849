// Poisson operator and CG vector kernels against their reference twins: vectors bit for bit
// on any box and thread count, fused sums bit for bit in exact mode (and close in fast mode),
// interior + rim sweeps equal one whole sweep, and the manufactured problem is consistent
// with the operator to second order.
#include "tessera/kernels/poisson.hpp"

#include "tests/kernels/test_fields.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <bit>
#include <cmath>
#include <random>
#include <vector>

namespace tessera::kernels {
namespace {

using test::random_field;

void expect_same_bits(const std::vector<double>& got, const std::vector<double>& expected, const char* what,
                      int threads) {
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    ASSERT_EQ(std::bit_cast<std::uint64_t>(got[i]), std::bit_cast<std::uint64_t>(expected[i]))
        << what << ": cell " << i << " with " << threads << " threads";
  }
}

void expect_sum(const PartialSum& got, const PartialSum& expected, const char* what, int threads) {
  if (got.mode() == SumMode::reproducible) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(got.value()), std::bit_cast<std::uint64_t>(expected.value()))
        << what << " with " << threads << " threads";
  } else {
    EXPECT_NEAR(got.value(), expected.value(), 1e-12 * std::fabs(expected.value()) + 1e-12)
        << what << " with " << threads << " threads";
  }
}

class PoissonKernels : public testing::TestWithParam<std::array<Index, 3>> {};

const Stencil7 kStencil = poisson_stencil({0.1, 0.07, 0.05});

TEST_P(PoissonKernels, MatchReferenceOnAnyThreadCount) {
  const GridLayout layout{3, GetParam(), 1};
  const Box box = layout.interior();
  for (SumMode mode : {SumMode::fast, SumMode::reproducible}) {
    for (int threads : {1, 2, 3}) {
      omp_set_num_threads(threads);
      const auto p = random_field(layout, 1);
      std::vector<double> q_ref(p.size(), 0.0);
      std::vector<double> q(p.size(), 0.0);
      expect_sum(apply_poisson(p, q, layout, box, kStencil, mode),
                 apply_poisson_ref(p, q_ref, layout, box, kStencil, mode), "p.Ap", threads);
      expect_same_bits(q, q_ref, "Ap", threads);

      auto r = random_field(layout, 2);
      auto r_ref = r;
      expect_sum(update_residual(r, q, 0.37, layout, box, mode), update_residual_ref(r_ref, q, 0.37, layout, box, mode),
                 "r.r", threads);
      expect_same_bits(r, r_ref, "r - alpha q", threads);

      auto x = random_field(layout, 3);
      auto x_ref = x;
      auto d = random_field(layout, 4);
      auto d_ref = d;
      update_solution_direction(x, d, r, 0.37, 0.81, 0.25, layout, box);
      update_solution_direction_ref(x_ref, d_ref, r, 0.37, 0.81, 0.25, layout, box);
      expect_same_bits(x, x_ref, "x + alpha p", threads);
      expect_same_bits(d, d_ref, "r_scale r + beta p", threads);

      auto v = q;
      auto v_ref = q;
      expect_sum(subtract_from(r, v, layout, box, mode), subtract_from_ref(r, v_ref, layout, box, mode), "|b - v|^2",
                 threads);
      expect_same_bits(v, v_ref, "b - v", threads);
      expect_sum(dot(r, x, layout, box, mode), dot_ref(r, x, layout, box, mode), "r.x", threads);
    }
  }
  omp_set_num_threads(1);
}

TEST_P(PoissonKernels, InteriorPlusRimEqualsWholeSweep) {
  const GridLayout layout{3, GetParam(), 1};
  const auto p = random_field(layout, 5);
  std::vector<double> whole(p.size(), 0.0);
  const PartialSum whole_sum = apply_poisson(p, whole, layout, layout.interior(), kStencil, SumMode::reproducible);

  const Box inner = shrink(layout.interior(), 3, 1);
  std::vector<double> split(p.size(), 0.0);
  PartialSum split_sum = apply_poisson(p, split, layout, inner, kStencil, SumMode::reproducible);
  for (const Box& b : shell(layout.interior(), inner, 3)) split_sum.add(apply_poisson(p, split, layout, b, kStencil, SumMode::reproducible));
  expect_same_bits(split, whole, "interior + rim", 1);
  EXPECT_EQ(std::bit_cast<std::uint64_t>(split_sum.value()), std::bit_cast<std::uint64_t>(whole_sum.value()));
}

INSTANTIATE_TEST_SUITE_P(Shapes, PoissonKernels,
                         testing::Values(std::array<Index, 3>{8, 8, 8}, std::array<Index, 3>{13, 7, 5},
                                         std::array<Index, 3>{1, 1, 1}, std::array<Index, 3>{17, 3, 1},
                                         std::array<Index, 3>{5, 29, 2}));

TEST(ThreadShare, SharesCoverTheBoxExactlyOnce) {
  for (const Box box : {Box{{0, 0, 0}, {5, 7, 9}}, Box{{1, 2, 3}, {4, 9, 4}}, Box{{0, 0, 0}, {3, 1, 1}}}) {
    for (int team : {1, 2, 3, 8}) {
      std::vector<int> owners(static_cast<std::size_t>(box.size()), 0);
      for (int me = 0; me < team; ++me) {
        const Box share = thread_share(box, team, me);
        for (Index k = share.lo[2]; k < share.hi[2]; ++k)
          for (Index j = share.lo[1]; j < share.hi[1]; ++j)
            for (Index i = share.lo[0]; i < share.hi[0]; ++i) {
              ASSERT_TRUE(i >= box.lo[0] && i < box.hi[0] && j >= box.lo[1] && j < box.hi[1] && k >= box.lo[2] &&
                          k < box.hi[2])
                  << "thread " << me << " of " << team << " got a cell outside the box";
              const Index at = (i - box.lo[0]) + (box.hi[0] - box.lo[0]) * ((j - box.lo[1]) + (box.hi[1] - box.lo[1]) * (k - box.lo[2]));
              ++owners[static_cast<std::size_t>(at)];
            }
      }
      for (int count : owners) ASSERT_EQ(count, 1) << team << " threads";
    }
  }
}

TEST(Manufactured, FillsMatchReferenceAndStayWithinTheBound) {
  const GridLayout layout{3, {9, 6, 5}, 1};
  GridGeometry g;
  g.offset = {3, 0, 2};
  g.h = {1.0 / 13, 1.0 / 7, 1.0 / 8};
  std::vector<double> u(static_cast<std::size_t>(layout.size()), 0.0);
  std::vector<double> u_ref = u;
  std::vector<double> f = u;
  std::vector<double> f_ref = u;
  fill_manufactured_solution(u, layout, layout.interior(), g);
  fill_manufactured_solution_ref(u_ref, layout, layout.interior(), g);
  fill_manufactured_rhs(f, layout, layout.interior(), g);
  fill_manufactured_rhs_ref(f_ref, layout, layout.interior(), g);
  expect_same_bits(u, u_ref, "u", 1);
  expect_same_bits(f, f_ref, "f", 1);
  const auto bounds = manufactured_bounds();
  for (double v : u) EXPECT_LE(std::fabs(v), bounds.max_u);
  // The solution vanishes on the boundary: a cell placed at x = 0 (offset -1) or x = 1
  // (offset n) holds 0, so the zero ghosts are the Dirichlet values.
  const GridLayout one{3, {1, 1, 1}, 1};
  for (const Index edge : {Index{-1}, Index{12}}) {
    GridGeometry at_edge = g;
    at_edge.offset = {edge, 2, 3};
    std::vector<double> cell(static_cast<std::size_t>(one.size()), 1.0);
    fill_manufactured_solution(cell, one, one.interior(), at_edge);
    EXPECT_EQ(cell[static_cast<std::size_t>(one.index(0, 0, 0))], 0.0) << "offset " << edge;
  }
}

TEST(Manufactured, OperatorReproducesTheRightHandSideToSecondOrder) {
  // On one block that is the whole grid, the zero ghosts are the Dirichlet boundary, so
  // A u_exact - f is the truncation error, bounded by sum_d h_d^2 / 12 max |d^4 u / dx_d^4|.
  double previous = 0.0;
  for (Index n : {15, 31}) {
    const GridLayout layout{3, {n, n, n}, 1};
    GridGeometry g;
    const double h = 1.0 / static_cast<double>(n + 1);
    g.h = {h, h, h};
    std::vector<double> u(static_cast<std::size_t>(layout.size()), 0.0);
    std::vector<double> f = u;
    std::vector<double> au = u;
    fill_manufactured_solution(u, layout, layout.interior(), g);
    fill_manufactured_rhs(f, layout, layout.interior(), g);
    apply_poisson(u, au, layout, layout.interior(), poisson_stencil(g.h), SumMode::fast);
    double worst = 0.0;
    for (std::size_t i = 0; i < u.size(); ++i) worst = std::max(worst, std::fabs(au[i] - f[i]));
    EXPECT_LE(worst, 3.0 * h * h / 12.0 * manufactured_bounds().max_fourth_derivative);
    if (previous > 0.0) {
      EXPECT_NEAR(previous / worst, 4.0, 0.4);  // h halved: error / 4
    }
    previous = worst;
  }
}

}  // namespace
}  // namespace tessera::kernels
