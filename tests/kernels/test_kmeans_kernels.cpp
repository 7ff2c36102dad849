// k-means kernels against their reference twins; the counter-based generator against the
// published Philox4x32-10 answers; fixed-point sums against exact sums.
#include "tessera/kernels/counter_rng.hpp"
#include "tessera/kernels/exact_sum.hpp"
#include "tessera/kernels/fixed_sum.hpp"
#include "tessera/kernels/kmeans.hpp"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace tessera::kernels {
namespace {

TEST(CounterRng, MatchesPhiloxKnownAnswers) {
  // Known-answer vectors of Philox4x32-10 (Random123 kat_vectors).
  EXPECT_EQ(philox4x32({0, 0, 0, 0}, {0, 0}), (std::array<std::uint32_t, 4>{0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}));
  EXPECT_EQ(philox4x32({0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, {0xffffffff, 0xffffffff}),
            (std::array<std::uint32_t, 4>{0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}));
  EXPECT_EQ(philox4x32({0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}, {0xa4093822, 0x299f31d0}),
            (std::array<std::uint32_t, 4>{0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}));
}

TEST(CounterRng, StreamsAreFunctionsOfTheirIndices) {
  const CounterRng a(42, 7);
  const CounterRng b(42, 8);
  const CounterRng c(43, 7);
  double sum = 0;
  double sum_sq = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = a.uniform(static_cast<std::uint64_t>(i));
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    const auto [z1, z2] = a.normal_pair(static_cast<std::uint64_t>(i));
    sum += z1 + z2;
    sum_sq += z1 * z1 + z2 * z2;
  }
  EXPECT_NEAR(sum / (2 * n), 0.0, 0.01);
  EXPECT_NEAR(sum_sq / (2 * n), 1.0, 0.01);
  EXPECT_EQ(a.bits64(12345), CounterRng(42, 7).bits64(12345));
  EXPECT_NE(a.bits64(12345), b.bits64(12345));
  EXPECT_NE(a.bits64(12345), c.bits64(12345));
  EXPECT_GT(a.uniform_open(0), 0.0);
}

TEST(FixedPointSum, OrderIndependentAndCloseToExact) {
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> dist(-1e3, 1e3);
  std::vector<double> terms(10000);
  for (auto& t : terms) t = dist(rng) * std::pow(10.0, static_cast<double>(rng() % 7) - 3.0);
  double max_abs = 0;
  for (double t : terms) max_abs = std::max(max_abs, std::abs(t));
  const auto scale = FixedPointScale::for_bound(max_abs, static_cast<std::int64_t>(terms.size()));
  FixedInt forward = 0;
  for (double t : terms) forward += scale.to_fixed(t);
  FixedInt backward = 0;
  for (auto it = terms.rbegin(); it != terms.rend(); ++it) backward += scale.to_fixed(*it);
  EXPECT_TRUE(forward == backward);
  const double exact = exact_sum_ref(terms);
  EXPECT_NEAR(scale.to_double(forward), exact, 1e-20 * max_abs * static_cast<double>(terms.size()) + 1e-15 * std::abs(exact));
  // Limbs: sums of limbs recombine to the sum.
  const FixedLimbs a = to_limbs(forward);
  const FixedLimbs b = to_limbs(-forward / 3);
  const std::int64_t summed[3] = {a.limb[0] + b.limb[0], a.limb[1] + b.limb[1], a.limb[2] + b.limb[2]};
  EXPECT_TRUE(from_limbs(summed) == forward + (-forward / 3));
  EXPECT_TRUE(from_limbs(to_limbs(-1).limb) == -1);
}

template <class T>
std::vector<T> random_points(std::size_t n, int d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> dist(0.0, 1.0);
  std::vector<T> v(n * static_cast<std::size_t>(d));
  for (std::size_t i = 0; i < n; ++i) {
    const double shift = static_cast<double>(i % 5);  // a few loose clusters
    for (int f = 0; f < d; ++f) v[i * static_cast<std::size_t>(d) + f] = static_cast<T>(dist(rng) + shift);
  }
  return v;
}

std::vector<double> random_centres(int k, int d, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> dist(-1.0, 5.0);
  std::vector<double> c(static_cast<std::size_t>(k) * static_cast<std::size_t>(d));
  for (auto& x : c) x = dist(rng);
  return c;
}

template <class T>
class KMeansKernel : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(KMeansKernel, Precisions);

TYPED_TEST(KMeansKernel, AssignmentMatchesReference) {
  using T = TypeParam;
  const double tolerance = std::is_same_v<T, float> ? 1e-4 : 1e-10;
  for (int k : {1, 5, 16, 17, 40}) {
    for (int d : {1, 3, 16, 33}) {
      for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, std::size_t{301}}) {
        SCOPED_TRACE("k=" + std::to_string(k) + " d=" + std::to_string(d) + " n=" + std::to_string(n));
        const auto points = random_points<T>(n, d, static_cast<unsigned>(k * 100 + d));
        const auto centres = random_centres(k, d, static_cast<unsigned>(k + d));
        PreparedCentres<T> prepared;
        prepare_centres<T>(centres, k, d, prepared);
        std::vector<std::int32_t> labels(n, -1);
        std::vector<std::int32_t> labels_ref(n, -1);
        std::vector<double> dist(n);
        std::vector<double> dist_ref(n);
        AssignmentTotals got;
        AssignmentTotals want;
        assign_and_accumulate<T>(points, prepared, labels, dist, SumMode::fast, FixedPointScale(), got);
        assign_and_accumulate_ref<T>(points, prepared, labels_ref, dist_ref, SumMode::fast, FixedPointScale(), want);
        EXPECT_EQ(got.changed, static_cast<std::int64_t>(n));
        std::size_t differ = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (labels[i] == labels_ref[i]) {
            EXPECT_NEAR(dist[i], dist_ref[i], tolerance * (1 + dist_ref[i]));
            continue;
          }
          // A different label is only allowed for a near-tie.
          ++differ;
          EXPECT_NEAR(dist[i], dist_ref[i], tolerance * (1 + dist_ref[i])) << "point " << i;
        }
        EXPECT_LE(differ, n / 50 + (std::is_same_v<T, float> ? 1 : 0));
        if (differ == 0) {
          EXPECT_EQ(got.counts, want.counts);
          for (std::size_t c = 0; c < got.sums.size(); ++c) EXPECT_NEAR(got.sums[c], want.sums[c], 1e-9 * (1 + std::abs(want.sums[c])));
          EXPECT_NEAR(got.inertia.value(), want.inertia.value(), tolerance * (1 + want.inertia.value()));
        }
        // A second sweep with the same centres changes no label.
        AssignmentTotals again;
        assign_and_accumulate<T>(points, prepared, labels, dist, SumMode::fast, FixedPointScale(), again);
        EXPECT_EQ(again.changed, 0);
      }
    }
  }
}

