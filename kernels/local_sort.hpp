// Node-local sorting: a parallel (OpenMP) stable LSD radix sort of keys, with an optional
// payload moved along, for int32, int64, uint64, float32, float64 (and uint8) keys.
//
// Keys are sorted as order-preserving bit patterns (ordered_bits): integers with the sign bit
// flipped, floats by IEEE 754 totalOrder (all bits flipped for a set sign bit, the sign bit
// set otherwise). So -0.0 sorts before +0.0, and NaNs sort by their sign: NaNs with the sign
// bit set (x86's default NaN from 0/0 or inf - inf) before -inf, NaNs without it (numpy.nan,
// C's NAN) after +inf; among NaNs of one sign, by payload. The sort is stable: equal keys keep
// their input order (the distributed sort relies on this to break ties by input position).
//
// The radix sort works on 8-bit digits, most significant first while a range is larger than
// the cache (one pass over memory, then every bucket sorts on its own, soon in cache, the
// buckets shared among threads), least significant first for ranges in cache, insertion sort
// for the shortest. Digits on which all keys of a range agree are skipped (small integers in
// int64 cost 2 or 3 passes, not 8). A pass shared by threads counts digits per contiguous
// chunk and takes one prefix over (digit, thread), so every pass is stable and the result is
// the same for any thread count.
// Reference twins: sort_keys_ref / sort_pairs_ref, std::stable_sort under totalOrder.
#pragma once

#include <bit>
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

namespace tessera::kernels {

/// The unsigned integer type of a key's order-preserving bit pattern.
template <class Key>
using OrderedBits = std::conditional_t<(sizeof(Key) <= 4), std::uint32_t, std::uint64_t>;

/// An order-preserving bit pattern: a < b under totalOrder iff ordered_bits(a) < ordered_bits(b).
template <class Key>
constexpr OrderedBits<Key> ordered_bits(Key key) noexcept {
  using Bits = OrderedBits<Key>;
  constexpr Bits kSign = Bits{1} << (8 * sizeof(Bits) - 1);
  if constexpr (std::is_floating_point_v<Key>) {
    const Bits bits = std::bit_cast<Bits>(key);
    return (bits & kSign) != 0 ? ~bits : bits | kSign;
  } else if constexpr (std::is_signed_v<Key>) {
    return static_cast<Bits>(static_cast<std::make_unsigned_t<Key>>(key)) ^ kSign;
  } else {
    return static_cast<Bits>(key);
  }
}

/// The key of an ordered bit pattern (the inverse of ordered_bits).
template <class Key>
constexpr Key key_of_bits(OrderedBits<Key> bits) noexcept {
  using Bits = OrderedBits<Key>;
  constexpr Bits kSign = Bits{1} << (8 * sizeof(Bits) - 1);
  if constexpr (std::is_floating_point_v<Key>) {
    return std::bit_cast<Key>((bits & kSign) != 0 ? bits ^ kSign : ~bits);
  } else if constexpr (std::is_signed_v<Key>) {
    return static_cast<Key>(static_cast<std::make_unsigned_t<Key>>(bits ^ kSign));
  } else {
    return static_cast<Key>(bits);
  }
}

/// totalOrder "less" on keys (the comparison the reference twins sort with).
template <class Key>
constexpr bool total_less(Key a, Key b) noexcept {
  return ordered_bits(a) < ordered_bits(b);
}

/// Converts keys to their ordered bit patterns (parallel); `bits` has keys.size() elements.
template <class Key>
void to_ordered_bits(std::span<const Key> keys, std::span<OrderedBits<Key>> bits);
/// Converts ordered bit patterns back to keys (parallel).
template <class Key>
void from_ordered_bits(std::span<const OrderedBits<Key>> bits, std::span<Key> keys);

/// Stable radix sort of unsigned bit patterns (uint32 or uint64), with `payload` (empty, or one
/// element per key: uint32 or uint64, e.g. positions) permuted alongside. `scratch` and
/// `payload_scratch` are work arrays of the same sizes (no allocation inside).
template <class Bits, class Payload>
void radix_sort_bits(std::span<Bits> bits, std::span<Payload> payload, std::span<Bits> scratch,
                     std::span<Payload> payload_scratch);

/// Sorts `keys` ascending under totalOrder (stable; allocates a scratch array).
template <class Key>
void sort_keys(std::span<Key> keys);
/// Sorts `keys` ascending under totalOrder and moves `values[i]` with `keys[i]` (stable).
/// Values are 4- or 8-byte trivially copyable elements (a payload, or positions).
template <class Key, class Value>
void sort_pairs(std::span<Key> keys, std::span<Value> values);

/// Reference twins: std::stable_sort under totalOrder.
template <class Key>
void sort_keys_ref(std::span<Key> keys);
template <class Key, class Value>
void sort_pairs_ref(std::span<Key> keys, std::span<Value> values);

/// out[i] = rows[index[i]] for rows of `row_bytes` bytes each (the gather that moves a sort's
/// values after its keys were sorted with their positions). Parallel.
template <class Index>
void gather_rows(const void* rows, std::size_t row_bytes, std::span<const Index> index, void* out);

}  // namespace tessera::kernels
