// cg: conjugate gradients for -Laplace(u) = f on the unit cube (Dirichlet u = 0, 7-point
// finite differences, manufactured solution), verified by the recomputed residual and by the
// error against the exact solution. Reads options, builds the solver from src/, iterates
// with checkpoints and progress lines, verifies, writes the solution and a run record.
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/io/snapshot_series.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/config_hash.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/placement.hpp"
#include "tessera/run/step_driver.hpp"
#include "tessera/solvers/poisson_cg.hpp"

#include <mpi.h>

#include <cstdio>
#include <optional>
#include <string>

namespace {

using namespace tessera;

struct CgOptions {
  std::int64_t n = 64;
  std::int64_t nx = 0, ny = 0, nz = 0;  // 0: use n
  double rtol = 1e-8;
  std::int64_t max_iters = 1000;
  std::string preconditioner = "none";
  std::string proc_grid;
  bool write_solution = true;
};

PoissonProblem problem_from(const CgOptions& o, const CommonOptions& common) {
  PoissonProblem p;
  p.cells = {o.nx > 0 ? o.nx : o.n, o.ny > 0 ? o.ny : o.n, o.nz > 0 ? o.nz : o.n};
  p.rtol = o.rtol;
  p.max_iterations = o.max_iters;
  p.preconditioner = parse_preconditioner(o.preconditioner);
  p.sum_mode = common.sum_mode();
  p.proc_grid = parse_proc_grid(o.proc_grid, 3);
  p.validate();
  return p;
}

ExitCode cg_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("cg", "Conjugate gradients for -Laplace(u) = f on the unit cube, u = 0 on the boundary, "
                           "7-point finite differences, verified against a manufactured solution.");
  CgOptions o;
  auto& cli = options.cli();
  cli.add_option("--n", o.n, "Interior grid points per dimension")->check(positive_number())->group("Problem");
  cli.add_option("--nx", o.nx, "Grid points in x (0 = --n)")->check(non_negative_number())->group("Problem");
  cli.add_option("--ny", o.ny, "Grid points in y (0 = --n)")->check(non_negative_number())->group("Problem");
  cli.add_option("--nz", o.nz, "Grid points in z (0 = --n)")->check(non_negative_number())->group("Problem");
  cli.add_option("--rtol", o.rtol, "Stop when |r| / |b| <= rtol (0 = run exactly --max-iters iterations)")
      ->check(non_negative_number())
      ->group("Solver");
  cli.add_option("--max-iters", o.max_iters, "Iteration limit")->check(positive_number())->group("Solver");
  cli.add_option("--preconditioner", o.preconditioner, "none or jacobi")
      ->check(CLI::IsMember({"none", "jacobi"}))
      ->group("Solver");
  cli.add_option("--proc-grid", o.proc_grid, "Process grid, e.g. 2x1x2 (0 entries or empty = automatic)")
      ->group("Parallel");
  bool no_solution = false;
  cli.add_flag("--no-write-solution", no_solution, "Do not write the solution (HDF5 + XDMF in --output) at the end")
      ->group("Run control");
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  const CommonOptions& common = options.common();
  o.write_solution = !no_solution;

  std::optional<PoissonProblem> problem;
  collective_check(world, [&] { problem = problem_from(o, common); });
  require_memory(world, problem->bytes_per_rank(world.size()), "the CG vectors");
  PoissonCg solver(world, *problem);
  const CartDecomposition& decomposition = solver.decomposition();
  const Communicator& comm = decomposition.comm();

  // What defines the iterates: the grid, the preconditioner and the sum mode. The tolerance
  // and the iteration limit only say when to stop, so a restart may change them.
  ConfigHash hash;
  hash.add("cells", problem->cells).describe("cells_order", "x,y,z (datasets are stored z,y,x)")
      .add("preconditioner", std::string(preconditioner_name(problem->preconditioner)))
      .add("sums", std::string(sum_mode_name(problem->sum_mode)));
  const auto& procs = decomposition.proc_grid();
  RunIdentity identity{"cg", hash.value(), {procs[0], procs[1], procs[2]}, hash.text()};
  identity.step_word = "iteration";
  identity.total_option = "--max-iters";
  identity.may_end_early = problem->rtol > 0.0;
  identity.fault_sites = RunSession::FaultSites::with_halo;
  StepDriver driver(comm, common, identity, problem->max_iterations);
  PhaseTimers& timers = driver.timers();

  const auto& c = problem->cells;
  char stopping[96];
  if (problem->rtol > 0.0) {
    std::snprintf(stopping, sizeof stopping, "rtol %.3g, at most %lld iterations", problem->rtol,
                  static_cast<long long>(problem->max_iterations));
  } else {
    std::snprintf(stopping, sizeof stopping, "exactly %lld iterations", static_cast<long long>(problem->max_iterations));
  }
  driver.say("[cg] grid " + std::to_string(c[0]) + "x" + std::to_string(c[1]) + "x" + std::to_string(c[2]) + ", " +
             stopping + ", preconditioner " + preconditioner_name(problem->preconditioner) + ", " +
             sum_mode_name(problem->sum_mode) + " sums, " + std::to_string(comm.size()) + " ranks (" +
             decomposition.proc_grid_string() + ") x " + std::to_string(kernels::max_threads()) + " threads");

  const auto state = solver.state();
  const StepDriver::Start start = driver.begin(state);
  if (start.checkpoint) {
    solver.resume(start.step, start.checkpoint->scalars);
  } else {
    solver.start();
  }

