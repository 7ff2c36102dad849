// Stable parallel LSD radix sort (see local_sort.hpp).
//
// Every buffer keeps the caller's element type: the bit patterns are stored into the key
// arrays with std::bit_cast (same size, bijective), so the sort needs one scratch array of
// keys and nothing else, and no type punning through pointers.
#include "tessera/kernels/local_sort.hpp"

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

// The bits on which not all of keys[0, n) agree.
template <class Bits, class Word>
Bits differing_bits(const Word* keys, std::size_t n, bool parallel) {
  const Bits first = bits_of<Bits>(keys[0]);
  Bits differ = 0;
#pragma omp parallel for reduction(| : differ) schedule(static) if (parallel && n >= kKeysPerThread)
  for (std::size_t i = 0; i < n; ++i) differ |= bits_of<Bits>(keys[i]) ^ first;
  return differ;
}

template <class Bits>
bool digit_varies(Bits differ, int digit) {
  return ((differ >> (digit * kDigitBits)) & (kRadix - 1)) != 0;
}

// Moves src[lo, hi) to dst by digit, each element to next[digit_of(bits)]++.
template <class Bits, class Word, class Payload, bool kHasPayload, class DigitOf>
void scatter_range(const Word* src, Word* dst, const Payload* psrc, Payload* pdst, std::size_t lo, std::size_t hi,
                   const DigitOf& digit_of, std::size_t* next) {
  for (std::size_t i = lo; i < hi; ++i) {
    const Word w = src[i];
    const std::size_t to = next[digit_of(bits_of<Bits>(w))]++;
    dst[to] = w;
    if constexpr (kHasPayload) pdst[to] = psrc[i];
  }
}

// Adds the digit counts of src[lo, hi) to `counts`. Four interleaved histograms: on skewed
// keys consecutive increments of one counter would wait on each other through memory.
template <class Bits, class Word, class DigitOf, std::size_t kBuckets>
void count_range(const Word* src, std::size_t lo, std::size_t hi, const DigitOf& digit_of,
                 std::array<std::size_t, kBuckets>& counts) {
  std::array<std::array<std::size_t, kBuckets>, 4> part{};
  std::size_t i = lo;
  for (; i + 4 <= hi; i += 4) {
    ++part[0][digit_of(bits_of<Bits>(src[i]))];
    ++part[1][digit_of(bits_of<Bits>(src[i + 1]))];
    ++part[2][digit_of(bits_of<Bits>(src[i + 2]))];
    ++part[3][digit_of(bits_of<Bits>(src[i + 3]))];
  }
  for (; i < hi; ++i) ++part[0][digit_of(bits_of<Bits>(src[i]))];
  for (std::size_t b = 0; b < kBuckets; ++b) counts[b] += part[0][b] + part[1][b] + part[2][b] + part[3][b];
}

// One stable counting pass by digit_of (a digit in [0, kRadix) of a key's bits), src -> dst,
// over `threads` contiguous chunks (digit-major, thread-minor offsets keep it stable for any
// thread count). `starts` receives each digit's first position (kRadix + 1 entries).
template <class Bits, class Word, class Payload, bool kHasPayload, class DigitOf>
void scatter_pass(const Word* src, Word* dst, const Payload* psrc, Payload* pdst, std::size_t n,
                  const DigitOf& digit_of, int threads, std::size_t* starts) {
  if (threads <= 1) {
    std::array<std::size_t, kRadix> next{};
    count_range<Bits>(src, 0, n, digit_of, next);
    std::size_t at = 0;
    for (int digit = 0; digit < kRadix; ++digit) {
      starts[digit] = at;
      at += next[static_cast<std::size_t>(digit)];
      next[static_cast<std::size_t>(digit)] = starts[digit];
    }
    starts[kRadix] = n;
    scatter_range<Bits, Word, Payload, kHasPayload>(src, dst, psrc, pdst, 0, n, digit_of, next.data());
    return;
  }
  std::vector<std::array<std::size_t, kRadix>> offsets(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    const std::size_t lo = n * t / nt;
    const std::size_t hi = n * (t + 1) / nt;
    std::array<std::size_t, kRadix>& mine = offsets[t];
    mine.fill(0);
    count_range<Bits>(src, lo, hi, digit_of, mine);
#pragma omp barrier
#pragma omp single
    {
      std::size_t at = 0;
      for (int digit = 0; digit < kRadix; ++digit) {
        starts[digit] = at;
        for (std::size_t u = 0; u < nt; ++u) {
          const std::size_t c = offsets[u][static_cast<std::size_t>(digit)];
          offsets[u][static_cast<std::size_t>(digit)] = at;
          at += c;
        }
      }
      starts[kRadix] = n;
    }  // implicit barrier
    scatter_range<Bits, Word, Payload, kHasPayload>(src, dst, psrc, pdst, lo, hi, digit_of, mine.data());
  }
}

