// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11): the n-th number of a
// stream is a pure function of (seed, stream, n). Every random choice an app makes is keyed by
// global indices (a row, an iteration, a round), never by rank or thread, so results do not
// depend on the decomposition, and a restart needs no generator state beyond the counters
// the app already has (its iteration, its round).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

namespace tessera::kernels {

/// The Philox4x32 bijection with 10 rounds: 128 random bits from a 128-bit counter and a
/// 64-bit key.
constexpr std::array<std::uint32_t, 4> philox4x32(std::array<std::uint32_t, 4> ctr, std::array<std::uint32_t, 2> key) {
  constexpr std::uint32_t kM0 = 0xD2511F53u;
  constexpr std::uint32_t kM1 = 0xCD9E8D57u;
  constexpr std::uint32_t kW0 = 0x9E3779B9u;
  constexpr std::uint32_t kW1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kW0;
      key[1] += kW1;
    }
    const std::uint64_t p0 = static_cast<std::uint64_t>(kM0) * ctr[0];
    const std::uint64_t p1 = static_cast<std::uint64_t>(kM1) * ctr[2];
    ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
           static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
  }
  return ctr;
}

/// A stream of random numbers indexed by a 64-bit counter: stream(seed, s).uniform(i) is the
/// i-th number of stream s. Streams of the same seed are independent.
class CounterRng {
 public:
  constexpr CounterRng(std::uint64_t seed, std::uint64_t stream) : seed_(seed), stream_(stream) {}

  [[nodiscard]] constexpr std::array<std::uint32_t, 4> block(std::uint64_t index) const {
    return philox4x32({static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32),
                       static_cast<std::uint32_t>(stream_), static_cast<std::uint32_t>(stream_ >> 32)},
                      {static_cast<std::uint32_t>(seed_), static_cast<std::uint32_t>(seed_ >> 32)});
  }
  [[nodiscard]] constexpr std::uint64_t bits64(std::uint64_t index) const {
    const auto b = block(index);
    return (static_cast<std::uint64_t>(b[0]) << 32) | b[1];
  }
  /// Uniform in [0, 1), 53 random bits.
  [[nodiscard]] constexpr double uniform(std::uint64_t index) const {
    return static_cast<double>(bits64(index) >> 11) * 0x1p-53;
  }
  /// Uniform in (0, 1): never 0, so its logarithm is finite.
  [[nodiscard]] constexpr double uniform_open(std::uint64_t index) const {
    return (static_cast<double>(bits64(index) >> 11) + 0.5) * 0x1p-53;
  }
  /// Two independent standard normal numbers (Box-Muller on the block's two halves).
  [[nodiscard]] std::pair<double, double> normal_pair(std::uint64_t index) const {
    const auto b = block(index);
    const double u1 = (static_cast<double>(((static_cast<std::uint64_t>(b[0]) << 32) | b[1]) >> 11) + 0.5) * 0x1p-53;
    const double u2 = static_cast<double>(((static_cast<std::uint64_t>(b[2]) << 32) | b[3]) >> 11) * 0x1p-53;
    const double r = std::sqrt(-2.0 * std::log(u1));
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    return {r * std::cos(kTwoPi * u2), r * std::sin(kTwoPi * u2)};
  }

 private:
  std::uint64_t seed_;
  std::uint64_t stream_;
};

}  // namespace tessera::kernels
