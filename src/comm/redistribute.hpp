// Redistribution: a communication plan that moves elements to the ranks that should hold them
// (Cabana's Distributor pattern). It is built once from where each element goes (a destination
// rank per element, or counts per destination for elements already grouped by destination),
// exchanging only counts; then exchange() moves any number of arrays of those elements
// (keys, values, rows of several columns) with the same plan. Received elements are grouped by
// source rank in rank order, and each source's elements keep their order: a sort relies on it
// to keep equal keys in input order. Transfers of any size (chunked beyond MPI's int counts).
// The sort's bucket exchange and rebalancing, and the training app's sample fetching use it.
#pragma once

#include "tessera/comm/collectives.hpp"
#include "tessera/comm/communicator.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

class Redistribution {
 public:
  /// Collective. The elements are grouped by destination: the first send_counts[0] go to
  /// rank 0, the next send_counts[1] to rank 1, and so on (one count per rank).
  static Redistribution from_send_counts(const Communicator& comm, std::vector<std::int64_t> send_counts,
                                         std::int64_t message_limit = kMpiMaxCount);
  /// Collective. destination[i] is the rank element i goes to, in any order; exchange() packs
  /// the elements by destination (stably) before sending.
  static Redistribution from_destinations(const Communicator& comm, std::span<const int> destination,
                                          std::int64_t message_limit = kMpiMaxCount);

  /// Elements this rank sends (the plan's input size) and receives.
  [[nodiscard]] std::int64_t sent() const { return sent_; }
  [[nodiscard]] std::int64_t received() const { return received_; }
  [[nodiscard]] const std::vector<std::int64_t>& send_counts() const { return send_counts_; }
  [[nodiscard]] const std::vector<std::int64_t>& recv_counts() const { return recv_counts_; }

  /// Collective: moves `elements` (sent() elements of `width` T each, in the order the plan was
  /// built from) into `received` (received() elements of `width` T each).
  template <class T>
  void exchange(std::span<const T> elements, std::span<T> received, std::int64_t width = 1) const;
  /// The same, returning the received elements.
  template <class T>
  [[nodiscard]] std::vector<T> exchange(std::span<const T> elements, std::int64_t width = 1) const {
    std::vector<T> out(static_cast<std::size_t>(received_ * width));
    exchange(elements, std::span<T>(out), width);
    return out;
  }

 private:
  Redistribution(const Communicator& comm, std::vector<std::int64_t> send_counts, std::vector<std::int64_t> pack,
                 std::int64_t message_limit);
  void exchange_bytes(const void* elements, void* received, std::size_t element_bytes) const;

  Communicator comm_;
  std::vector<std::int64_t> send_counts_;
  std::vector<std::int64_t> recv_counts_;
  std::vector<std::int64_t> pack_;  ///< packed position -> element index; empty when already grouped
  std::int64_t sent_ = 0;
  std::int64_t received_ = 0;
  std::int64_t message_limit_;
};

template <class T>
void Redistribution::exchange(std::span<const T> elements, std::span<T> received, std::int64_t width) const {
  if (static_cast<std::int64_t>(elements.size()) != sent_ * width ||
      static_cast<std::int64_t>(received.size()) != received_ * width) {
    throw RuntimeError("Redistribution::exchange: " + std::to_string(elements.size()) + " elements to send and " +
                       std::to_string(received.size()) + " to receive do not match the plan's " +
                       std::to_string(sent_) + " and " + std::to_string(received_) + " rows of " +
                       std::to_string(width));
  }
  exchange_bytes(elements.data(), received.data(), sizeof(T) * static_cast<std::size_t>(width));
}

}  // namespace tessera
