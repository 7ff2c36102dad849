// Synthetic sort keys: the distributions that stress a sort (uniform, normal, Zipf-like heavy
// duplicates, all equal, already sorted, reversed), for tests and benchmarks. The key of
// global row i is a pure function of (seed, i), so a data set is the same for any rank count.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace tessera::kernels {

enum class KeyDistribution { uniform, normal, zipf, equal, sorted, reversed };

inline constexpr std::string_view kKeyDistributionNames[] = {"uniform", "normal", "zipf", "equal", "sorted", "reversed"};

/// Keys of global rows [first, first + keys.size()) of `total`:
///   uniform   integers: all bits random (the type's whole range); floats: [0, 1)
///   normal    N(0, 1) for floats; round(N(0, 1) x 10^6) for integers (clamped to the type)
///   zipf      floor(1 / u) for u uniform in (0, 1]: key k >= 1 has probability 1 / (k (k + 1)),
///             half the keys equal 1 (duplicate-heavy, with a long tail)
///   equal     every key 42
///   sorted    the row index; reversed: total - 1 - row index
template <class Key>
void generate_keys(KeyDistribution dist, std::uint64_t seed, std::int64_t first, std::int64_t total,
                   std::span<Key> keys);

}  // namespace tessera::kernels
