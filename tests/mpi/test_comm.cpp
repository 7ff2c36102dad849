// Communicators, typed collectives, MPI error checking and error agreement, at any rank count.
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/mpi_check.hpp"
#include "tessera/comm/redistribute.hpp"
#include "tessera/comm/request.hpp"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

namespace tessera {
namespace {

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

TEST(Collectives, AllreduceReduceBroadcastGather) {
  const Communicator comm = world();
  const int p = comm.size();
  const int r = comm.rank();
  EXPECT_EQ(allreduce_sum(comm, r + 1), p * (p + 1) / 2);
  EXPECT_EQ(allreduce_max(comm, static_cast<double>(r)), p - 1.0);
  EXPECT_EQ(allreduce_min(comm, 10LL + r), 10LL);

  std::vector<double> in{1.0 * r, 2.0, -1.0 * r};
  std::vector<double> out(3);
  allreduce<double>(comm, in, out, MPI_SUM);
  EXPECT_EQ(out, (std::vector<double>{p * (p - 1) / 2.0, 2.0 * p, -p * (p - 1) / 2.0}));

  std::vector<int> sum_on_root(comm.is_root() ? 2 : 0);
  const std::vector<int> mine{r, 1};
  reduce<int>(comm, mine, sum_on_root, MPI_SUM, 0);
  if (comm.is_root()) {
    EXPECT_EQ(sum_on_root, (std::vector<int>{p * (p - 1) / 2, p}));
  }

  // Unsigned 64-bit minimum and maximum compare as unsigned (a high bit is large, not negative).
  const std::uint64_t mine_u = r == 0 ? 0x4025c28f5c28f5c2ULL : 0xfff0000000000000ULL;
  EXPECT_EQ(allreduce_min(comm, mine_u), p > 1 ? 0x4025c28f5c28f5c2ULL : mine_u);
  EXPECT_EQ(allreduce_max(comm, mine_u), p > 1 ? 0xfff0000000000000ULL : mine_u);

  const int root = p - 1;
  EXPECT_EQ(broadcast(comm, r == root ? 42 : -1, root), 42);
  EXPECT_EQ(broadcast(comm, r == root ? std::string(1000, 'x') + "end" : std::string(), root),
            std::string(1000, 'x') + "end");

  const auto ranks = gather(comm, r * r, 0);
  const std::vector<long long> mine_v(static_cast<std::size_t>(r), r);  // rank r sends r copies of r
  const auto all = gatherv<long long>(comm, mine_v, 0);
  if (comm.is_root()) {
    ASSERT_EQ(ranks.size(), static_cast<std::size_t>(p));
    for (int i = 0; i < p; ++i) EXPECT_EQ(ranks[static_cast<std::size_t>(i)], i * i);
    std::vector<long long> expected;
    for (int i = 0; i < p; ++i) expected.insert(expected.end(), static_cast<std::size_t>(i), i);
    EXPECT_EQ(all, expected);
  } else {
    EXPECT_TRUE(ranks.empty());
  }
}

// Rank r sends (r + d) % 3 elements to rank d (so some pairs send nothing, and with 1 rank
// the only message is to itself); element values name sender, destination and position.
std::vector<std::int64_t> counts_to(int r, int p) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(p));
  for (int d = 0; d < p; ++d) counts[static_cast<std::size_t>(d)] = (r + d) % 3;
  return counts;
}
std::int64_t element(int from, int to, std::int64_t i) { return from * 1000000 + to * 1000 + i; }

