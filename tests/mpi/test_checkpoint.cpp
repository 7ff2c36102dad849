// Checkpoints: written on P ranks and read back on P-1 ranks (N-to-M) with identical global
// arrays and metadata; the newest K kept; a byte flipped in a dataset, a truncated file and a
// half-written (uncommitted) file are never taken as valid, and restart falls back to the
// previous checkpoint; checkpoints of another configuration are refused.
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/block_partition.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/grid/field.hpp"
#include "tessera/io/checkpoint.hpp"

#include "tests/mpi/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <vector>

namespace tessera {
namespace {

namespace fs = std::filesystem;
using kernels::Index;

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

using test::shared_temp_dir;

double field_value(std::int64_t gx, std::int64_t gy, std::int64_t gz, std::int64_t step) {
  return 0.5 * static_cast<double>(gx) - 3.0 * static_cast<double>(gy) + 7.25 * static_cast<double>(gz) +
         1000.0 * static_cast<double>(step);
}

// A 3D field and a 1D vector, filled from global indices, as an app would hold them.
struct State {
  CartDecomposition dec;
  Field field;
  std::vector<double> vec;
  std::int64_t vec_offset;
  static constexpr std::int64_t kVecSize = 23;

  State(const Communicator& comm, std::int64_t step)
      : dec(comm, CartSpec{3, {9, 7, 5}, {0, 0, 0}, {false, false, false}}), field(dec, 1) {
    const BlockPartition part(kVecSize, comm.size());
    vec.resize(static_cast<std::size_t>(part.count(comm.rank())));
    vec_offset = part.offset(comm.rank());
    fill(step);
  }
  void fill(std::int64_t step) {
    const auto& l = field.layout();
    for (Index k = 0; k < l.n[2]; ++k)
      for (Index j = 0; j < l.n[1]; ++j)
        for (Index i = 0; i < l.n[0]; ++i)
          field.at(i, j, k) = field_value(dec.offset()[0] + i, dec.offset()[1] + j, dec.offset()[2] + k, step);
    for (std::size_t i = 0; i < vec.size(); ++i) vec[i] = -1.0 * static_cast<double>(vec_offset + static_cast<std::int64_t>(i)) - static_cast<double>(step);
  }
  void clear() {
    for (auto& v : field.data()) v = 0.0;
    for (auto& v : vec) v = 0.0;
  }
  std::vector<ArrayView> views() {
    return {field.view("u"), view_1d("weights", std::span<double>(vec), vec_offset, kVecSize)};
  }
  // Number of cells that differ from what fill(step) writes.
  std::int64_t mismatches(std::int64_t step) {
    std::int64_t bad = 0;
    const auto& l = field.layout();
    for (Index k = 0; k < l.n[2]; ++k)
      for (Index j = 0; j < l.n[1]; ++j)
        for (Index i = 0; i < l.n[0]; ++i)
          bad += field.at(i, j, k) != field_value(dec.offset()[0] + i, dec.offset()[1] + j, dec.offset()[2] + k, step);
    for (std::size_t i = 0; i < vec.size(); ++i)
      bad += vec[i] != -1.0 * static_cast<double>(vec_offset + static_cast<std::int64_t>(i)) - static_cast<double>(step);
    return allreduce_sum(dec.comm(), bad);
  }
};

CheckpointMeta meta_for(std::int64_t step) {
  CheckpointMeta m;
  m.app = "test";
  m.step = step;
  m.time = 0.125 * static_cast<double>(step);
  m.config_hash = 0xABCDEF0123456789ULL;
  m.rng_state = {1, 2, 0xFFFFFFFFFFFFFFFFULL};
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  m.proc_grid = {1, ranks, 1};
  m.version = "0.1.0";
  m.scalars = {{"rho", 0.5}, {"residual", 1e-9}};
  return m;
}

auto ignore_warning = [](const std::string&) {};

TEST(Checkpoint, WrittenOnPRanksReadOnFewer) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "n_to_m");
  State written(comm, 3);
  const auto views = written.views();
  const std::uint64_t digest_written = state_digest(comm, views);
  CheckpointStore store(comm, dir, 2);
  const fs::path file = store.write(meta_for(3), views);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(file.filename(), "ckpt_000000003.h5");

  const int readers = std::max(1, comm.size() - 1);
  const Communicator sub = comm.split(comm.rank() < readers ? 0 : MPI_UNDEFINED, comm.rank());
  if (sub.valid()) {
    State read(sub, 0);
    read.clear();
    CheckpointStore reader(sub, dir, 2);
    std::vector<std::string> warnings;
    const auto meta = reader.restore_latest(read.views(), "test", 0xABCDEF0123456789ULL,
                                            [&](const std::string& w) { warnings.push_back(w); });
    ASSERT_TRUE(meta.has_value());
    EXPECT_TRUE(warnings.empty());
    EXPECT_EQ(meta->step, 3);
    EXPECT_EQ(meta->time, 0.375);
    EXPECT_EQ(meta->ranks, comm.size());
    EXPECT_EQ(meta->rng_state, (std::vector<std::uint64_t>{1, 2, 0xFFFFFFFFFFFFFFFFULL}));
    EXPECT_EQ(meta->proc_grid, (std::vector<std::int64_t>{1, comm.size(), 1}));
    EXPECT_EQ(meta->scalars, (std::map<std::string, double>{{"residual", 1e-9}, {"rho", 0.5}}));
    EXPECT_EQ(meta->app, "test");
    EXPECT_EQ(read.mismatches(3), 0);
    const auto read_views = read.views();
    EXPECT_EQ(state_digest(sub, read_views), digest_written);
  }
  comm.barrier();
}

