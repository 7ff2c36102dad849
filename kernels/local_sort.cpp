// Stable parallel LSD radix sort (see local_sort.hpp).
//
// Every buffer keeps the caller's element type: the bit patterns are stored into the key
// arrays with std::bit_cast (same size, bijective), so the sort needs one scratch array of
// keys and nothing else, and no type punning through pointers.
#include "kernels/local_sort.hpp"

#include <omp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>

namespace tessera::kernels {

namespace {

constexpr int kDigitBits = 8;
constexpr int kRadix = 1 << kDigitBits;
// Below this many keys a pass's fixed costs (counts, prefix) outweigh its work.
constexpr std::size_t kInsertionLimit = 64;
// Threads share a pass only when each gets at least this many keys.
constexpr std::size_t kKeysPerThread = std::size_t{1} << 16;

template <class Bits, class Word>
Bits bits_of(Word w) noexcept {
  return std::bit_cast<Bits>(w);
}

// Stable insertion sort of short arrays, payload alongside (no allocation).
template <class Bits, class Word, class Payload, bool kHasPayload>
void insertion_sort(Word* keys, Payload* payload, std::size_t n) {
  for (std::size_t i = 1; i < n; ++i) {
    const Word key = keys[i];
    const Bits b = bits_of<Bits>(key);
    Payload p{};
    if constexpr (kHasPayload) p = payload[i];
    std::size_t j = i;
    for (; j > 0 && bits_of<Bits>(keys[j - 1]) > b; --j) {
      keys[j] = keys[j - 1];
      if constexpr (kHasPayload) payload[j] = payload[j - 1];
    }
    keys[j] = key;
    if constexpr (kHasPayload) payload[j] = p;
  }
}

// The digits (8-bit, least significant first) on which not all keys agree.
template <class Bits, class Word>
std::vector<int> varying_digits(const Word* keys, std::size_t n) {
  const Bits first = bits_of<Bits>(keys[0]);
  Bits differ = 0;
#pragma omp parallel for reduction(| : differ) schedule(static) if (n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) differ |= bits_of<Bits>(keys[i]) ^ first;
  std::vector<int> digits;
  for (int d = 0; d < static_cast<int>(sizeof(Bits)); ++d) {
    if (((differ >> (d * kDigitBits)) & (kRadix - 1)) != 0) digits.push_back(d);
  }
  return digits;
}

// The radix passes over `keys` (as bit patterns in Word storage), ping-ponging with `scratch`;
// returns true when the sorted keys ended in `scratch`.
template <class Bits, class Word, class Payload, bool kHasPayload>
bool radix_passes(Word* keys, Payload* payload, Word* scratch, Payload* payload_scratch, std::size_t n) {
  const std::vector<int> digits = varying_digits<Bits>(keys, n);
  if (digits.empty()) return false;
  const int threads = static_cast<int>(
      std::clamp<std::size_t>(n / kKeysPerThread, 1, static_cast<std::size_t>(omp_get_max_threads())));
  // offsets[t][digit]: where thread t writes its next key of that digit.
  std::vector<std::array<std::size_t, kRadix>> offsets(static_cast<std::size_t>(threads));
  Word* src = keys;
  Word* dst = scratch;
  Payload* psrc = payload;
  Payload* pdst = payload_scratch;
#pragma omp parallel num_threads(threads) firstprivate(src, dst, psrc, pdst)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t lo = n * t / nt;
    const std::size_t hi = n * (t + 1) / nt;
    std::array<std::size_t, kRadix>& mine = offsets[t];
    for (const int d : digits) {
      const int shift = d * kDigitBits;
      mine.fill(0);
      for (std::size_t i = lo; i < hi; ++i) ++mine[(bits_of<Bits>(src[i]) >> shift) & (kRadix - 1)];
#pragma omp barrier
#pragma omp single
      {
        // Digit-major, thread-minor: thread order within a digit keeps the sort stable.
        std::size_t at = 0;
        for (int digit = 0; digit < kRadix; ++digit) {
          for (std::size_t u = 0; u < nt; ++u) {
            const std::size_t c = offsets[u][static_cast<std::size_t>(digit)];
            offsets[u][static_cast<std::size_t>(digit)] = at;
            at += c;
          }
        }
      }  // implicit barrier
      for (std::size_t i = lo; i < hi; ++i) {
        const Word w = src[i];
        const std::size_t to = mine[(bits_of<Bits>(w) >> shift) & (kRadix - 1)]++;
        dst[to] = w;
        if constexpr (kHasPayload) pdst[to] = psrc[i];
      }
#pragma omp barrier
      std::swap(src, dst);
      if constexpr (kHasPayload) std::swap(psrc, pdst);
    }
  }
  return digits.size() % 2 == 1;
}

// Sorts `keys` whose storage holds ordered bit patterns (as Word), payload alongside; the
// sorted patterns end in `keys`, or in `scratch` when `back` is null and the passes say so.
template <class Bits, class Word, class Payload, bool kHasPayload>
bool sort_patterns(Word* keys, Payload* payload, Word* scratch, Payload* payload_scratch, std::size_t n) {
  if (n < 2) return false;
  if (n < kInsertionLimit) {
    insertion_sort<Bits, Word, Payload, kHasPayload>(keys, payload, n);
    return false;
  }
  return radix_passes<Bits, Word, Payload, kHasPayload>(keys, payload, scratch, payload_scratch, n);
}

template <class Key>
void keys_to_patterns(Key* keys, std::size_t n) {
  using Bits = OrderedBits<Key>;
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) keys[i] = std::bit_cast<Key>(static_cast<Bits>(ordered_bits(keys[i])));
}

