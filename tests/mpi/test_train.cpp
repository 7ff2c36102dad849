// Data-parallel training at any rank count: the binned global sum, the batch fetch, and the
// trainer's weights, which in exact mode must be the bits of a single-rank, single-thread run
// of the same data, also when ranks hold fewer rows than a micro-batch (or none).
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/global_sum.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/learn/batch_plan.hpp"
#include "tessera/learn/trainer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace tessera;

namespace {

Communicator world() { return Communicator::duplicate(MPI_COMM_WORLD); }
Communicator self() { return Communicator::duplicate(MPI_COMM_SELF); }

// Row i of a synthetic 3-class problem: features that depend on the class, plus noise.
template <class T>
LabelledRows<T> synthetic(const Communicator& comm, std::int64_t rows, std::int64_t columns) {
  LabelledRows<T> data;
  data.part = RowPartition::uniform(rows, comm.size());
  data.columns = columns;
  for (std::int64_t i = data.part.offset(comm.rank()); i < data.part.offset(comm.rank()) + data.part.count(comm.rank()); ++i) {
    const auto label = static_cast<std::int32_t>((i * 7) % 3);
    data.y.push_back(label);
    for (std::int64_t c = 0; c < columns; ++c) {
      data.x.push_back(static_cast<T>((c % 3 == label ? 1.0 : 0.0) + 0.3 * std::sin(static_cast<double>(i * columns + c))));
    }
  }
  return data;
}

template <class T>
std::vector<T> train(const Communicator& comm, const LabelledRows<T>& data, const TrainConfig& config,
                     const ModelSpec& spec, Evaluation* evaluation = nullptr) {
  Trainer<T> trainer(comm, spec, config, data);
  trainer.initialise();
  for (std::int64_t s = 0; s < trainer.total_steps(); ++s) trainer.step(s);
  if (evaluation != nullptr) *evaluation = trainer.evaluate(data);
  return {trainer.parameters().begin(), trainer.parameters().end()};
}

}  // namespace

TEST(GlobalBinnedSum, SameBitsForAnySplitOverRanks) {
  const Communicator comm = world();
  const std::size_t n = 40;
  const int terms = 37;
  const auto term = [](int t, std::size_t j) {
    return std::ldexp(std::sin(1.0 + t * 13.0 + static_cast<double>(j)), (t * 7 + static_cast<int>(j)) % 50 - 25);
  };
  kernels::BinnedVector mine(n), all(n);
  for (int t = 0; t < terms; ++t) {
    std::vector<double> v(n);
    for (std::size_t j = 0; j < n; ++j) v[j] = term(t, j);
    kernels::binned_deposit(all.ref(), v);
    if (t % comm.size() == comm.rank()) kernels::binned_deposit(mine.ref(), v);
  }
  std::vector<double> got(n), expected(n);
  global_binned_sum(comm, mine.ref(), got);
  kernels::binned_values(all.ref(), expected);
  EXPECT_EQ(got, expected);
}

TEST(FetchBatch, EveryRankGetsTheRowsOfItsMicroBatches) {
  const Communicator comm = world();
  const LabelledRows<double> data = synthetic<double>(comm, 11, 2);
  const BatchPlan plan(11, 5, 2, 3);
  for (std::int64_t step = 0; step < 2 * plan.steps_per_epoch(); ++step) {
    std::vector<double> x;
    std::vector<std::int32_t> y;
    const LocalBatch local = fetch_batch<double>(comm, plan, step, data.part, data.x, data.y, 2, x, y);
    const BatchPlan::Step s = plan.step(step);
    const std::int64_t first = local.first_micro * plan.micro_batch();
    const std::int64_t total = allreduce_sum(comm, local.rows());
    EXPECT_EQ(total, s.size) << "step " << step;
    for (std::int64_t r = 0; r < local.rows(); ++r) {
      const std::int64_t sample = plan.sample(s.epoch, s.first + first + r);
      EXPECT_EQ(x[static_cast<std::size_t>(2 * r)], static_cast<double>((sample * 7) % 3 == 0 ? 1.0 : 0.0) + 0.3 * std::sin(static_cast<double>(sample * 2)))
          << "step " << step << " row " << r;
      EXPECT_EQ(y[static_cast<std::size_t>(r)], (sample * 7) % 3);
    }
  }
}

