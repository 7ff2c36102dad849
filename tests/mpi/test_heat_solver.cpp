// The heat solver on the whole communicator and on one rank gives bit-identical fields
// (same state digest) for uneven grids and any process grid, and passes its own verification.
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/models/heat_solver.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace tessera {
namespace {

std::uint64_t run(const Communicator& comm, const HeatProblem& problem, int steps, HeatVerification* check = nullptr) {
  HeatSolver solver(comm, problem);
  solver.set_initial_state();
  PhaseTimers timers;
  for (int s = 0; s < steps; ++s) solver.step(timers);
  if (check) *check = solver.verify(steps, steps * solver.dt());
  std::array<ArrayView, 1> state{solver.state()};
  return state_digest(solver.decomposition().comm(), state);
}

class HeatDecompositions : public testing::TestWithParam<HeatProblem> {};

TEST_P(HeatDecompositions, SameDigestOnAllRanksAndOnOne) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  HeatProblem problem = GetParam();
  if (problem.proc_grid[0] == -1) problem.proc_grid = {1, world.size(), 0};  // slabs along y
  HeatVerification check;
  const std::uint64_t parallel = run(world, problem, 25, &check);
  EXPECT_TRUE(check.passed) << "error " << check.error_discrete << " tolerance " << check.tolerance;
  EXPECT_LT(check.error_continuous, 1e-2);

  const Communicator single = world.split(world.is_root() ? 0 : MPI_UNDEFINED, 0);
  std::uint64_t serial = 0;
  if (single.valid()) {
    HeatProblem one = problem;
    one.proc_grid = {0, 0, 0};
    serial = run(single, one, 25);
  }
  serial = broadcast(world, static_cast<unsigned long long>(serial), 0);
  EXPECT_EQ(digest_hex(parallel), digest_hex(serial));
}

HeatProblem make(int dims, std::array<std::int64_t, 3> cells, std::array<int, 3> grid = {0, 0, 0}) {
  HeatProblem p;
  p.dims = dims;
  p.cells = cells;
  p.proc_grid = grid;
  return p;
}

INSTANTIATE_TEST_SUITE_P(Problems, HeatDecompositions,
                         testing::Values(make(2, {13, 11, 1}), make(2, {8, 17, 1}, {-1, 0, 0}),
                                         make(3, {9, 7, 6}), make(3, {5, 8, 7}, {-1, 0, 0})));

TEST(HeatVerification, CatchesNaNAndWrongFieldsAtAnyAmplitude) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  HeatSolver solver(world, make(2, {8, 8, 1}));
  solver.set_initial_state();
  PhaseTimers timers;
  const int steps = 3000;  // the exact amplitude decays to ~1e-29 on this small grid
  for (int s = 0; s < steps; ++s) solver.step(timers);
  const HeatVerification good = solver.verify(steps, steps * solver.dt());
  EXPECT_TRUE(good.passed) << good.error_discrete << " vs " << good.tolerance;
  EXPECT_LT(good.amplitude, 1e-20);

  ArrayView u = solver.state();
  const kernels::Index cells = u.block_size();
  double* data = u.as<double>();
  std::vector<double> saved(u.memory_shape[2] * u.memory_shape[3]);
  std::copy(data, data + saved.size(), saved.begin());
  // An all-zero field is within any absolute tolerance of a tiny solution: must still fail.
  for (std::size_t i = 0; i < saved.size(); ++i) data[i] = 0.0;
  EXPECT_FALSE(solver.verify(steps, steps * solver.dt()).passed);
  // One NaN on the last rank: max-reductions would skip it.
  std::copy(saved.begin(), saved.end(), data);
  if (world.rank() == world.size() - 1 && cells > 0) *const_cast<double*>(static_cast<const double*>(u.first())) = std::nan("");
  const HeatVerification nan = solver.verify(steps, steps * solver.dt());
  EXPECT_FALSE(nan.finite);
  EXPECT_FALSE(nan.passed);
}

TEST(HeatProblem, InvalidProblemsAreRefused) {
  HeatProblem p = make(2, {10, 10, 1});
  p.dt = 2.0 * p.stability_limit();
  EXPECT_THROW(p.validate(), UsageError);
  p.dt = 0.0;
  p.alpha = -1.0;
  EXPECT_THROW(p.validate(), UsageError);
  EXPECT_THROW(make(2, {0, 10, 1}).validate(), UsageError);
  EXPECT_THROW(make(4, {4, 4, 4}).validate(), UsageError);
  EXPECT_NO_THROW(make(3, {4, 4, 4}).validate());
}

}  // namespace
}  // namespace tessera
