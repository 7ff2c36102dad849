// The distributed sort and statistics at any rank count: every key distribution, sizes below
// the rank count (ranks with no rows), inputs where some ranks hold nothing, chunked messages,
// and results compared with a serial reference computed on every rank from the same keys.
#include "tessera/analytics/sample_sort.hpp"
#include "tessera/analytics/statistics.hpp"
#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/kernels/histogram.hpp"
#include "tessera/kernels/key_distributions.hpp"
#include "tessera/kernels/local_sort.hpp"
#include "tessera/kernels/moments.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

namespace tessera {
namespace {

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

using kernels::KeyDistribution;

// Rows per rank: uniform, or everything on the last rank (the others hold nothing).
RowPartition input_partition(std::int64_t n, int ranks, bool lopsided) {
  if (!lopsided) return RowPartition::uniform(n, ranks);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(ranks), 0);
  counts.back() = n;
  return RowPartition::from_counts(counts);
}

template <class Key>
void check_sort(KeyDistribution dist, std::int64_t n, bool lopsided, const SampleSortConfig& config) {
  const Communicator comm = world();
  std::vector<Key> all(static_cast<std::size_t>(n));
  kernels::generate_keys<Key>(dist, 3, 0, n, all);
  const RowPartition part = input_partition(n, comm.size(), lopsided);
  const std::int64_t first = part.offset(comm.rank());
  const std::int64_t count = part.count(comm.rank());
  SortRun<Key> input;
  input.keys.assign(all.begin() + first, all.begin() + first + count);
  input.payload_bytes = sizeof(std::int64_t);
  input.payload.resize(static_cast<std::size_t>(count) * sizeof(std::int64_t));
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t index = first + i;
    std::memcpy(input.payload.data() + i * 8, &index, 8);
  }
  const std::uint64_t checksum_in = global_checksum(comm, input);
  const SortRun<Key> out = sample_sort(comm, std::move(input), first, n, config);

  // This rank holds its rows of the uniform partition, and they are the stable sort's rows.
  const RowPartition uniform = RowPartition::uniform(n, comm.size());
  ASSERT_EQ(out.size(), uniform.count(comm.rank()));
  std::vector<Key> keys = all;
  std::vector<std::uint64_t> index(static_cast<std::size_t>(n));
  std::iota(index.begin(), index.end(), std::uint64_t{0});
  kernels::sort_pairs_ref(std::span<Key>(keys), std::span<std::uint64_t>(index));
  for (std::int64_t i = 0; i < out.size(); ++i) {
    const auto at = static_cast<std::size_t>(uniform.offset(comm.rank()) + i);
    std::int64_t got = 0;
    std::memcpy(&got, out.payload.data() + i * 8, 8);
    ASSERT_EQ(kernels::ordered_bits(out.keys[static_cast<std::size_t>(i)]), kernels::ordered_bits(keys[at])) << i;
    ASSERT_EQ(static_cast<std::uint64_t>(got), index[at]) << "row " << at << ": not stable";
  }
  const SortCheck check = check_sorted(comm, out, n, checksum_in);
  EXPECT_TRUE(check.passed) << check.reason;
}

TEST(SampleSort, EveryDistributionAnySizeMatchesStableSort) {
  SampleSortConfig exact;  // the whole input is the sample at these sizes
  SampleSortConfig sampled;
  sampled.samples_per_bucket = 5;  // a real sample: splitters from a few elements
  sampled.message_limit = 3;       // and chunked messages
  for (int d = 0; d < 6; ++d) {
    const auto dist = static_cast<KeyDistribution>(d);
    for (const std::int64_t n : {0, 1, 2, 3, 1000, 5003}) {
      for (const bool lopsided : {false, true}) {
        SCOPED_TRACE("distribution " + std::to_string(d) + ", n " + std::to_string(n) + (lopsided ? ", lopsided" : ""));
        check_sort<std::int64_t>(dist, n, lopsided, exact);
        check_sort<double>(dist, n, lopsided, sampled);
      }
    }
  }
  check_sort<std::int32_t>(KeyDistribution::zipf, 4001, false, sampled);
  check_sort<float>(KeyDistribution::normal, 4001, true, sampled);
  check_sort<std::uint64_t>(KeyDistribution::uniform, 4001, false, exact);
}

TEST(SampleSort, EqualKeysStayBalanced) {
  // All keys equal: ties are split by input index, so the buckets are even.
  const Communicator comm = world();
  const std::int64_t n = 40000;
  const RowPartition part = RowPartition::uniform(n, comm.size());
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(part.count(comm.rank())), 42);
  const auto splitters = choose_splitters<std::uint64_t>(comm, bits, part.offset(comm.rank()), n, SampleSortConfig{});
  SortRun<std::uint64_t> run;
  run.keys = bits;
  std::vector<std::int64_t> counts;
  const auto packed = partition<std::uint64_t>(run, part.offset(comm.rank()), splitters, counts);
  const auto bucket = exchange(comm, packed, counts);
  const double largest = static_cast<double>(allreduce_max(comm, bucket.size()));
  EXPECT_LE(largest * comm.size() / static_cast<double>(n), 1.05);
}

