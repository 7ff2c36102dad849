// Conjugate gradients for -Laplace(u) = f on the unit cube, u = 0 on the boundary, 7-point
// finite differences on a Cartesian decomposition, matrix-free. One iteration is three sweeps
// with their dot products fused in (80 bytes of memory traffic per cell):
//   q = A p            halo exchange of p overlapped with the interior, p.q fused
//   r = r - alpha q    r.r fused
//   x = x + alpha p, p = M^-1 r + beta p   in one pass
// and two global sums (fast or reproducible: src/comm/global_sum.hpp). The right-hand side
// comes from a manufactured solution, so the solver verifies the residual and the error
// against the exact solution with a bound it derives.
#pragma once

#include "tessera/comm/global_sum.hpp"
#include "tessera/grid/cart_decomposition.hpp"
#include "tessera/grid/field.hpp"
#include "tessera/grid/halo_exchange.hpp"
#include "tessera/kernels/poisson.hpp"
#include "tessera/run/phase_timers.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tessera {

enum class Preconditioner { none, jacobi };

struct PoissonProblem {
  std::array<std::int64_t, 3> cells{64, 64, 64};  ///< interior grid points per dimension
  std::array<int, 3> proc_grid{0, 0, 0};
  double rtol = 1e-8;                   ///< stop when |r| / |b| <= rtol; 0 = run max_iterations
  std::int64_t max_iterations = 1000;
  Preconditioner preconditioner = Preconditioner::none;
  SumMode sum_mode = SumMode::fast;

  /// Throws a collective UsageError naming the bad value.
  void validate() const;
  /// Memory the solver needs on each of `ranks` ranks (four fields with ghosts), in bytes.
  [[nodiscard]] double bytes_per_rank(int ranks) const;
};

/// Parses "none" or "jacobi".
Preconditioner parse_preconditioner(const std::string& name);
const char* preconditioner_name(Preconditioner p);

struct CgVerification {
  bool finite = true;                ///< no NaN or Inf in x
  double residual_recursive = 0.0;   ///< |r| / |b| as CG updated it
  double residual_true = 0.0;        ///< |b - A x| / |b|, recomputed
  double error = 0.0;                ///< max |x - u_exact| over the grid
  double error_bound = 0.0;          ///< discretization bound + algebraic bound
  double discretization_bound = 0.0; ///< max-norm bound of the O(h^2) error (exact solve)
  bool converged = false;            ///< reached rtol, or an exactly zero residual
  bool stalled = false;              ///< stopped at rounding level (see PoissonCg::stalled)
  bool passed = false;
  std::string reason;                ///< why it failed, empty when passed
};

class PoissonCg {
 public:
  PoissonCg(const Communicator& comm, const PoissonProblem& problem);

  [[nodiscard]] const CartDecomposition& decomposition() const { return decomposition_; }
  [[nodiscard]] const PoissonProblem& problem() const { return problem_; }

  /// Collective: x = 0, r = b, p = M^-1 r, iteration 0 (whatever the vectors held, e.g.
  /// a damaged checkpoint that restart read and then rejected).
  void start();
  /// Collective: continues from x, r, p (already read into state()) and the scalars that
  /// scalars() saved at `iteration`.
  void resume(std::int64_t iteration, const std::map<std::string, double>& scalars);
  /// Collective: one CG iteration; returns the relative residual |r| / |b| after it. On a
  /// breakdown at rounding level it changes nothing and sets stalled().
  double iterate(PhaseTimers& timers);

  [[nodiscard]] std::int64_t iteration() const { return iteration_; }
  [[nodiscard]] double relative_residual() const;
  /// Reached --rtol, or the recursive residual vanished (is zero or underflowed): no
  /// further iteration can change x.
  [[nodiscard]] bool converged() const {
    return rr_ == 0.0 || (problem_.rtol > 0.0 && relative_residual() <= problem_.rtol);
  }
  /// CG broke down (p.Ap not positive) with the residual already at rounding level (below
  /// rounding_level()): further iterations cannot improve x, so the last iteration was not
  /// taken. A breakdown above that level throws a collective Error with exit code 1 instead.
  [[nodiscard]] bool stalled() const { return stalled_; }
  /// The relative residual below which rounding dominates: 1e-10, or 100 eps cond(A) on grids
  /// fine or anisotropic enough that this is larger.
  [[nodiscard]] double rounding_level() const { return rounding_level_; }
  /// Grid spacing per dimension, 1 / (n_d + 1).
  [[nodiscard]] const std::array<double, 3>& spacing() const { return geometry_.h; }
  /// x, r and p: what a checkpoint must hold (with scalars()) to continue bit for bit.
  [[nodiscard]] std::array<ArrayView, 3> state();
  [[nodiscard]] std::map<std::string, double> scalars() const;
  /// The solution x alone, for output.
  [[nodiscard]] ArrayView solution() { return x_.view("u"); }

  /// Collective: recomputes the residual and compares x with the exact solution. Overwrites
  /// p and q, so call it after the last iteration.
  [[nodiscard]] CgVerification verify();

  /// Memory traffic one iteration needs at least (80 bytes per cell), for bandwidth figures.
  [[nodiscard]] double bytes_per_iteration() const;
  /// Floating-point operations of one iteration (21 per cell).
  [[nodiscard]] double flops_per_iteration() const;
  [[nodiscard]] std::int64_t global_cells() const;

 private:
  PoissonProblem problem_;
  CartDecomposition decomposition_;
  Field x_;
  Field r_;
  Field p_;
  Field q_;
  HaloPlan halo_;
  kernels::Stencil7 stencil_;
  kernels::GridGeometry geometry_;
  kernels::Box block_;
  kernels::Box interior_;
  std::vector<kernels::Box> rim_;
  double r_scale_ = 1.0;   // M^-1: 1, or 1 / diagonal for Jacobi
  double b_norm_ = 0.0;    // |b|
  double rr_ = 0.0;        // r.r
  double rz_ = 0.0;        // r.M^-1 r
  std::int64_t iteration_ = 0;
  bool stalled_ = false;
  double rounding_level_ = 1e-10;
  double lambda_min_ = 0.0;  // smallest eigenvalue of A, for the error bound and cond(A)
};

}  // namespace tessera
