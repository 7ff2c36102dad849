// The local sort against its reference twin (std::stable_sort under totalOrder): every key
// type, with and without a payload, special floats (NaN of both signs, -0.0, infinities),
// empty and one-element arrays, short arrays (insertion sort) and long ones (radix passes,
// several threads), and stability (equal keys keep their input order).
#include "tessera/kernels/local_sort.hpp"

#include <gtest/gtest.h>

#include <omp.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using namespace tessera::kernels;

template <class Key>
std::vector<Key> random_keys(std::size_t n, std::uint64_t seed, int distinct) {
  std::mt19937_64 rng(seed);
  std::vector<Key> keys(n);
  for (auto& k : keys) {
    const std::uint64_t r = rng();
    if (distinct > 0) {
      k = static_cast<Key>(static_cast<std::int64_t>(r % static_cast<std::uint64_t>(distinct)) - distinct / 2);
    } else if constexpr (std::is_floating_point_v<Key>) {
      k = static_cast<Key>(std::ldexp(static_cast<double>(r >> 11) * 0x1p-53 - 0.5, static_cast<int>(r % 40) - 20));
    } else {
      k = static_cast<Key>(r);
    }
  }
  return keys;
}

template <class Key>
bool same_bits(const std::vector<Key>& a, const std::vector<Key>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(Key)) == 0);
}

template <class Key>
class LocalSort : public ::testing::Test {};
using KeyTypes = ::testing::Types<std::int32_t, std::int64_t, std::uint64_t, float, double>;
TYPED_TEST_SUITE(LocalSort, KeyTypes);

TYPED_TEST(LocalSort, KeysMatchTwinAtEverySize) {
  using Key = TypeParam;
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{63}, std::size_t{64},
                              std::size_t{1000}, std::size_t{300001}}) {
    for (const int distinct : {0, 3, 1000}) {
      auto keys = random_keys<Key>(n, n + static_cast<std::uint64_t>(distinct), distinct);
      auto twin = keys;
      sort_keys(std::span<Key>(keys));
      sort_keys_ref(std::span<Key>(twin));
      EXPECT_TRUE(same_bits(keys, twin)) << "n " << n << ", distinct " << distinct;
    }
  }
}

TYPED_TEST(LocalSort, PairsAreStableAndMatchTwin) {
  using Key = TypeParam;
  for (const std::size_t n : {std::size_t{5}, std::size_t{100}, std::size_t{200003}}) {
    auto keys = random_keys<Key>(n, 7 * n, 17);  // many equal keys: stability shows
    std::vector<std::uint32_t> position(n);
    for (std::size_t i = 0; i < n; ++i) position[i] = static_cast<std::uint32_t>(i);
    auto twin_keys = keys;
    auto twin_position = position;
    sort_pairs(std::span<Key>(keys), std::span<std::uint32_t>(position));
    sort_pairs_ref(std::span<Key>(twin_keys), std::span<std::uint32_t>(twin_position));
    EXPECT_TRUE(same_bits(keys, twin_keys));
    EXPECT_EQ(position, twin_position);
    for (std::size_t i = 1; i < n; ++i) {
      if (ordered_bits(keys[i - 1]) == ordered_bits(keys[i])) {
        ASSERT_LT(position[i - 1], position[i]) << i;
      }
    }
  }
}

TYPED_TEST(LocalSort, SameResultForAnyThreadCount) {
  using Key = TypeParam;
  const auto input = random_keys<Key>(400000, 11, 0);
  std::vector<Key> reference;
  for (const int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    auto keys = input;
    std::vector<std::uint64_t> position(keys.size());
    for (std::size_t i = 0; i < position.size(); ++i) position[i] = i;
    sort_pairs(std::span<Key>(keys), std::span<std::uint64_t>(position));
    if (reference.empty()) reference = keys;
    EXPECT_TRUE(same_bits(keys, reference)) << threads << " threads";
    for (std::size_t i = 0; i < keys.size(); ++i) ASSERT_TRUE(same_bits(std::vector<Key>{keys[i]}, std::vector<Key>{input[position[i]]}));
  }
  omp_set_num_threads(2);
}