TEST(SortCheck, DetectsDisorderLossAndChangedValues) {
  const Communicator comm = world();
  const int r = comm.rank();
  SortRun<std::int64_t> run;
  run.keys = {10LL * r, 10LL * r + 1};
  const std::uint64_t good = global_checksum(comm, run);
  EXPECT_TRUE(check_sorted(comm, run, 2LL * comm.size(), good).passed);
  EXPECT_FALSE(check_sorted(comm, run, 2LL * comm.size() + 1, good).passed);
  EXPECT_FALSE(check_sorted(comm, run, 2LL * comm.size(), good + 1).passed);
  SortRun<std::int64_t> swapped;
  swapped.keys = {10LL * r + 1, 10LL * r};
  EXPECT_FALSE(check_sorted(comm, swapped, 2LL * comm.size(), good).passed);
  if (comm.size() > 1) {
    SortRun<std::int64_t> crossed;
    crossed.keys = {-10LL * r, -10LL * r + 1};  // each rank sorted, boundaries out of order
    const auto c = check_sorted(comm, crossed, 2LL * comm.size(), global_checksum(comm, crossed));
    EXPECT_FALSE(c.passed);
    EXPECT_EQ(c.bad_boundaries, comm.size() - 1);
  }
}

template <class T>
void check_stats(KeyDistribution dist, std::int64_t n, bool lopsided) {
  const Communicator comm = world();
  std::vector<T> all(static_cast<std::size_t>(n));
  kernels::generate_keys<T>(dist, 7, 0, n, all);
  const RowPartition part = input_partition(n, comm.size(), lopsided);
  const std::span<const T> mine(all.data() + part.offset(comm.rank()), static_cast<std::size_t>(part.count(comm.rank())));

  std::vector<T> sorted = all;
  kernels::sort_keys_ref(std::span<T>(sorted));
  const std::vector<std::int64_t> ranks{0, n / 3, n / 2, n - 1};
  const auto got = select_ranks<T>(comm, mine, ranks);
  for (std::size_t i = 0; i < ranks.size(); ++i) {
    EXPECT_EQ(kernels::ordered_bits(got[i]), kernels::ordered_bits(sorted[static_cast<std::size_t>(ranks[i])])) << "rank " << ranks[i];
  }
  const Moments m = compute_moments<T>(comm, mine);
  kernels::MomentSums serial;
  kernels::accumulate_moments_ref<T>(all, serial);
  EXPECT_EQ(m.count, n);
  EXPECT_EQ(m.sum, serial.sum.value());  // bitwise: exact sums
  EXPECT_EQ(m.min, serial.min);
  EXPECT_EQ(m.max, serial.max);
  kernels::ExactSum squares;
  kernels::accumulate_squared_deviations_ref<T>(all, m.mean, squares);
  EXPECT_EQ(m.variance, squares.value() / static_cast<double>(n));

  const auto [lo, hi] = automatic_range(m);
  const Histogram h = compute_histogram<T>(comm, mine, 13, lo, hi);
  kernels::BinCounts twin{std::vector<std::int64_t>(13, 0)};
  kernels::bin_counts_ref<T>(all, h.edges, twin);
  EXPECT_EQ(h.bins.counts, twin.counts);
  EXPECT_EQ(h.bins.below + h.bins.above, 0);
}

TEST(Statistics, SelectionMomentsAndHistogramMatchSerialReference) {
  for (int d = 0; d < 6; ++d) {
    for (const std::int64_t n : {1, 2, 3, 5001}) {
      for (const bool lopsided : {false, true}) {
        SCOPED_TRACE("distribution " + std::to_string(d) + ", n " + std::to_string(n) + (lopsided ? ", lopsided" : ""));
        check_stats<double>(static_cast<KeyDistribution>(d), n, lopsided);
        check_stats<std::int32_t>(static_cast<KeyDistribution>(d), n, lopsided);
      }
    }
  }
  check_stats<float>(KeyDistribution::normal, 3000, false);
  check_stats<std::int64_t>(KeyDistribution::zipf, 3000, true);
  check_stats<std::uint64_t>(KeyDistribution::uniform, 3000, false);
}

TEST(Statistics, QuantileParsingIsExactAndRefusesBadEntries) {
  const auto qs = parse_quantiles("0, 0.5,0.9,1,1e-3,99e-2");
  ASSERT_EQ(qs.size(), 6U);
  EXPECT_EQ(qs[0].rank_among(10), 0);   // q = 0 is the minimum
  EXPECT_EQ(qs[1].rank_among(10), 4);   // ceil(5) = 5th element
  EXPECT_EQ(qs[2].rank_among(10), 8);   // 0.9 x 10 = 9 exactly, not 9.000000000000002
  EXPECT_EQ(qs[3].rank_among(10), 9);
  EXPECT_EQ(qs[4].rank_among(1000), 0);
  EXPECT_EQ(qs[5].rank_among(100), 98);
  EXPECT_EQ(qs[2].rank_among(11), 9);   // ceil(9.9) = 10th
  for (const char* bad : {"", "0.5,", "1.5", "-0.1", "abc", "0.5x", "1e", "2e-1,7"}) {
    EXPECT_THROW(parse_quantiles(bad), UsageError) << bad;
  }
}

}  // namespace
}  // namespace tessera
