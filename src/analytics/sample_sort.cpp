// Distributed sample sort (see sample_sort.hpp).
#include "tessera/analytics/sample_sort.hpp"

#include "tessera/comm/redistribute.hpp"
#include "tessera/domain/row_exchange.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/kernels/counter_rng.hpp"
#include "tessera/kernels/local_sort.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

namespace tessera {

namespace {
// The sort's random stream ("sort" in ASCII), apart from every other app's.
constexpr std::uint64_t kSampleStream = 0x736f7274ULL << 32;
}  // namespace

template <class Key>
SortRun<kernels::OrderedBits<Key>> to_bit_patterns(SortRun<Key>&& run) {
  SortRun<kernels::OrderedBits<Key>> bits;
  bits.payload_bytes = run.payload_bytes;
  bits.keys.resize(run.keys.size());
  kernels::to_ordered_bits<Key>(run.keys, bits.keys);
  bits.payload = std::move(run.payload);
  run = {};
  return bits;
}

template <class Key>
SortRun<Key> from_bit_patterns(SortRun<kernels::OrderedBits<Key>>&& run) {
  SortRun<Key> keys;
  keys.payload_bytes = run.payload_bytes;
  keys.keys.resize(run.keys.size());
  kernels::from_ordered_bits<Key>(run.keys, keys.keys);
  keys.payload = std::move(run.payload);
  run = {};
  return keys;
}

template <class Bits>
std::vector<Splitter<Bits>> choose_splitters(const Communicator& comm, std::span<const Bits> keys,
                                             std::int64_t first_index, std::int64_t total,
                                             const SampleSortConfig& config) {
  const int buckets = comm.size();
  const auto local = static_cast<std::int64_t>(keys.size());
  const std::int64_t wanted = std::min(config.max_samples, config.samples_per_bucket * buckets);
  std::vector<Bits> sample_keys;
  std::vector<std::int64_t> sample_index;
  if (wanted >= total) {
    // A sample as large as the data: take all of it, and the splitters are exact.
    sample_keys.assign(keys.begin(), keys.end());
    sample_index.resize(keys.size());
    for (std::int64_t i = 0; i < local; ++i) sample_index[static_cast<std::size_t>(i)] = first_index + i;
  } else {
    const kernels::CounterRng rng(config.seed, kSampleStream);
    for (std::int64_t s = 0; s < wanted; ++s) {
      const auto index = static_cast<std::int64_t>(rng.bits64(static_cast<std::uint64_t>(s)) %
                                                   static_cast<std::uint64_t>(total));
      if (index < first_index || index >= first_index + local) continue;
      sample_keys.push_back(keys[static_cast<std::size_t>(index - first_index)]);
      sample_index.push_back(index);
    }
  }
  const auto all_keys = allgatherv(comm, std::span<const Bits>(sample_keys));
  const auto all_index = allgatherv(comm, std::span<const std::int64_t>(sample_index));
  std::vector<Splitter<Bits>> sample(all_keys.size());
  for (std::size_t i = 0; i < sample.size(); ++i) sample[i] = {all_keys[i], all_index[i]};
  std::sort(sample.begin(), sample.end());
  std::vector<Splitter<Bits>> splitters;
  const auto count = static_cast<std::int64_t>(sample.size());
  for (int b = 1; b < buckets; ++b) {
    const std::int64_t at = count * b / buckets;
    // An empty sample (no data at all) leaves every element in bucket 0.
    splitters.push_back(at < count ? sample[static_cast<std::size_t>(at)]
                                   : Splitter<Bits>{std::numeric_limits<Bits>::max(), std::numeric_limits<std::int64_t>::max()});
  }
  return splitters;
}

template <class Bits>
SortRun<Bits> partition(const SortRun<Bits>& input, std::int64_t first_index, std::span<const Splitter<Bits>> splitters,
                        std::vector<std::int64_t>& counts) {
  const std::size_t n = input.keys.size();
  std::vector<std::uint32_t> bucket(n);
  kernels::classify(std::span<const Bits>(input.keys), first_index, splitters, std::span<std::uint32_t>(bucket));
  SortRun<Bits> packed;
  packed.payload_bytes = input.payload_bytes;
  packed.keys.resize(n);
  packed.payload.resize(input.payload.size());
  counts = kernels::bucket_scatter(std::span<const Bits>(input.keys), std::span<const std::uint32_t>(bucket),
                                   static_cast<int>(splitters.size()) + 1, input.payload.data(), input.payload_bytes,
                                   std::span<Bits>(packed.keys), packed.payload.data());
  return packed;
}

template <class K>
SortRun<K> exchange(const Communicator& comm, const SortRun<K>& packed, std::vector<std::int64_t> counts,
                    std::int64_t message_limit) {
  const auto plan = Redistribution::from_send_counts(comm, std::move(counts), message_limit);
  SortRun<K> bucket;
  bucket.payload_bytes = packed.payload_bytes;
  bucket.keys = plan.exchange(std::span<const K>(packed.keys));
  if (packed.payload_bytes > 0) {
    bucket.payload = plan.exchange(std::span<const unsigned char>(packed.payload),
                                   static_cast<std::int64_t>(packed.payload_bytes));
  }
  return bucket;
}

namespace {
template <class Bits, class Position>
void sort_with_positions(SortRun<Bits>& run) {
  const std::size_t n = run.keys.size();
  std::vector<Position> position(n);
  for (std::size_t i = 0; i < n; ++i) position[i] = static_cast<Position>(i);
  std::vector<Bits> scratch(n);
  std::vector<Position> position_scratch(n);
  kernels::radix_sort_bits(std::span<Bits>(run.keys), std::span<Position>(position), std::span<Bits>(scratch),
                           std::span<Position>(position_scratch));
  std::vector<unsigned char> moved(run.payload.size());
  kernels::gather_rows(run.payload.data(), run.payload_bytes, std::span<const Position>(position), moved.data());
  run.payload = std::move(moved);
}
}  // namespace

template <class Bits>
void sort_run(SortRun<Bits>& run) {
  const std::size_t n = run.keys.size();
  if (run.payload_bytes == 0) {
    std::vector<Bits> scratch(n);
    kernels::radix_sort_bits(std::span<Bits>(run.keys), std::span<std::uint32_t>(), std::span<Bits>(scratch),
                             std::span<std::uint32_t>());
  } else if (n <= std::numeric_limits<std::uint32_t>::max()) {
    sort_with_positions<Bits, std::uint32_t>(run);  // half the traffic of 64-bit positions
  } else {
    sort_with_positions<Bits, std::uint64_t>(run);
  }
}

template <class K>
SortRun<K> rebalance(const Communicator& comm, SortRun<K>&& run, const RowPartition& target,
                     std::int64_t message_limit) {
  const std::int64_t first = exscan_sum(comm, run.size());
  const auto plan = rows_to_partition(comm, first, run.size(), target, message_limit);
  SortRun<K> out;
  out.payload_bytes = run.payload_bytes;
  out.keys = plan.exchange(std::span<const K>(run.keys));
  std::vector<K>().swap(run.keys);
  if (run.payload_bytes > 0) {
    out.payload = plan.exchange(std::span<const unsigned char>(run.payload), static_cast<std::int64_t>(run.payload_bytes));
  }
  return out;
}

template <class Key>
std::uint64_t global_checksum(const Communicator& comm, const SortRun<Key>& run) {
  const std::uint64_t local = kernels::multiset_checksum(run.keys.data(), sizeof(Key), run.payload.data(),
                                                         run.payload_bytes, run.size());
  return allreduce_sum(comm, local);  // unsigned: wraps modulo 2^64 like the local sums
}

template <class Key>
SortCheck check_sorted(const Communicator& comm, const SortRun<Key>& run, std::int64_t expected_count,
                       std::uint64_t expected_checksum) {
  using Bits = kernels::OrderedBits<Key>;
  SortCheck check;
  const std::size_t n = run.keys.size();
  std::int64_t unsorted = 0;
  for (std::size_t i = 1; i < n; ++i) {
    unsorted += kernels::ordered_bits(run.keys[i]) < kernels::ordered_bits(run.keys[i - 1]) ? 1 : 0;
  }
  // Each rank's first and last key, to check the boundaries between non-empty ranks.
  const std::uint64_t ends[3] = {n > 0 ? 1U : 0U, n > 0 ? std::uint64_t{kernels::ordered_bits(run.keys.front())} : 0,
                                 n > 0 ? std::uint64_t{kernels::ordered_bits(run.keys.back())} : 0};
  const auto all_ends = allgatherv(comm, std::span<const std::uint64_t>(ends, 3));
  std::int64_t bad_boundaries = 0;
  bool have_previous = false;
  std::uint64_t previous_last = 0;
  for (int r = 0; r < comm.size(); ++r) {
    const std::size_t at = static_cast<std::size_t>(r) * 3;
    if (all_ends[at] == 0) continue;
    if (have_previous && all_ends[at + 1] < previous_last) ++bad_boundaries;
    have_previous = true;
    previous_last = all_ends[at + 2];
  }
  check.unsorted_pairs = allreduce_sum(comm, unsorted);
  check.bad_boundaries = bad_boundaries;
  check.count = allreduce_sum(comm, run.size());
  check.checksum = global_checksum(comm, run);
  static_assert(sizeof(Bits) == sizeof(Key));
  std::string reason;
  auto fail = [&](const std::string& what) { reason += (reason.empty() ? "" : "; ") + what; };
  if (check.unsorted_pairs > 0) fail(std::to_string(check.unsorted_pairs) + " adjacent keys out of order");
  if (check.bad_boundaries > 0) fail(std::to_string(check.bad_boundaries) + " rank boundaries out of order");
  if (check.count != expected_count) {
    fail(std::to_string(check.count) + " keys out, " + std::to_string(expected_count) + " in");
  }
  if (check.checksum != expected_checksum) fail("the (key, value) multiset changed (checksum differs)");
  check.passed = reason.empty();
  check.reason = reason;
  return check;
}

template <class Key>
SortRun<Key> sample_sort(const Communicator& comm, SortRun<Key> input, std::int64_t first_index, std::int64_t total,
                         const SampleSortConfig& config) {
  using Bits = kernels::OrderedBits<Key>;
  // The phases trust the layout: every rank's run at its place in a table of `total` rows.
  const std::int64_t expected_first = exscan_sum(comm, input.size());
  const std::int64_t misplaced = allreduce_max(comm, static_cast<std::int64_t>(expected_first != first_index));
  const std::int64_t rows = allreduce_sum(comm, input.size());
  if (misplaced != 0 || rows != total) {
    throw RuntimeError("sample_sort: the ranks hold " + std::to_string(rows) + " rows, not total = " +
                           std::to_string(total) + ", or a rank's first_index is not the rows before it",
                       true);
  }
  SortRun<Bits> bits = to_bit_patterns(std::move(input));
  const auto splitters = choose_splitters<Bits>(comm, bits.keys, first_index, total, config);
  std::vector<std::int64_t> counts;
  SortRun<Bits> packed = partition<Bits>(bits, first_index, splitters, counts);
  bits = {};
  SortRun<Bits> bucket = exchange(comm, packed, std::move(counts), config.message_limit);
  packed = {};
  sort_run(bucket);
  SortRun<Key> sorted = from_bit_patterns<Key>(std::move(bucket));
  return rebalance(comm, std::move(sorted), RowPartition::uniform(total, comm.size()), config.message_limit);
}

#define TESSERA_SORT_BITS(Bits)                                                                                  \
  template std::vector<Splitter<Bits>> choose_splitters<Bits>(const Communicator&, std::span<const Bits>,          \
                                                              std::int64_t, std::int64_t, const SampleSortConfig&); \
  template SortRun<Bits> partition<Bits>(const SortRun<Bits>&, std::int64_t, std::span<const Splitter<Bits>>,    \
                                         std::vector<std::int64_t>&);                                            \
  template SortRun<Bits> exchange<Bits>(const Communicator&, const SortRun<Bits>&, std::vector<std::int64_t>,    \
                                        std::int64_t);                                                           \
  template void sort_run<Bits>(SortRun<Bits>&);
TESSERA_SORT_BITS(std::uint32_t)
TESSERA_SORT_BITS(std::uint64_t)
#undef TESSERA_SORT_BITS

#define TESSERA_SORT_KEY(Key)                                                                                   \
  template SortRun<Key> rebalance<Key>(const Communicator&, SortRun<Key>&&, const RowPartition&, std::int64_t); \
  template std::uint64_t global_checksum<Key>(const Communicator&, const SortRun<Key>&);                        \
  template SortCheck check_sorted<Key>(const Communicator&, const SortRun<Key>&, std::int64_t, std::uint64_t); \
  template SortRun<Key> sample_sort<Key>(const Communicator&, SortRun<Key>, std::int64_t, std::int64_t,          \
                                         const SampleSortConfig&);                                               \
  template SortRun<kernels::OrderedBits<Key>> to_bit_patterns<Key>(SortRun<Key>&&);                              \
  template SortRun<Key> from_bit_patterns<Key>(SortRun<kernels::OrderedBits<Key>>&&);
TESSERA_SORT_KEY(std::int32_t)
TESSERA_SORT_KEY(std::int64_t)
TESSERA_SORT_KEY(std::uint64_t)
TESSERA_SORT_KEY(float)
TESSERA_SORT_KEY(double)
#undef TESSERA_SORT_KEY

}  // namespace tessera
