// kmeans: distributed k-means over an HDF5 data set (rows x features), verified by its own
// invariants. Reads options, builds the solver from src/analytics, runs Lloyd iterations with
// checkpoints and progress lines, checks the result, writes centres, cluster sizes and labels,
// and a run record.
#include "tessera/analytics/kmeans.hpp"
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/config_hash.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/step_driver.hpp"

#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

namespace {

using namespace tessera;

struct KMeansOptions {
  std::string input;
  int k = 8;
  std::string init = "k-means++";
  std::uint64_t seed = 1;
  std::int64_t max_iters = 300;
  double tol = 1e-4;
  std::string precision = "float64";
  bool write_labels = false;
  std::string true_labels;
  int parallel_rounds = 5;
};

struct Setup {
  DatasetRef input;
  KMeansConfig config;
  std::optional<DatasetRef> truth;
};

template <class T>
ExitCode run(const Communicator& world, const CommonOptions& common, const KMeansOptions& o, const Setup& setup,
             const DatasetInfo& info) {
  // The session first: paths, signals, faults and the watchdog cover the read as well.
  RunSession session(world, common, "kmeans");
  KMeans<T> km(world, info, setup.config);
  const Communicator& comm = km.comm();
  const KMeansConfig& config = setup.config;

  // What defines the iterates: the data, k, the seeding and the arithmetic. --max-iters and
  // --tol only say when to stop, so a restart may change them.
  ConfigHash hash;
  hash.add("input", info.ref.text())
      .add("shape", shape_string(info.shape))
      .add("type", std::string(kernels::type_name(info.type)))
      .add("k", config.k)
      .add("init", config.init == KMeansInit::file ? config.init_file->text() : std::string(kmeans_init_name(config.init)))
      .add("seed", static_cast<std::int64_t>(config.seed))
      .add("rounds", config.parallel_rounds)
      .add("precision", o.precision)
      .add("sums", std::string(sum_mode_name(config.sum_mode)));
  RunIdentity identity{"kmeans", hash.value(), {comm.size()}, hash.text()};
  identity.step_word = "iteration";
  identity.total_option = "--max-iters";
  identity.may_end_early = true;
  StepDriver driver(session, identity, o.max_iters);
  PhaseTimers& timers = driver.timers();
  driver.say("[kmeans] " + info.ref.text() + ": " + info.describe() + ", k " + std::to_string(config.k) + ", " +
             o.precision + ", " + sum_mode_name(config.sum_mode) + " sums, " + std::to_string(comm.size()) +
             " ranks x " + std::to_string(kernels::max_threads()) + " threads");

  auto state = km.state();
  const StepDriver::Start start = driver.begin(state);
  bool converged = false;
  bool strict = false;
  double previous_inertia = std::numeric_limits<double>::infinity();
  if (start.checkpoint) {
    converged = start.checkpoint->integers.count("converged") && start.checkpoint->integers.at("converged") != 0;
    strict = start.checkpoint->integers.count("strict") && start.checkpoint->integers.at("strict") != 0;
    if (start.checkpoint->scalars.count("inertia")) previous_inertia = start.checkpoint->scalars.at("inertia");
  } else {
    auto t = timers.measure(Phase::compute);
    driver.say("[kmeans] seeding " + km.initialise());
  }

  // Lloyd never raises the inertia; rounding may, by a few ulps per point.
  const double rise_limit = std::is_same_v<T, float> ? 1e-5 : 1e-12;
  std::int64_t rises = 0;
  double worst_rise = 0;
  std::int64_t relocated = 0;
  std::int64_t iteration = start.step;
  bool stopped = false;
  comm.barrier();
  const double loop_start = MPI_Wtime();
  const double io_before_loop = timers.seconds(Phase::io);
  while (!converged && iteration < o.max_iters && !stopped) {
    LloydStep step;
    {
      auto t = timers.measure(Phase::compute);
      step = km.iterate();
    }
    ++iteration;
    relocated += step.relocated;
    if (std::isfinite(previous_inertia) && step.inertia > previous_inertia * (1 + rise_limit)) {
      ++rises;
      worst_rise = std::max(worst_rise, step.inertia / previous_inertia - 1);
    }
    previous_inertia = step.inertia;
    strict = step.strict;
    // Decided on rank 0 for all: fast-mode sums need not be bitwise equal across ranks.
    converged = broadcast(comm, static_cast<int>(step.strict || step.shift <= km.tolerance()), 0) != 0;
    char detail[160];
    std::snprintf(detail, sizeof detail, "inertia %.6e  shift %.3e  changed %.3f%%%s", step.inertia, step.shift,
                  100.0 * static_cast<double>(step.changed) / static_cast<double>(km.rows()),
                  step.relocated ? "  (empty clusters relocated)" : "");
    stopped = driver.end_step(iteration, 0.0, state, {{"inertia", step.inertia}}, detail,
                              {{"converged", converged ? 1 : 0}, {"strict", strict ? 1 : 0}}) == StepDriver::Next::stop;
  }
  const double loop_local = MPI_Wtime() - loop_start;
  const double loop_seconds = allreduce_max(comm, loop_local);
  const double iter_seconds = allreduce_max(comm, loop_local - (timers.seconds(Phase::io) - io_before_loop));
  if (stopped) return ExitCode::interrupted;

  KMeansCheck centres_check;
  KMeansCheck labels_check;
  double inertia = 0;
  {
    auto t = timers.measure(Phase::reduce);
    centres_check = km.check_centres();
    inertia = km.finish(strict);
    labels_check = km.check_labels();
  }
  const std::vector<std::int64_t> sizes = km.cluster_sizes();
  std::optional<double> ari;
  if (setup.truth) {
    const DatasetInfo truth = describe_dataset(world, *setup.truth);
    std::vector<std::int64_t> labels(km.labels().size());
    read_rows<std::int64_t>(world, truth, km.partition(), labels);
    try {
      ari = adjusted_rand_index(comm, km.labels(), config.k, labels);
    } catch (const UsageError& e) {  // collective: every rank takes this branch
      if (comm.is_root()) std::cerr << "warning: " << setup.truth->text() << ": " << e.what() << "; no adjusted Rand index" << std::endl;
    }
  }
  const auto final_state = km.state();
  const std::uint64_t digest = state_digest(comm, final_state);
  const std::int64_t iterations_run = iteration - start.step;
  const double per_iteration = iterations_run > 0 ? iter_seconds / static_cast<double>(iterations_run) : 0.0;
  const double triples = static_cast<double>(km.rows()) * config.k * km.features();
  const bool passed = centres_check.passed && labels_check.passed && rises == 0;
  std::string reason;
  if (rises > 0) {
    char text[160];
    std::snprintf(text, sizeof text, "the inertia rose in %lld iterations, by up to %.3e relative", static_cast<long long>(rises), worst_rise);
    reason = text;
  }
  for (const auto* c : {&centres_check, &labels_check}) {
    if (!c->passed) reason += (reason.empty() ? "" : "; ") + c->reason;
  }

  char summary[1024];
  std::snprintf(summary, sizeof summary,
                "[kmeans] %s%s%s: %lld iterations (%s), inertia %.10e, centres = means of their points to %.1e, "
                "%lld labels not nearest%s\n"
                "[kmeans] %lld iterations in %.3f s (max over ranks; %.3f s without I/O): %.3f ms/iteration, "
                "%.3g point-centre-feature triples/s (%.2f GFLOP/s); digest %s",
                passed ? "PASS" : "FAIL", passed ? "" : " (", passed ? "" : (reason + ")").c_str(),
                static_cast<long long>(iteration),
                converged ? (strict ? "converged: no label changed" : "converged: centre shift <= tol")
                          : "--max-iters reached",
                inertia, centres_check.max_centre_error, static_cast<long long>(labels_check.not_nearest),
                ari ? (", adjusted Rand index vs " + setup.truth->text() + " " + std::to_string(*ari)).c_str() : "",
                static_cast<long long>(iterations_run), loop_seconds, iter_seconds, per_iteration * 1e3,
                per_iteration > 0 ? triples / per_iteration : 0.0,
                per_iteration > 0 ? 2 * triples / per_iteration / 1e9 : 0.0, digest_hex(digest).c_str());
  driver.say(summary);

  {
    auto t = timers.measure(Phase::io);
    std::vector<double> centres = km.centres();
    std::vector<std::int64_t> cluster_sizes = sizes;
    std::vector<ArrayView> arrays{view_replicated<double>("centres", centres, {config.k, km.features()}),
                                  view_replicated<std::int64_t>("cluster_sizes", cluster_sizes, {config.k})};
    if (o.write_labels) arrays.push_back(final_state[1]);
    OutputAttributes attributes = driver.session().provenance();
    attributes.text["title"] = "k-means clustering (Lloyd)";
    attributes.text["input"] = info.ref.text();
    attributes.text["init"] = o.init;
    attributes.text["precision"] = o.precision;
    attributes.reals["inertia"] = inertia;
    attributes.integers["iterations"] = iteration;
    attributes.integers["k"] = config.k;
    attributes.integers["seed"] = static_cast<std::int64_t>(config.seed);
    const std::string unit = "units of the input's features";
    const ArrayAttributes described{
        {"centres", OutputAttributes::quantity("cluster centres", unit, {"cluster", "feature"})},
        {"cluster_sizes", OutputAttributes::quantity("rows in each cluster", "rows", {"cluster"})},
        {"labels", OutputAttributes::quantity("cluster of each input row", "cluster index", {"row"})}};
    const auto path =
        write_output_file(comm, std::filesystem::path(common.output) / "kmeans.h5", arrays, attributes, described);
    driver.say("[kmeans] centres" + std::string(o.write_labels ? ", cluster sizes and labels: " : " and cluster sizes: ") +
               path.string());
  }

  nlohmann::json record = driver.run_record({km.rows(), iteration, start.step, start.checkpoint.has_value(),
                                              loop_seconds, iter_seconds});
  record["iterations"] = iteration;
  record["problem"] = {{"input", info.ref.text()},
                       {"rows", km.rows()},
                       {"features", km.features()},
                       {"type", std::string(kernels::type_name(info.type))},
                       {"k", config.k},
                       {"init", o.init},
                       {"seed", config.seed},
                       {"precision", o.precision},
                       {"sums", sum_mode_name(config.sum_mode)}};
  record["metrics"] = {{"seconds_per_iteration", per_iteration},
                       {"triples_per_s", per_iteration > 0 ? triples / per_iteration : 0.0},
                       {"gflops", per_iteration > 0 ? 2 * triples / per_iteration / 1e9 : 0.0},
                       {"cell_updates_per_s", per_iteration > 0 ? static_cast<double>(km.rows()) / per_iteration : 0.0},
                       {"inertia", inertia},
                       {"converged", converged},
                       {"empty_clusters_relocated", relocated},
                       {"centre_error", centres_check.max_centre_error},
                       {"labels_not_nearest", labels_check.not_nearest},
                       {"adjusted_rand_index", ari ? nlohmann::json(*ari) : nlohmann::json(nullptr)}};
  record["verified"] = passed;
  record["state_digest"] = digest_hex(digest);
  driver.finish(record);
  return passed ? ExitCode::success : ExitCode::verification_failed;
}

ExitCode kmeans_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("kmeans", "Distributed k-means (Lloyd) over an HDF5 data set of rows x features, verified by "
                               "its invariants (centres are the means of their points, labels are nearest centres, "
                               "the inertia never rises).");
  KMeansOptions o;
  auto& cli = options.cli();
  cli.add_option("--input", o.input, "Data set: FILE.h5:/path/to/dataset (rows x features)")->required()->group("Problem");
  cli.add_option("--k", o.k, "Number of clusters")->check(positive_number())->group("Problem");
  cli.add_option("--init", o.init, "Seeding: k-means++, k-means-par, random or FILE.h5:/centres (k x features)")
      ->group("Problem");
  cli.add_option("--seed", o.seed, "Seed of every random choice (seeding); results do not depend on ranks")
      ->check(non_negative_number())
      ->group("Problem");
  cli.add_option("--par-rounds", o.parallel_rounds, "k-means-par oversampling rounds")->check(positive_number())->group("Problem");
  cli.add_option("--max-iters", o.max_iters, "Iteration limit")->check(positive_number())->group("Solver");
  cli.add_option("--tol", o.tol, "Stop when the squared centre shift <= tol x mean feature variance (scikit-learn's "
                                 "meaning; 0 = only when no label changes)")
      ->check(non_negative_number())
      ->group("Solver");
  cli.add_option("--precision", o.precision, "Arithmetic of the distance products: float32 or float64")
      ->check(CLI::IsMember({"float32", "float64"}))
      ->group("Solver");
  cli.add_flag("--labels", o.write_labels, "Also write every row's cluster to OUTPUT/kmeans.h5:/labels")->group("Output");
  cli.add_option("--true-labels", o.true_labels,
                 "FILE.h5:/labels to compare with (adjusted Rand index); default: the input's 'labels' attribute")
      ->group("Output");
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  const CommonOptions& common = options.common();

