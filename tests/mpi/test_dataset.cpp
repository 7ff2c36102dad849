// The data path: row partitions with empty ranks, the data-set reader for every element type
// (batched reads, conversion, bad input refused), fetching rows by global index, and
// checkpoint format 2 with typed, replicated and ragged arrays restored on fewer ranks.
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/domain/row_exchange.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/io/checkpoint.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/io/parallel_file.hpp"

#include "tests/mpi/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <vector>

namespace tessera {
namespace {

namespace fs = std::filesystem;
using test::shared_temp_dir;

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

// Value of element (row, column) of a test table, exact in every element type.
double cell(std::int64_t row, std::int64_t column) { return static_cast<double>((row * 7 + column * 3) % 200); }

template <class T>
std::vector<T> rows_of(std::int64_t first, std::int64_t count, std::int64_t columns) {
  std::vector<T> v(static_cast<std::size_t>(count * columns));
  for (std::int64_t r = 0; r < count; ++r)
    for (std::int64_t c = 0; c < columns; ++c) v[static_cast<std::size_t>(r * columns + c)] = static_cast<T>(cell(first + r, c));
  return v;
}

// Writes a rows x columns table of T at FILE:/name, each rank its uniform share.
template <class T>
void write_table(const Communicator& comm, const fs::path& file, std::int64_t rows, std::int64_t columns) {
  const RowPartition part = RowPartition::uniform(rows, comm.size());
  auto mine = rows_of<T>(part.offset(comm.rank()), part.count(comm.rank()), columns);
  collective_check(comm, [&] {
    h5::Handle f = h5::create_parallel(comm, file);
    h5::write_array(comm, f, view_rows<T>("table", std::span<T>(mine), columns, part.offset(comm.rank()), rows));
    f.close();
  });
}

TEST(RowPartition, UniformFromCountsAndOwners) {
  const auto p = RowPartition::uniform(10, 4);
  EXPECT_EQ(p.counts(), (std::vector<std::int64_t>{3, 3, 2, 2}));
  EXPECT_EQ(p.owner(0), 0);
  EXPECT_EQ(p.owner(5), 1);
  EXPECT_EQ(p.owner(9), 3);
  // Fewer rows than parts: the empty parts own nothing.
  const auto few = RowPartition::uniform(2, 5);
  EXPECT_EQ(few.counts(), (std::vector<std::int64_t>{1, 1, 0, 0, 0}));
  EXPECT_EQ(few.owner(1), 1);
  const auto gaps = RowPartition::from_counts({0, 3, 0, 0, 2});
  EXPECT_EQ(gaps.owner(0), 1);
  EXPECT_EQ(gaps.owner(2), 1);
  EXPECT_EQ(gaps.owner(3), 4);
  EXPECT_THROW((void)gaps.owner(5), RuntimeError);
  EXPECT_THROW(RowPartition::from_counts({1, -1}), RuntimeError);
}

TEST(RowPartition, FromLocalCountsIncludingEmptyRanks) {
  const Communicator comm = world();
  const std::int64_t mine = comm.rank() % 2 == 0 ? comm.rank() + 1 : 0;
  const auto p = RowPartition::from_local_count(comm, mine);
  std::int64_t expected_offset = 0;
  for (int r = 0; r < comm.rank(); ++r) expected_offset += r % 2 == 0 ? r + 1 : 0;
  EXPECT_EQ(p.offset(comm.rank()), expected_offset);
  EXPECT_EQ(p.count(comm.rank()), mine);
  EXPECT_EQ(p.parts(), comm.size());
}

template <class T>
class ReaderTyped : public ::testing::Test {};
using ElementTypes = ::testing::Types<float, double, std::int32_t, std::int64_t, std::uint8_t, std::uint64_t>;
TYPED_TEST_SUITE(ReaderTyped, ElementTypes);

TYPED_TEST(ReaderTyped, ReadsEveryRankShareInBatchesAndConverts) {
  using T = TypeParam;
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "reader");
  // Row counts below, at and above the rank count (ranks without rows included).
  for (std::int64_t rows : {std::int64_t{1}, std::int64_t{3}, std::int64_t{37}}) {
    const std::int64_t columns = 5;
    write_table<T>(comm, dir / "t.h5", rows, columns);
    const DatasetRef ref = parse_dataset_ref((dir / "t.h5").string() + ":/table", "--input");
    const DatasetInfo info = describe_dataset(comm, ref);
    EXPECT_EQ(info.type, kernels::element_type_of<T>());
    EXPECT_EQ(info.shape, (std::vector<std::int64_t>{rows, columns}));
    EXPECT_EQ(info.columns(), columns);
    const RowPartition part = RowPartition::uniform(rows, comm.size());
    // In the file's type, with batches of one row (many collective reads, uneven per rank).
    std::vector<T> same(static_cast<std::size_t>(part.count(comm.rank()) * columns));
    read_rows<T>(comm, info, part, same, 1);
    EXPECT_EQ(same, rows_of<T>(part.offset(comm.rank()), part.count(comm.rank()), columns));
    // Converted to double in memory.
    std::vector<double> converted(same.size());
    read_rows<double>(comm, info, part, converted);
    EXPECT_EQ(converted, rows_of<double>(part.offset(comm.rank()), part.count(comm.rank()), columns));
    comm.barrier();
  }
}

TEST(Reader, RefusesBadInputWithOneClearMessage) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "reader_bad");
  write_table<double>(comm, dir / "t.h5", 6, 2);
  if (comm.is_root()) std::ofstream(dir / "text.h5") << "not hdf5\n";
  comm.barrier();
  auto message = [&](const std::string& spec) -> std::string {
    try {
      (void)describe_dataset(comm, parse_dataset_ref(spec, "--input"));
    } catch (const UsageError& e) {
      EXPECT_TRUE(e.collective()) << spec;
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(message((dir / "none.h5").string() + ":/x").find("no such file"), std::string::npos);
  EXPECT_NE(message((dir / "text.h5").string() + ":/x").find("not an HDF5 file"), std::string::npos);
  const std::string missing = message((dir / "t.h5").string() + ":/points");
  EXPECT_NE(missing.find("has no dataset '/points'"), std::string::npos) << missing;
  EXPECT_NE(missing.find("/table"), std::string::npos) << missing;  // says what the file holds
  EXPECT_NE(message((dir / "t.h5").string() + ":/table/deeper").find("has no dataset"), std::string::npos);
  EXPECT_THROW(parse_dataset_ref("data.h5", "--input"), UsageError);
  EXPECT_THROW(parse_dataset_ref("data.h5:/", "--input"), UsageError);
  const DatasetInfo info = describe_dataset(comm, parse_dataset_ref((dir / "t.h5").string() + ":/table", "--input"));
  try {
    require_dims(info, 1, "labels");
    ADD_FAILURE() << "a 2D dataset passed as 1D";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("2-dimensional (6x2)"), std::string::npos) << e.what();
  }
}