// The digit at `shift`.
template <class Bits>
struct DigitAt {
  int shift;
  std::size_t operator()(Bits b) const { return static_cast<std::size_t>((b >> shift) & (kRadix - 1)); }
};

// The number of significant bytes of a key's varying bits (0 to sizeof(Bits)). Bits outside
// `differ` are the same in every key, so a key with more significant varying bytes is larger:
// the order of these "lengths" agrees with the keys' order, and it makes a stable first pass
// that sends short keys (Zipf's small integers) to buckets where only their few digits vary.
template <class Bits>
struct VaryingLength {
  Bits differ;
  std::size_t operator()(Bits b) const { return static_cast<std::size_t>((std::bit_width(Bits(b & differ)) + 7) / 8); }
};

// Whether most of x[0, n)'s keys are shorter than the longest (judged on 4096 evenly spaced
// keys: the choice only decides the speed, never the result).
template <class Bits, class Word>
bool mostly_short(const Word* x, std::size_t n, Bits differ, int top_digit) {
  const VaryingLength<Bits> length{differ};
  constexpr std::size_t kSample = 4096;
  const std::size_t step = std::max<std::size_t>(1, n / kSample);
  std::size_t longest = 0;
  std::size_t seen = 0;
  for (std::size_t i = 0; i < n; i += step, ++seen) {
    longest += length(bits_of<Bits>(x[i])) == static_cast<std::size_t>(top_digit) + 1 ? 1 : 0;
  }
  return 2 * longest < seen;
}

// Ranges at most kLocalKeys long (256 KiB of 8-byte keys) are in cache: LSD passes finish
// them when few digits are left, or when they are at most kLsdKeys long.
constexpr std::size_t kLocalKeys = std::size_t{1} << 15;
constexpr std::size_t kLsdKeys = std::size_t{1} << 12;  // 32 KiB: L1

