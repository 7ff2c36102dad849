// The data-analytics kernels against their twins: bucket classification and scatter (sample
// sort), digit counts (distributed selection), histograms (numpy's rule) and exact moments.
#include "tessera/kernels/bucket_partition.hpp"
#include "tessera/kernels/histogram.hpp"
#include "tessera/kernels/local_sort.hpp"
#include "tessera/kernels/moments.hpp"
#include "tessera/kernels/radix_select.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

using namespace tessera::kernels;

TEST(BucketPartition, ClassifyAndScatterMatchTwinsWithTiesByIndex) {
  std::mt19937_64 rng(5);
  const std::size_t n = 150001;
  std::vector<std::uint64_t> keys(n);
  for (auto& k : keys) k = rng() % 50;  // heavy ties
  // Splitters inside runs of equal keys: (10, 1000) sends key 10 below index 1000 left.
  const std::vector<Splitter<std::uint64_t>> splitters{{10, 1000}, {10, 90000}, {30, 0}, {49, 200000}};
  const std::int64_t first = 500;
  std::vector<std::uint32_t> bucket(n), twin(n);
  classify(std::span<const std::uint64_t>(keys), first, std::span<const Splitter<std::uint64_t>>(splitters),
           std::span<std::uint32_t>(bucket));
  classify_ref(std::span<const std::uint64_t>(keys), first, std::span<const Splitter<std::uint64_t>>(splitters),
               std::span<std::uint32_t>(twin));
  EXPECT_EQ(bucket, twin);
  for (std::size_t i = 0; i < n; ++i) {
    const Splitter<std::uint64_t> e{keys[i], first + static_cast<std::int64_t>(i)};
    const auto b = bucket[i];
    if (b > 0) {
      ASSERT_FALSE(e < splitters[b - 1]);
    }
    if (b < splitters.size()) {
      ASSERT_TRUE(e < splitters[b]);
    }
  }
  std::vector<std::int64_t> payload(n);
  for (std::size_t i = 0; i < n; ++i) payload[i] = static_cast<std::int64_t>(i);
  std::vector<std::uint64_t> out(n), out_twin(n);
  std::vector<std::int64_t> moved(n), moved_twin(n);
  const auto counts = bucket_scatter(std::span<const std::uint64_t>(keys), std::span<const std::uint32_t>(bucket), 5,
                                     payload.data(), sizeof(std::int64_t), std::span<std::uint64_t>(out), moved.data());
  const auto counts_twin =
      bucket_scatter_ref(std::span<const std::uint64_t>(keys), std::span<const std::uint32_t>(bucket), 5,
                         payload.data(), sizeof(std::int64_t), std::span<std::uint64_t>(out_twin), moved_twin.data());
  EXPECT_EQ(counts, counts_twin);
  EXPECT_EQ(out, out_twin);
  EXPECT_EQ(moved, moved_twin);
}

TEST(MultisetChecksum, OrderFreeButSensitiveToAnyChange) {
  std::vector<double> keys{1.5, -2.0, 1.5, 7.0};
  std::vector<std::int32_t> values{1, 2, 3, 4};
  const auto sum = multiset_checksum(keys.data(), 8, values.data(), 4, 4);
  std::vector<double> k2{7.0, 1.5, -2.0, 1.5};
  std::vector<std::int32_t> v2{4, 3, 2, 1};
  EXPECT_EQ(multiset_checksum(k2.data(), 8, v2.data(), 4, 4), sum);
  v2[1] = 1;  // the two keys 1.5 trade values: the same multiset of pairs
  v2[3] = 3;
  EXPECT_EQ(multiset_checksum(k2.data(), 8, v2.data(), 4, 4), sum);
  v2[0] = 5;
  EXPECT_NE(multiset_checksum(k2.data(), 8, v2.data(), 4, 4), sum);
  EXPECT_NE(multiset_checksum(keys.data(), 8, values.data(), 4, 3), sum);  // one element lost
  k2 = {7.0, 1.5, -2.0, 1.5};
  v2 = {4, 3, 2, 2};  // (1.5, 1) became (1.5, 2)
  EXPECT_NE(multiset_checksum(k2.data(), 8, v2.data(), 4, 4), sum);
}