// 10 rows on up to 4 ranks (2 or 3 rows each, fewer than a micro-batch of 4), batches of 6
// (a last batch of 4 per epoch): exact-mode weights equal those of one rank and one thread.
TEST(Trainer, ExactModeWeightsDoNotDependOnRanksOrThreads) {
  const Communicator comm = world();
  const ModelSpec spec(ModelKind::mlp, 5, {4}, 3);
  TrainConfig config;
  config.batch = 6;
  config.micro_batch = 4;
  config.epochs = 4;
  config.seed = 17;
  config.sum_mode = kernels::SumMode::reproducible;
  config.optimizer.lr = 0.01;
  const int threads = kernels::max_threads();
  kernels::set_threads(1);
  Evaluation alone_eval;
  const std::vector<double> alone = train<double>(self(), synthetic<double>(self(), 10, 5), config, spec, &alone_eval);
  for (const int t : {1, 2}) {
    kernels::set_threads(t);
    Evaluation eval;
    const std::vector<double> shared = train<double>(comm, synthetic<double>(comm, 10, 5), config, spec, &eval);
    EXPECT_EQ(shared, alone) << comm.size() << " ranks x " << t << " threads";
    EXPECT_EQ(eval.loss_sum, alone_eval.loss_sum);
    EXPECT_EQ(eval.confusion, alone_eval.confusion);
  }
  // float32 and sgd with momentum too.
  config.optimizer.kind = OptimizerKind::sgd;
  config.optimizer.lr = 0.1;
  kernels::set_threads(1);
  const std::vector<float> alone32 = train<float>(self(), synthetic<float>(self(), 10, 5), config, spec);
  kernels::set_threads(2);
  EXPECT_EQ(train<float>(comm, synthetic<float>(comm, 10, 5), config, spec), alone32);
  kernels::set_threads(threads);
}

TEST(Trainer, FastModeLearnsTheSameProblem) {
  const Communicator comm = world();
  const ModelSpec spec(ModelKind::softmax, 6, {}, 3);
  TrainConfig config;
  config.batch = 16;
  config.micro_batch = 4;
  config.epochs = 20;
  config.optimizer.lr = 0.05;
  const LabelledRows<float> data = synthetic<float>(comm, 60, 6);
  Trainer<float> trainer(comm, spec, config, data);
  trainer.initialise();
  const double before = trainer.evaluate(data).loss();
  for (std::int64_t s = 0; s < trainer.total_steps(); ++s) trainer.step(s);
  const Evaluation after = trainer.evaluate(data);
  EXPECT_LT(after.loss(), 0.5 * before);
  EXPECT_GE(after.accuracy(), 0.95);
  // Replicated weights stay identical on every rank (one allreduce result for all).
  const std::vector<float> w(trainer.parameters().begin(), trainer.parameters().end());
  std::vector<float> root = w;
  broadcast<float>(comm, root, 0);
  EXPECT_EQ(w, root);
}

TEST(BatchPlan, RefusesImpossibleBatches) {
  EXPECT_THROW(BatchPlan(10, 11, 2, 1), UsageError);
  EXPECT_THROW(BatchPlan(10, 0, 2, 1), UsageError);
  EXPECT_THROW(BatchPlan(10, 5, 0, 1), UsageError);
  const BatchPlan plan(10, 4, 3, 1);
  EXPECT_EQ(plan.steps_per_epoch(), 3);
  EXPECT_EQ(plan.step(2).size, 2);
  EXPECT_EQ(plan.step(2).micro_batches, 1);
  EXPECT_EQ(plan.step(3).epoch, 1);
}
