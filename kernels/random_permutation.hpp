// A random permutation of [0, n) evaluated one position at a time, in O(1) memory: a
// balanced Feistel network on the smallest even number of bits covering n, with Philox
// (kernels/counter_rng.hpp) as the round function, walked in cycles until the value falls in
// [0, n) (Black and Rogaway's cycle walking; on average fewer than four walks). The training
// data order of an epoch is permutation(n, seed, epoch): a function of the seed and the
// epoch alone, the same on any rank count, and no rank needs the whole order in memory.
#pragma once

#include "tessera/kernels/counter_rng.hpp"

#include <cstdint>

namespace tessera::kernels {

class RandomPermutation {
 public:
  RandomPermutation(std::uint64_t n, std::uint64_t seed, std::uint64_t stream) : n_(n), rng_(seed, stream) {
    while (half_bits_ < 32 && (std::uint64_t{1} << (2 * half_bits_)) < n) ++half_bits_;
    mask_ = (std::uint64_t{1} << half_bits_) - 1;
  }

  [[nodiscard]] std::uint64_t size() const { return n_; }

  /// The element at position i (0 <= i < size()).
  [[nodiscard]] std::uint64_t operator()(std::uint64_t i) const {
    std::uint64_t x = i;
    do {
      x = feistel(x);
    } while (x >= n_);
    return x;
  }

 private:
  static constexpr int kRounds = 6;
  [[nodiscard]] std::uint64_t feistel(std::uint64_t x) const {
    std::uint64_t left = x >> half_bits_;
    std::uint64_t right = x & mask_;
    for (std::uint64_t round = 0; round < kRounds; ++round) {
      const std::uint64_t mixed = left ^ (rng_.bits64((right << 3) | round) & mask_);
      left = right;
      right = mixed;
    }
    return (left << half_bits_) | right;
  }

  std::uint64_t n_;
  CounterRng rng_;
  int half_bits_ = 1;
  std::uint64_t mask_ = 1;
};

}  // namespace tessera::kernels
