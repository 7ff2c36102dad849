// Run support: phase timers reduced over ranks, run records, config hashes, stop-signal
// agreement, and snapshot series with their XDMF index.
#include "tessera/comm/collectives.hpp"
#include "tessera/grid/field.hpp"
#include "tessera/io/parallel_file.hpp"
#include "tessera/io/snapshot_series.hpp"
#include "tessera/run/config_hash.hpp"
#include "tessera/run/phase_timers.hpp"
#include "tessera/run/run_record.hpp"
#include "tessera/run/stop_signal.hpp"

#include "tests/mpi/test_support.hpp"

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tessera {
namespace {

namespace fs = std::filesystem;

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }

using test::shared_temp_dir;

TEST(PhaseTimers, ReduceGivesMinAvgMaxOverRanks) {
  const Communicator comm = world();
  PhaseTimers timers;
  timers.add(Phase::compute, 1.0 + comm.rank());
  timers.add(Phase::io, 0.5);
  { auto scope = timers.measure(Phase::halo); }
  const auto j = timers.reduce(comm);
  const int p = comm.size();
  EXPECT_DOUBLE_EQ(j["compute"]["min"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(j["compute"]["max"].get<double>(), static_cast<double>(p));
  EXPECT_DOUBLE_EQ(j["compute"]["avg"].get<double>(), (p + 1) / 2.0);
  EXPECT_DOUBLE_EQ(j["io"]["avg"].get<double>(), 0.5);
  EXPECT_GE(j["halo"]["max"].get<double>(), 0.0);
  EXPECT_TRUE(j.contains("reduce"));
}

TEST(PhaseTimers, NestedScopesAreExclusiveAndOtherIsTheRest) {
  const Communicator comm = world();
  const auto wait = [](double seconds) {
    const double until = MPI_Wtime() + seconds;
    while (MPI_Wtime() < until) {
    }
  };
  PhaseTimers timers;
  const double start = MPI_Wtime();
  {
    auto outer = timers.measure(Phase::compute);
    wait(0.02);
    {
      auto inner = timers.measure(Phase::reduce);
      wait(0.03);
    }
    wait(0.01);
  }
  wait(0.01);
  const double wall = MPI_Wtime() - start;
  EXPECT_GE(timers.seconds(Phase::reduce), 0.03);
  EXPECT_LT(timers.seconds(Phase::compute), 0.03 + 0.015) << "the inner reduce is not counted in compute";
  EXPECT_GE(timers.seconds(Phase::compute), 0.03);
  EXPECT_LE(timers.total(), wall);
  const auto j = timers.reduce(comm, wall);
  ASSERT_TRUE(j.contains("other"));
  // This rank's other is its wall less its phases (about the 10 ms outside any scope); the
  // minimum over ranks is at most that.
  EXPECT_LE(j["other"]["min"].get<double>(), wall - timers.total() + 1e-12);
  // At least the 10 ms waited outside any scope (a wait ends at its deadline or later).
  EXPECT_GE(j["other"]["max"].get<double>(), 0.0099);
  EXPECT_FALSE(timers.reduce(comm).contains("other")) << "no wall time given, no 'other'";
}

TEST(RunRecord, OptionsAreTypedAndTheTimingTableListsEveryPhase) {
  using Kind = OptionValue::Kind;
  const auto typed = typed_options({{"steps", {"40", Kind::integer}},
                                    {"alpha", {"0.5", Kind::real}},
                                    {"quiet", {"false", Kind::flag}},
                                    {"quantiles", {"0.5", Kind::text}},
                                    {"lr", {"", Kind::real}},
                                    {"huge", {"99999999999999999999", Kind::integer}}});
  EXPECT_EQ(typed["steps"], 40);
  EXPECT_EQ(typed["alpha"], 0.5);
  EXPECT_EQ(typed["quiet"], false);
  EXPECT_EQ(typed["quantiles"], "0.5") << "a text option stays text, whatever its value looks like";
  EXPECT_EQ(typed["lr"], "") << "an empty default stays text";
  EXPECT_EQ(typed["huge"], "99999999999999999999") << "beyond int64: kept as given, not wrapped";
  const nlohmann::json timers = {{"compute", {{"min", 1.0}, {"avg", 1.5}, {"max", 2.0}}},
                                 {"io", {{"min", 0.5}, {"avg", 0.5}, {"max", 0.5}}},
                                 {"other", {{"min", 0.1}, {"avg", 0.2}, {"max", 0.3}}}};
  const std::string table = timing_table("demo", timers, 4.0, 2);
  EXPECT_NE(table.find("[demo] timing over 2 ranks"), std::string::npos) << table;
  EXPECT_NE(table.find("compute"), std::string::npos) << table;
  EXPECT_NE(table.find("50.0%"), std::string::npos) << "compute max 2 s of 4 s wall\n" << table;
  EXPECT_LT(table.find("io"), table.find("other")) << "phases in a fixed order\n" << table;
  EXPECT_NE(table.find("wall"), std::string::npos) << table;
  const auto s = spread({0.3, 0.1, 0.2});
  EXPECT_EQ(s["min"], 0.1);
  EXPECT_EQ(s["median"], 0.2);
  EXPECT_EQ(s["max"], 0.3);
  EXPECT_EQ(s["count"], 3);
}

TEST(RunRecord, AppendsOneJsonLinePerRun) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "record");
  if (comm.is_root()) {
    for (int run = 0; run < 2; ++run) {
      auto record = make_run_record("demo", 4, 2);
      record["verified"] = run == 0;
      record["state_digest"] = "0123456789abcdef";
      append_run_record(dir / "sub" / "runs.jsonl", record);
    }
    std::ifstream in(dir / "sub" / "runs.jsonl");
    std::string line;
    int lines = 0;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line);
      EXPECT_EQ(j["app"], "demo");
      EXPECT_EQ(j["ranks"], 4);
      EXPECT_EQ(j["threads"], 2);
      EXPECT_EQ(j["verified"], lines == 0);
      EXPECT_TRUE(j.contains("version"));
      EXPECT_TRUE(j.contains("git_revision"));
      ++lines;
    }
    EXPECT_EQ(lines, 2);
    EXPECT_THROW(append_run_record(dir / "sub" / "runs.jsonl" / "x", nlohmann::json::object()), RuntimeError);
  }
}