  Setup setup;
  collective_check(world, [&] {
    setup.input = parse_dataset_ref(o.input, "--input");
    setup.config.k = o.k;
    setup.config.init = parse_kmeans_init(o.init, setup.config.init_file);
    setup.config.seed = o.seed;
    setup.config.tol = o.tol;
    setup.config.sum_mode = common.sum_mode();
    setup.config.parallel_rounds = o.parallel_rounds;
    if (!o.true_labels.empty()) setup.truth = parse_dataset_ref(o.true_labels, "--true-labels");
  });
  const DatasetInfo info = describe_dataset(world, setup.input);
  if (!setup.truth) {
    // Generated and imported data name their labels beside the points.
    if (const auto named = named_labels(world, setup.input)) {
      const DatasetRef& truth = *named;
      std::string problem;
      try {
        const DatasetInfo labels_info = describe_dataset(world, truth);
        if (labels_info.shape.size() == 1 && labels_info.rows() == info.rows() && !kernels::is_floating(labels_info.type)) {
          setup.truth = truth;
        } else {
          problem = "it is " + std::string(kernels::type_name(labels_info.type)) + " " + shape_string(labels_info.shape) +
                    ", not " + std::to_string(info.rows()) + " integer labels";
        }
      } catch (const Error& e) {  // collective: every rank takes this branch
        problem = e.what();
      }
      if (!problem.empty() && world.is_root()) {
        std::cerr << "warning: " << setup.input.text() << " names its true labels '" << truth.path
                  << "' (attribute 'labels'), but " << problem << "; no adjusted Rand index" << std::endl;
      }
    }
  }
  if (setup.truth && !o.true_labels.empty()) {
    // An explicit --true-labels is checked before any work, not after the clustering.
    const DatasetInfo truth = describe_dataset(world, *setup.truth);
    require_dims(truth, 1, "a 1D dataset of labels, one per row of " + info.ref.text());
    if (truth.rows() != info.rows() || kernels::is_floating(truth.type)) {
      throw UsageError(truth.ref.text() + " holds " + std::to_string(truth.rows()) + " " +
                           std::string(kernels::type_name(truth.type)) + " values; --true-labels needs " +
                           std::to_string(info.rows()) + " integer labels, one per row of " + info.ref.text(),
                       true);
    }
  }
  return o.precision == "float32" ? run<float>(world, common, o, setup, info) : run<double>(world, common, o, setup, info);
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, kmeans_main, tessera::StopSignals::checkpoint_and_exit);
}
