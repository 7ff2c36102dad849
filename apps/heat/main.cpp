// heat: explicit heat equation on the unit square or cube, verified against its exact
// solution. Reads options, builds the solver from src/, runs the step loop with checkpoints
// and snapshots, verifies, reports, and appends a run record.
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/io/snapshot_series.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/models/heat_solver.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/config_hash.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/placement.hpp"
#include "tessera/run/step_driver.hpp"

#include <mpi.h>

#include <cstdio>
#include <optional>
#include <string>

namespace {

using namespace tessera;

struct HeatOptions {
  int dims = 2;
  std::int64_t n = 256;
  std::int64_t nx = 0, ny = 0, nz = 0;  // 0: use n
  std::int64_t steps = 500;
  double alpha = 1.0;
  double dt = 0.0;
  std::string proc_grid;
  std::int64_t output_every = 0;
};

HeatProblem problem_from(const HeatOptions& o) {
  if (o.dims == 2 && o.nz > 0) {
    throw UsageError("--nz " + std::to_string(o.nz) + " is for 3D grids; drop it or add --dims 3");
  }
  HeatProblem p;
  p.dims = o.dims;
  p.cells = {o.nx > 0 ? o.nx : o.n, o.ny > 0 ? o.ny : o.n, o.dims == 3 ? (o.nz > 0 ? o.nz : o.n) : 1};
  p.alpha = o.alpha;
  p.dt = o.dt;
  p.proc_grid = parse_proc_grid(o.proc_grid, o.dims);
  return p;
}

ExitCode heat_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("heat", "Explicit heat equation on the unit square (--dims 2) or cube (--dims 3), "
                             "Dirichlet boundaries, verified against the exact solution.");
  HeatOptions o;
  auto& cli = options.cli();
  cli.add_option("--dims", o.dims, "Spatial dimensions (2 or 3)")->check(CLI::IsMember({2, 3}))->group("Problem");
  cli.add_option("--n", o.n, "Interior grid points per dimension")->check(positive_number())->group("Problem");
  cli.add_option("--nx", o.nx, "Grid points in x (0 = --n)")->check(non_negative_number())->group("Problem");
  cli.add_option("--ny", o.ny, "Grid points in y (0 = --n)")->check(non_negative_number())->group("Problem");
  cli.add_option("--nz", o.nz, "Grid points in z (0 = --n; 3D only)")->check(non_negative_number())->group("Problem");
  cli.add_option("--steps", o.steps, "Time steps to run")->check(non_negative_number())->group("Problem");
  cli.add_option("--alpha", o.alpha, "Diffusivity")->check(positive_number())->group("Problem");
  cli.add_option("--dt", o.dt, "Time step (0 = 0.9 of the stability limit)")->check(non_negative_number())->group("Problem");
  cli.add_option("--proc-grid", o.proc_grid, "Process grid, e.g. 2x2 or 2x1x2 (0 entries or empty = automatic)")
      ->group("Parallel");
  cli.add_option("--output-every", o.output_every, "Write a field snapshot (HDF5 + XDMF) every N steps (0 = off)")
      ->check(non_negative_number())
      ->group("Run control");
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  const CommonOptions& common = options.common();

  std::optional<HeatProblem> problem;
  collective_check(world, [&] { problem = problem_from(o); });
  require_memory(world, problem->bytes_per_rank(world.size()), "the heat fields");
  HeatSolver solver(world, *problem);
  const CartDecomposition& decomposition = solver.decomposition();
  const Communicator& comm = decomposition.comm();

  ConfigHash hash;
  hash.add("dims", problem->dims)
      .add("cells", problem->cells)
      .describe("cells_order", "x,y,z (datasets are stored z,y,x)")
      .add("alpha", problem->alpha)
      .add("dt", solver.dt());
  const auto& procs = decomposition.proc_grid();
  // As many process-grid entries as the grid has dimensions: "1x2" in 2D everywhere it is shown.
  RunIdentity identity{"heat", hash.value(), {procs.begin(), procs.begin() + problem->dims}, hash.text()};
  identity.fault_sites = RunSession::FaultSites::with_halo;
  StepDriver driver(comm, common, identity, o.steps);
  PhaseTimers& timers = driver.timers();

  const auto& c = problem->cells;
  driver.say("[heat] " + std::to_string(problem->dims) + "D grid " + std::to_string(c[0]) + "x" + std::to_string(c[1]) +
             (problem->dims == 3 ? "x" + std::to_string(c[2]) : "") + ", " + std::to_string(o.steps) + " steps, " +
             std::to_string(comm.size()) + " ranks (" + decomposition.proc_grid_string() + ") x " +
             std::to_string(kernels::max_threads()) + " threads");