// Sorts the keys (and payload) in x[0, n), whose digits above `top_digit` are all equal, using
// y as scratch; the sorted keys end in x when want_in_x, else in y. Most significant digit
// first (each bucket then sorts on its own, soon in cache), least significant first for a
// range in cache with at most two digits left (or short), insertion sort for the shortest; digits on
// which the range's keys agree are skipped. With
// threads > 1, passes over the range are shared by the team and the buckets are sorted in
// parallel. Every pass is stable, so the result is the stable sort for any thread count.
template <class Bits, class Word, class Payload, bool kHasPayload>
void hybrid_sort(Word* x, Word* y, Payload* px, Payload* py, std::size_t n, int top_digit, bool want_in_x,
                 int threads) {
  auto finish_in = [&](bool in_x) {
    if (in_x == want_in_x) return;
    Word* to = want_in_x ? x : y;
    const Word* from = want_in_x ? y : x;
    std::memcpy(to, from, n * sizeof(Word));
    if constexpr (kHasPayload) std::memcpy(want_in_x ? px : py, want_in_x ? py : px, n * sizeof(Payload));
  };
  if (n < kInsertionLimit) {
    insertion_sort<Bits, Word, Payload, kHasPayload>(x, px, n);
    finish_in(true);
    return;
  }
  const Bits differ = differing_bits<Bits, Word>(x, n, threads > 1);
  int top = top_digit;
  while (top >= 0 && !digit_varies(differ, top)) --top;
  if (top < 0) {
    finish_in(true);
    return;
  }
  int varying = 0;
  for (int d = 0; d <= top; ++d) varying += digit_varies(differ, d) ? 1 : 0;
  // In cache, LSD passes pay for themselves when few digits are left to sort by; otherwise
  // splitting by the top digit leaves buckets for insertion sort after a level or two.
  if (n <= kLocalKeys && (varying <= 2 || n <= kLsdKeys)) {
    bool in_x = true;
    std::size_t starts[kRadix + 1];
    for (int d = 0; d <= top; ++d) {
      if (!digit_varies(differ, d)) continue;
      scatter_pass<Bits, Word, Payload, kHasPayload>(in_x ? x : y, in_x ? y : x, in_x ? px : py, in_x ? py : px, n,
                                                     DigitAt<Bits>{d * kDigitBits}, 1, starts);
      in_x = !in_x;
    }
    finish_in(in_x);
    return;
  }
  std::vector<std::size_t> starts(kRadix + 1);
  // Skewed keys (most of them much shorter than the longest) first split by their length:
  // one pass instead of one per digit that only the few long keys use.
  const bool by_length = top > 0 && mostly_short<Bits, Word>(x, n, differ, top);
  if (by_length) {
    scatter_pass<Bits, Word, Payload, kHasPayload>(x, y, px, py, n, VaryingLength<Bits>{differ}, threads, starts.data());
  } else {
    scatter_pass<Bits, Word, Payload, kHasPayload>(x, y, px, py, n, DigitAt<Bits>{top * kDigitBits}, threads,
                                                   starts.data());
  }
  // The buckets now sit in y; each sorts into x when the whole should end in x. A bucket of
  // keys of length L varies in digits below L at most; one of digit d, below d.
  auto bucket = [&](int b, int team) {
    const std::size_t lo = starts[static_cast<std::size_t>(b)];
    const std::size_t count = starts[static_cast<std::size_t>(b) + 1] - lo;
    if (count == 0) return;
    hybrid_sort<Bits, Word, Payload, kHasPayload>(y + lo, x + lo, kHasPayload ? py + lo : nullptr,
                                                  kHasPayload ? px + lo : nullptr, count, by_length ? b - 1 : top - 1,
                                                  !want_in_x, team);
  };
  if (threads <= 1) {
    for (int b = 0; b < kRadix; ++b) bucket(b, 1);
    return;
  }
  // Large buckets (skewed data) keep the whole team; the others go to one thread each.
  const std::size_t large = std::max(kLocalKeys, n / static_cast<std::size_t>(2 * threads));
  for (int b = 0; b < kRadix; ++b) {
    if (starts[static_cast<std::size_t>(b) + 1] - starts[static_cast<std::size_t>(b)] > large) bucket(b, threads);
  }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int b = 0; b < kRadix; ++b) {
    if (starts[static_cast<std::size_t>(b) + 1] - starts[static_cast<std::size_t>(b)] <= large) bucket(b, 1);
  }
}

// Sorts ordered bit patterns held in `keys` (as Word), payload alongside, using the scratch
// arrays; the result ends in `keys`.
template <class Bits, class Word, class Payload, bool kHasPayload>
void sort_patterns(Word* keys, Payload* payload, Word* scratch, Payload* payload_scratch, std::size_t n) {
  if (n < 2) return;
  const int threads = static_cast<int>(
      std::clamp<std::size_t>(n / kKeysPerThread, 1, static_cast<std::size_t>(omp_get_max_threads())));
  hybrid_sort<Bits, Word, Payload, kHasPayload>(keys, scratch, payload, payload_scratch, n,
                                                static_cast<int>(sizeof(Bits)) - 1, true, threads);
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
  if (payload.empty()) {
    sort_patterns<Bits, Bits, Payload, false>(bits.data(), nullptr, scratch.data(), nullptr, n);
  } else {
    sort_patterns<Bits, Bits, Payload, true>(bits.data(), payload.data(), scratch.data(), payload_scratch.data(), n);
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
  sort_patterns<Bits, Key, std::uint32_t, false>(keys.data(), nullptr, scratch.data(), nullptr, n);
  patterns_to_keys<Key, std::uint32_t>(keys.data(), keys.data(), nullptr, nullptr, n);
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
  sort_patterns<Bits, Key, Value, true>(keys.data(), values.data(), scratch.data(), value_scratch.data(), n);
  patterns_to_keys<Key, Value>(keys.data(), keys.data(), values.data(), values.data(), n);
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
