// The distributed Poisson operator against an assembled Eigen sparse matrix; CG converging
// and passing its own verification on any rank count and process grid; and reproducible sums
// giving bitwise identical iterates on P ranks x T threads and on one rank with one thread.
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/solvers/poisson_cg.hpp"

#include <gtest/gtest.h>
#include <omp.h>
#include <Eigen/SparseCore>

#include <cmath>
#include <vector>

namespace tessera {
namespace {

using Cells = std::array<std::int64_t, 3>;

double global_value(std::int64_t g) { return std::sin(0.37 * static_cast<double>(g)) + 0.1 * static_cast<double>(g % 7); }

Eigen::SparseMatrix<double> assemble(const Cells& n) {
  const auto id = [&](std::int64_t i, std::int64_t j, std::int64_t k) { return i + n[0] * (j + n[1] * k); };
  std::vector<Eigen::Triplet<double>> entries;
  std::array<double, 3> c{};
  double diagonal = 0.0;
  for (std::size_t d = 0; d < 3; ++d) {
    const double h = 1.0 / static_cast<double>(n[d] + 1);
    c[d] = 1.0 / (h * h);
    diagonal += 2.0 * c[d];
  }
  for (std::int64_t k = 0; k < n[2]; ++k) {
    for (std::int64_t j = 0; j < n[1]; ++j) {
      for (std::int64_t i = 0; i < n[0]; ++i) {
        const std::int64_t row = id(i, j, k);
        entries.emplace_back(row, row, diagonal);
        const std::array<std::int64_t, 3> at{i, j, k};
        for (std::size_t d = 0; d < 3; ++d) {
          for (int side : {-1, 1}) {
            auto nb = at;
            nb[d] += side;
            if (nb[d] >= 0 && nb[d] < n[d]) entries.emplace_back(row, id(nb[0], nb[1], nb[2]), -c[d]);
          }
        }
      }
    }
  }
  const std::int64_t size = n[0] * n[1] * n[2];
  Eigen::SparseMatrix<double> a(size, size);
  a.setFromTriplets(entries.begin(), entries.end());
  return a;
}

class OperatorVsEigen : public testing::TestWithParam<Cells> {};

TEST_P(OperatorVsEigen, MatchesTheAssembledMatrixOnEveryRank) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  const Cells n = GetParam();
  CartSpec spec;
  spec.dims = 3;
  spec.global = n;
  const CartDecomposition decomposition(world, spec);
  Field p(decomposition, 1);
  Field q(decomposition, 1);
  const auto& layout = p.layout();
  const auto offset = decomposition.offset();
  const auto global_index = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return (offset[0] + i) + n[0] * ((offset[1] + j) + n[1] * (offset[2] + k));
  };
  for (std::int64_t k = 0; k < layout.n[2]; ++k)
    for (std::int64_t j = 0; j < layout.n[1]; ++j)
      for (std::int64_t i = 0; i < layout.n[0]; ++i) p.at(i, j, k) = global_value(global_index(i, j, k));

  HaloPlan halo(decomposition, layout);
  halo.exchange(p.data());
  std::array<double, 3> h{};
  for (std::size_t d = 0; d < 3; ++d) h[d] = 1.0 / static_cast<double>(n[d] + 1);
  const double p_ap = global_sum(decomposition.comm(), kernels::apply_poisson(p.data(), q.data(), layout, layout.interior(),
                                                                              kernels::poisson_stencil(h), SumMode::reproducible));

  const Eigen::SparseMatrix<double> a = assemble(n);
  Eigen::VectorXd v(a.rows());
  for (Eigen::Index g = 0; g < v.size(); ++g) v[g] = global_value(g);
  const Eigen::VectorXd av = a * v;
  const double scale = av.cwiseAbs().maxCoeff();
  for (std::int64_t k = 0; k < layout.n[2]; ++k)
    for (std::int64_t j = 0; j < layout.n[1]; ++j)
      for (std::int64_t i = 0; i < layout.n[0]; ++i)
        ASSERT_NEAR(q.at(i, j, k), av[global_index(i, j, k)], 1e-13 * scale) << "cell " << i << "," << j << "," << k;
  EXPECT_NEAR(p_ap, v.dot(av), 1e-12 * std::fabs(v.dot(av)));
}

INSTANTIATE_TEST_SUITE_P(Grids, OperatorVsEigen,
                         testing::Values(Cells{7, 5, 6}, Cells{4, 4, 4}, Cells{11, 3, 9}, Cells{2, 9, 5}));

PoissonProblem make(Cells cells, SumMode mode, std::array<int, 3> grid = {0, 0, 0}) {
  PoissonProblem p;
  p.cells = cells;
  p.sum_mode = mode;
  p.proc_grid = grid;
  return p;
}

