// Digit counts for distributed selection (see radix_select.hpp).
#include "tessera/kernels/radix_select.hpp"

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

// The distinct prefixes, in order; a key's prefix is found among them by a short linear scan
// (a handful of quantiles) or a binary search.
template <class Bits>
class PrefixSet {
 public:
  explicit PrefixSet(std::span<const Bits> prefixes) : distinct_(prefixes.begin(), prefixes.end()) {
    std::sort(distinct_.begin(), distinct_.end());
    distinct_.erase(std::unique(distinct_.begin(), distinct_.end()), distinct_.end());
  }
  [[nodiscard]] std::size_t size() const { return distinct_.size(); }
  /// The index of `top` among the prefixes, or size() when it is none of them.
  [[nodiscard]] std::size_t find(Bits top) const {
    if (distinct_.size() <= 8) {
      for (std::size_t i = 0; i < distinct_.size(); ++i) {
        if (distinct_[i] == top) return i;
      }
      return distinct_.size();
    }
    const auto at = std::lower_bound(distinct_.begin(), distinct_.end(), top);
    return at != distinct_.end() && *at == top ? static_cast<std::size_t>(at - distinct_.begin()) : distinct_.size();
  }

 private:
  std::vector<Bits> distinct_;
};

int threads_for(std::size_t n) {
  return static_cast<int>(std::clamp<std::size_t>(n / kPerThread, 1, static_cast<std::size_t>(omp_get_max_threads())));
}
}  // namespace

template <class Key>
void count_digits(std::span<const Key> keys, int known_bits, std::span<const OrderedBits<Key>> prefixes,
                  std::span<std::int64_t> counts, std::span<OrderedBits<Key>> all_and,
                  std::span<OrderedBits<Key>> any_or) {
  using Bits = OrderedBits<Key>;
  const std::size_t n = keys.size();
  const PrefixSet<Bits> set(prefixes);
  const std::size_t d = set.size();
  const int threads = threads_for(n);
  std::vector<std::int64_t> local(static_cast<std::size_t>(threads) * d * kSelectRadix, 0);
  std::vector<Bits> ands(static_cast<std::size_t>(threads) * d, static_cast<Bits>(~Bits{0}));
  std::vector<Bits> ors(static_cast<std::size_t>(threads) * d, 0);
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    std::int64_t* mine = local.data() + t * d * kSelectRadix;
    Bits* my_and = ands.data() + t * d;
    Bits* my_or = ors.data() + t * d;
    for (std::size_t i = n * t / nt; i < n * (t + 1) / nt; ++i) {
      const Bits b = ordered_bits(keys[i]);
      const std::size_t which = set.find(top_bits(b, known_bits));
      if (which < d) {
        ++mine[which * kSelectRadix + next_digit(b, known_bits)];
        my_and[which] &= b;
        my_or[which] |= b;
      }
    }
  }
  for (std::size_t t = 0; t < prefixes.size(); ++t) {
    const std::size_t which = set.find(prefixes[t]);
    for (int u = 0; u < threads; ++u) {
      const auto at = static_cast<std::size_t>(u) * d + which;
      const std::int64_t* from = local.data() + at * kSelectRadix;
      for (std::size_t digit = 0; digit < kSelectRadix; ++digit) counts[t * kSelectRadix + digit] += from[digit];
      all_and[t] &= ands[at];
      any_or[t] |= ors[at];
    }
  }
}

template <class Key>
void count_digits_ref(std::span<const Key> keys, int known_bits, std::span<const OrderedBits<Key>> prefixes,
                      std::span<std::int64_t> counts, std::span<OrderedBits<Key>> all_and,
                      std::span<OrderedBits<Key>> any_or) {
  using Bits = OrderedBits<Key>;
  constexpr int kWidth = 8 * sizeof(Bits);
  for (std::size_t t = 0; t < prefixes.size(); ++t) {
    for (const Key k : keys) {
      const Bits key = ordered_bits(k);
      // A shift by the full width is undefined: two shifts instead of one.
      const Bits top = static_cast<Bits>((key >> (kWidth - known_bits - 1)) >> 1);
      if (top != prefixes[t]) continue;
      all_and[t] &= key;
      any_or[t] |= key;
      ++counts[t * kSelectRadix + static_cast<std::size_t>((key >> (kWidth - known_bits - kSelectDigitBits)) & 0xff)];
    }
  }
}

template <class Key>
std::vector<OrderedBits<Key>> keep_matching(std::span<const Key> keys, int known_bits,
                                            std::span<const OrderedBits<Key>> prefixes) {
  using Bits = OrderedBits<Key>;
  const PrefixSet<Bits> set(prefixes);
  const std::size_t n = keys.size();
  const int threads = threads_for(n);
  // One pass: each thread keeps its chunk's matches, then the chunks are joined in order.
  std::vector<std::vector<Bits>> parts(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    const auto t = static_cast<std::size_t>(omp_get_thread_num());
    const auto nt = static_cast<std::size_t>(omp_get_num_threads());
    std::vector<Bits>& mine = parts[t];
    for (std::size_t i = n * t / nt; i < n * (t + 1) / nt; ++i) {
      const Bits b = ordered_bits(keys[i]);
      if (set.find(top_bits(b, known_bits)) < set.size()) mine.push_back(b);
    }
  }
  std::vector<Bits> kept;
  std::size_t total = 0;
  for (const auto& p : parts) total += p.size();
  kept.reserve(total);
  for (const auto& p : parts) kept.insert(kept.end(), p.begin(), p.end());
  return kept;
}

template <class Key>
void and_or(std::span<const Key> keys, OrderedBits<Key>& all_and, OrderedBits<Key>& any_or) {
  using Bits = OrderedBits<Key>;
  Bits a = static_cast<Bits>(~Bits{0});
  Bits o = 0;
  const std::size_t n = keys.size();
#pragma omp parallel for reduction(& : a) reduction(| : o) schedule(static) if (n >= kPerThread)
  for (std::size_t i = 0; i < n; ++i) {
    const Bits b = ordered_bits(keys[i]);
    a &= b;
    o |= b;
  }
  all_and = a;
  any_or = o;
}

#define TESSERA_SELECT(Key)                                                                                       \
  template void count_digits<Key>(std::span<const Key>, int, std::span<const OrderedBits<Key>>,                  \
                                  std::span<std::int64_t>, std::span<OrderedBits<Key>>,                          \
                                  std::span<OrderedBits<Key>>);                                                  \
  template void count_digits_ref<Key>(std::span<const Key>, int, std::span<const OrderedBits<Key>>,              \
                                      std::span<std::int64_t>, std::span<OrderedBits<Key>>,                      \
                                      std::span<OrderedBits<Key>>);                                              \
  template std::vector<OrderedBits<Key>> keep_matching<Key>(std::span<const Key>, int,                           \
                                                            std::span<const OrderedBits<Key>>);                  \
  template void and_or<Key>(std::span<const Key>, OrderedBits<Key>&, OrderedBits<Key>&);
TESSERA_SELECT(std::uint32_t)
TESSERA_SELECT(std::uint64_t)
TESSERA_SELECT(std::int32_t)
TESSERA_SELECT(std::int64_t)
TESSERA_SELECT(std::uint8_t)
TESSERA_SELECT(float)
TESSERA_SELECT(double)
#undef TESSERA_SELECT

}  // namespace tessera::kernels