TYPED_TEST(KMeansKernel, ResultsDoNotDependOnPositionOrThreads) {
  using T = TypeParam;
  const int k = 21;
  const int d = 13;
  const std::size_t n = 1000;
  const auto points = random_points<T>(n, d, 9);
  const auto centres = random_centres(k, d, 10);
  PreparedCentres<T> prepared;
  prepare_centres<T>(centres, k, d, prepared);
  double max_abs = 0;
  for (T x : points) max_abs = std::max(max_abs, std::abs(static_cast<double>(x)));
  const auto scale = FixedPointScale::for_bound(max_abs, static_cast<std::int64_t>(n));

  omp_set_num_threads(1);
  std::vector<std::int32_t> labels(n, -1);
  std::vector<double> dist(n);
  AssignmentTotals whole;
  assign_and_accumulate<T>(points, prepared, labels, dist, SumMode::reproducible, scale, whole);

  // The same points split at an odd row (shifting every tile), on three threads.
  omp_set_num_threads(3);
  const std::size_t cut = 333;
  std::vector<std::int32_t> labels_split(n, -1);
  std::vector<double> dist_split(n);
  AssignmentTotals a;
  AssignmentTotals b;
  const std::span<const T> all(points);
  assign_and_accumulate<T>(all.subspan(0, cut * d), prepared, std::span(labels_split).subspan(0, cut),
                           std::span(dist_split).subspan(0, cut), SumMode::reproducible, scale, a);
  assign_and_accumulate<T>(all.subspan(cut * d), prepared, std::span(labels_split).subspan(cut),
                           std::span(dist_split).subspan(cut), SumMode::reproducible, scale, b);
  omp_set_num_threads(2);
  EXPECT_EQ(labels, labels_split);
  EXPECT_EQ(dist, dist_split);  // bitwise
  for (std::size_t c = 0; c < whole.fixed_sums.size(); ++c) {
    EXPECT_TRUE(whole.fixed_sums[c] == a.fixed_sums[c] + b.fixed_sums[c]) << "cell " << c;
  }
  ExactSum merged;
  merged.add(a.inertia.exact());
  merged.add(b.inertia.exact());
  EXPECT_EQ(merged.value(), whole.inertia.value());
}

TYPED_TEST(KMeansKernel, MinDistancesMatchReference) {
  using T = TypeParam;
  const int d = 7;
  const std::size_t n = 513;
  const auto points = random_points<T>(n, d, 3);
  const auto centre = random_centres(1, d, 4);
  std::vector<double> got(n, std::numeric_limits<double>::infinity());
  std::vector<double> want(n, std::numeric_limits<double>::infinity());
  update_min_distances<T>(points, d, centre, got);
  update_min_distances_ref<T>(points, d, centre, want);
  for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * (1 + want[i]));
  const auto other = random_centres(1, d, 5);
  update_min_distances<T>(points, d, other, got);
  update_min_distances_ref<T>(points, d, other, want);
  for (std::size_t i = 0; i < n; ++i) EXPECT_NEAR(got[i], want[i], 1e-12 * (1 + want[i]));
}

}  // namespace
}  // namespace tessera::kernels