TEST(Collectives, AlltoallvAndAllgathervWithAndWithoutChunks) {
  const Communicator comm = world();
  const int p = comm.size();
  const int r = comm.rank();
  const auto send_counts = counts_to(r, p);
  std::vector<std::int64_t> send;
  for (int d = 0; d < p; ++d) {
    for (std::int64_t i = 0; i < send_counts[static_cast<std::size_t>(d)]; ++i) send.push_back(element(r, d, i));
  }
  std::vector<std::int64_t> recv_counts(static_cast<std::size_t>(p));
  std::vector<std::int64_t> expected;
  for (int s = 0; s < p; ++s) {
    recv_counts[static_cast<std::size_t>(s)] = counts_to(s, p)[static_cast<std::size_t>(r)];
    for (std::int64_t i = 0; i < recv_counts[static_cast<std::size_t>(s)]; ++i) expected.push_back(element(s, r, i));
  }
  EXPECT_EQ(alltoall(comm, std::span<const std::int64_t>(send_counts)), recv_counts);
  // The limit 1 forces one message per element; 2^31-1 takes MPI_Alltoallv.
  for (const std::int64_t limit : {kMpiMaxCount, std::int64_t{1}, std::int64_t{2}}) {
    std::vector<std::int64_t> recv(expected.size(), -1);
    alltoallv(comm, std::span<const std::int64_t>(send), send_counts, std::span<std::int64_t>(recv), recv_counts, limit);
    EXPECT_EQ(recv, expected) << "limit " << limit;
  }
  // allgatherv: rank s contributes s elements (rank 0 none).
  std::vector<double> mine(static_cast<std::size_t>(r), r + 0.5);
  std::vector<double> all_expected;
  for (int s = 0; s < p; ++s) all_expected.insert(all_expected.end(), static_cast<std::size_t>(s), s + 0.5);
  for (const std::int64_t limit : {kMpiMaxCount, std::int64_t{1}, std::int64_t{2}}) {
    EXPECT_EQ(allgatherv(comm, std::span<const double>(mine), limit), all_expected) << "limit " << limit;
  }
}

TEST(Redistribution, DestinationsPerElementKeepOrderWithinEachSource) {
  const Communicator comm = world();
  const int p = comm.size();
  const int r = comm.rank();
  // Rank r holds 5 r elements (rank 0 none); element i goes to rank (i * 7 + r) % p.
  const std::int64_t n = 5 * r;
  std::vector<int> destination(static_cast<std::size_t>(n));
  std::vector<std::int64_t> keys(static_cast<std::size_t>(n));
  std::vector<double> rows(static_cast<std::size_t>(2 * n));  // two columns move together
  for (std::int64_t i = 0; i < n; ++i) {
    destination[static_cast<std::size_t>(i)] = static_cast<int>((i * 7 + r) % p);
    keys[static_cast<std::size_t>(i)] = element(r, destination[static_cast<std::size_t>(i)], i);
    rows[static_cast<std::size_t>(2 * i)] = static_cast<double>(keys[static_cast<std::size_t>(i)]);
    rows[static_cast<std::size_t>(2 * i + 1)] = -static_cast<double>(i);
  }
  for (const std::int64_t limit : {kMpiMaxCount, std::int64_t{1}}) {
    const auto plan = Redistribution::from_destinations(comm, destination, limit);
    EXPECT_EQ(plan.sent(), n);
    const auto got = plan.exchange(std::span<const std::int64_t>(keys));
    const auto got_rows = plan.exchange(std::span<const double>(rows), 2);
    std::vector<std::int64_t> expected;
    std::vector<double> expected_rows;
    for (int s = 0; s < p; ++s) {
      for (std::int64_t i = 0; i < 5 * s; ++i) {
        if ((i * 7 + s) % p != r) continue;
        expected.push_back(element(s, r, i));
        expected_rows.push_back(static_cast<double>(element(s, r, i)));
        expected_rows.push_back(-static_cast<double>(i));
      }
    }
    EXPECT_EQ(got, expected);
    EXPECT_EQ(got_rows, expected_rows);
    EXPECT_EQ(plan.received(), static_cast<std::int64_t>(expected.size()));
  }
}

