// Digit counts for distributed selection (see radix_select.hpp).
#include "kernels/radix_select.hpp"

#include <omp.h>

#include <algorithm>
#include <vector>

namespace tessera::kernels {

namespace {
constexpr std::size_t kPerThread = std::size_t{1} << 16;

template <class Bits>
Bits top_bits(Bits key, int known_bits) {
  constexpr int kWidth = 8 * sizeof(Bits);
  return known_bits == 0 ? Bits{0} : static_cast<Bits>(key >> (kWidth - known_bits));
}
template <class Bits>
std::size_t next_digit(Bits key, int known_bits) {
  constexpr int kWidth = 8 * sizeof(Bits);
  return static_cast<std::size_t>((key >> (kWidth - known_bits - kSelectDigitBits)) & (kSelectRadix - 1));
}
}  // namespace

template <class Bits>
void count_digits(std::span<const Bits> keys, int known_bits, std::span<const Bits> prefixes,
                  std::span<std::int64_t> counts) {
  const std::size_t n = keys.size();
  const std::size_t targets = prefixes.size();
  const int threads = static_cast<int>(std::clamp<std::size_t>(n / kPerThread, 1, static_cast<std::size_t>(omp_get_max_threads())));
  // Distinct prefixes are few (one per quantile at most); equal ones share a count.
  std::vector<Bits> distinct(prefixes.begin(), prefixes.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  const std::size_t d = distinct.size();
  std::vector<std::int64_t> local(static_cast<std::size_t>(threads) * d * kSelectRadix, 0);
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    std::int64_t* mine = local.data() + t * d * kSelectRadix;
    const std::size_t lo = n * t / nt;
    const std::size_t hi = n * (t + 1) / nt;
    if (d == 1) {
      const Bits want = distinct[0];
      for (std::size_t i = lo; i < hi; ++i) {
        if (top_bits(keys[i], known_bits) == want) ++mine[next_digit(keys[i], known_bits)];
      }
    } else {
      for (std::size_t i = lo; i < hi; ++i) {
        const Bits top = top_bits(keys[i], known_bits);
        const auto at = std::lower_bound(distinct.begin(), distinct.end(), top);
        if (at != distinct.end() && *at == top) {
          ++mine[static_cast<std::size_t>(at - distinct.begin()) * kSelectRadix + next_digit(keys[i], known_bits)];
        }
      }
    }
  }
  for (std::size_t t = 0; t < targets; ++t) {
    const auto which = static_cast<std::size_t>(std::lower_bound(distinct.begin(), distinct.end(), prefixes[t]) - distinct.begin());
    for (int u = 0; u < threads; ++u) {
      const std::int64_t* from = local.data() + (static_cast<std::size_t>(u) * d + which) * kSelectRadix;
      for (std::size_t digit = 0; digit < kSelectRadix; ++digit) counts[t * kSelectRadix + digit] += from[digit];
    }
  }
}

template <class Bits>
void count_digits_ref(std::span<const Bits> keys, int known_bits, std::span<const Bits> prefixes,
                      std::span<std::int64_t> counts) {
  constexpr int kWidth = 8 * sizeof(Bits);
  for (std::size_t t = 0; t < prefixes.size(); ++t) {
    for (const Bits key : keys) {
      // A shift by the full width is undefined: two shifts instead of one.
      const Bits top = static_cast<Bits>((key >> (kWidth - known_bits - 1)) >> 1);
      if (top != prefixes[t]) continue;
      ++counts[t * kSelectRadix + static_cast<std::size_t>((key >> (kWidth - known_bits - kSelectDigitBits)) & 0xff)];
    }
  }
}

template <class Bits>
std::size_t compact_matching(std::span<Bits> keys, int known_bits, std::span<const Bits> prefixes) {
  std::vector<Bits> distinct(prefixes.begin(), prefixes.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  std::size_t kept = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (std::binary_search(distinct.begin(), distinct.end(), top_bits(keys[i], known_bits))) keys[kept++] = keys[i];
  }
  return kept;
}

template void count_digits<std::uint32_t>(std::span<const std::uint32_t>, int, std::span<const std::uint32_t>,
                                          std::span<std::int64_t>);
template void count_digits<std::uint64_t>(std::span<const std::uint64_t>, int, std::span<const std::uint64_t>,
                                          std::span<std::int64_t>);
template void count_digits_ref<std::uint32_t>(std::span<const std::uint32_t>, int, std::span<const std::uint32_t>,
                                              std::span<std::int64_t>);
template void count_digits_ref<std::uint64_t>(std::span<const std::uint64_t>, int, std::span<const std::uint64_t>,
                                              std::span<std::int64_t>);
template std::size_t compact_matching<std::uint32_t>(std::span<std::uint32_t>, int, std::span<const std::uint32_t>);
template std::size_t compact_matching<std::uint64_t>(std::span<std::uint64_t>, int, std::span<const std::uint64_t>);

}  // namespace tessera::kernels
