// stats: exact statistics of one column of an HDF5 data set: count, min, max, mean and
// variance (reproducible sums), quantiles by distributed selection (no sort, no gather of the
// data), and a histogram with exact integer counts; every figure bitwise the same for any
// rank count. Verified by its own invariants (each quantile's rank recounted over the data,
// histogram counts adding up). Writes OUTPUT/stats.json and OUTPUT/stats.h5 (/histogram,
// /bin_edges).
#include "tessera/analytics/statistics.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/fnv1a.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/kernels/local_sort.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/run_session.hpp"

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

namespace {

using namespace tessera;

struct StatsOptions {
  std::string input;
  std::int64_t column = -1;
  std::string quantiles = "0,0.01,0.25,0.5,0.75,0.99,1";
  std::int64_t bins = 50;
  std::string range;
};

struct Setup {
  DatasetInfo info;
  std::int64_t column = 0;
  std::vector<Quantile> quantiles;
  std::optional<std::pair<double, double>> range;
};

std::pair<double, double> parse_range(const std::string& text) {
  const auto colon = text.find(':', 1);  // a leading '-' is a sign, not the separator
  auto fail = [&](const std::string& why) {
    return UsageError("--range '" + text + "' " + why + "; give LO:HI with LO < HI, e.g. --range -5:5");
  };
  if (colon == std::string::npos) throw fail("has no ':'");
  // strtod, not stod: a subnormal bound is a number (stod calls it out of range).
  auto number = [&](const std::string& part, const char* which) {
    char* end = nullptr;
    const double v = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size()) throw fail(std::string("has a bad ") + which);
    return v;
  };
  const double lo = number(text.substr(0, colon), "LO");
  const double hi = number(text.substr(colon + 1), "HI");
  if (!std::isfinite(lo) || !std::isfinite(hi)) throw fail("is not finite");
  if (!(lo < hi)) throw fail("is empty");
  return {lo, hi};
}

template <class T>
nlohmann::json number(T v) {
  if constexpr (std::is_floating_point_v<T>) return nlohmann::json(static_cast<double>(v));
  else return nlohmann::json(v);
}