TEST(PoissonCg, ConvergesAndPassesItsVerificationOnAnyDecomposition) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  for (auto problem : {make({13, 11, 9}, SumMode::fast), make({8, 9, 10}, SumMode::reproducible, {1, 1, 0}),
                       make({12, 5, 7}, SumMode::fast, {0, 1, 1})}) {
    problem.rtol = 1e-9;
    problem.preconditioner = problem.cells[0] == 12 ? Preconditioner::jacobi : Preconditioner::none;
    PoissonCg solver(world, problem);
    solver.start();
    PhaseTimers timers;
    while (!solver.converged() && solver.iteration() < problem.max_iterations) solver.iterate(timers);
    const CgVerification check = solver.verify();
    EXPECT_TRUE(check.passed) << check.reason;
    EXPECT_TRUE(check.converged);
    EXPECT_LE(check.residual_true, 2e-9);
    EXPECT_LT(solver.iteration(), 60) << "CG needs O(n) iterations on this grid";
    EXPECT_GT(check.error, 0.0);
    EXPECT_LE(check.error, check.error_bound);
  }
}

TEST(PoissonCg, VerificationFailsWhenNotConverged) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  auto problem = make({10, 10, 10}, SumMode::fast);
  problem.max_iterations = 3;
  PoissonCg solver(world, problem);
  solver.start();
  PhaseTimers timers;
  for (int i = 0; i < 3; ++i) solver.iterate(timers);
  const CgVerification check = solver.verify();
  EXPECT_FALSE(check.passed);
  EXPECT_NE(check.reason.find("did not converge"), std::string::npos) << check.reason;
}

TEST(PoissonCg, FixedIterationRunsPastRoundingLevelStillPass) {
  // With --rtol 0 CG goes on after the residual reaches rounding level: the residual may
  // underflow to exactly 0 (converged) or p.Ap lose its sign (stalled); neither is a failure.
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  for (const Cells cells : {Cells{4, 4, 4}, Cells{6, 5, 4}, Cells{16, 16, 16}}) {
    auto problem = make(cells, SumMode::fast, {1, 1, 0});
    problem.rtol = 0.0;
    problem.max_iterations = 1500;
    PoissonCg solver(world, problem);
    solver.start();
    PhaseTimers timers;
    while (solver.iteration() < problem.max_iterations && !solver.converged() && !solver.stalled()) {
      solver.iterate(timers);
    }
    const CgVerification check = solver.verify();
    EXPECT_TRUE(check.passed) << check.reason;
    EXPECT_LE(check.residual_true, 1e-12);
  }
}

// Digest of (x, r, p) after each of `iterations` iterations.
std::vector<std::uint64_t> iterate_digests(const Communicator& comm, const PoissonProblem& problem, int iterations) {
  PoissonCg solver(comm, problem);
  solver.start();
  PhaseTimers timers;
  std::vector<std::uint64_t> digests;
  for (int i = 0; i < iterations; ++i) {
    solver.iterate(timers);
    const auto state = solver.state();
    digests.push_back(state_digest(solver.decomposition().comm(), state));
  }
  return digests;
}

class Reproducible : public testing::TestWithParam<PoissonProblem> {};

TEST_P(Reproducible, IteratesAreBitwiseTheSameAsOnOneRankWithOneThread) {
  const Communicator world = Communicator::duplicate(MPI_COMM_WORLD);
  const PoissonProblem problem = GetParam();
  const int iterations = 25;
  const auto parallel = iterate_digests(world, problem, iterations);

  const Communicator single = world.split(world.is_root() ? 0 : MPI_UNDEFINED, 0);
  std::vector<unsigned long long> serial(iterations, 0);
  if (single.valid()) {
    const int threads = omp_get_max_threads();
    omp_set_num_threads(1);
    PoissonProblem one = problem;
    one.proc_grid = {0, 0, 0};
    const auto digests = iterate_digests(single, one, iterations);
    std::copy(digests.begin(), digests.end(), serial.begin());
    omp_set_num_threads(threads);
  }
  broadcast<unsigned long long>(world, serial, 0);
  for (int i = 0; i < iterations; ++i) {
    ASSERT_EQ(digest_hex(parallel[static_cast<std::size_t>(i)]), digest_hex(serial[static_cast<std::size_t>(i)]))
        << "iteration " << i + 1 << " on " << world.size() << " ranks x " << omp_get_max_threads() << " threads";
  }
}

INSTANTIATE_TEST_SUITE_P(Problems, Reproducible,
                         testing::Values(make({13, 11, 9}, SumMode::reproducible), make({9, 14, 10}, SumMode::reproducible, {1, 0, 1}),
                                         make({17, 6, 5}, SumMode::reproducible, {0, 1, 1})));

}  // namespace
}  // namespace tessera