TEST(ConfigHash, SensitiveToKeysAndValues) {
  const auto h = [](double alpha, std::int64_t n) { return ConfigHash().add("alpha", alpha).add("n", n).value(); };
  EXPECT_EQ(h(1.0, 8), h(1.0, 8));
  EXPECT_NE(h(1.0, 8), h(1.0, 9));
  EXPECT_NE(h(1.0, 8), h(std::nextafter(1.0, 2.0), 8));
  EXPECT_NE(ConfigHash().add("a", 1).value(), ConfigHash().add("b", 1).value());
}

TEST(StopSignal, ASignalOnOneRankStopsAll) {
  const Communicator comm = world();
  StopSignal::install();
  StopSignal::reset();
  EXPECT_EQ(StopSignal::agreed(comm), 0);
  if (comm.rank() == comm.size() - 1) std::raise(SIGUSR1);
  EXPECT_EQ(StopSignal::agreed(comm), SIGUSR1);
  StopSignal::reset();
  EXPECT_EQ(StopSignal::agreed(comm), 0);
}

TEST(StopAgreement, SplitPhaseActsOneStepLaterOnEveryRank) {
  const Communicator comm = world();
  StopSignal::install();
  StopSignal::reset();
  StopAgreement agreement(comm);
  EXPECT_EQ(agreement.exchange(), 0);  // nothing posted before
  EXPECT_EQ(agreement.exchange(), 0);
  if (comm.rank() == comm.size() - 1) std::raise(SIGTERM);
  EXPECT_EQ(agreement.exchange(), 0) << "the flags posted before the signal";
  EXPECT_EQ(agreement.exchange(), SIGTERM) << "one step later, on every rank";
  StopSignal::reset();
  EXPECT_EQ(agreement.exchange(), SIGTERM) << "posted while the signal was still set";
  EXPECT_EQ(agreement.settle(), 0);
  if (comm.is_root()) std::raise(SIGUSR1);
  EXPECT_EQ(agreement.exchange(), 0);
  EXPECT_EQ(agreement.settle(), SIGUSR1) << "settle sees the posted flags at once";
  StopSignal::reset();
  EXPECT_EQ(agreement.exchange(), 0);  // left posted: the destructor completes it
}