template <class T>
ExitCode run(const Communicator& world, const CommonOptions& common, const StatsOptions& o, const Setup& s) {
  RunSession session(world, common, "stats");
  session.limit_faults(2, "the statistics pass: phases 1 and 2", RunSession::FaultSites::without_halo);
  const Communicator& comm = session.comm();
  if (comm.is_root() && (common.checkpoint_every > 0 || common.restart)) {
    std::cerr << "warning: stats is a single pass and writes no checkpoints; --checkpoint-every and --restart "
                 "change nothing (a stopped run is simply run again)"
              << std::endl;
  }
  PhaseTimers& timers = session.timers();
  StageTimes stages;
  const DatasetInfo& info = s.info;
  const std::int64_t n = info.rows();
  const std::int64_t columns = info.columns();
  const RowPartition part = RowPartition::uniform(n, comm.size());
  const std::int64_t mine = part.count(comm.rank());
  session.say("[stats] " + info.ref.text() + ": " + info.describe() +
              (info.shape.size() > 1 ? ", column " + std::to_string(s.column) : std::string()) + ", " +
              std::to_string(comm.size()) + " ranks x " + std::to_string(kernels::max_threads()) + " threads");

  std::vector<T> x(static_cast<std::size_t>(mine));
  {
    auto t = stages.measure("read", timers, Phase::io);
    // The rows read (a 2D table's whole rows), the column kept, and its bit patterns for selection.
    const std::size_t row_bytes = columns > 1 ? sizeof(T) * static_cast<std::size_t>(columns) : 0;
    require_memory_for_rows(comm, info, part,
                            static_cast<double>(row_bytes + sizeof(T) + sizeof(kernels::OrderedBits<T>)));
    if (columns == 1) {
      read_rows<T>(comm, info, part, x);
    } else {
      std::vector<T> rows(static_cast<std::size_t>(mine * columns));
      read_rows<T>(comm, info, part, rows);
      for (std::int64_t i = 0; i < mine; ++i) x[static_cast<std::size_t>(i)] = rows[static_cast<std::size_t>(i * columns + s.column)];
    }
    if constexpr (std::is_floating_point_v<T>) {
      require_finite<T>(comm, info, x, 1, part.offset(comm.rank()));
    }
  }
  session.milestone(1);  // "step 1" for --inject-fault: the data read, nothing written
  Moments m;
  {
    auto t = stages.measure("moments", timers, Phase::compute);
    m = compute_moments<T>(comm, x);
  }
  std::vector<std::int64_t> ranks;
  for (const auto& q : s.quantiles) ranks.push_back(q.rank_among(n));
  std::vector<T> values;
  {
    auto t = stages.measure("quantiles", timers, Phase::compute);
    values = select_ranks<T>(comm, x, ranks);
  }
  const auto [lo, hi] = s.range ? *s.range : automatic_range(m);
  if (const std::string problem = histogram_range_problem(lo, hi, o.bins); !problem.empty()) {
    // Only an automatic range gets here (--range was checked up front); every rank has it.
    char text[160];
    std::snprintf(text, sizeof text, "the data's range [%.17g, %.17g] %s", lo, hi, problem.c_str());
    throw UsageError(std::string(text) + "; give a histogram range with --range LO:HI", true);
  }
  Histogram h;
  {
    auto t = stages.measure("histogram", timers, Phase::compute);
    h = compute_histogram<T>(comm, x, o.bins, lo, hi);
  }

  // Verification: every quantile's rank recounted (#less <= rank < #less + #equal) in one
  // pass over the data, the histogram's counts adding up to n, and the mean in [min, max].
  std::vector<RankCount> around;
  {
    auto t = stages.measure("verify", timers, Phase::reduce);
    around = count_around<T>(comm, x, values);
  }
  std::string reason;
  for (std::size_t q = 0; q < values.size(); ++q) {
    const std::int64_t less = around[q].less;
    const std::int64_t equal = around[q].equal;
    if (!(less <= ranks[q] && ranks[q] < less + equal)) {
      reason += (reason.empty() ? "" : "; ") + ("quantile " + s.quantiles[q].text + " is not the element of rank " +
                                                std::to_string(ranks[q] + 1));
    }
  }
  std::int64_t binned = h.bins.below + h.bins.above;
  for (const auto c : h.bins.counts) binned += c;
  if (binned != n) reason += (reason.empty() ? "" : "; ") + std::string("histogram counts add to ") + std::to_string(binned);
  if (!(m.min <= m.mean && m.mean <= m.max && m.variance >= 0)) {
    reason += (reason.empty() ? "" : "; ") + std::string("mean outside [min, max] or negative variance");
  }
  const bool passed = reason.empty();

  nlohmann::json result;
  result["input"] = info.ref.text();
  result["column"] = info.shape.size() > 1 ? nlohmann::json(s.column) : nlohmann::json(nullptr);
  result["type"] = std::string(kernels::type_name(info.type));
  result["count"] = m.count;
  result["min"] = m.min;
  result["max"] = m.max;
  result["sum"] = m.sum;
  result["mean"] = m.mean;
  result["variance"] = m.variance;
  result["std"] = std::sqrt(m.variance);
  result["quantile_rule"] = "element of 1-based rank max(1, ceil(q n)) (numpy method inverted_cdf)";
  nlohmann::json qs = nlohmann::json::array();
  for (std::size_t q = 0; q < values.size(); ++q) {
    qs.push_back({{"q", s.quantiles[q].text}, {"rank", ranks[q] + 1}, {"value", number(values[q])}});
  }
  result["quantiles"] = qs;
  result["histogram"] = {{"bins", o.bins}, {"range", {lo, hi}}, {"edges", h.edges}, {"counts", h.bins.counts},
                         {"below", h.bins.below}, {"above", h.bins.above}};
  result["verified"] = passed;

  session.milestone(2);  // "step 2": the statistics computed, before the write
  std::filesystem::path h5_path;
  {
    auto t = stages.measure("write", timers, Phase::io);
    std::vector<std::int64_t> counts = h.bins.counts;
    std::vector<double> edges = h.edges;
    std::vector<ArrayView> arrays{view_replicated<std::int64_t>("histogram", counts, {o.bins}),
                                  view_replicated<double>("bin_edges", edges, {o.bins + 1})};
    OutputAttributes attributes = session.provenance();
    attributes.text["title"] = "exact statistics and a histogram of one column";
    attributes.text["input"] = info.ref.text();
    attributes.reals.insert({{"min", m.min}, {"max", m.max}, {"mean", m.mean}, {"variance", m.variance}});
    attributes.integers.insert({{"count", m.count}, {"below", h.bins.below}, {"above", h.bins.above}});
    const ArrayAttributes described{
        {"histogram", OutputAttributes::quantity("values in each bin", "values", {"bin"})},
        {"bin_edges", OutputAttributes::quantity("bin edges (bin i is [edge i, edge i+1))", "units of the input",
                                                 {"edge"})}};
    h5_path = write_output_file(comm, std::filesystem::path(common.output) / "stats.h5", arrays, attributes, described);
    collective_check(comm, [&] {
      if (comm.is_root()) write_text_atomically(std::filesystem::path(common.output) / "stats.json", result.dump(2) + "\n");
    });
  }

  const nlohmann::json stage_seconds = stages.reduce_max(comm);
  const double quantile_seconds = stage_seconds["quantiles"].get<double>();
  const double compute_seconds = StageTimes::total(stage_seconds, {"read", "write", "verify"});
  char line[512];
  std::snprintf(line, sizeof line, "[stats] %s%s%s: %lld values, min %.17g, max %.17g, mean %.17g, variance %.17g",
                passed ? "PASS" : "FAIL", passed ? "" : " (", passed ? "" : (reason + ")").c_str(),
                static_cast<long long>(m.count), m.min, m.max, m.mean, m.variance);
  session.say(line);
  std::string qline = "[stats] quantiles:";
  for (std::size_t q = 0; q < values.size(); ++q) {
    char item[96];
    std::snprintf(item, sizeof item, " %s -> %.17g", s.quantiles[q].text.c_str(), static_cast<double>(values[q]));
    qline += item;
  }
  session.say(qline);
  std::snprintf(line, sizeof line,
                "[stats] histogram: %lld bins over [%.17g, %.17g], %lld below, %lld above\n"
                "[stats] %.3f s without I/O (max over ranks), of which quantiles %.3f s; %s and %s",
                static_cast<long long>(o.bins), lo, hi, static_cast<long long>(h.bins.below),
                static_cast<long long>(h.bins.above), compute_seconds, quantile_seconds,
                (std::filesystem::path(common.output) / "stats.json").c_str(), h5_path.c_str());
  session.say(line);

  nlohmann::json record = session.run_record();
  record["problem"] = {{"input", info.ref.text()}, {"rows", n}, {"type", std::string(kernels::type_name(info.type))},
                       {"column", result["column"]}, {"bins", o.bins}, {"quantiles", o.quantiles}};
  record["metrics"] = {{"stages", stage_seconds},
                       {"seconds", compute_seconds},
                       {"values_per_s", compute_seconds > 0 ? static_cast<double>(n) / compute_seconds : 0.0},
                       {"cell_updates_per_s", compute_seconds > 0 ? static_cast<double>(n) / compute_seconds : 0.0},
                       {"statistics", result}};
  // The fields scaling reports read: one pass is the "step", timed without read and write.
  record["size"] = n;
  record["steps_run"] = 1;
  record["wall_seconds"] = compute_seconds;
  record["step_seconds"] = compute_seconds;
  record["verified"] = passed;
  // The figures' fingerprint: equal for any rank count, like the files.
  record["state_digest"] = digest_hex(Fnv1a().text(result.dump()).get());
  session.finish(record);
  return passed ? ExitCode::success : ExitCode::verification_failed;
}

