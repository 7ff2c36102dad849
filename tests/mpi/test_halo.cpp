// Halo exchange: after an exchange every face ghost cell holds the neighbour's value of that
// global cell (wrapped when periodic); ghosts at non-periodic edges, and edge/corner ghosts,
// are left alone. 2D and 3D, widths 1 and 2, uneven blocks, any rank count.
#include "tessera/base/error.hpp"
#include "tessera/grid/field.hpp"
#include "tessera/grid/halo_exchange.hpp"

#include <gtest/gtest.h>

namespace tessera {
namespace {

using kernels::Index;

struct HaloCase {
  int dims;
  std::array<std::int64_t, 3> global;
  std::array<bool, 3> periodic;
  int width;
};

double value_of(const std::array<std::int64_t, 3>& g) {
  return 1.0 + static_cast<double>(g[0]) + 1000.0 * static_cast<double>(g[1]) + 1e6 * static_cast<double>(g[2]);
}

class Halo : public testing::TestWithParam<HaloCase> {};

TEST_P(Halo, GhostsHoldNeighbourValues) {
  const HaloCase c = GetParam();
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  CartSpec spec;
  spec.dims = c.dims;
  spec.global = c.global;
  spec.periodic = c.periodic;
  const CartDecomposition dec(world, spec);
  Field field(dec, c.width);
  const auto& layout = field.layout();
  constexpr double untouched = -7.0;
  for (auto& v : field.data()) v = untouched;
  for (Index k = 0; k < layout.n[2]; ++k)
    for (Index j = 0; j < layout.n[1]; ++j)
      for (Index i = 0; i < layout.n[0]; ++i)
        field.at(i, j, k) = value_of({dec.offset()[0] + i, dec.offset()[1] + j, dec.offset()[2] + k});

  HaloPlan plan(dec, layout);
  for (int round = 0; round < 2; ++round) {  // a plan is reused
    plan.start(field.data());
    EXPECT_TRUE(plan.in_flight());
    EXPECT_THROW(plan.start(field.data()), RuntimeError);
    plan.finish();
    EXPECT_FALSE(plan.in_flight());
  }

  const int w = c.width;
  for (Index k = -layout.ghost_in(2); k < layout.n[2] + layout.ghost_in(2); ++k)
    for (Index j = -layout.ghost_in(1); j < layout.n[1] + layout.ghost_in(1); ++j)
      for (Index i = -layout.ghost_in(0); i < layout.n[0] + layout.ghost_in(0); ++i) {
        const std::array<Index, 3> local{i, j, k};
        int outside_dims = 0;
        int outside = -1;
        for (int d = 0; d < 3; ++d) {
          if (local[d] < 0 || local[d] >= layout.n[d]) {
            ++outside_dims;
            outside = d;
          }
        }
        if (outside_dims == 0) continue;  // interior: unchanged by construction
        const double got = field.at(i, j, k);
        if (outside_dims > 1) {
          ASSERT_EQ(got, untouched) << "edge/corner ghost (" << i << "," << j << "," << k << ") was written";
          continue;
        }
        std::array<std::int64_t, 3> g{};
        for (int d = 0; d < 3; ++d) g[d] = dec.offset()[d] + local[d];
        const bool beyond_edge = g[outside] < 0 || g[outside] >= dec.global()[outside];
        if (beyond_edge && !c.periodic[outside]) {
          ASSERT_EQ(got, untouched) << "ghost beyond a non-periodic edge was written";
          continue;
        }
        g[outside] = (g[outside] + dec.global()[outside]) % dec.global()[outside];
        ASSERT_EQ(got, value_of(g)) << "ghost (" << i << "," << j << "," << k << ") width " << w << " dims "
                                    << c.dims << " on rank " << world.rank();
      }
}

INSTANTIATE_TEST_SUITE_P(Cases, Halo,
                         testing::Values(HaloCase{2, {11, 7, 1}, {false, false, false}, 1},
                                         HaloCase{2, {11, 7, 1}, {true, true, false}, 1},
                                         HaloCase{2, {13, 9, 1}, {true, false, false}, 2},
                                         HaloCase{2, {10, 12, 1}, {false, true, false}, 2},
                                         HaloCase{3, {7, 6, 5}, {false, false, false}, 1},
                                         HaloCase{3, {7, 6, 5}, {true, true, true}, 1},
                                         HaloCase{3, {9, 8, 10}, {true, false, true}, 2},
                                         HaloCase{3, {8, 9, 7}, {false, false, false}, 2}));

TEST(HaloPlan, RejectsGhostsWiderThanTheBlock) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  CartSpec spec;
  spec.dims = 2;
  spec.global = {2 * world.size(), 4, 1};
  spec.proc_grid = {world.size(), 1, 0};
  spec.periodic = {true, false, false};
  const CartDecomposition dec(world, spec);
  EXPECT_THROW(HaloPlan(dec, dec.layout(3)), UsageError);
  EXPECT_NO_THROW(HaloPlan(dec, dec.layout(2)));
}

}  // namespace
}  // namespace tessera