TEST(SnapshotSeries, WritesReadableFilesAndAnXdmfTimeSeries) {
  const Communicator comm = world();
  const fs::path dir = shared_temp_dir(comm, "snapshots");
  const CartDecomposition dec(comm, CartSpec{2, {10, 6, 1}, {0, 0, 0}, {false, false, false}});
  Field f(dec, 1);
  UniformGrid grid{2, {10, 6, 1}, {0.1, 0.2, 0.0}, {0.1, 0.2, 1.0}};
  OutputAttributes provenance;
  provenance.text["app"] = "demo-app";
  SnapshotSeries series(comm, dir, "demo", grid, provenance, {{"u", OutputAttributes::quantity("temperature", "K")}});
  for (std::int64_t step : {0, 5, 10}) {
    for (kernels::Index j = 0; j < f.layout().n[1]; ++j)
      for (kernels::Index i = 0; i < f.layout().n[0]; ++i)
        f.at(i, j, 0) = static_cast<double>(step * 100 + (dec.offset()[1] + j) * 10 + dec.offset()[0] + i);
    std::array<ArrayView, 1> views{f.view("u")};
    series.write(step, 0.5 * static_cast<double>(step), views);
  }
  // Read step 5 back into a zeroed field.
  for (auto& v : f.data()) v = 0.0;
  {
    h5::Handle file = h5::open_parallel(comm, dir / "demo_000000005.h5");
    EXPECT_EQ(h5::read_double_attribute(file, "time"), 2.5);
    EXPECT_EQ(h5::read_int64_attribute(file, "step"), 5);
    EXPECT_EQ(h5::read_string_attribute(file, "app"), "demo-app");
    h5::Handle u = h5::dataset_handle(H5Dopen2(file, "u", H5P_DEFAULT), "opening u");
    EXPECT_EQ(h5::read_string_attribute(u, "units"), "K");
    h5::read_array(comm, file, f.view("u"));
  }
  for (kernels::Index j = 0; j < f.layout().n[1]; ++j)
    for (kernels::Index i = 0; i < f.layout().n[0]; ++i)
      ASSERT_EQ(f.at(i, j, 0), static_cast<double>(500 + (dec.offset()[1] + j) * 10 + dec.offset()[0] + i));

  const auto read_xdmf = [&] {
    std::ifstream in(series.xdmf_path());
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  if (comm.is_root()) {
    const std::string xdmf = read_xdmf();
    EXPECT_NE(xdmf.find("CollectionType=\"Temporal\""), std::string::npos);
    // 2D as one plane of a 3D mesh, so viewers place it in XY (z y x order: origin z = 0).
    EXPECT_NE(xdmf.find("3DCoRectMesh\" Dimensions=\"1 6 10\""), std::string::npos) << xdmf;
    EXPECT_NE(xdmf.find("DataItem Dimensions=\"1 6 10\""), std::string::npos) << xdmf;
    EXPECT_NE(xdmf.find("demo_000000010.h5:/u"), std::string::npos);
    EXPECT_NE(xdmf.find("<Time Value=\"2.5\"/>"), std::string::npos) << xdmf;
    EXPECT_NE(xdmf.find(">0 0.20000000000000001 0.10000000000000001<"), std::string::npos) << xdmf;
  }
  // A restart at step 5 keeps steps 0 and 5 only, then continues the series.
  SnapshotSeries resumed(comm, dir, "demo", grid);
  resumed.resume_at(5);
  std::array<ArrayView, 1> views{f.view("u")};
  resumed.write(7, 3.5, views);
  if (comm.is_root()) {
    const std::string xdmf = read_xdmf();
    EXPECT_NE(xdmf.find("demo_000000005.h5"), std::string::npos);
    EXPECT_NE(xdmf.find("demo_000000007.h5"), std::string::npos);
    EXPECT_EQ(xdmf.find("demo_000000010.h5"), std::string::npos) << xdmf;
  }
}

}  // namespace
}  // namespace tessera
