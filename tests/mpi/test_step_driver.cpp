// The step loop's conventions (StepDriver on a RunSession): periodic checkpoints, restart from
// the newest one with arrays, scalars and int64 state, refusal of a checkpoint beyond the run's
// steps, and a stop signal acted on one step later with a checkpoint, on every rank.
#include "tessera/base/error.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/io/checkpoint.hpp"
#include "tessera/run/run_session.hpp"
#include "tessera/run/step_driver.hpp"
#include "tessera/run/stop_signal.hpp"

#include "tests/mpi/test_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <vector>

namespace tessera {
namespace {

namespace fs = std::filesystem;

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

// A 1D state of 17 values split by rows, value = 1000 x step + global index.
struct State {
  RowPartition part;
  std::vector<double> x;
  explicit State(const Communicator& comm) : part(RowPartition::uniform(17, comm.size())) {
    x.resize(static_cast<std::size_t>(part.count(comm.rank())));
  }
  void set(const Communicator& comm, std::int64_t step) {
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1000.0 * static_cast<double>(step) + static_cast<double>(part.offset(comm.rank()) + static_cast<std::int64_t>(i));
  }
  std::vector<ArrayView> views(const Communicator& comm) {
    return {view_1d<double>("x", std::span<double>(x), part.offset(comm.rank()), 17)};
  }
};

CommonOptions options_in(const fs::path& dir) {
  CommonOptions o;
  o.output = dir.string();
  o.checkpoint_every = 2;
  o.keep = 5;
  o.quiet = true;
  o.watchdog_timeout = 0;
  return o;
}

// The process grid of a run covers its ranks (checkpoints refuse one that does not).
RunIdentity identity() {
  int ranks = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &ranks);
  return RunIdentity{"test", 42, {ranks}, "n=17"};
}

TEST(StepDriver, CheckpointsPeriodicallyAndResumesWithAllState) {
  const Communicator comm = world();
  const fs::path dir = test::shared_temp_dir(comm, "driver");
  CommonOptions options = options_in(dir);
  State state(comm);
  {
    StepDriver driver(comm, options, identity(), 5);
    auto views = state.views(comm);
    const auto start = driver.begin(views);
    EXPECT_EQ(start.step, 0);
    EXPECT_FALSE(start.checkpoint.has_value());
    for (std::int64_t step = 1; step <= 5; ++step) {
      state.set(comm, step);
      EXPECT_EQ(driver.end_step(step, 0.5 * static_cast<double>(step), views, {{"r", 1.0 / static_cast<double>(step)}}, {},
                                {{"count", step * 10}}),
                StepDriver::Next::proceed);
    }
  }
  std::vector<std::int64_t> steps;
  CheckpointStore store(comm, dir / "checkpoints", 5);
  for (const auto& c : store.list()) steps.push_back(c.step);
  EXPECT_EQ(steps, (std::vector<std::int64_t>{2, 4}));

  // Resume (on this communicator; N-to-M is covered by the checkpoint tests) from step 4.
  options.restart = true;
  {  // one run at a time holds the directory
    RunSession session(comm, options, "test");
    StepDriver driver(session, identity(), 5);
    state.set(comm, 99);
    auto views = state.views(comm);
    const auto start = driver.begin(views);
    ASSERT_TRUE(start.checkpoint.has_value());
    EXPECT_EQ(start.step, 4);
    EXPECT_EQ(start.time, 2.0);
    EXPECT_EQ(start.checkpoint->scalars.at("r"), 0.25);
    EXPECT_EQ(start.checkpoint->integers.at("count"), 40);
    State expected(comm);
    expected.set(comm, 4);
    EXPECT_EQ(state.x, expected.x);
  }

  // A checkpoint beyond the run's last step is refused on every rank.
  RunSession shorter(comm, options, "test");
  StepDriver too_short(shorter, identity(), 3);
  auto views = state.views(comm);
  try {
    (void)too_short.begin(views);
    ADD_FAILURE() << "a checkpoint of step 4 was resumed by a 3-step run";
  } catch (const UsageError& e) {
    EXPECT_TRUE(e.collective());
    EXPECT_NE(std::string(e.what()).find("raise --steps"), std::string::npos) << e.what();
  }
}

TEST(StepDriver, StopSignalStopsEveryRankOneStepLaterWithACheckpoint) {
  const Communicator comm = world();
  const fs::path dir = test::shared_temp_dir(comm, "driver_stop");
  CommonOptions options = options_in(dir);
  options.checkpoint_every = 0;
  State state(comm);
  StepDriver driver(comm, options, identity(), 10);
  StopSignal::reset();
  auto views = state.views(comm);
  (void)driver.begin(views);
  std::int64_t stopped_at = 0;
  for (std::int64_t step = 1; step <= 10 && stopped_at == 0; ++step) {
    state.set(comm, step);
    if (step == 3 && comm.rank() == comm.size() - 1) std::raise(SIGUSR1);
    if (driver.end_step(step, 0.0, views) == StepDriver::Next::stop) stopped_at = step;
  }
  StopSignal::reset();
  EXPECT_EQ(stopped_at, 4);
  EXPECT_EQ(driver.stop_signal(), SIGUSR1);
  CheckpointStore store(comm, dir / "checkpoints", 2);
  const auto list = store.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].step, 4);
}

}  // namespace
}  // namespace tessera
