// ExactSum against its reference twin (Shewchuk partials) and against sums whose correctly
// rounded value is known: cancellation, ties, subnormals, overflow, NaN and infinities, and
// the property the reproducible mode rests on: any order and any split give the same bits.
#include "tessera/kernels/exact_sum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <vector>

namespace tessera::kernels {
namespace {

double exact(std::span<const double> values) {
  ExactSum s;
  for (double v : values) s.add(v);
  return s.value();
}

std::uint64_t bits(double x) { return std::bit_cast<std::uint64_t>(x); }

TEST(ExactSum, KnownSums) {
  const double big = 1e100;
  EXPECT_EQ(exact(std::vector<double>{big, 1.0, -big}), 1.0);
  EXPECT_EQ(exact(std::vector<double>{0.1, 0.2, -0.3}), exact_sum_ref(std::vector<double>{0.1, 0.2, -0.3}));
  EXPECT_EQ(exact(std::vector<double>{}), 0.0);
  EXPECT_EQ(exact(std::vector<double>{-2.5}), -2.5);
  const double max = std::numeric_limits<double>::max();
  EXPECT_EQ(exact(std::vector<double>{max, max, -max}), max);  // the intermediate overflows a double
  EXPECT_EQ(exact(std::vector<double>{max, max}), std::numeric_limits<double>::infinity());
}

TEST(ExactSum, RoundsTiesToEvenAndUsesStickyBits) {
  const double two53 = 9007199254740992.0;  // 2^53: the next double is 2^53 + 2
  EXPECT_EQ(exact(std::vector<double>{two53, 1.0}), two53);                 // tie, even stays
  EXPECT_EQ(exact(std::vector<double>{two53 + 2.0, 1.0}), two53 + 4.0);     // tie, rounds to even
  EXPECT_EQ(exact(std::vector<double>{two53, 1.0, 1e-300}), two53 + 2.0);  // just above the tie
  EXPECT_EQ(exact(std::vector<double>{two53, 1.0, -1e-300}), two53);       // just below
}

TEST(ExactSum, Subnormals) {
  const double tiny = std::numeric_limits<double>::denorm_min();
  EXPECT_EQ(exact(std::vector<double>{tiny, tiny, tiny}), 3 * tiny);
  const double small = std::numeric_limits<double>::min();  // smallest normal
  EXPECT_EQ(exact(std::vector<double>{small, -tiny}), small - tiny);
  EXPECT_EQ(exact(std::vector<double>{small / 3, small / 7}), small / 3 + small / 7);
}

TEST(ExactSum, SpecialValues) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(std::isnan(exact(std::vector<double>{1.0, std::nan(""), 2.0})));
  EXPECT_TRUE(std::isnan(exact(std::vector<double>{inf, -inf})));
  EXPECT_EQ(exact(std::vector<double>{inf, 1.0}), inf);
  EXPECT_EQ(exact(std::vector<double>{-inf, 1e308, 1e308}), -inf);
}

TEST(ExactSum, MatchesReferenceOnWideRandomData) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-300, 300);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<double> v(1 + trial * 7);
    for (auto& x : v) x = std::ldexp(mantissa(rng), trial % 2 == 0 ? exponent(rng) : exponent(rng) / 20);
    ASSERT_EQ(bits(exact(v)), bits(exact_sum_ref(v))) << "trial " << trial;
  }
}

TEST(ExactSum, SameBitsForAnyOrderAndAnySplit) {
  std::mt19937_64 rng(7);
  std::normal_distribution<double> dist(0.0, 1e3);
  std::vector<double> v(10007);
  for (auto& x : v) x = dist(rng) * dist(rng);
  const double whole = exact(v);
  EXPECT_EQ(bits(whole), bits(exact_sum_ref(v)));
  for (int split : {2, 3, 5, 16}) {
    std::shuffle(v.begin(), v.end(), rng);
    ExactSum total;
    for (int part = 0; part < split; ++part) {
      ExactSum piece;
      for (std::size_t i = v.size() * part / split; i < v.size() * (part + 1) / split; ++i) piece.add(v[i]);
      // Half the pieces merge as accumulators, half as carried limbs (the MPI path).
      if (part % 2 == 0) {
        total.add(piece);
      } else {
        total.add(piece.limbs());
      }
    }
    EXPECT_EQ(bits(total.value()), bits(whole)) << split << " pieces";
  }
  // A plain sequential sum in two orders differs in the last bits: the property is not free.
  double forward = 0.0;
  double backward = 0.0;
  for (double x : v) forward += x;
  for (auto it = v.rbegin(); it != v.rend(); ++it) backward += *it;
  EXPECT_NE(bits(forward), bits(backward));
}

TEST(ExactSum, CarryingKeepsTheSumExact) {
  // Carry after every few terms (the default is 2^40): lanes fold, the top bin goes negative,
  // and accumulators merge after carries; the result must not change.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
  std::uniform_int_distribution<int> exponent(-60, 60);
  std::vector<double> v(3001);
  for (auto& x : v) x = std::ldexp(mantissa(rng), exponent(rng));
  v[0] = -1e300;  // a large negative term early: negative top bins after the first carry
  const double expected = exact_sum_ref(v);
  for (std::int64_t every : {1, 2, 3, 7, 64}) {
    ExactSum one(every);
    ExactSum a(every);
    ExactSum b(every);
    for (std::size_t i = 0; i < v.size(); ++i) {
      one.add(v[i]);
      (i % 3 == 0 ? a : b).add(v[i]);
    }
    ExactSum rows(every);
    for (std::size_t i = 0; i + 10 <= v.size(); i += 10) {
      const std::vector<double> ones(10, 1.0);
      rows.add_products(v.data() + i, ones.data(), 10);
    }
    for (std::size_t i = v.size() / 10 * 10; i < v.size(); ++i) rows.add(v[i]);
    a.add(b);
    EXPECT_EQ(bits(one.value()), bits(expected)) << "carry every " << every;
    EXPECT_EQ(bits(a.value()), bits(expected)) << "merged, carry every " << every;
    EXPECT_EQ(bits(rows.value()), bits(expected)) << "rows, carry every " << every;
  }
}

TEST(ExactSum, LimbsOfManyAccumulatorsSumAsIntegers) {
  // What an MPI_SUM over ranks does: add the limb arrays elementwise as int64.
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> dist(-1e10, 1e10);
  std::vector<double> all;
  ExactSum::Limbs summed{};
  for (int rank = 0; rank < 64; ++rank) {
    ExactSum s;
    for (int i = 0; i < 100; ++i) {
      const double x = dist(rng);
      all.push_back(x);
      s.add(x);
    }
    const auto limbs = s.limbs();
    for (std::size_t l = 0; l < limbs.size(); ++l) summed[l] += limbs[l];
  }
  ExactSum merged;
  merged.add(summed);
  EXPECT_EQ(bits(merged.value()), bits(exact_sum_ref(all)));
}

}  // namespace
}  // namespace tessera::kernels