  std::array<ArrayView, 1> state{solver.state()};
  const StepDriver::Start start = driver.begin(state);
  if (!start.checkpoint) solver.set_initial_state();

  std::optional<SnapshotSeries> snapshots;
  if (o.output_every > 0) {
    UniformGrid grid;
    grid.dims = problem->dims;
    grid.cells = c;
    for (int d = 0; d < 3; ++d) {
      grid.spacing[d] = 1.0 / static_cast<double>(c[d] + 1);
      grid.origin[d] = grid.spacing[d];
    }
    OutputAttributes file = driver.session().provenance();
    file.text["title"] = "heat equation u_t = alpha * laplace(u), u = 0 on the boundary";
    const ArrayAttributes fields{{"u", OutputAttributes::quantity("temperature", "1 (nondimensional)")}};
    snapshots.emplace(comm, common.output, "heat", grid, file, fields);
    auto t = timers.measure(Phase::io);
    snapshots->resume_at(start.step);
    if (start.step == 0) {
      state = {solver.state()};
      snapshots->write(0, 0.0, state);
    }
  }

  std::int64_t step = start.step;
  double time = start.time;
  bool stopped = false;
  comm.barrier();
  const double loop_start = MPI_Wtime();
  const double io_before_loop = timers.seconds(Phase::io);
  while (step < o.steps && !stopped) {
    solver.step(timers);
    ++step;
    time = static_cast<double>(step) * solver.dt();
    state = {solver.state()};
    if (snapshots && step % o.output_every == 0) {
      auto t = timers.measure(Phase::io);
      snapshots->write(step, time, state);
    }
    stopped = driver.end_step(step, time, state) == StepDriver::Next::stop;
  }
  const double loop_local = MPI_Wtime() - loop_start;
  const double loop_seconds = allreduce_max(comm, loop_local);
  // Throughput figures count the stepping only, not checkpoint and snapshot I/O.
  const double step_seconds = allreduce_max(comm, loop_local - (timers.seconds(Phase::io) - io_before_loop));
  if (stopped) return ExitCode::interrupted;

  HeatVerification check;
  {
    auto t = timers.measure(Phase::reduce);
    check = solver.verify(step, time);
  }
  state = {solver.state()};
  const std::uint64_t digest = state_digest(comm, state);
  const std::int64_t steps_run = step - start.step;
  const double updates_per_s =
      steps_run > 0 ? static_cast<double>(solver.global_cells()) * static_cast<double>(steps_run) / step_seconds : 0.0;
  const double bandwidth = steps_run > 0 ? solver.bytes_per_step() * static_cast<double>(steps_run) / step_seconds : 0.0;

  char summary[640];
  std::snprintf(summary, sizeof summary,
                "[heat] %s: max error vs exact discrete solution %.3e (tolerance %.1e = budget x amplitude %.3e)%s, "
                "vs continuous solution %.3e\n"
                "[heat] %lld steps in %.3f s (max over ranks; %.3f s without I/O): %.1f Mcell-updates/s, %.2f GB/s "
                "effective; state digest %s",
                check.passed ? "PASS" : "FAIL", check.error_discrete, check.tolerance, check.amplitude,
                check.finite ? "" : " [NaN or Inf in the field]", check.error_continuous,
                static_cast<long long>(steps_run), loop_seconds, step_seconds, updates_per_s / 1e6, bandwidth / 1e9,
                digest_hex(digest).c_str());
  driver.say(summary);
  if (snapshots) driver.say("[heat] field snapshots: " + snapshots->xdmf_path().string() + " (open in ParaView or VisIt)");

  nlohmann::json record = driver.run_record({solver.global_cells(), step, start.step, start.checkpoint.has_value(),
                                              loop_seconds, step_seconds});
  record["problem"] = {{"dims", problem->dims}, {"cells", c}, {"alpha", problem->alpha}, {"dt", solver.dt()}};
  record["metrics"] = {{"cell_updates_per_s", updates_per_s},
                       {"bandwidth_bytes_per_s", bandwidth},
                       {"seconds_per_step", steps_run > 0 ? step_seconds / static_cast<double>(steps_run) : 0.0},
                       {"error_discrete", check.error_discrete},
                       {"error_continuous", check.error_continuous}};
  record["verified"] = check.passed;
  record["state_digest"] = digest_hex(digest);
  driver.finish(record);
  return check.passed ? ExitCode::success : ExitCode::verification_failed;
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, heat_main, tessera::StopSignals::checkpoint_and_exit);
}
