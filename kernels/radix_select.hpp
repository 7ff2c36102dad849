// The node-local half of exact distributed selection (quantiles without sorting): keys are
// ordered bit patterns (kernels/local_sort.hpp), and the element of a given rank is found one
// 8-bit digit at a time, most significant first. Each round, every rank counts, for every
// target whose leading bits are already known (its prefix), the next digit of the keys that
// share that prefix; the counts are summed over ranks and the digit holding the target's rank
// is chosen. Leading bits that all keys share are known before the first round (and_or), and
// keys that can no longer match any prefix are dropped (keep_matching) once that halves them,
// so later rounds scan fewer and fewer keys. Reference twin: count_digits_ref (a plain loop).
#pragma once

#include "tessera/kernels/local_sort.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::kernels {

inline constexpr int kSelectDigitBits = 8;
inline constexpr int kSelectRadix = 1 << kSelectDigitBits;

/// For each target t (prefixes[t]: its top `known_bits` bits of the keys' ordered bit
/// patterns, right-aligned), adds to counts[t * 256 + d] the number of keys whose top known_bits
/// bits equal prefixes[t] and whose next 8 bits equal d, and folds those keys' bit patterns
/// into all_and[t] and any_or[t] (AND == OR afterwards: every such key is equal, the target is
/// found). `Key` is a data type (taken through ordered_bits) or its bit-pattern type itself
/// (uint32, uint64). Parallel; the results do not depend on the thread count.
template <class Key>
void count_digits(std::span<const Key> keys, int known_bits, std::span<const OrderedBits<Key>> prefixes,
                  std::span<std::int64_t> counts, std::span<OrderedBits<Key>> all_and,
                  std::span<OrderedBits<Key>> any_or);
template <class Key>
void count_digits_ref(std::span<const Key> keys, int known_bits, std::span<const OrderedBits<Key>> prefixes,
                      std::span<std::int64_t> counts, std::span<OrderedBits<Key>> all_and,
                      std::span<OrderedBits<Key>> any_or);

/// The ordered bit patterns of the keys whose top `known_bits` bits equal one of `prefixes`, in
/// order (a new array). Parallel.
template <class Key>
std::vector<OrderedBits<Key>> keep_matching(std::span<const Key> keys, int known_bits,
                                            std::span<const OrderedBits<Key>> prefixes);

/// Bitwise AND and OR of the keys' ordered bit patterns (their common bits are those where
/// AND == OR). Parallel.
template <class Key>
void and_or(std::span<const Key> keys, OrderedBits<Key>& all_and, OrderedBits<Key>& any_or);

}  // namespace tessera::kernels
