// Non-template collectives.
#include "tessera/comm/collectives.hpp"

#include "tessera/comm/datatype.hpp"
#include "tessera/comm/request.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

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

void alltoallv_elements(const Communicator& comm, const void* send, std::size_t send_size,
                        std::span<const std::int64_t> send_counts, void* recv, std::size_t recv_size,
                        std::span<const std::int64_t> recv_counts, MPI_Datatype type, std::size_t type_bytes,
                        std::int64_t limit) {
  limit = std::clamp<std::int64_t>(limit, 1, kMpiMaxCount);
  const auto ranks = static_cast<std::size_t>(comm.size());
  const auto sum = [](std::span<const std::int64_t> c) { return std::accumulate(c.begin(), c.end(), std::int64_t{0}); };
  // Checked before anything is posted: a throw must not leave receives into freed buffers.
  if (send_counts.size() != ranks || recv_counts.size() != ranks ||
      sum(send_counts) != static_cast<std::int64_t>(send_size) || sum(recv_counts) != static_cast<std::int64_t>(recv_size) ||
      send_counts[static_cast<std::size_t>(comm.rank())] != recv_counts[static_cast<std::size_t>(comm.rank())]) {
    throw RuntimeError("alltoallv: " + std::to_string(send_size) + " elements to send and " + std::to_string(recv_size) +
                       " to receive do not match the counts (one per rank, this rank's own send and receive equal)");
  }
  std::vector<int> sc, sd, rc, rd;
  // Every rank must take the same path: agree on whether any rank's counts need chunks.
  const int fits = as_int_counts(send_counts, limit, sc, sd) && as_int_counts(recv_counts, limit, rc, rd) ? 1 : 0;
  int all_fit = 0;
  TESSERA_MPI_CHECK(MPI_Allreduce(&fits, &all_fit, 1, MPI_INT, MPI_MIN, comm.get()));
  if (all_fit != 0) {
    TESSERA_MPI_CHECK(MPI_Alltoallv(send, sc.data(), sd.data(), type, recv, rc.data(), rd.data(), type, comm.get()));
  } else {
    alltoallv_chunked(comm, send, send_counts, recv, recv_counts, type, type_bytes, limit);
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
  const std::int64_t own = send_counts[static_cast<std::size_t>(me)];  // checked equal to the receive count
  if (own > 0) {
    std::memcpy(out + static_cast<std::size_t>(recv_at[me]) * type_bytes,
                in + static_cast<std::size_t>(send_at[me]) * type_bytes, static_cast<std::size_t>(own) * type_bytes);
  }
  wait_all(requests);
}

}  // namespace detail

void alltoallv_bytes(const Communicator& comm, const void* send, std::span<const std::int64_t> send_counts, void* recv,
                     std::span<const std::int64_t> recv_counts, std::size_t element_bytes, std::int64_t limit) {
  const Datatype element = Datatype::contiguous_bytes(element_bytes);
  const auto total = [](std::span<const std::int64_t> c) {
    return static_cast<std::size_t>(std::accumulate(c.begin(), c.end(), std::int64_t{0}));
  };
  detail::alltoallv_elements(comm, send, total(send_counts), send_counts, recv, total(recv_counts), recv_counts,
                             element.get(), element_bytes, limit);
}

}  // namespace tessera