// Converts the sorted patterns in `from` back to keys in `keys` (from may be keys itself), and
// moves the payload back from `payload_from` when it is not `payload`.
template <class Key, class Value>
void patterns_to_keys(const Key* from, Key* keys, const Value* payload_from, Value* payload, std::size_t n) {
  using Bits = OrderedBits<Key>;
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = key_of_bits<Key>(std::bit_cast<Bits>(from[i]));
    if (payload_from != payload) payload[i] = payload_from[i];
  }
}

}  // namespace

template <class Key>
void to_ordered_bits(std::span<const Key> keys, std::span<OrderedBits<Key>> bits) {
  const std::size_t n = keys.size();
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) bits[i] = ordered_bits(keys[i]);
}

template <class Key>
void from_ordered_bits(std::span<const OrderedBits<Key>> bits, std::span<Key> keys) {
  const std::size_t n = bits.size();
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) keys[i] = key_of_bits<Key>(bits[i]);
}

template <class Bits, class Payload>
void radix_sort_bits(std::span<Bits> bits, std::span<Payload> payload, std::span<Bits> scratch,
                     std::span<Payload> payload_scratch) {
  const std::size_t n = bits.size();
  bool in_scratch = false;
  if (payload.empty()) {
    in_scratch = sort_patterns<Bits, Bits, Payload, false>(bits.data(), nullptr, scratch.data(), nullptr, n);
  } else {
    in_scratch = sort_patterns<Bits, Bits, Payload, true>(bits.data(), payload.data(), scratch.data(),
                                                          payload_scratch.data(), n);
  }
  if (in_scratch) {
    std::memcpy(bits.data(), scratch.data(), n * sizeof(Bits));
    if (!payload.empty()) std::memcpy(payload.data(), payload_scratch.data(), n * sizeof(Payload));
  }
}

template <class Key>
void sort_keys(std::span<Key> keys) {
  using Bits = OrderedBits<Key>;
  static_assert(sizeof(Key) == sizeof(Bits), "sort_keys: 4- and 8-byte keys");
  const std::size_t n = keys.size();
  if (n < 2) return;
  std::vector<Key> scratch(n < kInsertionLimit ? 0 : n);
  keys_to_patterns(keys.data(), n);
  const bool in_scratch =
      sort_patterns<Bits, Key, std::uint32_t, false>(keys.data(), nullptr, scratch.data(), nullptr, n);
  patterns_to_keys<Key, std::uint32_t>(in_scratch ? scratch.data() : keys.data(), keys.data(), nullptr, nullptr, n);
}

template <class Key, class Value>
void sort_pairs(std::span<Key> keys, std::span<Value> values) {
  using Bits = OrderedBits<Key>;
  static_assert(sizeof(Key) == sizeof(Bits), "sort_pairs: 4- and 8-byte keys");
  const std::size_t n = keys.size();
  if (n < 2) return;
  const std::size_t work = n < kInsertionLimit ? 0 : n;
  std::vector<Key> scratch(work);
  std::vector<Value> value_scratch(work);
  keys_to_patterns(keys.data(), n);
  const bool in_scratch = sort_patterns<Bits, Key, Value, true>(keys.data(), values.data(), scratch.data(),
                                                                value_scratch.data(), n);
  patterns_to_keys<Key, Value>(in_scratch ? scratch.data() : keys.data(), keys.data(),
                               in_scratch ? value_scratch.data() : values.data(), values.data(), n);
}

