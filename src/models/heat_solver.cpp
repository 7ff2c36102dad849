// Heat solver: set-up, the overlapped step, and verification.
#include "tessera/models/heat_solver.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/kernels/reduce.hpp"

#include <cmath>
#include <numbers>
#include <sstream>

namespace tessera {

namespace {
// Below this the solution is too close to underflow for relative checks to mean anything.
constexpr double kSmallestCheckableAmplitude = 1e-250;

double spacing(std::int64_t cells) { return 1.0 / static_cast<double>(cells + 1); }

CartSpec spec_of(const HeatProblem& p) {
  p.validate();
  CartSpec spec;
  spec.dims = p.dims;
  spec.global = p.cells;
  spec.proc_grid = p.proc_grid;
  return spec;
}
}  // namespace

double HeatProblem::stability_limit() const {
  double inv = 0.0;
  for (int d = 0; d < dims; ++d) inv += 1.0 / (spacing(cells[d]) * spacing(cells[d]));
  return 1.0 / (2.0 * alpha * inv);
}

double HeatProblem::bytes_per_rank(int ranks) const {
  // In floating point: the product of user-given sizes can overflow any integer type.
  double total = 1.0;
  double ghost_factor = 1.0;
  for (int d = 0; d < dims; ++d) {
    total *= static_cast<double>(cells[d]);
    ghost_factor *= 1.0 + 2.0 / std::max(1.0, static_cast<double>(cells[d]) / std::pow(ranks, 1.0 / dims));
  }
  return 2.0 * sizeof(double) * total / ranks * ghost_factor;
}

void HeatProblem::validate() const {
  if (dims != 2 && dims != 3) throw UsageError("--dims must be 2 or 3, got " + std::to_string(dims), true);
  for (int d = 0; d < dims; ++d) {
    if (cells[d] < 1) {
      throw UsageError(std::string("grid size --n") + "xyz"[d] + " must be at least 1, got " + std::to_string(cells[d]), true);
    }
  }
  if (!(alpha > 0.0) || !std::isfinite(alpha)) {
    throw UsageError("--alpha must be a positive number, got " + std::to_string(alpha), true);
  }
  if (!std::isfinite(stability_limit())) {
    std::ostringstream m;
    m << "--alpha " << alpha << " is too small: the stable time step 1/(2 alpha sum 1/h^2) overflows a double; "
      << "use --alpha >= 1e-290 or rescale the problem";
    throw UsageError(m.str(), true);
  }
  if (dt < 0.0 || !std::isfinite(dt)) throw UsageError("--dt must be >= 0 (0 = automatic), got " + std::to_string(dt), true);
  if (dt > stability_limit()) {
    std::ostringstream m;
    m.precision(6);
    m << "--dt " << dt << " exceeds the stability limit " << stability_limit()
      << " of the explicit scheme on this grid; use --dt <= " << stability_limit() << " or --dt 0 (automatic)";
    throw UsageError(m.str(), true);
  }
}

HeatSolver::HeatSolver(const Communicator& comm, const HeatProblem& problem)
    : problem_(problem),
      decomposition_(comm, spec_of(problem)),
      u_(decomposition_, 1),
      next_(decomposition_, 1),
      halo_(decomposition_, u_.layout()),
      dt_(problem.time_step()) {
  for (int d = 0; d < problem_.dims; ++d) {
    const double h = spacing(problem_.cells[d]);
    r_[static_cast<std::size_t>(d)] = problem_.alpha * dt_ / (h * h);
    geometry_.h[static_cast<std::size_t>(d)] = h;
  }
  geometry_.offset = decomposition_.offset();
  // Cells one away from the block edge read no ghosts: update them while the halo is in flight.
  const kernels::Box block = u_.layout().interior();
  interior_ = kernels::shrink(block, problem_.dims, 1);
  rim_ = kernels::shell(block, interior_, problem_.dims);
}

void HeatSolver::set_initial_state() {
  kernels::fill_sine_product(u_.data(), u_.layout(), u_.layout().interior(), geometry_, 1.0);
}

void HeatSolver::step(PhaseTimers& timers) {
  const auto update = problem_.dims == 2 ? kernels::heat_update_2d : kernels::heat_update_3d;
  {
    auto t = timers.measure(Phase::halo);
    halo_.start(u_.data());
  }
  {
    auto t = timers.measure(Phase::compute);
    update(u_.data(), next_.data(), u_.layout(), interior_, r_);
  }
  {
    auto t = timers.measure(Phase::halo);
    halo_.finish();
  }
  {
    auto t = timers.measure(Phase::compute);
    for (const auto& box : rim_) update(u_.data(), next_.data(), u_.layout(), box, r_);
  }
  u_.swap(next_);
}

HeatVerification HeatSolver::verify(std::int64_t steps, double time) {
  // The sine product is an eigenvector: one step multiplies it by lambda.
  double lambda = 1.0;
  double decay_rate = 0.0;
  for (int d = 0; d < problem_.dims; ++d) {
    const double s = std::sin(std::numbers::pi * geometry_.h[static_cast<std::size_t>(d)] / 2.0);
    lambda -= 4.0 * r_[static_cast<std::size_t>(d)] * s * s;
    decay_rate += std::numbers::pi * std::numbers::pi * problem_.alpha;
  }
  const double discrete_amplitude = std::pow(lambda, static_cast<double>(steps));
  const double continuous_amplitude = std::exp(-decay_rate * time);
  const kernels::Box block = u_.layout().interior();

  // next_ is scratch between steps: its interior is rewritten by the next step anyway.
  HeatVerification v;
  kernels::fill_sine_product(next_.data(), next_.layout(), block, geometry_, discrete_amplitude);
  v.error_discrete = allreduce_max(decomposition_.comm(), kernels::max_abs_diff(u_.data(), next_.data(), u_.layout(), block));
  kernels::fill_sine_product(next_.data(), next_.layout(), block, geometry_, continuous_amplitude);
  v.error_continuous = allreduce_max(decomposition_.comm(), kernels::max_abs_diff(u_.data(), next_.data(), u_.layout(), block));
  // Max-reductions skip NaN; a sum of squares carries NaN and Inf through, also across ranks.
  v.finite = std::isfinite(allreduce_sum(decomposition_.comm(), kernels::sum_squares(u_.data(), u_.layout(), block)));
  // The scheme is stable, so rounding errors do not grow: a few ulps of the current amplitude
  // per step is the budget. A stale or misplaced halo value costs O(r * |u|) in one step.
  v.amplitude = discrete_amplitude;
  v.tolerance = 1e-14 * static_cast<double>(steps + 10) * discrete_amplitude;
  v.passed = v.finite && discrete_amplitude > kSmallestCheckableAmplitude && v.error_discrete <= v.tolerance;
  return v;
}

double HeatSolver::bytes_per_step() const { return 2.0 * sizeof(double) * static_cast<double>(global_cells()); }

std::int64_t HeatSolver::global_cells() const {
  const auto& g = decomposition_.global();
  return g[0] * g[1] * g[2];
}

}  // namespace tessera