TEST(Reader, CountsNonFiniteRowsOverAllRanks) {
  const Communicator comm = world();
  const RowPartition part = RowPartition::uniform(9, comm.size());
  auto mine = rows_of<double>(part.offset(comm.rank()), part.count(comm.rank()), 3);
  // Rows 4 and 7 (whichever rank holds them) get a NaN and an infinity.
  for (std::int64_t r = 0; r < part.count(comm.rank()); ++r) {
    const std::int64_t global = part.offset(comm.rank()) + r;
    if (global == 4) mine[static_cast<std::size_t>(r * 3 + 1)] = std::nan("");
    if (global == 7) mine[static_cast<std::size_t>(r * 3)] = -std::numeric_limits<double>::infinity();
  }
  DatasetInfo info;
  info.ref = {"f.h5", "/x"};
  info.shape = {9, 3};
  try {
    require_finite<double>(comm, info, mine, 3, part.offset(comm.rank()));
    ADD_FAILURE() << "NaN rows passed";
  } catch (const UsageError& e) {
    EXPECT_TRUE(e.collective());
    EXPECT_NE(std::string(e.what()).find("2 rows with NaN or infinite values (the first is row 4"), std::string::npos)
        << e.what();
  }
}

TEST(RowExchange, FetchesRowsByGlobalIndexInTheOrderAsked) {
  const Communicator comm = world();
  const RowPartition part = RowPartition::uniform(11, comm.size());
  const auto mine = rows_of<float>(part.offset(comm.rank()), part.count(comm.rank()), 4);
  const std::vector<std::int64_t> wanted{10, 0, 5, 10};
  const auto got = fetch_rows<float>(comm, part, mine, 4, wanted);
  ASSERT_EQ(got.size(), 16u);
  for (std::size_t i = 0; i < wanted.size(); ++i)
    for (std::int64_t c = 0; c < 4; ++c) EXPECT_EQ(got[i * 4 + static_cast<std::size_t>(c)], cell(wanted[i], c));
}

