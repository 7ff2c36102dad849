// Block partitions and Cartesian decompositions: every cell owned exactly once for any size
// and rank count, neighbours consistent, bad process grids refused on all ranks alike.
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/block_partition.hpp"
#include "tessera/grid/cart_decomposition.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tessera {
namespace {

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

TEST(BlockPartition, CoversEveryIndexExactlyOnce) {
  for (std::int64_t n : {0, 1, 2, 5, 7, 16, 100, 1001}) {
    for (int p : {1, 2, 3, 4, 5, 7, 8, 13, 64}) {
      const BlockPartition part(n, p);
      std::vector<int> owner_count(static_cast<std::size_t>(n), 0);
      std::int64_t expected_offset = 0;
      for (int q = 0; q < p; ++q) {
        EXPECT_EQ(part.offset(q), expected_offset) << n << " over " << p;
        expected_offset += part.count(q);
        // Balanced: counts differ by at most one.
        EXPECT_LE(part.count(q), n / p + 1);
        EXPECT_GE(part.count(q), n / p);
        for (std::int64_t i = part.offset(q); i < part.offset(q) + part.count(q); ++i) {
          ++owner_count[static_cast<std::size_t>(i)];
          EXPECT_EQ(part.owner(i), q) << "index " << i << " of " << n << " over " << p;
        }
      }
      EXPECT_EQ(expected_offset, n);
      for (int c : owner_count) EXPECT_EQ(c, 1);
    }
  }
}

TEST(BlockPartition, RejectsBadArguments) {
  EXPECT_THROW(BlockPartition(10, 0), UsageError);
  EXPECT_THROW(BlockPartition(-1, 2), UsageError);
  EXPECT_THROW((void)BlockPartition(10, 3).owner(10), UsageError);
}

class CartCover : public testing::TestWithParam<CartSpec> {};

TEST_P(CartCover, BlocksTileTheGlobalGrid) {
  const Communicator comm = world();
  const CartSpec spec = GetParam();
  const CartDecomposition dec(comm, spec);
  const auto& grid = dec.proc_grid();
  EXPECT_EQ(grid[0] * grid[1] * grid[2], comm.size());
  std::int64_t cells = dec.count()[0] * dec.count()[1] * dec.count()[2];
  EXPECT_GT(cells, 0);
  std::int64_t global = 1;
  for (int d = 0; d < 3; ++d) global *= dec.global()[d];
  EXPECT_EQ(allreduce_sum(comm, cells), global);
  // Each global cell lies in exactly one block: count, per global cell, how many ranks own it.
  std::vector<int> owned(static_cast<std::size_t>(global), 0);
  for (std::int64_t k = 0; k < dec.count()[2]; ++k)
    for (std::int64_t j = 0; j < dec.count()[1]; ++j)
      for (std::int64_t i = 0; i < dec.count()[0]; ++i) {
        const auto gi = dec.offset()[0] + i, gj = dec.offset()[1] + j, gk = dec.offset()[2] + k;
        ++owned[static_cast<std::size_t>((gk * dec.global()[1] + gj) * dec.global()[0] + gi)];
      }
  allreduce_in_place<int>(comm, owned, MPI_SUM);
  for (int c : owned) ASSERT_EQ(c, 1);
  // Neighbours: my +d neighbour's -d neighbour is me.
  for (int d = 0; d < dec.dims(); ++d) {
    const int up = dec.neighbor(d, +1);
    const int down = dec.neighbor(d, -1);
    int from_down = -2;
    int mine = comm.rank();
    MPI_Sendrecv(&mine, 1, MPI_INT, up, 0, &from_down, 1, MPI_INT, down, 0, dec.comm().get(), MPI_STATUS_IGNORE);
    if (down != MPI_PROC_NULL) {
      EXPECT_EQ(from_down, down);
    }
    if (!spec.periodic[d] && dec.coords()[d] == 0) {
      EXPECT_EQ(down, MPI_PROC_NULL);
    }
    if (!spec.periodic[d] && dec.coords()[d] == grid[d] - 1) {
      EXPECT_EQ(up, MPI_PROC_NULL);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Specs, CartCover,
    testing::Values(CartSpec{2, {11, 7, 1}, {0, 0, 0}, {false, false, false}},
                    CartSpec{2, {4, 13, 1}, {0, 0, 0}, {true, false, false}},
                    CartSpec{2, {9, 9, 1}, {0, 1, 0}, {false, false, false}},
                    CartSpec{3, {5, 6, 7}, {0, 0, 0}, {false, false, false}},
                    CartSpec{3, {8, 4, 5}, {0, 0, 0}, {true, true, true}},
                    CartSpec{3, {4, 3, 9}, {1, 1, 0}, {false, true, false}}));

TEST(CartDecomposition, UserProcessGridIsUsed) {
  const Communicator comm = world();
  CartSpec spec{2, {20, 20, 1}, {1, comm.size(), 0}, {false, false, false}};
  const CartDecomposition dec(comm, spec);
  EXPECT_EQ(dec.proc_grid()[0], 1);
  EXPECT_EQ(dec.proc_grid()[1], comm.size());
  EXPECT_EQ(dec.count()[0], 20);
}

TEST(CartDecomposition, AutomaticGridFollowsTheGridShape) {
  const Communicator comm = world();
  const auto grid_for = [&](std::array<std::int64_t, 3> cells, int dims) {
    CartSpec spec;
    spec.dims = dims;
    spec.global = cells;
    return CartDecomposition(comm, spec).proc_grid();
  };
  // A thin dimension never gets more ranks than cells while another dimension has room.
  const auto thin = grid_for({2, 9, 5}, 3);
  EXPECT_LE(thin[0], 2);
  EXPECT_EQ(thin[0] * thin[1] * thin[2], comm.size());
  // A long dimension takes the ranks: the smallest halo surface.
  EXPECT_EQ(grid_for({4, 4, 400}, 3), (std::array<int, 3>{1, 1, comm.size()}));
  EXPECT_EQ(grid_for({300, 4, 1}, 2), (std::array<int, 3>{comm.size(), 1, 1}));
  // Among equal surfaces the slowest dimension is split (contiguous faces).
  if (comm.size() == 2) {
    EXPECT_EQ(grid_for({8, 8, 8}, 3), (std::array<int, 3>{1, 1, 2}));
  }
  if (comm.size() == 4) {
    EXPECT_EQ(grid_for({64, 64, 1}, 2), (std::array<int, 3>{1, 4, 1}));  // 2x2 has the same surface
  }
}

TEST(CartDecomposition, BadSpecsAreRefusedOnEveryRank) {
  const Communicator comm = world();
  const int p = comm.size();
  auto refused = [&](const CartSpec& spec, const std::string& fragment) {
    try {
      CartDecomposition dec(comm, spec);
      ADD_FAILURE() << "accepted a bad spec; expected '" << fragment << "'";
    } catch (const UsageError& e) {
      EXPECT_TRUE(e.collective());
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
  };
  refused(CartSpec{4, {4, 4, 4}, {0, 0, 0}, {}}, "must be 2 or 3");
  refused(CartSpec{2, {0, 4, 1}, {0, 0, 0}, {}}, "at least 1");
  refused(CartSpec{2, {8, 8, 1}, {p + 1, 1, 0}, {}}, "ranks");
  if (p > 1) refused(CartSpec{2, {1, 1, 1}, {p, 1, 0}, {}}, "along x, which has only 1 cell;");
}

TEST(ParseProcGrid, AcceptsAndRejects) {
  EXPECT_EQ(parse_proc_grid("2x3", 2), (std::array<int, 3>{2, 3, 0}));
  EXPECT_EQ(parse_proc_grid("0x2x1", 3), (std::array<int, 3>{0, 2, 1}));
  EXPECT_EQ(parse_proc_grid("", 3), (std::array<int, 3>{0, 0, 0}));
  EXPECT_THROW(parse_proc_grid("2x", 2), UsageError);
  EXPECT_THROW(parse_proc_grid("2x2x2", 2), UsageError);
  EXPECT_THROW(parse_proc_grid("ax2", 2), UsageError);
  EXPECT_THROW(parse_proc_grid("-1x2", 2), UsageError);
}

}  // namespace
}  // namespace tessera
