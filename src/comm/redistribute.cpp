// Redistribution plans: counts by one alltoall, elements by alltoallv of bytes.
#include "tessera/comm/redistribute.hpp"

#include "tessera/base/error.hpp"

#include <cstring>
#include <numeric>

namespace tessera {

Redistribution::Redistribution(const Communicator& comm, std::vector<std::int64_t> send_counts,
                               std::vector<std::int64_t> pack, std::int64_t message_limit)
    : comm_(comm), send_counts_(std::move(send_counts)), pack_(std::move(pack)), message_limit_(message_limit) {
  if (send_counts_.size() != static_cast<std::size_t>(comm_.size())) {
    throw RuntimeError("Redistribution: " + std::to_string(send_counts_.size()) + " send counts for " +
                       std::to_string(comm_.size()) + " ranks");
  }
  recv_counts_ = alltoall(comm_, std::span<const std::int64_t>(send_counts_));
  sent_ = std::accumulate(send_counts_.begin(), send_counts_.end(), std::int64_t{0});
  received_ = std::accumulate(recv_counts_.begin(), recv_counts_.end(), std::int64_t{0});
}

Redistribution Redistribution::from_send_counts(const Communicator& comm, std::vector<std::int64_t> send_counts,
                                                std::int64_t message_limit) {
  return {comm, std::move(send_counts), {}, message_limit};
}

Redistribution Redistribution::from_destinations(const Communicator& comm, std::span<const int> destination,
                                                 std::int64_t message_limit) {
  const auto ranks = static_cast<std::size_t>(comm.size());
  std::vector<std::int64_t> counts(ranks, 0);
  for (const int d : destination) {
    if (d < 0 || d >= comm.size()) {
      throw RuntimeError("Redistribution: destination rank " + std::to_string(d) + " outside 0.." +
                         std::to_string(comm.size() - 1));
    }
    ++counts[static_cast<std::size_t>(d)];
  }
  // A counting sort by destination: stable, so each destination's elements keep their order.
  std::vector<std::int64_t> next(ranks, 0);
  std::exclusive_scan(counts.begin(), counts.end(), next.begin(), std::int64_t{0});
  std::vector<std::int64_t> pack(destination.size());
  for (std::size_t i = 0; i < destination.size(); ++i) {
    pack[static_cast<std::size_t>(next[static_cast<std::size_t>(destination[i])]++)] = static_cast<std::int64_t>(i);
  }
  return {comm, std::move(counts), std::move(pack), message_limit};
}

void Redistribution::exchange_bytes(const void* elements, void* received, std::size_t element_bytes) const {
  const auto* from = static_cast<const unsigned char*>(elements);
  std::vector<unsigned char> packed;
  if (!pack_.empty()) {
    packed.resize(pack_.size() * element_bytes);
    for (std::size_t j = 0; j < pack_.size(); ++j) {
      std::memcpy(packed.data() + j * element_bytes, from + static_cast<std::size_t>(pack_[j]) * element_bytes,
                  element_bytes);
    }
    from = packed.data();
  }
  // Elements of any width travel as one MPI element each: the int limit counts elements.
  alltoallv_bytes(comm_, from, send_counts_, received, recv_counts_, element_bytes, message_limit_);
}

}  // namespace tessera
