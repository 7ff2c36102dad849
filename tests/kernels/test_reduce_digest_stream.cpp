// Reductions, digests and STREAM kernels against their reference twins; digests are
// independent of how an array is split into blocks and of the thread count.
#include "tessera/kernels/digest.hpp"
#include "tessera/kernels/reduce.hpp"
#include "tessera/kernels/stream.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <random>
#include <vector>

namespace tessera::kernels {
namespace {

std::vector<double> random_values(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-2.0, 2.0);
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

TEST(Reduce, MatchReferenceOnBoxes) {
  const GridLayout layout{3, {9, 7, 5}, 2};
  const auto a = random_values(static_cast<std::size_t>(layout.size()), 1);
  const auto b = random_values(static_cast<std::size_t>(layout.size()), 2);
  for (const Box& box : {layout.interior(), Box{{1, 2, 0}, {8, 3, 5}}, Box{{0, 0, 0}, {0, 7, 5}}}) {
    for (int threads : {1, 2}) {
      omp_set_num_threads(threads);
      EXPECT_EQ(max_abs_diff(a, b, layout, box), max_abs_diff_ref(a, b, layout, box));
      EXPECT_EQ(max_abs(a, layout, box), max_abs_ref(a, layout, box));
      EXPECT_NEAR(sum_squares(a, layout, box), sum_squares_ref(a, layout, box), 1e-12 * (1 + sum_squares_ref(a, layout, box)));
    }
  }
  EXPECT_EQ(max_abs(a, layout, Box{}), 0.0);
}

TEST(Reduce, KnownValues) {
  const GridLayout layout{2, {2, 2, 1}, 1};
  std::vector<double> a(static_cast<std::size_t>(layout.size()), 100.0);  // ghosts must be ignored
  std::vector<double> b(a.size(), 0.0);
  a[static_cast<std::size_t>(layout.index(0, 0, 0))] = -3.0;
  a[static_cast<std::size_t>(layout.index(1, 0, 0))] = 1.0;
  a[static_cast<std::size_t>(layout.index(0, 1, 0))] = 2.0;
  a[static_cast<std::size_t>(layout.index(1, 1, 0))] = 0.5;
  EXPECT_EQ(max_abs(a, layout, layout.interior()), 3.0);
  EXPECT_EQ(max_abs_diff(a, b, layout, layout.interior()), 3.0);
  EXPECT_EQ(sum_squares(a, layout, layout.interior()), 9.0 + 1.0 + 4.0 + 0.25);
}

TEST(Digest, IndependentOfBlockSplitAndThreads) {
  // A 6x5x7 global array, held whole, then as two blocks with different memory padding.
  const Extents shape{1, 6, 5, 7};
  const auto values = random_values(6 * 5 * 7, 3);
  StridedBlock whole;
  whole.count = shape;
  whole.global_shape = shape;
  whole.memory_stride = {210, 35, 7, 1};
  const std::uint64_t expected = block_digest_ref(values.data(), whole);
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    EXPECT_EQ(block_digest(values.data(), whole), expected);
  }
  omp_set_num_threads(1);

  // Split along the middle dimension into rows [0,2) and [2,5), copied into padded buffers.
  std::uint64_t split = 0;
  for (auto [lo, hi] : {std::pair{0, 2}, std::pair{2, 5}}) {
    const std::int64_t rows = hi - lo;
    const std::int64_t pad = 3;
    std::vector<double> local(static_cast<std::size_t>(6 * rows * (7 + pad)), -9.0);
    for (std::int64_t a = 0; a < 6; ++a)
      for (std::int64_t b = 0; b < rows; ++b)
        for (std::int64_t c = 0; c < 7; ++c)
          local[static_cast<std::size_t>((a * rows + b) * (7 + pad) + c)] =
              values[static_cast<std::size_t>((a * 5 + lo + b) * 7 + c)];
    StridedBlock part;
    part.count = {1, 6, rows, 7};
    part.global_offset = {0, 0, lo, 0};
    part.global_shape = shape;
    part.memory_stride = {0, rows * (7 + pad), 7 + pad, 1};
    EXPECT_EQ(block_digest(local.data(), part), block_digest_ref(local.data(), part));
    split += block_digest(local.data(), part);
  }
  EXPECT_EQ(split, expected);
}

TEST(Digest, SeesEveryBitAndPosition) {
  std::vector<double> v{1.0, 2.0, 3.0};
  StridedBlock b;
  b.count = {1, 1, 1, 3};
  b.global_shape = {1, 1, 1, 3};
  b.memory_stride = {3, 3, 3, 1};
  const auto base = block_digest(v.data(), b);
  std::vector<double> swapped{2.0, 1.0, 3.0};
  EXPECT_NE(block_digest(swapped.data(), b), base);
  std::vector<double> nudged{1.0, std::nextafter(2.0, 3.0), 3.0};
  EXPECT_NE(block_digest(nudged.data(), b), base);
}

TEST(Stream, CopyAndTriadMatchReference) {
  const auto a = random_values(1001, 4);
  const auto c = random_values(1001, 5);
  std::vector<double> b1(a.size()), b2(a.size());
  stream_copy(a, b1);
  stream_copy_ref(a, b2);
  EXPECT_EQ(b1, a);
  EXPECT_EQ(b2, a);
  std::vector<double> t1(a.size()), t2(a.size());
  stream_triad(t1, a, c, 3.0);
  stream_triad_ref(t2, a, c, 3.0);
  EXPECT_EQ(t1, t2);
  std::vector<double> filled(17, 0.0);
  first_touch_fill(filled, 2.5);
  EXPECT_EQ(filled, std::vector<double>(17, 2.5));
}

TEST(GridLayout, IndexingAndShell) {
  const GridLayout layout{2, {4, 3, 1}, 2};
  EXPECT_EQ(layout.extent(0), 8);
  EXPECT_EQ(layout.extent(1), 7);
  EXPECT_EQ(layout.extent(2), 1);
  EXPECT_EQ(layout.index(-2, -2, 0), 0);
  EXPECT_EQ(layout.index(0, 0, 0), 2 + 2 * 8);
  const Box inner = shrink(layout.interior(), 2, 1);
  EXPECT_EQ(inner, (Box{{1, 1, 0}, {3, 2, 1}}));
  Index covered = inner.size();
  for (const auto& b : shell(layout.interior(), inner, 2)) covered += b.size();
  EXPECT_EQ(covered, layout.interior().size());
  // A block too thin for an interior is all rim.
  const Box none = shrink(Box{{0, 0, 0}, {1, 5, 1}}, 2, 1);
  EXPECT_TRUE(none.empty());
  const auto rim = shell(Box{{0, 0, 0}, {1, 5, 1}}, none, 2);
  ASSERT_EQ(rim.size(), 1U);
  EXPECT_EQ(rim[0].size(), 5);
}

}  // namespace
}  // namespace tessera::kernels