  char detail[64];
  bool stopped = false;
  comm.barrier();
  const double loop_start = MPI_Wtime();
  const double io_before_loop = timers.seconds(Phase::io);
  while (solver.iteration() < problem->max_iterations && !solver.converged() && !solver.stalled() && !stopped) {
    const double residual = solver.iterate(timers);
    if (solver.stalled()) break;  // nothing changed: this is not a new step
    std::snprintf(detail, sizeof detail, "residual %.3e", residual);
    stopped = driver.end_step(solver.iteration(), 0.0, state, solver.scalars(), detail) == StepDriver::Next::stop;
  }
  const double loop_local = MPI_Wtime() - loop_start;
  const double loop_seconds = allreduce_max(comm, loop_local);
  // Per-iteration figures count the iterations only, not checkpoint I/O.
  const double iter_seconds = allreduce_max(comm, loop_local - (timers.seconds(Phase::io) - io_before_loop));
  if (stopped) return ExitCode::interrupted;

  if (solver.stalled()) {
    char line[160];
    std::snprintf(line, sizeof line,
                  "[cg] stopped after %lld iterations: the residual (%.3e) is at rounding level and p.Ap lost "
                  "its sign in rounding; further iterations cannot improve x",
                  static_cast<long long>(solver.iteration()), solver.relative_residual());
    driver.say(line);
  }
  const std::uint64_t digest = state_digest(comm, state);
  const std::int64_t iterations_run = solver.iteration() - start.step;
  CgVerification check;
  {
    auto t = timers.measure(Phase::reduce);
    check = solver.verify();
  }
  const double per_iteration = iterations_run > 0 ? iter_seconds / static_cast<double>(iterations_run) : 0.0;
  const double gflops = per_iteration > 0 ? solver.flops_per_iteration() / per_iteration / 1e9 : 0.0;
  const double bandwidth = per_iteration > 0 ? solver.bytes_per_iteration() / per_iteration : 0.0;

  char summary[768];
  std::snprintf(summary, sizeof summary,
                "[cg] %s%s%s: %lld iterations, relative residual %.3e (recomputed %.3e), max error vs exact "
                "solution %.3e (bound %.3e, of which discretization %.3e)\n"
                "[cg] %lld iterations in %.3f s (max over ranks; %.3f s without I/O): %.3f ms/iteration, %.2f GFLOP/s, "
                "%.2f GB/s effective; state digest %s",
                check.passed ? "PASS" : "FAIL", check.passed ? "" : " (", check.passed ? "" : (check.reason + ")").c_str(),
                static_cast<long long>(solver.iteration()), check.residual_recursive, check.residual_true, check.error,
                check.error_bound, check.discretization_bound, static_cast<long long>(iterations_run), loop_seconds,
                iter_seconds, per_iteration * 1e3, gflops, bandwidth / 1e9, digest_hex(digest).c_str());
  driver.say(summary);

  if (o.write_solution) {
    auto t = timers.measure(Phase::io);
    UniformGrid grid;
    grid.dims = 3;
    grid.cells = c;
    grid.spacing = solver.spacing();
    grid.origin = solver.spacing();  // cell (0, 0, 0) sits at h: the boundary u = 0 is at 0
    // A steady problem: the series' one entry sits at its iteration count, not at a time.
    OutputAttributes file = driver.session().provenance();
    file.text["title"] = "Poisson equation -laplace(u) = f, u = 0 on the boundary, solved by conjugate gradients";
    file.text["time_is"] = "the CG iteration count (a steady problem)";
    const ArrayAttributes fields{{"u", OutputAttributes::quantity("solution u", "1 (nondimensional)")}};
    SnapshotSeries series(comm, common.output, "cg_solution", grid, file, fields);
    series.resume_at(0);
    const std::array<ArrayView, 1> solution{solver.solution()};
    series.write(solver.iteration(), static_cast<double>(solver.iteration()), solution);
    driver.say("[cg] solution: " + series.xdmf_path().string() + " (open in ParaView or VisIt)");
  }

  nlohmann::json record = driver.run_record({solver.global_cells(), solver.iteration(), start.step,
                                              start.checkpoint.has_value(), loop_seconds, iter_seconds});
  record["iterations"] = solver.iteration();
  record["problem"] = {{"dims", 3},
                       {"cells", c},
                       {"rtol", problem->rtol},
                       {"max_iterations", problem->max_iterations},
                       {"preconditioner", preconditioner_name(problem->preconditioner)},
                       {"sums", sum_mode_name(problem->sum_mode)}};
  record["metrics"] = {{"seconds_per_iteration", per_iteration},
                       {"cell_updates_per_s",
                        per_iteration > 0 ? static_cast<double>(solver.global_cells()) / per_iteration : 0.0},
                       {"gflops", gflops},
                       {"bandwidth_bytes_per_s", bandwidth},
                       {"bytes_per_iteration", solver.bytes_per_iteration()},
                       {"flops_per_iteration", solver.flops_per_iteration()},
                       {"relative_residual", check.residual_recursive},
                       {"relative_residual_true", check.residual_true},
                       {"error_max", check.error},
                       {"error_bound", check.error_bound}};
  record["verified"] = check.passed;
  record["state_digest"] = digest_hex(digest);
  driver.finish(record);
  return check.passed ? ExitCode::success : ExitCode::verification_failed;
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, cg_main, tessera::StopSignals::checkpoint_and_exit);
}
