// Decomposition-independent 64-bit digests of global arrays. A digest is the wrap-around sum,
// over all elements, of a hash of (global linear index, value bits). Integer addition is
// associative and commutative, so the per-rank and per-thread parts can be summed in any order
// and the result depends only on the global array: runs on different rank and thread counts
// can be compared exactly, and checkpoints verified after an N-to-M restart.
#pragma once

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

/// Hash of one element: its global linear index and the exact bits of its value.
inline std::uint64_t element_hash(std::uint64_t global_index, double value) {
  return mix64(mix64(std::bit_cast<std::uint64_t>(value)) ^
               (global_index * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL));
}

/// A rank's block of a global row-major array of up to 3 dimensions (slowest first; unused
/// leading dimensions have count 1), held in memory with arbitrary element strides.
struct StridedBlock {
  std::array<std::int64_t, 3> count{1, 1, 1};
  std::array<std::int64_t, 3> memory_stride{0, 0, 1};
  std::array<std::int64_t, 3> global_offset{0, 0, 0};
  std::array<std::int64_t, 3> global_shape{1, 1, 1};
};

/// Wrap-around sum of element_hash over the block; `first` points at the block's first element.
std::uint64_t block_digest(const double* first, const StridedBlock& block);
std::uint64_t block_digest_ref(const double* first, const StridedBlock& block);

}  // namespace tessera::kernels
