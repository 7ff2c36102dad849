// Non-template collectives.
#include "src/comm/collectives.hpp"

#include "src/comm/request.hpp"

#include <algorithm>
#include <cstring>

namespace tessera {

std::string broadcast(const Communicator& comm, std::string text, int root) {
  auto length = static_cast<long long>(text.size());
  length = broadcast(comm, length, root);
  text.resize(static_cast<std::size_t>(length));
  broadcast(comm, std::span<char>(text.data(), text.size()), root);
  return text;
}

namespace detail {

bool as_int_counts(std::span<const std::int64_t> counts, std::int64_t limit, std::vector<int>& ints,
                   std::vector<int>& displs) {
  ints.resize(counts.size());
  displs.resize(counts.size());
  std::int64_t at = 0;
  bool fits = true;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    if (counts[r] > limit || at > limit) fits = false;
    ints[r] = static_cast<int>(std::min(counts[r], kMpiMaxCount));
    displs[r] = static_cast<int>(std::min(at, kMpiMaxCount));
    at += counts[r];
  }
  return fits;
}

void allgatherv_chunked(const Communicator& comm, const void* local, std::span<const std::int64_t> counts,
                        void* all, MPI_Datatype type, std::size_t type_bytes, std::int64_t limit) {
  auto* out = static_cast<unsigned char*>(all);
  std::int64_t at = 0;
  for (int root = 0; root < comm.size(); ++root) {
    const std::int64_t count = counts[static_cast<std::size_t>(root)];
    unsigned char* block = out + static_cast<std::size_t>(at) * type_bytes;
    if (root == comm.rank() && count > 0) std::memcpy(block, local, static_cast<std::size_t>(count) * type_bytes);
    for (std::int64_t done = 0; done < count; done += limit) {
      const int chunk = static_cast<int>(std::min(limit, count - done));
      TESSERA_MPI_CHECK(MPI_Bcast(block + static_cast<std::size_t>(done) * type_bytes, chunk, type, root, comm.get()));
    }
    at += count;
  }
}

void alltoallv_chunked(const Communicator& comm, const void* send, std::span<const std::int64_t> send_counts,
                       void* recv, std::span<const std::int64_t> recv_counts, MPI_Datatype type,
                       std::size_t type_bytes, std::int64_t limit) {
  // Messages between one pair of ranks with one tag are received in the order sent (MPI's
  // non-overtaking rule), so every chunk can use the same tag.
  constexpr int kTag = 7411;
  const int size = comm.size();
  const int me = comm.rank();
  std::vector<std::int64_t> send_at(static_cast<std::size_t>(size) + 1, 0);
  std::vector<std::int64_t> recv_at(static_cast<std::size_t>(size) + 1, 0);
  for (int r = 0; r < size; ++r) {
    send_at[r + 1] = send_at[r] + send_counts[static_cast<std::size_t>(r)];
    recv_at[r + 1] = recv_at[r] + recv_counts[static_cast<std::size_t>(r)];
  }
  const auto* in = static_cast<const unsigned char*>(send);
  auto* out = static_cast<unsigned char*>(recv);
  std::vector<Request> requests;
  // Staggered peers (me + 1, me + 2, ...): not every rank starts with rank 0.
  for (int step = 1; step < size; ++step) {
    const int from = (me - step + size) % size;
    for (std::int64_t done = 0; done < recv_counts[static_cast<std::size_t>(from)]; done += limit) {
      const int chunk = static_cast<int>(std::min(limit, recv_counts[static_cast<std::size_t>(from)] - done));
      MPI_Request r = MPI_REQUEST_NULL;
      TESSERA_MPI_CHECK(MPI_Irecv(out + static_cast<std::size_t>(recv_at[from] + done) * type_bytes, chunk, type,
                                  from, kTag, comm.get(), &r));
      requests.emplace_back(r);
    }
  }
  for (int step = 1; step < size; ++step) {
    const int to = (me + step) % size;
    for (std::int64_t done = 0; done < send_counts[static_cast<std::size_t>(to)]; done += limit) {
      const int chunk = static_cast<int>(std::min(limit, send_counts[static_cast<std::size_t>(to)] - done));
      MPI_Request r = MPI_REQUEST_NULL;
      TESSERA_MPI_CHECK(MPI_Isend(in + static_cast<std::size_t>(send_at[to] + done) * type_bytes, chunk, type, to,
                                  kTag, comm.get(), &r));
      requests.emplace_back(r);
    }
  }
  const std::int64_t own = send_counts[static_cast<std::size_t>(me)];
  if (own != recv_counts[static_cast<std::size_t>(me)]) throw RuntimeError("alltoallv: a rank's own send and receive counts differ");
  if (own > 0) {
    std::memcpy(out + static_cast<std::size_t>(recv_at[me]) * type_bytes,
                in + static_cast<std::size_t>(send_at[me]) * type_bytes, static_cast<std::size_t>(own) * type_bytes);
  }
  wait_all(requests);
}

}  // namespace detail

}  // namespace tessera
