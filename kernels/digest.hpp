// Decomposition-independent 64-bit digests of global arrays. A digest is the wrap-around sum,
// over all elements, of a hash of (global linear index, value bits). Integer addition is
// associative and commutative, so the per-rank and per-thread parts can be summed in any order
// and the result depends only on the global array: runs on different rank and thread counts
// can be compared exactly, and checkpoints verified after an N-to-M restart.
#pragma once

#include "tessera/kernels/element_type.hpp"

#include <array>
#include <bit>
#include <cstdint>

namespace tessera::kernels {

/// splitmix64 finalizer: a cheap bijective 64-bit mixer.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30U;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27U;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31U;
  return x;
}

/// The exact bits of a value as 64 bits (floats by their representation, integers by value).
template <class T>
constexpr std::uint64_t value_bits(T value) {
  if constexpr (std::is_same_v<T, double>) return std::bit_cast<std::uint64_t>(value);
  else if constexpr (std::is_same_v<T, float>) return std::bit_cast<std::uint32_t>(value);
  else return static_cast<std::uint64_t>(value);
}

/// Hash of one element: its global linear index and the exact bits of its value.
constexpr std::uint64_t element_hash(std::uint64_t global_index, std::uint64_t bits) {
  return mix64(mix64(bits) ^ (global_index * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL));
}
inline std::uint64_t element_hash(std::uint64_t global_index, double value) {
  return element_hash(global_index, value_bits(value));
}

inline constexpr int kMaxDims = 4;
using Extents = std::array<std::int64_t, kMaxDims>;

/// A rank's block of a global row-major array of up to 4 dimensions (slowest first; unused
/// leading dimensions have count 1), held in memory with arbitrary element strides.
struct StridedBlock {
  Extents count{1, 1, 1, 1};
  Extents memory_stride{0, 0, 0, 1};
  Extents global_offset{0, 0, 0, 0};
  Extents global_shape{1, 1, 1, 1};
};

/// Wrap-around sum of element_hash over the block; `first` points at the block's first element.
template <class T>
std::uint64_t block_digest(const T* first, const StridedBlock& block);
template <class T>
std::uint64_t block_digest_ref(const T* first, const StridedBlock& block);

/// The same for an element type known at run time.
std::uint64_t block_digest(const void* first, ElementType type, const StridedBlock& block);

}  // namespace tessera::kernels
