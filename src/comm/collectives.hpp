// Typed collectives over spans: allreduce, reduce, broadcast, gather(v), allgather(v), exscan
// and alltoall(v). Thin, checked wrappers so app code never spells out counts and datatypes
// by hand. The variable-count collectives take 64-bit counts: MPI's counts and displacements
// are ints, so a transfer beyond 2^31 - 1 elements (a sort's bucket of 3e9 keys) is carried in
// chunks of at most `limit` elements, by point-to-point messages or one broadcast per chunk.
// Tests pass a small limit to exercise the chunked path.
#pragma once

#include "tessera/base/error.hpp"
#include "tessera/comm/communicator.hpp"
#include "tessera/comm/mpi_check.hpp"
#include "tessera/comm/mpi_type.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <vector>

namespace tessera {

template <class T>
void allreduce(const Communicator& comm, std::span<const T> in, std::span<T> out, MPI_Op op) {
  if (in.size() != out.size()) throw RuntimeError("allreduce: input and output sizes differ");
  TESSERA_MPI_CHECK(MPI_Allreduce(in.data(), out.data(), static_cast<int>(in.size()),
                                  mpi_type<T>(), op, comm.get()));
}

template <class T>
void allreduce_in_place(const Communicator& comm, std::span<T> data, MPI_Op op) {
  TESSERA_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, data.data(), static_cast<int>(data.size()),
                                  mpi_type<T>(), op, comm.get()));
}

template <class T>
T allreduce(const Communicator& comm, T value, MPI_Op op) {
  T result{};
  TESSERA_MPI_CHECK(MPI_Allreduce(&value, &result, 1, mpi_type<T>(), op, comm.get()));
  return result;
}

template <class T>
T allreduce_sum(const Communicator& comm, T value) { return allreduce(comm, value, MPI_SUM); }
template <class T>
T allreduce_max(const Communicator& comm, T value) { return allreduce(comm, value, MPI_MAX); }
template <class T>
T allreduce_min(const Communicator& comm, T value) { return allreduce(comm, value, MPI_MIN); }

/// Reduces onto `root`; `out` is only written there (it may be empty elsewhere).
template <class T>
void reduce(const Communicator& comm, std::span<const T> in, std::span<T> out, MPI_Op op, int root) {
  TESSERA_MPI_CHECK(MPI_Reduce(in.data(), comm.rank() == root ? out.data() : nullptr,
                               static_cast<int>(in.size()), mpi_type<T>(), op, root, comm.get()));
}

template <class T>
void broadcast(const Communicator& comm, std::span<T> data, int root) {
  TESSERA_MPI_CHECK(MPI_Bcast(data.data(), static_cast<int>(data.size()), mpi_type<T>(), root,
                              comm.get()));
}

template <class T>
T broadcast(const Communicator& comm, T value, int root) {
  TESSERA_MPI_CHECK(MPI_Bcast(&value, 1, mpi_type<T>(), root, comm.get()));
  return value;
}

/// Broadcasts a string of any length from `root`.
std::string broadcast(const Communicator& comm, std::string text, int root);

/// One value per rank, gathered on `root` in rank order (empty elsewhere).
template <class T>
std::vector<T> gather(const Communicator& comm, T value, int root) {
  std::vector<T> all(comm.rank() == root ? static_cast<std::size_t>(comm.size()) : 0);
  TESSERA_MPI_CHECK(MPI_Gather(&value, 1, mpi_type<T>(), all.data(), 1, mpi_type<T>(), root,
                               comm.get()));
  return all;
}

/// The most elements one MPI call's count or displacement can express.
inline constexpr std::int64_t kMpiMaxCount = std::numeric_limits<int>::max();

/// An element count as MPI's int, refusing counts MPI cannot express.
inline int mpi_count(std::size_t n) {
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw RuntimeError("a message of " + std::to_string(n) + " elements exceeds MPI's int count");
  }
  return static_cast<int>(n);
}

/// Every rank's span concatenated in rank order on `root` (empty elsewhere).
template <class T>
std::vector<T> gatherv(const Communicator& comm, std::span<const T> local, int root) {
  const std::vector<int> counts = gather(comm, static_cast<int>(local.size()), root);
  std::vector<int> displs(counts.size(), 0);
  if (!counts.empty()) std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  std::vector<T> all(counts.empty() ? 0 : static_cast<std::size_t>(displs.back() + counts.back()));
  TESSERA_MPI_CHECK(MPI_Gatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(),
                                all.data(), counts.data(), displs.data(), mpi_type<T>(), root,
                                comm.get()));
  return all;
}

