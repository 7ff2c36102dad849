// Typed collectives over spans: allreduce, reduce, broadcast, gather. Thin, checked wrappers
// so app code never spells out counts and datatypes by hand.
#pragma once

#include "src/base/error.hpp"
#include "src/comm/communicator.hpp"
#include "src/comm/mpi_check.hpp"
#include "src/comm/mpi_type.hpp"

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

/// Every rank's span concatenated in rank order, on every rank.
template <class T>
std::vector<T> allgatherv(const Communicator& comm, std::span<const T> local) {
  const std::vector<int> counts = allgather(comm, mpi_count(local.size()));
  std::vector<long long> total(counts.begin(), counts.end());
  std::vector<int> displs(counts.size(), 0);
  long long at = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    displs[r] = mpi_count(static_cast<std::size_t>(at));
    at += total[r];
  }
  std::vector<T> all(static_cast<std::size_t>(at));
  TESSERA_MPI_CHECK(MPI_Allgatherv(local.data(), static_cast<int>(local.size()), mpi_type<T>(), all.data(),
                                   counts.data(), displs.data(), mpi_type<T>(), comm.get()));
  return all;
}

/// Sum of `value` over the ranks before this one (0 on rank 0).
template <class T>
T exscan_sum(const Communicator& comm, T value) {
  T result{};
  TESSERA_MPI_CHECK(MPI_Exscan(&value, &result, 1, mpi_type<T>(), MPI_SUM, comm.get()));
  return comm.rank() == 0 ? T{} : result;
}

}  // namespace tessera