template <class Key>
void sort_keys_ref(std::span<Key> keys) {
  std::stable_sort(keys.begin(), keys.end(), [](Key a, Key b) { return total_less(a, b); });
}

template <class Key, class Value>
void sort_pairs_ref(std::span<Key> keys, std::span<Value> values) {
  std::vector<std::size_t> order(keys.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return total_less(keys[a], keys[b]); });
  std::vector<Key> k(keys.size());
  std::vector<Value> v(values.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    k[i] = keys[order[i]];
    v[i] = values[order[i]];
  }
  std::copy(k.begin(), k.end(), keys.begin());
  std::copy(v.begin(), v.end(), values.begin());
}

template <class Index>
void gather_rows(const void* rows, std::size_t row_bytes, std::span<const Index> index, void* out) {
  const auto* from = static_cast<const unsigned char*>(rows);
  auto* to = static_cast<unsigned char*>(out);
  const std::size_t n = index.size();
  if (row_bytes == 8) {
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
    for (std::size_t i = 0; i < n; ++i) std::memcpy(to + i * 8, from + static_cast<std::size_t>(index[i]) * 8, 8);
    return;
  }
  if (row_bytes == 4) {
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
    for (std::size_t i = 0; i < n; ++i) std::memcpy(to + i * 4, from + static_cast<std::size_t>(index[i]) * 4, 4);
    return;
  }
#pragma omp parallel for schedule(static) if (n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) {
    std::memcpy(to + i * row_bytes, from + static_cast<std::size_t>(index[i]) * row_bytes, row_bytes);
  }
}

#define TESSERA_SORT_KEY(Key)                                                                      \
  template void to_ordered_bits<Key>(std::span<const Key>, std::span<OrderedBits<Key>>);           \
  template void from_ordered_bits<Key>(std::span<const OrderedBits<Key>>, std::span<Key>);         \
  template void sort_keys<Key>(std::span<Key>);                                                    \
  template void sort_keys_ref<Key>(std::span<Key>);                                                \
  template void sort_pairs<Key, std::uint32_t>(std::span<Key>, std::span<std::uint32_t>);          \
  template void sort_pairs<Key, std::uint64_t>(std::span<Key>, std::span<std::uint64_t>);          \
  template void sort_pairs_ref<Key, std::uint32_t>(std::span<Key>, std::span<std::uint32_t>);      \
  template void sort_pairs_ref<Key, std::uint64_t>(std::span<Key>, std::span<std::uint64_t>);
TESSERA_SORT_KEY(std::int32_t)
TESSERA_SORT_KEY(std::int64_t)
TESSERA_SORT_KEY(std::uint64_t)
TESSERA_SORT_KEY(float)
TESSERA_SORT_KEY(double)
#undef TESSERA_SORT_KEY
template void to_ordered_bits<std::uint8_t>(std::span<const std::uint8_t>, std::span<std::uint32_t>);
template void from_ordered_bits<std::uint8_t>(std::span<const std::uint32_t>, std::span<std::uint8_t>);

template void radix_sort_bits<std::uint32_t, std::uint32_t>(std::span<std::uint32_t>, std::span<std::uint32_t>,
                                                            std::span<std::uint32_t>, std::span<std::uint32_t>);
template void radix_sort_bits<std::uint32_t, std::uint64_t>(std::span<std::uint32_t>, std::span<std::uint64_t>,
                                                            std::span<std::uint32_t>, std::span<std::uint64_t>);
template void radix_sort_bits<std::uint64_t, std::uint32_t>(std::span<std::uint64_t>, std::span<std::uint32_t>,
                                                            std::span<std::uint64_t>, std::span<std::uint32_t>);
template void radix_sort_bits<std::uint64_t, std::uint64_t>(std::span<std::uint64_t>, std::span<std::uint64_t>,
                                                            std::span<std::uint64_t>, std::span<std::uint64_t>);
template void gather_rows<std::uint32_t>(const void*, std::size_t, std::span<const std::uint32_t>, void*);
template void gather_rows<std::uint64_t>(const void*, std::size_t, std::span<const std::uint64_t>, void*);

}  // namespace tessera::kernels
