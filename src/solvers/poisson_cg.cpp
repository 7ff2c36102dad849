// Poisson CG: set-up, the overlapped iteration, restart, and verification.
#include "tessera/solvers/poisson_cg.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/kernels/reduce.hpp"
#include "tessera/kernels/stream.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <sstream>

namespace tessera {

namespace {
double spacing_of(std::int64_t cells) { return 1.0 / static_cast<double>(cells + 1); }

CartSpec spec_of(const PoissonProblem& p) {
  p.validate();
  CartSpec spec;
  spec.dims = 3;
  spec.global = p.cells;
  spec.proc_grid = p.proc_grid;
  return spec;
}

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}
}  // namespace

Preconditioner parse_preconditioner(const std::string& name) {
  if (name == "none") return Preconditioner::none;
  if (name == "jacobi") return Preconditioner::jacobi;
  throw UsageError("--preconditioner must be none or jacobi, got '" + name + "'", true);
}

const char* preconditioner_name(Preconditioner p) { return p == Preconditioner::jacobi ? "jacobi" : "none"; }

void PoissonProblem::validate() const {
  for (int d = 0; d < 3; ++d) {
    if (cells[static_cast<std::size_t>(d)] < 1) {
      throw UsageError(std::string("grid size --n") + "xyz"[d] + " must be at least 1, got " +
                           std::to_string(cells[static_cast<std::size_t>(d)]),
                       true);
    }
  }
  if (!(rtol >= 0.0) || !std::isfinite(rtol) || rtol >= 1.0) {
    throw UsageError("--rtol must be in [0, 1) (0 = run exactly --max-iters iterations), got " + number(rtol), true);
  }
  if (max_iterations < 1) {
    throw UsageError("--max-iters must be at least 1, got " + std::to_string(max_iterations), true);
  }
}

double PoissonProblem::bytes_per_rank(int ranks) const {
  double total = 1.0;
  double ghost_factor = 1.0;
  for (const auto n : cells) {
    total *= static_cast<double>(n);
    ghost_factor *= 1.0 + 2.0 / std::max(1.0, static_cast<double>(n) / std::cbrt(ranks));
  }
  return 4.0 * sizeof(double) * total / ranks * ghost_factor;
}

PoissonCg::PoissonCg(const Communicator& comm, const PoissonProblem& problem)
    : problem_(problem),
      decomposition_(comm, spec_of(problem)),
      x_(decomposition_, 1),
      r_(decomposition_, 1),
      p_(decomposition_, 1),
      q_(decomposition_, 1),
      halo_(decomposition_, p_.layout()) {
  for (std::size_t d = 0; d < 3; ++d) geometry_.h[d] = spacing_of(problem_.cells[d]);
  geometry_.offset = decomposition_.offset();
  stencil_ = kernels::poisson_stencil(geometry_.h);
  r_scale_ = problem_.preconditioner == Preconditioner::jacobi ? 1.0 / stencil_.diagonal() : 1.0;
  block_ = p_.layout().interior();
  // Cells one away from the block edge read no ghosts: apply the operator there while the
  // halo of p is in flight.
  interior_ = kernels::shrink(block_, 3, 1);
  rim_ = kernels::shell(block_, interior_, 3);
  // cond(A) = lambda_max / lambda_min of the 7-point operator; rounding errors of size eps
  // cond(A) relative are all the residual can resolve.
  double lambda_max = 0.0;
  for (const double h : geometry_.h) {
    const double s = std::sin(std::numbers::pi * h / 2.0);
    const double c = std::cos(std::numbers::pi * h / 2.0);
    lambda_min_ += 4.0 / (h * h) * s * s;
    lambda_max += 4.0 / (h * h) * c * c;
  }
  rounding_level_ = std::max(1e-10, 100.0 * std::numeric_limits<double>::epsilon() * lambda_max / lambda_min_);
}

