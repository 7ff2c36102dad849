// Synthetic key generation (see key_distributions.hpp).
#include "tessera/kernels/key_distributions.hpp"

#include "tessera/kernels/counter_rng.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

namespace tessera::kernels {

template <class Key>
void generate_keys(KeyDistribution dist, std::uint64_t seed, std::int64_t first, std::int64_t total,
                   std::span<Key> keys) {
  // The keys' own stream ("keys" in ASCII), apart from the blobs' streams.
  const CounterRng rng(seed, 0x6b657973ULL << 32);
  constexpr double kLow = static_cast<double>(std::numeric_limits<Key>::lowest());
  constexpr double kHigh = static_cast<double>(std::numeric_limits<Key>::max());
  auto clamp_to_key = [](double v) {
    if constexpr (std::is_floating_point_v<Key>) {
      return static_cast<Key>(v);
    } else {
      // kHigh rounds up to a power of two for 64-bit types: compare with >=.
      return v <= kLow ? std::numeric_limits<Key>::lowest() : v >= kHigh ? std::numeric_limits<Key>::max() : static_cast<Key>(v);
    }
  };
  const auto n = static_cast<std::int64_t>(keys.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    const auto row = static_cast<std::uint64_t>(first + i);
    Key& key = keys[static_cast<std::size_t>(i)];
    switch (dist) {
      case KeyDistribution::uniform:
        if constexpr (std::is_floating_point_v<Key>) {
          key = static_cast<Key>(rng.uniform(row));
          if (key >= Key(1)) key = std::nextafter(Key(1), Key(0));  // float rounding of values near 1
        } else {
          key = static_cast<Key>(rng.bits64(row));
        }
        break;
      case KeyDistribution::normal: {
        const double z = rng.normal_pair(row).first;
        key = std::is_floating_point_v<Key> ? static_cast<Key>(z) : clamp_to_key(std::round(z * 1e6));
        break;
      }
      case KeyDistribution::zipf:
        key = clamp_to_key(std::floor(1.0 / (1.0 - rng.uniform(row))));
        break;
      case KeyDistribution::equal: key = Key(42); break;
      case KeyDistribution::sorted: key = clamp_to_key(static_cast<double>(first + i)); break;
      case KeyDistribution::reversed: key = clamp_to_key(static_cast<double>(total - 1 - (first + i))); break;
    }
  }
}

template void generate_keys<std::int32_t>(KeyDistribution, std::uint64_t, std::int64_t, std::int64_t, std::span<std::int32_t>);
template void generate_keys<std::int64_t>(KeyDistribution, std::uint64_t, std::int64_t, std::int64_t, std::span<std::int64_t>);
template void generate_keys<std::uint64_t>(KeyDistribution, std::uint64_t, std::int64_t, std::int64_t, std::span<std::uint64_t>);
template void generate_keys<float>(KeyDistribution, std::uint64_t, std::int64_t, std::int64_t, std::span<float>);
template void generate_keys<double>(KeyDistribution, std::uint64_t, std::int64_t, std::int64_t, std::span<double>);

}  // namespace tessera::kernels
