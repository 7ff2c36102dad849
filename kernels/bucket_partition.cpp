// Bucket classification and stable scatter (see bucket_partition.hpp).
#include "tessera/kernels/bucket_partition.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace tessera::kernels {

namespace {
constexpr std::size_t kPerThread = std::size_t{1} << 16;

// splitmix64's finaliser: a bijective mix with full avalanche.
constexpr std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A row of bytes as 64-bit words (zero-padded), chained through the mix.
std::uint64_t hash_bytes(const unsigned char* p, std::size_t n, std::uint64_t h) {
  for (std::size_t at = 0; at < n; at += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, p + at, std::min<std::size_t>(8, n - at));
    h = mix(h ^ mix(word + 0x9e3779b97f4a7c15ULL * (at / 8 + 1)));
  }
  return h;
}
}  // namespace

template <class Bits>
void classify(std::span<const Bits> keys, std::int64_t first_index, std::span<const Splitter<Bits>> splitters,
              std::span<std::uint32_t> bucket) {
  const std::size_t n = keys.size();
  const Splitter<Bits>* s = splitters.data();
  const std::size_t m = splitters.size();
#pragma omp parallel for schedule(static) if (n >= kPerThread)
  for (std::size_t i = 0; i < n; ++i) {
    const Splitter<Bits> e{keys[i], first_index + static_cast<std::int64_t>(i)};
    // Branch-free binary search: the number of splitters <= e.
    std::size_t lo = 0;
    std::size_t len = m;
    while (len > 0) {
      const std::size_t half = len / 2;
      const bool right = !(e < s[lo + half]);
      lo = right ? lo + half + 1 : lo;
      len = right ? len - half - 1 : half;
    }
    bucket[i] = static_cast<std::uint32_t>(lo);
  }
}

template <class Bits>
void classify_ref(std::span<const Bits> keys, std::int64_t first_index, std::span<const Splitter<Bits>> splitters,
                  std::span<std::uint32_t> bucket) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const Splitter<Bits> e{keys[i], first_index + static_cast<std::int64_t>(i)};
    std::uint32_t b = 0;
    for (const auto& s : splitters) b += s < e || s == e ? 1 : 0;
    bucket[i] = b;
  }
}

template <class Bits>
std::vector<std::int64_t> bucket_scatter(std::span<const Bits> keys, std::span<const std::uint32_t> bucket,
                                         int buckets, const void* payload, std::size_t payload_bytes,
                                         std::span<Bits> out_keys, void* out_payload) {
  const std::size_t n = keys.size();
  const auto nb = static_cast<std::size_t>(buckets);
  const int threads = static_cast<int>(std::clamp<std::size_t>(n / kPerThread, 1, static_cast<std::size_t>(omp_get_max_threads())));
  // next[t * nb + b]: where thread t writes its next element of bucket b.
  std::vector<std::int64_t> next(static_cast<std::size_t>(threads) * nb, 0);
  std::vector<std::int64_t> totals(nb, 0);
  const auto* in = static_cast<const unsigned char*>(payload);
  auto* out = static_cast<unsigned char*>(out_payload);
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t lo = n * t / nt;
    const std::size_t hi = n * (t + 1) / nt;
    std::int64_t* mine = next.data() + t * nb;
    for (std::size_t i = lo; i < hi; ++i) ++mine[bucket[i]];
#pragma omp barrier
#pragma omp single
    {
      // Bucket-major, thread-minor: thread order within a bucket keeps input order.
      std::int64_t at = 0;
      for (std::size_t b = 0; b < nb; ++b) {
        for (std::size_t u = 0; u < nt; ++u) {
          const std::int64_t c = next[u * nb + b];
          next[u * nb + b] = at;
          at += c;
          totals[b] += c;
        }
      }
    }
    for (std::size_t i = lo; i < hi; ++i) {
      const auto to = static_cast<std::size_t>(mine[bucket[i]]++);
      out_keys[to] = keys[i];
      if (payload_bytes > 0) std::memcpy(out + to * payload_bytes, in + i * payload_bytes, payload_bytes);
    }
  }
  return totals;
}

template <class Bits>
std::vector<std::int64_t> bucket_scatter_ref(std::span<const Bits> keys, std::span<const std::uint32_t> bucket,
                                             int buckets, const void* payload, std::size_t payload_bytes,
                                             std::span<Bits> out_keys, void* out_payload) {
  std::vector<std::int64_t> totals(static_cast<std::size_t>(buckets), 0);
  std::size_t at = 0;
  for (int b = 0; b < buckets; ++b) {
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (bucket[i] != static_cast<std::uint32_t>(b)) continue;
      out_keys[at] = keys[i];
      if (payload_bytes > 0) {
        std::memcpy(static_cast<unsigned char*>(out_payload) + at * payload_bytes,
                    static_cast<const unsigned char*>(payload) + i * payload_bytes, payload_bytes);
      }
      ++at;
      ++totals[static_cast<std::size_t>(b)];
    }
  }
  return totals;
}

std::uint64_t multiset_checksum(const void* keys, std::size_t key_bytes, const void* payload,
                                std::size_t payload_bytes, std::int64_t count) {
  const auto* k = static_cast<const unsigned char*>(keys);
  const auto* p = static_cast<const unsigned char*>(payload);
  std::uint64_t sum = 0;
  // Unsigned sums wrap: the total modulo 2^64 is the same in any order and any split.
#pragma omp parallel for reduction(+ : sum) schedule(static) if (static_cast<std::size_t>(count) >= kPerThread)
  for (std::int64_t i = 0; i < count; ++i) {
    const auto at = static_cast<std::size_t>(i);
    std::uint64_t h = hash_bytes(k + at * key_bytes, key_bytes, 0x243f6a8885a308d3ULL);
    if (payload_bytes > 0) h = hash_bytes(p + at * payload_bytes, payload_bytes, h);
    sum += h;
  }
  return sum;
}

#define TESSERA_BUCKETS(Bits)                                                                                    \
  template void classify<Bits>(std::span<const Bits>, std::int64_t, std::span<const Splitter<Bits>>,            \
                               std::span<std::uint32_t>);                                                        \
  template void classify_ref<Bits>(std::span<const Bits>, std::int64_t, std::span<const Splitter<Bits>>,        \
                                   std::span<std::uint32_t>);                                                    \
  template std::vector<std::int64_t> bucket_scatter<Bits>(std::span<const Bits>, std::span<const std::uint32_t>, \
                                                          int, const void*, std::size_t, std::span<Bits>, void*); \
  template std::vector<std::int64_t> bucket_scatter_ref<Bits>(std::span<const Bits>,                             \
                                                              std::span<const std::uint32_t>, int, const void*,  \
                                                              std::size_t, std::span<Bits>, void*);
TESSERA_BUCKETS(std::uint32_t)
TESSERA_BUCKETS(std::uint64_t)
#undef TESSERA_BUCKETS

}  // namespace tessera::kernels