// Checkpoint format 2: arrays of every element type (blocks), a replicated array, a ragged
// array and int64 state, written on all ranks and restored on a smaller communicator in two
// steps (the ragged array's size is learnt from the checkpoint).
TEST(CheckpointFormat2, TypedReplicatedAndRaggedArraysRestoreOnFewerRanks) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "ckpt2");
  const std::int64_t rows = 13;
  const RowPartition part = RowPartition::uniform(rows, comm.size());
  auto f32 = rows_of<float>(part.offset(comm.rank()), part.count(comm.rank()), 2);
  auto i64 = rows_of<std::int64_t>(part.offset(comm.rank()), part.count(comm.rank()), 3);
  auto u8 = rows_of<std::uint8_t>(part.offset(comm.rank()), part.count(comm.rank()), 1);
  std::vector<double> centres{1.5, -2.25, 3.0, 4.125, 5.0, -6.5};
  // Ragged: rank r holds r + 1 rows of 2 columns (values from the global row).
  const std::int64_t my_ragged = comm.rank() + 1;
  const RowPartition ragged_part = RowPartition::from_local_count(comm, my_ragged);
  auto ragged = rows_of<std::int32_t>(ragged_part.offset(comm.rank()), my_ragged, 2);
  std::vector<ArrayView> views{
      view_rows<float>("f32", std::span<float>(f32), 2, part.offset(comm.rank()), rows),
      view_rows<std::int64_t>("i64", std::span<std::int64_t>(i64), 3, part.offset(comm.rank()), rows),
      view_1d<std::uint8_t>("u8", std::span<std::uint8_t>(u8), part.offset(comm.rank()), rows),
      view_replicated<double>("centres", std::span<double>(centres), {2, 3}),
      view_rows<std::int32_t>("ragged", std::span<std::int32_t>(ragged), 2, ragged_part.offset(comm.rank()),
                              ragged_part.rows(), Distribution::ragged)};
  std::vector<std::uint64_t> digests;
  for (const auto& v : views) digests.push_back(array_digest(comm, v));
  {
    CheckpointStore store(comm, dir, 2);
    CheckpointMeta meta;
    meta.app = "test";
    meta.step = 4;
    meta.config_hash = 99;
    meta.integers = {{"rng_counter", std::int64_t{1} << 40}, {"round", -3}};
    meta.scalars = {{"inertia", 2.5}};
    store.write(meta, views);
  }

  // Restore on ranks 0..P-2 (all ranks when P = 1).
  const int readers = std::max(1, comm.size() - 1);
  const Communicator sub = comm.split(comm.rank() < readers ? 0 : MPI_UNDEFINED, comm.rank());
  if (!sub.valid()) return;
  CheckpointStore store(sub, dir, 2);
  const RowPartition new_part = RowPartition::uniform(rows, sub.size());
  const std::int64_t n = new_part.count(sub.rank());
  std::vector<float> r_f32(static_cast<std::size_t>(n * 2));
  std::vector<std::int64_t> r_i64(static_cast<std::size_t>(n * 3));
  std::vector<std::uint8_t> r_u8(static_cast<std::size_t>(n));
  std::vector<double> r_centres(6);
  std::vector<std::int32_t> r_ragged;
  std::vector<std::int64_t> stored_counts;
  auto prepare = [&](const CheckpointMeta&, const std::vector<StoredArray>& stored) {
    std::vector<ArrayView> out;
    for (const auto& s : stored) {
      if (s.name != "ragged") continue;
      EXPECT_EQ(s.distribution, Distribution::ragged);
      EXPECT_EQ(s.type, ElementType::i32);
      stored_counts = s.rank_counts;
      // Any new split of the stored rows works: uniform over the readers here.
      const RowPartition split = RowPartition::uniform(s.shape[0], sub.size());
      r_ragged.resize(static_cast<std::size_t>(split.count(sub.rank()) * s.shape[1]));
      out.push_back(view_rows<std::int32_t>("ragged", std::span<std::int32_t>(r_ragged), s.shape[1],
                                            split.offset(sub.rank()), s.shape[0], Distribution::ragged));
    }
    out.push_back(view_rows<float>("f32", std::span<float>(r_f32), 2, new_part.offset(sub.rank()), rows));
    out.push_back(view_rows<std::int64_t>("i64", std::span<std::int64_t>(r_i64), 3, new_part.offset(sub.rank()), rows));
    out.push_back(view_1d<std::uint8_t>("u8", std::span<std::uint8_t>(r_u8), new_part.offset(sub.rank()), rows));
    out.push_back(view_replicated<double>("centres", std::span<double>(r_centres), {2, 3}));
    return out;
  };
  const auto meta = store.restore_latest(prepare, "test", 99, [](const std::string& w) { ADD_FAILURE() << w; });
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->step, 4);
  EXPECT_EQ(meta->integers.at("rng_counter"), std::int64_t{1} << 40);
  EXPECT_EQ(meta->integers.at("round"), -3);
  EXPECT_EQ(meta->scalars.at("inertia"), 2.5);
  std::vector<std::int64_t> expected_counts;
  for (int r = 0; r < comm.size(); ++r) expected_counts.push_back(r + 1);
  EXPECT_EQ(stored_counts, expected_counts);
  EXPECT_EQ(r_f32, rows_of<float>(new_part.offset(sub.rank()), n, 2));
  EXPECT_EQ(r_i64, rows_of<std::int64_t>(new_part.offset(sub.rank()), n, 3));
  EXPECT_EQ(r_u8, rows_of<std::uint8_t>(new_part.offset(sub.rank()), n, 1));
  EXPECT_EQ(r_centres, centres);
  const RowPartition split = RowPartition::uniform(ragged_part.rows(), sub.size());
  EXPECT_EQ(r_ragged, rows_of<std::int32_t>(split.offset(sub.rank()), split.count(sub.rank()), 2));
  // A replicated array's digest does not depend on the rank count (it is not summed P times).
  EXPECT_EQ(array_digest(sub, view_replicated<double>("centres", std::span<double>(r_centres), {2, 3})), digests[3]);
}

TEST(CheckpointFormat2, TypeMismatchIsRefusedNotConverted) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "ckpt2_type");
  const RowPartition part = RowPartition::uniform(5, comm.size());
  auto data = rows_of<float>(part.offset(comm.rank()), part.count(comm.rank()), 1);
  std::array<ArrayView, 1> views{view_1d<float>("x", std::span<float>(data), part.offset(comm.rank()), 5)};
  CheckpointStore store(comm, dir, 1);
  CheckpointMeta meta;
  meta.app = "test";
  meta.step = 1;
  store.write(meta, views);
  std::vector<double> wrong(data.size());
  std::array<ArrayView, 1> as_double{view_1d<double>("x", std::span<double>(wrong), part.offset(comm.rank()), 5)};
  std::vector<std::string> warnings;
  const auto restored = store.restore_latest(as_double, "test", 0, [&](const std::string& w) { warnings.push_back(w); });
  EXPECT_FALSE(restored.has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("holds float32, not float64"), std::string::npos) << warnings[0];
}

}  // namespace
}  // namespace tessera