void PoissonCg::start() {
  const auto& layout = r_.layout();
  for (Field* v : {&x_, &r_, &p_, &q_}) kernels::first_touch_fill(v->data(), 0.0);  // ghosts too: u = 0 there
  kernels::fill_manufactured_rhs(r_.data(), layout, block_, geometry_);  // x0 = 0: r = b
  rr_ = global_sum(decomposition_.comm(), kernels::dot(r_.data(), r_.data(), layout, block_, problem_.sum_mode));
  b_norm_ = std::sqrt(rr_);
  rz_ = r_scale_ * rr_;
  // x and p are zero: this leaves x = 0, p = M^-1 r.
  kernels::update_solution_direction(x_.data(), p_.data(), r_.data(), 0.0, 0.0, r_scale_, layout, block_);
  iteration_ = 0;
}

void PoissonCg::resume(std::int64_t iteration, const std::map<std::string, double>& scalars) {
  for (const char* key : {"b_norm", "rr", "rz"}) {
    if (!scalars.contains(key)) {
      throw RuntimeError(std::string("the checkpoint lacks the CG scalar '") + key + "'", true);
    }
  }
  b_norm_ = scalars.at("b_norm");
  rr_ = scalars.at("rr");
  rz_ = scalars.at("rz");
  iteration_ = iteration;
}

double PoissonCg::iterate(PhaseTimers& timers) {
  const auto& layout = p_.layout();
  const Communicator& comm = decomposition_.comm();
  const SumMode mode = problem_.sum_mode;
  PartialSum pq(mode);
  {
    auto t = timers.measure(Phase::halo);
    halo_.start(p_.data());
  }
  {
    auto t = timers.measure(Phase::compute);
    pq = kernels::apply_poisson(p_.data(), q_.data(), layout, interior_, stencil_, mode);
  }
  {
    auto t = timers.measure(Phase::halo);
    halo_.finish();
  }
  {
    auto t = timers.measure(Phase::compute);
    for (const auto& box : rim_) pq.add(kernels::apply_poisson(p_.data(), q_.data(), layout, box, stencil_, mode));
  }
  double p_ap = 0.0;
  {
    auto t = timers.measure(Phase::reduce);
    p_ap = global_sum(comm, pq);
  }
  // A is symmetric positive definite, so p.Ap > 0 in exact arithmetic. Once the residual is
  // at rounding level (a run with --rtol 0 gets there), p can lose that in rounding: stop.
  // Above that level, a breakdown means bad data. Every rank holds the same global value, so
  // all ranks take the same branch.
  if (!(p_ap > 0.0) || !std::isfinite(p_ap)) {
    if (relative_residual() <= rounding_level_) {
      stalled_ = true;
      return relative_residual();
    }
    throw Error("CG breakdown at iteration " + std::to_string(iteration_ + 1) + ": p.Ap = " + number(p_ap) +
                    " (expected positive and finite) at relative residual " + number(relative_residual()),
                ExitCode::verification_failed, true);
  }
  const double alpha = rz_ / p_ap;
  PartialSum rr(mode);
  {
    auto t = timers.measure(Phase::compute);
    rr = kernels::update_residual(r_.data(), q_.data(), alpha, layout, block_, mode);
  }
  {
    auto t = timers.measure(Phase::reduce);
    rr_ = global_sum(comm, rr);
  }
  // With a constant diagonal, r.M^-1 r is r.r scaled: no second sum needed.
  const double rz = r_scale_ * rr_;
  const double beta = rz / rz_;
  rz_ = rz;
  {
    auto t = timers.measure(Phase::compute);
    kernels::update_solution_direction(x_.data(), p_.data(), r_.data(), alpha, beta, r_scale_, layout, block_);
  }
  ++iteration_;
  return relative_residual();
}

double PoissonCg::relative_residual() const { return b_norm_ > 0.0 ? std::sqrt(rr_) / b_norm_ : 0.0; }

std::array<ArrayView, 3> PoissonCg::state() { return {x_.view("x"), r_.view("r"), p_.view("p")}; }

std::map<std::string, double> PoissonCg::scalars() const { return {{"b_norm", b_norm_}, {"rr", rr_}, {"rz", rz_}}; }

