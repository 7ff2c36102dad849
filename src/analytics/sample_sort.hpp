// Distributed sample sort: the library half of the sort app, in phases an app times and
// checkpoints between.
//
//   choose_splitters  a random sample of the keys (chosen by global index from a counter-based
//                     generator, so the sample does not depend on the rank count), gathered
//                     and sorted on every rank; P - 1 evenly spaced sample elements become the
//                     splitters. Splitters are (key, global index) pairs: ties between equal
//                     keys are broken by input position, so duplicate-heavy data stays balanced.
//   partition         every key classified by the splitters and packed by destination
//                     (kernels/bucket_partition), its payload row alongside.
//   exchange          one Redistribution: each rank receives its bucket, grouped by source rank.
//   sort_run          a stable radix sort of the bucket (kernels/local_sort): since sources
//                     arrive in rank order and each in input order, equal keys end in input
//                     order, and the result is the stable sort of the whole input: the same
//                     bytes for any rank and thread count.
//   rebalance         rows moved so that rank r holds rows [offset_r, offset_r + count_r) of the
//                     uniform row partition (src/domain/row_exchange).
//
// Keys travel as ordered bit patterns (uint32 or uint64, kernels/local_sort.hpp); the payload
// is opaque rows of bytes (a values data set of any type and width).
#pragma once

#include "tessera/comm/collectives.hpp"
#include "tessera/comm/communicator.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/kernels/bucket_partition.hpp"
#include "tessera/kernels/local_sort.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

using kernels::Splitter;

struct SampleSortConfig {
  std::uint64_t seed = 1;
  /// Sample elements per bucket: the bucket sizes vary by about 1/sqrt of it (4096: ~1.5%).
  std::int64_t samples_per_bucket = 4096;
  /// Cap on the whole sample, which every rank holds and sorts (16 bytes an element).
  std::int64_t max_samples = std::int64_t{1} << 21;
  /// Largest MPI message in elements (tests lower it to exercise chunking).
  std::int64_t message_limit = kMpiMaxCount;
};

/// A rank's keys and their payload rows (payload_bytes each, possibly 0).
template <class K>
struct SortRun {
  std::vector<K> keys;
  std::vector<unsigned char> payload;
  std::size_t payload_bytes = 0;
  [[nodiscard]] std::int64_t size() const { return static_cast<std::int64_t>(keys.size()); }
};

/// Node-local: a run's keys as ordered bit patterns (the payload moved along; `run` is left empty).
template <class Key>
SortRun<kernels::OrderedBits<Key>> to_bit_patterns(SortRun<Key>&& run);
/// Node-local: the keys of a run of ordered bit patterns (the inverse).
template <class Key>
SortRun<Key> from_bit_patterns(SortRun<kernels::OrderedBits<Key>>&& run);

/// Collective: the P - 1 splitters, the same on every rank. `keys` are this rank's keys, in
/// input order, global indices [first_index, first_index + keys.size()) of `total`.
template <class Bits>
std::vector<Splitter<Bits>> choose_splitters(const Communicator& comm, std::span<const Bits> keys,
                                             std::int64_t first_index, std::int64_t total,
                                             const SampleSortConfig& config);

/// Node-local: `input` packed by bucket; `counts` receives each bucket's size.
template <class Bits>
SortRun<Bits> partition(const SortRun<Bits>& input, std::int64_t first_index, std::span<const Splitter<Bits>> splitters,
                        std::vector<std::int64_t>& counts);

/// Collective: sends bucket r of `packed` (counts[r] elements) to rank r; returns this rank's bucket.
template <class K>
SortRun<K> exchange(const Communicator& comm, const SortRun<K>& packed, std::vector<std::int64_t> counts,
                    std::int64_t message_limit = kMpiMaxCount);

/// Node-local: stable radix sort of the run's keys, its payload rows moved alongside.
template <class Bits>
void sort_run(SortRun<Bits>& run);

/// Collective: moves rows so that this rank ends with rows [target.offset(rank), +count) of
/// the concatenation in rank order of every rank's run.
template <class K>
SortRun<K> rebalance(const Communicator& comm, SortRun<K>&& run, const RowPartition& target,
                     std::int64_t message_limit = kMpiMaxCount);

/// Collective: all the phases in one call, for code that does not time or checkpoint them:
/// the stable sort of every rank's `input` (global indices [first_index, + input.size()) of
/// `total`), returned as this rank's rows of the uniform row partition.
template <class Key>
SortRun<Key> sample_sort(const Communicator& comm, SortRun<Key> input, std::int64_t first_index, std::int64_t total,
                         const SampleSortConfig& config = {});

/// The outcome of verifying a distributed sort.
struct SortCheck {
  bool passed = false;
  std::int64_t count = 0;
  std::int64_t unsorted_pairs = 0;     ///< adjacent pairs out of order, within ranks
  std::int64_t bad_boundaries = 0;     ///< rank boundaries out of order
  std::uint64_t checksum = 0;          ///< multiset checksum of the output
  std::string reason;
};

/// Collective, O(n/P) per rank: every rank's keys in order, every boundary between
/// consecutive non-empty ranks in order, `expected_count` elements in all, and the multiset
/// checksum (kernels/bucket_partition.hpp) of (key, payload) pairs equal to `expected_checksum`.
template <class Key>
SortCheck check_sorted(const Communicator& comm, const SortRun<Key>& run, std::int64_t expected_count,
                       std::uint64_t expected_checksum);

/// Collective: the multiset checksum of every rank's (key, payload) pairs, summed over ranks.
template <class Key>
std::uint64_t global_checksum(const Communicator& comm, const SortRun<Key>& run);

}  // namespace tessera