template <class F>
void check_special_floats() {
  const F inf = std::numeric_limits<F>::infinity();
  const F nan = std::numeric_limits<F>::quiet_NaN();  // sign bit clear
  const F neg_nan = -nan;
  // Long enough for the radix passes, with every special value many times.
  std::vector<F> keys;
  for (int i = 0; i < 200; ++i) {
    for (F v : {F(1), neg_nan, F(-0.0), -inf, nan, F(0.0), inf, F(-2), std::numeric_limits<F>::denorm_min()}) {
      keys.push_back(v);
    }
  }
  auto twin = keys;
  sort_keys(std::span<F>(keys));
  sort_keys_ref(std::span<F>(twin));
  EXPECT_TRUE(same_bits(keys, twin));
  // totalOrder: -NaN, -inf, -2, -0, +0, denormal, 1, inf, +NaN.
  EXPECT_TRUE(std::isnan(keys.front()) && std::signbit(keys.front()));
  EXPECT_TRUE(std::isnan(keys.back()) && !std::signbit(keys.back()));
  EXPECT_EQ(keys[200], -inf);
  EXPECT_EQ(keys[400], F(-2));
  EXPECT_TRUE(keys[600] == F(0) && std::signbit(keys[600]));
  EXPECT_TRUE(keys[800] == F(0) && !std::signbit(keys[800]));
  EXPECT_EQ(keys[1400], inf);
}

TEST(LocalSortSpecial, FloatsFollowTotalOrder) {
  check_special_floats<float>();
  check_special_floats<double>();
}

TEST(LocalSortSpecial, IntegerExtremes) {
  std::vector<std::int64_t> keys(500);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    keys[i] = i % 3 == 0 ? std::numeric_limits<std::int64_t>::min()
              : i % 3 == 1 ? std::numeric_limits<std::int64_t>::max() : -1;
  }
  sort_keys(std::span<std::int64_t>(keys));
  EXPECT_EQ(keys.front(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(keys[200], -1);
  EXPECT_EQ(keys.back(), std::numeric_limits<std::int64_t>::max());
}

TEST(LocalSortSpecial, OrderedBitsRoundTripAndOrder) {
  for (double x : {-1e300, -1.0, -0.0, 0.0, 1e-310, 2.5, 1e300}) {
    EXPECT_EQ(std::bit_cast<std::uint64_t>(key_of_bits<double>(ordered_bits(x))), std::bit_cast<std::uint64_t>(x));
  }
  EXPECT_LT(ordered_bits(-0.0), ordered_bits(0.0));
  EXPECT_LT(ordered_bits(std::int32_t{-5}), ordered_bits(std::int32_t{3}));
  EXPECT_LT(ordered_bits(std::uint64_t{3}), ordered_bits(~std::uint64_t{0}));
}

TEST(LocalSortSpecial, RadixSortOfBitsWithPayloadAndGather) {
  const std::size_t n = 100000;
  std::mt19937_64 rng(3);
  std::vector<std::uint64_t> bits(n), scratch(n);
  std::vector<std::uint32_t> position(n), position_scratch(n);
  for (std::size_t i = 0; i < n; ++i) {
    bits[i] = rng() & 0xff00ff;  // two varying digits, the others skipped
    position[i] = static_cast<std::uint32_t>(i);
  }
  const auto input = bits;
  radix_sort_bits(std::span<std::uint64_t>(bits), std::span<std::uint32_t>(position),
                  std::span<std::uint64_t>(scratch), std::span<std::uint32_t>(position_scratch));
  std::vector<std::uint64_t> gathered(n);
  gather_rows(input.data(), sizeof(std::uint64_t), std::span<const std::uint32_t>(position), gathered.data());
  EXPECT_EQ(gathered, bits);
  for (std::size_t i = 1; i < n; ++i) {
    ASSERT_LE(bits[i - 1], bits[i]);
    if (bits[i - 1] == bits[i]) {
      ASSERT_LT(position[i - 1], position[i]);
    }
  }
}

}  // namespace
