// The node-local half of exact distributed selection (quantiles without sorting): keys are
// ordered bit patterns (kernels/local_sort.hpp), and the element of a given rank is found one
// 8-bit digit at a time, most significant first. Each round, every rank counts, for every
// target whose leading bits are already known (its prefix), the next digit of the keys that
// share that prefix; the counts are summed over ranks and the digit holding the target's rank
// is chosen. Keys that can no longer match any prefix are dropped (compact_matching), so later
// rounds scan fewer and fewer keys. Reference twin: count_digits_ref (a plain loop).
#pragma once

#include <cstdint>
#include <span>

namespace tessera::kernels {

inline constexpr int kSelectDigitBits = 8;
inline constexpr int kSelectRadix = 1 << kSelectDigitBits;

/// For each target t (prefixes[t]: its top `known_bits` bits, right-aligned), adds to
/// counts[t * 256 + d] the number of keys whose top known_bits bits equal prefixes[t] and whose
/// next 8 bits equal d. Parallel; counts are exact integers (no dependence on threads).
template <class Bits>
void count_digits(std::span<const Bits> keys, int known_bits, std::span<const Bits> prefixes,
                  std::span<std::int64_t> counts);
template <class Bits>
void count_digits_ref(std::span<const Bits> keys, int known_bits, std::span<const Bits> prefixes,
                      std::span<std::int64_t> counts);

/// Moves the keys whose top `known_bits` bits equal one of `prefixes` to the front of `keys`
/// (order not kept) and returns their number.
template <class Bits>
std::size_t compact_matching(std::span<Bits> keys, int known_bits, std::span<const Bits> prefixes);

}  // namespace tessera::kernels
