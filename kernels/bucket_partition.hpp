// The node-local half of a sample sort's partition: every key is classified into the bucket
// that the agreed splitters give it, and keys (with their payload rows) are scattered into
// one contiguous run per bucket, keeping input order within a bucket (stable).
//
// Splitters are (key, global index) pairs, compared lexicographically, so equal keys are
// split by input position: an input whose keys are all equal still fills every bucket evenly.
// Element i of this rank has global index first_index + i; bucket b holds the elements e with
// splitter[b - 1] <= e < splitter[b]. Keys are ordered bit patterns (kernels/local_sort.hpp).
// Reference twins: classify_ref, bucket_scatter_ref (plain loops).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::kernels {

/// A splitter: the element (key, global index) that starts the next bucket.
template <class Bits>
struct Splitter {
  Bits key;
  std::int64_t index;
  friend constexpr bool operator<(const Splitter& a, const Splitter& b) {
    return a.key < b.key || (a.key == b.key && a.index < b.index);
  }
  friend constexpr bool operator==(const Splitter&, const Splitter&) = default;
};

/// bucket[i] = the number of splitters <= (keys[i], first_index + i). Parallel.
template <class Bits>
void classify(std::span<const Bits> keys, std::int64_t first_index, std::span<const Splitter<Bits>> splitters,
              std::span<std::uint32_t> bucket);
template <class Bits>
void classify_ref(std::span<const Bits> keys, std::int64_t first_index, std::span<const Splitter<Bits>> splitters,
                  std::span<std::uint32_t> bucket);

/// Scatters keys (and payload rows of `payload_bytes`, if any) into runs by bucket, stably;
/// returns each bucket's count. out_keys/out_payload are as large as the input. Parallel.
template <class Bits>
std::vector<std::int64_t> bucket_scatter(std::span<const Bits> keys, std::span<const std::uint32_t> bucket,
                                         int buckets, const void* payload, std::size_t payload_bytes,
                                         std::span<Bits> out_keys, void* out_payload);
template <class Bits>
std::vector<std::int64_t> bucket_scatter_ref(std::span<const Bits> keys, std::span<const std::uint32_t> bucket,
                                             int buckets, const void* payload, std::size_t payload_bytes,
                                             std::span<Bits> out_keys, void* out_payload);

/// An order-independent checksum of a multiset of (key, payload row) pairs: the sum modulo
/// 2^64 of a strong 64-bit hash of each pair. Equal before and after any permutation; a lost,
/// duplicated or altered element changes it (but for a 2^-64 chance). `keys` are raw key
/// bytes (`key_bytes` each). Parallel; the sum does not depend on the thread count.
std::uint64_t multiset_checksum(const void* keys, std::size_t key_bytes, const void* payload,
                                std::size_t payload_bytes, std::int64_t count);

}  // namespace tessera::kernels
