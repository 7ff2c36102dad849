// The explicit heat equation u_t = alpha * Laplace(u) on the unit square or cube with u = 0 on
// the boundary, on a Cartesian decomposition. One step overlaps the halo exchange with the
// interior update. The initial state prod_d sin(pi x_d) is an eigenvector of the discrete
// Laplacian, so the exact discrete solution after k steps is lambda^k times it: the solver
// verifies against that (any stale halo or indexing error shows), and also reports the error
// against the continuous solution exp(-d pi^2 alpha t) prod_d sin(pi x_d).
#pragma once

#include "tessera/grid/cart_decomposition.hpp"
#include "tessera/grid/field.hpp"
#include "tessera/grid/halo_exchange.hpp"
#include "tessera/kernels/heat.hpp"
#include "tessera/run/phase_timers.hpp"

#include <array>
#include <cstdint>

namespace tessera {

struct HeatProblem {
  int dims = 2;
  std::array<std::int64_t, 3> cells{64, 64, 1};  ///< interior grid points per dimension
  double alpha = 1.0;
  double dt = 0.0;  ///< 0: 0.9 of the stability limit
  std::array<int, 3> proc_grid{0, 0, 0};

  /// Largest stable time step of the explicit scheme on this grid.
  [[nodiscard]] double stability_limit() const;
  /// The step actually used.
  [[nodiscard]] double time_step() const { return dt > 0.0 ? dt : 0.9 * stability_limit(); }
  /// Throws UsageError (collective: all ranks check the same values) when the problem is invalid.
  void validate() const;
  /// Memory the solver needs on each of `ranks` ranks (two fields with ghosts), in bytes.
  [[nodiscard]] double bytes_per_rank(int ranks) const;
};

struct HeatVerification {
  double amplitude = 0.0;         ///< peak of the exact discrete solution (lambda^steps)
  bool finite = true;             ///< no NaN or Inf anywhere in u
  double error_discrete = 0.0;    ///< max |u - exact discrete solution|
  double error_continuous = 0.0;  ///< max |u - exact continuous solution|
  double tolerance = 0.0;         ///< bound on error_discrete for PASS (relative to amplitude)
  bool passed = false;
};

class HeatSolver {
 public:
  HeatSolver(const Communicator& comm, const HeatProblem& problem);

  [[nodiscard]] const CartDecomposition& decomposition() const { return decomposition_; }
  [[nodiscard]] const HeatProblem& problem() const { return problem_; }
  [[nodiscard]] double dt() const { return dt_; }

  void set_initial_state();
  /// One explicit step: start halo exchange, update the interior, finish, update the rim.
  void step(PhaseTimers& timers);
  /// The current field u as a view of the global array (valid until the next step).
  [[nodiscard]] ArrayView state() { return u_.view("u"); }
  /// Collective: compares u after `steps` steps (time `time`) with the exact solutions.
  [[nodiscard]] HeatVerification verify(std::int64_t steps, double time);
  /// Bytes one step must move at least (read u, write u_next) for the bandwidth figure.
  [[nodiscard]] double bytes_per_step() const;
  [[nodiscard]] std::int64_t global_cells() const;

 private:
  HeatProblem problem_;
  CartDecomposition decomposition_;
  Field u_;
  Field next_;
  HaloPlan halo_;
  double dt_;
  kernels::Diffusion r_{0.0, 0.0, 0.0};
  kernels::GridGeometry geometry_;
  kernels::Box interior_;
  std::vector<kernels::Box> rim_;
};

}  // namespace tessera