CgVerification PoissonCg::verify() {
  const auto& layout = x_.layout();
  const Communicator& comm = decomposition_.comm();
  const SumMode mode = problem_.sum_mode;
  CgVerification v;
  v.residual_recursive = relative_residual();
  v.converged = converged();
  v.stalled = stalled_;

  // True residual: q = A x, p = b, q = b - A x.
  halo_.exchange(x_.data());
  kernels::apply_poisson(x_.data(), q_.data(), layout, block_, stencil_, mode);
  kernels::fill_manufactured_rhs(p_.data(), layout, block_, geometry_);
  const double true_rr = global_sum(comm, kernels::subtract_from(p_.data(), q_.data(), layout, block_, mode));
  v.residual_true = b_norm_ > 0.0 ? std::sqrt(true_rr) / b_norm_ : std::sqrt(true_rr);
  v.finite = std::isfinite(global_sum(comm, kernels::dot(x_.data(), x_.data(), layout, block_, mode))) &&
             std::isfinite(true_rr);

  kernels::fill_manufactured_solution(p_.data(), layout, block_, geometry_);
  v.error = allreduce_max(comm, kernels::max_abs_diff(x_.data(), p_.data(), layout, block_));

  // Discretization: the centred second difference of u is u'' + h^2/12 u''''(xi), so the
  // truncation error is at most tau = sum_d h_d^2/12 max|d^4u/dx_d^4|, and by the discrete
  // maximum principle (comparison function x(1-x)/2, max 1/8) the error of the exact discrete
  // solution is at most tau / 8. Algebraic: x - x_exact_discrete = A^-1 (b - A x), bounded in
  // the max norm by |b - A x|_2 / lambda_min(A).
  const auto bounds = kernels::manufactured_bounds();
  double tau = 0.0;
  for (const double h : geometry_.h) tau += h * h / 12.0 * bounds.max_fourth_derivative;
  v.discretization_bound = tau / 8.0;
  v.error_bound = v.discretization_bound + std::sqrt(true_rr) / lambda_min_;

  if (!v.finite) {
    v.reason = "NaN or Inf in the solution";
  } else if (problem_.rtol > 0.0 && !v.converged && v.stalled) {
    v.reason = "CG stalled at rounding level (relative residual " + number(v.residual_recursive) +
               ") above --rtol " + number(problem_.rtol) + "; choose a larger --rtol";
  } else if (problem_.rtol > 0.0 && !v.converged) {
    v.reason = "did not converge: relative residual " + number(v.residual_recursive) + " after " +
               std::to_string(iteration_) + " iterations, --rtol " + number(problem_.rtol) + "; raise --max-iters";
  } else if (problem_.rtol > 0.0 && v.residual_true > 10.0 * problem_.rtol) {
    v.reason = "the recomputed residual " + number(v.residual_true) + " is above 10 x --rtol " + number(problem_.rtol) +
               (v.residual_true <= rounding_level_
                    ? " (that is rounding level: this --rtol is below what double precision attains here; use --rtol >= " +
                          number(v.residual_true) + ")"
                    : "");
  } else if (problem_.rtol == 0.0 && v.residual_true > rounding_level_ &&
             std::fabs(v.residual_true - v.residual_recursive) > 1e-3 * v.residual_true) {
    // Below rounding level the recomputed residual stops falling while the recursive one
    // goes on: that is expected, not a drift.
    v.reason = "the recursive residual " + number(v.residual_recursive) + " drifted from the recomputed one " +
               number(v.residual_true);
  } else if (!(v.error <= v.error_bound)) {
    v.reason = "max error " + number(v.error) + " exceeds the bound " + number(v.error_bound);
  }
  v.passed = v.reason.empty();
  return v;
}

double PoissonCg::bytes_per_iteration() const {
  // q = A p: read p, write q (16); r -= alpha q: read r, q, write r (24); x += alpha p,
  // p = M^-1 r + beta p: read x, p, r, write x, p (40).
  return 80.0 * static_cast<double>(global_cells());
}

double PoissonCg::flops_per_iteration() const {
  // Operator 10 + fused dot 2; residual update 2 + dot 2; solution and direction update 5.
  return 21.0 * static_cast<double>(global_cells());
}

std::int64_t PoissonCg::global_cells() const {
  const auto& g = decomposition_.global();
  return g[0] * g[1] * g[2];
}

}  // namespace tessera