ExitCode stats_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("stats", "Exact statistics of one column of an HDF5 data set: count, min, max, mean, variance, "
                              "quantiles (distributed selection, no sort) and a histogram; every figure the same "
                              "for any rank count. Verified by recounting each quantile's rank.");
  StatsOptions o;
  auto& cli = options.cli();
  cli.add_option("--input", o.input, "Data set: FILE.h5:/path (1D, or 2D with --column)")->required()->group("Problem");
  cli.add_option("--column", o.column, "Column of a 2D data set (0-based)")->check(non_negative_number())->group("Problem");
  cli.add_option("--quantiles", o.quantiles, "Comma-separated quantiles in [0, 1]; q selects the element of rank "
                                             "max(1, ceil(q n))")
      ->capture_default_str()
      ->group("Problem");
  cli.add_option("--bins", o.bins, "Histogram bins (at most 2^20)")->check(positive_number())->capture_default_str()->group("Problem");
  cli.add_option("--range", o.range, "Histogram range LO:HI (default: min:max)")->group("Problem");
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  const CommonOptions& common = options.common();

  Setup s;
  DatasetRef ref;
  collective_check(world, [&] {
    ref = parse_dataset_ref(o.input, "--input");
    s.quantiles = parse_quantiles(o.quantiles);
    constexpr std::size_t kMaxQuantiles = 1000;
    if (s.quantiles.size() > kMaxQuantiles) {
      throw UsageError("--quantiles lists " + std::to_string(s.quantiles.size()) + " quantiles, more than " +
                       std::to_string(kMaxQuantiles) + "; ask for fewer (or sort the data with the sort app)");
    }
    constexpr std::int64_t kMaxBins = std::int64_t{1} << 20;
    if (o.bins > kMaxBins) {
      throw UsageError("--bins " + std::to_string(o.bins) + " is more than " + std::to_string(kMaxBins) +
                       " (every rank holds every bin, and the JSON lists them); use fewer bins");
    }
    if (!o.range.empty()) {
      s.range = parse_range(o.range);
      if (const std::string problem = histogram_range_problem(s.range->first, s.range->second, o.bins); !problem.empty()) {
        throw UsageError("--range '" + o.range + "' " + problem + "; give LO:HI with LO < HI, e.g. --range -5:5");
      }
    }
  });
  s.info = describe_dataset(world, ref);
  if (s.info.shape.size() > 2) {
    throw UsageError(s.info.ref.text() + " is " + shape_string(s.info.shape) + "; stats takes a 1D dataset or a 2D "
                                                                               "one with --column",
                     true);
  }
  if (s.info.shape.size() == 2) {
    if (o.column < 0) {
      throw UsageError(s.info.ref.text() + " is 2D (" + shape_string(s.info.shape) + "); choose a column with --column J "
                                                                                     "(0.." + std::to_string(s.info.shape[1] - 1) + ")",
                       true);
    }
    if (o.column >= s.info.shape[1]) {
      throw UsageError("--column " + std::to_string(o.column) + " is beyond the " + std::to_string(s.info.shape[1]) +
                           " columns of " + s.info.ref.text() + " (0-based: 0.." + std::to_string(s.info.shape[1] - 1) + ")",
                       true);
    }
    s.column = o.column;
  } else if (o.column > 0) {
    throw UsageError("--column " + std::to_string(o.column) + ": " + s.info.ref.text() + " is 1D (one column, 0)", true);
  }
  if (s.info.rows() == 0) {
    throw UsageError(s.info.ref.text() + " holds no values; statistics need at least one", true);
  }
  return kernels::visit_type(s.info.type, [&](auto zero) { return run<decltype(zero)>(world, common, o, s); });
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, stats_main, tessera::StopSignals::checkpoint_and_exit);
}