TEST(Redistribution, GroupedCountsAndMismatchedSizesRefused) {
  const Communicator comm = world();
  const int p = comm.size();
  const int r = comm.rank();
  // Everything to the last rank.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(p), 0);
  counts.back() = r + 1;
  const auto plan = Redistribution::from_send_counts(comm, counts);
  const std::vector<int> mine(static_cast<std::size_t>(r + 1), r);
  const auto got = plan.exchange(std::span<const int>(mine));
  if (r == p - 1) {
    std::vector<int> expected;
    for (int s = 0; s < p; ++s) expected.insert(expected.end(), static_cast<std::size_t>(s + 1), s);
    EXPECT_EQ(got, expected);
  } else {
    EXPECT_TRUE(got.empty());
  }
  const std::vector<int> wrong(static_cast<std::size_t>(r + 2), r);
  EXPECT_THROW((void)plan.exchange(std::span<const int>(wrong)), RuntimeError);
}

TEST(Communicator, DuplicateAndSplitAreIndependentValues) {
  const Communicator comm = world();
  const Communicator copy = comm;  // shares the handle
  EXPECT_EQ(copy.get(), comm.get());
  const Communicator halves = comm.split(comm.rank() % 2, comm.rank());
  ASSERT_TRUE(halves.valid());
  EXPECT_EQ(halves.size(), (comm.size() + 1 - comm.rank() % 2) / 2);
  EXPECT_EQ(allreduce_sum(halves, 1), halves.size());
  const Communicator none = comm.split(MPI_UNDEFINED, 0);
  EXPECT_FALSE(none.valid());
}

TEST(MpiCheck, FailedCallThrowsWithCallSiteAndMpiMessage) {
  const Communicator comm = world();
  int value = 0;
  try {
    // Root out of range: an MPI error that comes back because our communicators return errors.
    TESSERA_MPI_CHECK(MPI_Bcast(&value, 1, MPI_INT, comm.size() + 5, comm.get()));
    FAIL() << "expected MpiError";
  } catch (const MpiError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("MPI_Bcast"), std::string::npos) << what;
    EXPECT_NE(what.find("test_comm.cpp"), std::string::npos) << what;
    EXPECT_NE(e.mpi_code(), MPI_SUCCESS);
    EXPECT_EQ(e.code(), ExitCode::runtime);
  }
}

TEST(Agreement, AllRanksLeaveWithTheFailingRanksMessage) {
  const Communicator comm = world();
  const int failing = comm.size() - 1;
  try {
    collective_check(comm, [&] {
      if (comm.rank() == failing) throw UsageError("bad value 7 on the last rank");
    });
    FAIL() << "expected an agreed error on every rank";
  } catch (const Error& e) {
    EXPECT_TRUE(e.collective());
    EXPECT_EQ(e.code(), ExitCode::usage);
    EXPECT_NE(std::string(e.what()).find("bad value 7 on the last rank"), std::string::npos);
  }
}

TEST(Agreement, LowestFailingRankWinsAndSuccessPasses) {
  const Communicator comm = world();
  EXPECT_NO_THROW(collective_check(comm, [] {}));
  try {
    collective_check(comm, [&] { throw RuntimeError("rank " + std::to_string(comm.rank())); });
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("rank 0", 0), 0U) << e.what();
    EXPECT_EQ(e.code(), ExitCode::runtime);
  }
}

TEST(Request, NonBlockingRingShift) {
  const Communicator comm = world();
  const int p = comm.size();
  const int next = (comm.rank() + 1) % p;
  const int prev = (comm.rank() + p - 1) % p;
  int sent = comm.rank() * 10;
  int received = -1;
  std::vector<Request> requests(2);
  TESSERA_MPI_CHECK(MPI_Irecv(&received, 1, MPI_INT, prev, 3, comm.get(), requests[0].handle()));
  TESSERA_MPI_CHECK(MPI_Isend(&sent, 1, MPI_INT, next, 3, comm.get(), requests[1].handle()));
  EXPECT_TRUE(requests[0].active());
  wait_all(requests);
  EXPECT_FALSE(requests[0].active());
  EXPECT_EQ(received, prev * 10);
  Request moved = std::move(requests[0]);
  EXPECT_FALSE(moved.active());
}

}  // namespace
}  // namespace tessera