TEST(RadixSelect, AndOrGiveCommonBits) {
  const std::vector<std::uint32_t> keys{0xF0F0'1234U, 0xF0F0'5678U, 0xF0F1'0000U};
  std::uint32_t a = 0;
  std::uint32_t o = 0;
  and_or<std::uint32_t>(std::span<const std::uint32_t>(keys), a, o);
  EXPECT_EQ(a, 0xF0F0'0000U);
  EXPECT_EQ(o, 0xF0F1'567CU);
}

TEST(RadixSelect, DigitCountsMatchTwinAndKeepMatching) {
  std::mt19937_64 rng(9);
  std::vector<std::uint64_t> keys(100000);
  for (auto& k : keys) k = rng() >> (rng() % 3 == 0 ? 40 : 0);
  for (const int known : {0, 8, 16, 56}) {
    std::vector<std::uint64_t> prefixes{keys[0] >> (64 - std::max(known, 1)), keys[7] >> (64 - std::max(known, 1)), 0};
    if (known == 0) prefixes = {0, 0};
    std::vector<std::int64_t> counts(prefixes.size() * 256, 0), twin(prefixes.size() * 256, 0);
    std::vector<std::uint64_t> ands(prefixes.size(), ~0ULL), ors(prefixes.size(), 0);
    std::vector<std::uint64_t> twin_ands(prefixes.size(), ~0ULL), twin_ors(prefixes.size(), 0);
    count_digits<std::uint64_t>(std::span<const std::uint64_t>(keys), known, std::span<const std::uint64_t>(prefixes),
                                std::span<std::int64_t>(counts), ands, ors);
    count_digits_ref<std::uint64_t>(std::span<const std::uint64_t>(keys), known,
                                    std::span<const std::uint64_t>(prefixes), std::span<std::int64_t>(twin),
                                    twin_ands, twin_ors);
    EXPECT_EQ(counts, twin) << "known bits " << known;
    EXPECT_EQ(ands, twin_ands);
    EXPECT_EQ(ors, twin_ors);
    if (known > 0) {
      const std::size_t kept =
          keep_matching<std::uint64_t>(std::span<const std::uint64_t>(keys), known,
                                       std::span<const std::uint64_t>(prefixes)).size();
      std::int64_t expected = 0;
      for (std::size_t t = 0; t < prefixes.size(); ++t) {
        bool repeated = false;
        for (std::size_t u = 0; u < t; ++u) repeated = repeated || prefixes[u] == prefixes[t];
        if (repeated) continue;
        for (int d = 0; d < 256; ++d) expected += twin[t * 256 + static_cast<std::size_t>(d)];
      }
      EXPECT_EQ(static_cast<std::int64_t>(kept), expected);
    }
  }
}

TEST(RadixSelect, TypedKeysCountLikeTheirBitPatterns) {
  std::mt19937_64 rng(12);
  std::vector<double> x(50000);
  for (auto& v : x) v = static_cast<double>(static_cast<std::int64_t>(rng() % 2001) - 1000) / 7.0;
  std::vector<std::uint64_t> bits(x.size());
  to_ordered_bits<double>(x, bits);
  const std::vector<std::uint64_t> prefixes{bits[3] >> 56, bits[9] >> 56};
  std::vector<std::int64_t> typed(512, 0), raw(512, 0);
  std::vector<std::uint64_t> a1(2, ~0ULL), o1(2, 0), a2(2, ~0ULL), o2(2, 0);
  count_digits<double>(x, 8, prefixes, typed, a1, o1);
  count_digits<std::uint64_t>(bits, 8, prefixes, raw, a2, o2);
  EXPECT_EQ(typed, raw);
  EXPECT_EQ(a1, a2);
  EXPECT_EQ(o1, o2);
  EXPECT_EQ(keep_matching<double>(x, 8, prefixes), keep_matching<std::uint64_t>(bits, 8, prefixes));
}

TEST(Histogram, FastBinsEqualBinarySearchTwinAtEdges) {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(-1.0, 11.0);
  std::vector<double> x(200000);
  for (auto& v : x) v = u(rng);
  const auto edges = histogram_edges(0.0, 10.0, 7);
  // Values on every edge, and both ends.
  for (double e : edges) x.push_back(e);
  x.push_back(std::nextafter(10.0, 0.0));
  x.push_back(std::nan(""));
  BinCounts fast{std::vector<std::int64_t>(7, 0)}, twin{std::vector<std::int64_t>(7, 0)};
  bin_counts<double>(x, edges, fast);
  bin_counts_ref<double>(x, edges, twin);
  EXPECT_EQ(fast.counts, twin.counts);
  EXPECT_EQ(fast.below, twin.below);
  EXPECT_EQ(fast.above, twin.above);
  std::int64_t total = fast.below + fast.above;
  for (auto c : fast.counts) total += c;
  EXPECT_EQ(total, static_cast<std::int64_t>(x.size()) - 1);  // the NaN is in no bin
  EXPECT_EQ(edges.back(), 10.0);
  EXPECT_EQ(edges[1], 10.0 / 7);
}

TEST(Moments, ExactSumsIndependentOfThreadsAndEqualTwin) {
  std::mt19937_64 rng(4);
  std::vector<float> x(300000);
  for (auto& v : x) v = static_cast<float>(std::ldexp(static_cast<double>(rng() >> 11) * 0x1p-53, static_cast<int>(rng() % 60) - 30));
  MomentSums fast, twin;
  accumulate_moments<float>(x, fast);
  accumulate_moments_ref<float>(x, twin);
  EXPECT_EQ(fast.sum.value(), twin.sum.value());
  EXPECT_EQ(fast.min, twin.min);
  EXPECT_EQ(fast.max, twin.max);
  ExactSum a, b;
  accumulate_squared_deviations<float>(x, 0.25, a);
  accumulate_squared_deviations_ref<float>(x, 0.25, b);
  EXPECT_EQ(a.value(), b.value());
}

}  // namespace