/// One value per rank, on every rank, in rank order.
template <class T>
std::vector<T> allgather(const Communicator& comm, T value) {
  std::vector<T> all(static_cast<std::size_t>(comm.size()));
  TESSERA_MPI_CHECK(MPI_Allgather(&value, 1, mpi_type<T>(), all.data(), 1, mpi_type<T>(), comm.get()));
  return all;
}

namespace detail {
/// Whole-message fallbacks for counts beyond `limit` (collectives.cpp).
void allgatherv_chunked(const Communicator& comm, const void* local, std::span<const std::int64_t> counts,
                        void* all, MPI_Datatype type, std::size_t type_bytes, std::int64_t limit);
void alltoallv_chunked(const Communicator& comm, const void* send, std::span<const std::int64_t> send_counts,
                       void* recv, std::span<const std::int64_t> recv_counts, MPI_Datatype type,
                       std::size_t type_bytes, std::int64_t limit);
/// Checks the buffers against the counts, then MPI_Alltoallv when every rank's counts fit,
/// else alltoallv_chunked (all ranks agree which).
void alltoallv_elements(const Communicator& comm, const void* send, std::size_t send_size,
                        std::span<const std::int64_t> send_counts, void* recv, std::size_t recv_size,
                        std::span<const std::int64_t> recv_counts, MPI_Datatype type, std::size_t type_bytes,
                        std::int64_t limit);
/// Counts and their displacements as ints, or false when one exceeds `limit`.
bool as_int_counts(std::span<const std::int64_t> counts, std::int64_t limit, std::vector<int>& ints,
                   std::vector<int>& displs);
}  // namespace detail

/// Every rank's span concatenated in rank order, on every rank (any total size).
template <class T>
std::vector<T> allgatherv(const Communicator& comm, std::span<const T> local, std::int64_t limit = kMpiMaxCount) {
  limit = std::clamp<std::int64_t>(limit, 1, kMpiMaxCount);
  const std::vector<std::int64_t> counts = allgather(comm, static_cast<std::int64_t>(local.size()));
  std::vector<T> all(static_cast<std::size_t>(std::accumulate(counts.begin(), counts.end(), std::int64_t{0})));
  std::vector<int> ints;
  std::vector<int> displs;
  if (detail::as_int_counts(counts, limit, ints, displs)) {
    TESSERA_MPI_CHECK(MPI_Allgatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(), all.data(),
                                     ints.data(), displs.data(), mpi_type<T>(), comm.get()));
  } else {
    detail::allgatherv_chunked(comm, local.data(), counts, all.data(), mpi_type<T>(), sizeof(T), limit);
  }
  return all;
}

/// Every rank's `send` (one value per destination rank) exchanged: returns one value per
/// source rank.
template <class T>
std::vector<T> alltoall(const Communicator& comm, std::span<const T> send) {
  if (send.size() != static_cast<std::size_t>(comm.size())) throw RuntimeError("alltoall: one value per rank expected");
  std::vector<T> recv(send.size());
  TESSERA_MPI_CHECK(MPI_Alltoall(send.data(), 1, mpi_type<T>(), recv.data(), 1, mpi_type<T>(), comm.get()));
  return recv;
}

/// Collective: `send` holds, in rank order, send_counts[r] elements for each rank r; `recv`
/// receives recv_counts[r] elements from each rank r, in rank order (the counts must match
/// the senders'). Counts of any size.
template <class T>
void alltoallv(const Communicator& comm, std::span<const T> send, std::span<const std::int64_t> send_counts,
               std::span<T> recv, std::span<const std::int64_t> recv_counts, std::int64_t limit = kMpiMaxCount) {
  detail::alltoallv_elements(comm, send.data(), send.size(), send_counts, recv.data(), recv.size(), recv_counts,
                             mpi_type<T>(), sizeof(T), limit);
}

/// The same for elements of `element_bytes` bytes each (rows of any width, as one MPI element
/// each: the int counts then limit elements, not bytes).
void alltoallv_bytes(const Communicator& comm, const void* send, std::span<const std::int64_t> send_counts, void* recv,
                     std::span<const std::int64_t> recv_counts, std::size_t element_bytes,
                     std::int64_t limit = kMpiMaxCount);

/// Sum of `value` over the ranks before this one (0 on rank 0).
template <class T>
T exscan_sum(const Communicator& comm, T value) {
  T result{};
  TESSERA_MPI_CHECK(MPI_Exscan(&value, &result, 1, mpi_type<T>(), MPI_SUM, comm.get()));
  return comm.rank() == 0 ? T{} : result;
}

}  // namespace tessera