TEST(Checkpoint, KeepsTheNewestK) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "keep");
  State s(comm, 0);
  CheckpointStore store(comm, dir, 2);
  for (std::int64_t step : {10, 20, 30}) {
    s.fill(step);
    store.write(meta_for(step), s.views());
  }
  const auto listed = store.list();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].step, 20);
  EXPECT_EQ(listed[1].step, 30);
  EXPECT_THROW(CheckpointStore(comm, dir, 0), UsageError);
}

// Flips one byte of the first stored copy of `value` in `file` (the raw dataset bytes).
void flip_value_in_file(const fs::path& file, double value) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  char pattern[sizeof(double)];
  std::memcpy(pattern, &value, sizeof value);
  const auto at = std::search(bytes.begin(), bytes.end(), std::begin(pattern), std::end(pattern));
  ASSERT_NE(at, bytes.end()) << "value not found in " << file;
  const auto offset = at - bytes.begin() + 3;
  f.seekp(offset);
  const char flipped = static_cast<char>(bytes[static_cast<std::size_t>(offset)] ^ 0x10);
  f.write(&flipped, 1);
}

TEST(Checkpoint, NewCheckpointIsNeverPrunedAndLaterStepsAreDropped) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "timeline");
  State s(comm, 0);
  CheckpointStore store(comm, dir, 2);
  for (std::int64_t step : {100, 200, 300}) {
    s.fill(step);
    store.write(meta_for(step), s.views());
  }
  // A run resumed from step 200 (say 300 was damaged) writes 250: 300 belongs to the abandoned
  // timeline and goes; 200 and 250 stay.
  s.fill(250);
  store.write(meta_for(250), s.views());
  auto listed = store.list();
  ASSERT_EQ(listed.size(), 2U);
  EXPECT_EQ(listed[0].step, 200);
  EXPECT_EQ(listed[1].step, 250);
  // With keep 1 only the new one remains.
  CheckpointStore single(comm, dir, 1);
  s.fill(260);
  single.write(meta_for(260), s.views());
  listed = single.list();
  ASSERT_EQ(listed.size(), 1U);
  EXPECT_EQ(listed[0].step, 260);
}

TEST(Checkpoint, DamagedNewestFallsBackToPrevious) {
  const Communicator comm = world();
  for (const std::string damage : {"flip", "truncate"}) {
    const fs::path dir = shared_temp_dir(comm, "damage_" + damage);
    State s(comm, 0);
    CheckpointStore store(comm, dir, 3);
    s.fill(1);
    store.write(meta_for(1), s.views());
    s.fill(2);
    const fs::path newest = store.write(meta_for(2), s.views());
    if (comm.is_root()) {
      if (damage == "flip") {
        flip_value_in_file(newest, field_value(4, 3, 2, 2));
      } else {
        fs::resize_file(newest, fs::file_size(newest) / 2);
      }
    }
    comm.barrier();
    s.clear();
    std::vector<std::string> warnings;
    const auto meta = store.restore_latest(s.views(), "test", meta_for(1).config_hash,
                                           [&](const std::string& w) { warnings.push_back(w); });
    ASSERT_TRUE(meta.has_value()) << damage;
    EXPECT_EQ(meta->step, 1) << damage;
    ASSERT_EQ(warnings.size(), 1U) << damage;
    EXPECT_NE(warnings[0].find("ckpt_000000002.h5"), std::string::npos) << warnings[0];
    if (damage == "flip") {
      EXPECT_NE(warnings[0].find("checksum"), std::string::npos) << warnings[0];
    }
    EXPECT_EQ(s.mismatches(1), 0) << damage;
  }
}

TEST(Checkpoint, UncommittedFileIsIgnoredAndEmptyDirMeansFreshStart) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "partial");
  State s(comm, 5);
  CheckpointStore store(comm, dir, 2);
  EXPECT_FALSE(store.restore_latest(s.views(), "test", 1, ignore_warning).has_value());
  store.write(meta_for(5), s.views());
  if (comm.is_root()) {
    // A later checkpoint whose writer died before the commit: only the .partial name exists.
    fs::copy_file(dir / "ckpt_000000005.h5", dir / "ckpt_000000009.h5.partial");
  }
  comm.barrier();
  const auto meta = store.restore_latest(s.views(), "test", meta_for(5).config_hash, ignore_warning);
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->step, 5);
}

TEST(Checkpoint, OtherAppOrConfigurationIsRefused) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "refuse");
  State s(comm, 1);
  CheckpointStore store(comm, dir, 2);
  store.write(meta_for(1), s.views());
  try {
    (void)store.restore_latest(s.views(), "test", 42, ignore_warning);
    FAIL() << "a checkpoint with another config hash was accepted";
  } catch (const UsageError& e) {
    EXPECT_TRUE(e.collective());
    EXPECT_NE(std::string(e.what()).find("different problem options"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)store.restore_latest(s.views(), "other-app", meta_for(1).config_hash, ignore_warning), UsageError);
}

TEST(Checkpoint, UnwritableDirectoryIsAClearErrorOnAllRanks) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "unwritable");
  if (comm.is_root()) std::ofstream(dir / "file") << "x";  // a file where the directory should be
  comm.barrier();
  State s(comm, 1);
  CheckpointStore store(comm, dir / "file" / "sub", 2);
  try {
    store.write(meta_for(1), s.views());
    FAIL() << "writing into a path below a regular file succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ExitCode::runtime);
    EXPECT_TRUE(e.collective());
    EXPECT_NE(std::string(e.what()).find("file/sub"), std::string::npos) << e.what();
  }
}

// A checksum only proves that some writer wrote the metadata: values no run can have are
// refused by every reader.
TEST(Checkpoint, ImpossibleMetadataIsRefusedDespiteItsChecksum) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "forged");
  State s(comm, 1);
  CheckpointStore store(comm, dir, 100);
  struct Case {
    const char* what;
    CheckpointMeta meta;
  };
  std::vector<Case> cases;
  cases.push_back({"step -5", meta_for(-5)});
  cases.push_back({"time nan", meta_for(2)});
  cases.back().meta.time = std::numeric_limits<double>::quiet_NaN();
  cases.push_back({"time -1", meta_for(3)});
  cases.back().meta.time = -1.0;
  cases.push_back({"process grid entry 0", meta_for(4)});
  cases.back().meta.proc_grid = {0, comm.size(), 1};
  if (comm.size() > 1) {  // entries in range whose product is not the rank count
    cases.push_back({"a process grid of", meta_for(5)});
    cases.back().meta.proc_grid = {comm.size(), comm.size(), 1};
  }
  for (const auto& c : cases) {
    const fs::path file = store.write(c.meta, s.views());
    try {
      (void)read_checkpoint_meta(comm, file);
      ADD_FAILURE() << "accepted: " << c.what;
    } catch (const Error& e) {
      const std::string text = e.what();
      EXPECT_NE(text.find("impossible metadata"), std::string::npos) << text;
      EXPECT_NE(text.find(c.what), std::string::npos) << c.what << ": " << text;
    }
  }
}

TEST(Checkpoint, FileNamedForAnotherStepIsSkipped) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "renamed");
  State s(comm, 7);
  CheckpointStore store(comm, dir, 2);
  store.write(meta_for(7), s.views());
  if (comm.is_root()) fs::copy_file(dir / "ckpt_000000007.h5", dir / "ckpt_000000008.h5");
  comm.barrier();
  std::vector<std::string> warnings;
  const auto meta = store.restore_latest(s.views(), "test", meta_for(7).config_hash,
                                         [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->step, 7);
  ASSERT_EQ(warnings.size(), 1U);
  EXPECT_NE(warnings[0].find("step 7 in a file named for step 8"), std::string::npos) << warnings[0];
}

// A directory or a FIFO named like a checkpoint would block or break a reader: it is reported,
// never opened, and never removed by pruning.
TEST(Checkpoint, NonRegularEntriesAreReportedAndLeftAlone) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "strays");
  State s(comm, 5);
  CheckpointStore store(comm, dir, 1);
  store.write(meta_for(5), s.views());
  if (comm.is_root()) {
    fs::create_directory(dir / "ckpt_000000009.h5");
    ASSERT_EQ(mkfifo((dir / "ckpt_000000010.h5").c_str(), 0600), 0);
  }
  comm.barrier();
  const auto strays = store.strays();
  ASSERT_EQ(strays.size(), 2U);
  EXPECT_EQ(strays[0].kind, "a directory");
  EXPECT_EQ(strays[1].kind, "a FIFO");
  std::vector<std::string> warnings;
  const auto meta = store.restore_latest(s.views(), "test", meta_for(5).config_hash,
                                         [&](const std::string& w) { warnings.push_back(w); });
  ASSERT_TRUE(meta.has_value());
  EXPECT_EQ(meta->step, 5);
  if (comm.is_root()) {
    ASSERT_EQ(warnings.size(), 2U);
    EXPECT_NE(warnings[1].find("a FIFO, not a regular file"), std::string::npos) << warnings[1];
  }
  store.write(meta_for(6), s.views());
  EXPECT_TRUE(fs::is_directory(dir / "ckpt_000000009.h5"));
  EXPECT_TRUE(fs::is_fifo(dir / "ckpt_000000010.h5"));
}

}  // namespace
}  // namespace tessera
