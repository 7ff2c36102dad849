// Batch order and sample fetching (see batch_plan.hpp). Every rank builds the same plan, so
// its errors are collective.
#include "tessera/learn/batch_plan.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/redistribute.hpp"

#include <algorithm>

namespace tessera {

namespace {
constexpr std::uint64_t kStreamEpochOrder = 0xe90c;
}

BatchPlan::BatchPlan(std::int64_t samples, std::int64_t batch, std::int64_t micro_batch, std::uint64_t seed)
    : samples_(samples), batch_(batch), micro_batch_(micro_batch), seed_(seed) {
  if (batch < 1) throw UsageError("--batch " + std::to_string(batch) + ": the global batch needs at least 1 sample", true);
  if (micro_batch < 1) {
    throw UsageError("--micro-batch " + std::to_string(micro_batch) + ": a micro-batch needs at least 1 sample", true);
  }
  if (samples < 1) throw UsageError("the training set holds no samples; nothing to train on", true);
  if (batch > samples) {
    throw UsageError("--batch " + std::to_string(batch) + " is larger than the training set (" + std::to_string(samples) +
                     " samples); use --batch " + std::to_string(samples) + " or less",
                     true);
  }
  steps_per_epoch_ = (samples + batch - 1) / batch;
}

BatchPlan::Step BatchPlan::step(std::int64_t step) const {
  Step s;
  s.epoch = step / steps_per_epoch_;
  s.first = (step % steps_per_epoch_) * batch_;
  s.size = std::min(batch_, samples_ - s.first);
  s.micro_batches = (s.size + micro_batch_ - 1) / micro_batch_;
  return s;
}

std::int64_t BatchPlan::max_rows_per_rank(int ranks) const {
  const std::int64_t micro = (batch_ + micro_batch_ - 1) / micro_batch_;
  return (micro + ranks - 1) / ranks * micro_batch_;
}

kernels::RandomPermutation BatchPlan::order(std::int64_t epoch) const {
  return {static_cast<std::uint64_t>(samples_), seed_, kStreamEpochOrder + (static_cast<std::uint64_t>(epoch) << 16)};
}

template <class T>
LocalBatch fetch_batch(const Communicator& comm, const BatchPlan& plan, std::int64_t step, const RowPartition& part,
                       std::span<const T> x, std::span<const std::int32_t> y, std::int64_t columns,
                       std::vector<T>& batch_x, std::vector<std::int32_t>& batch_y) {
  const BatchPlan::Step s = plan.step(step);
  const RowPartition computes = RowPartition::uniform(s.micro_batches, comm.size());
  const std::int64_t m = plan.micro_batch();
  const int me = comm.rank();
  LocalBatch local;
  local.first_micro = computes.offset(me);
  const std::int64_t first_position = local.first_micro * m;
  for (std::int64_t j = 0; j < computes.count(me); ++j) {
    local.micro_offsets.push_back(std::min((local.first_micro + j + 1) * m, s.size) - first_position);
  }
  // Every rank walks the batch's order (cheap: a few hash evaluations per position) and sends
  // the samples it holds to the ranks whose micro-batches contain them.
  const std::int64_t mine_first = part.offset(me);
  const std::int64_t mine_end = mine_first + part.count(me);
  std::vector<int> destination;
  std::vector<std::int64_t> rows;
  std::vector<std::int64_t> positions;
  const kernels::RandomPermutation order = plan.order(s.epoch);
  for (std::int64_t p = 0; p < s.size; ++p) {
    const auto sample = static_cast<std::int64_t>(order(static_cast<std::uint64_t>(s.first + p)));
    if (sample < mine_first || sample >= mine_end) continue;
    destination.push_back(computes.owner(p / m));
    rows.push_back(sample - mine_first);
    positions.push_back(p);
  }
  const Redistribution plan_exchange = Redistribution::from_destinations(comm, destination);
  std::vector<T> send_x(rows.size() * static_cast<std::size_t>(columns));
  std::vector<std::int32_t> send_y(rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::copy_n(x.begin() + rows[i] * columns, columns, send_x.begin() + static_cast<std::ptrdiff_t>(i) * columns);
    send_y[i] = y[static_cast<std::size_t>(rows[i])];
  }
  const std::vector<T> got_x = plan_exchange.exchange<T>(send_x, columns);
  const std::vector<std::int32_t> got_y = plan_exchange.exchange<std::int32_t>(send_y);
  const std::vector<std::int64_t> got_positions = plan_exchange.exchange<std::int64_t>(positions);
  if (static_cast<std::int64_t>(got_positions.size()) != local.rows()) {
    throw RuntimeError("fetch_batch: received " + std::to_string(got_positions.size()) + " samples for " +
                       std::to_string(local.rows()) + " rows of micro-batches");
  }
  batch_x.resize(static_cast<std::size_t>(local.rows() * columns));
  batch_y.resize(static_cast<std::size_t>(local.rows()));
  for (std::size_t i = 0; i < got_positions.size(); ++i) {
    const std::int64_t row = got_positions[i] - first_position;
    std::copy_n(got_x.begin() + static_cast<std::ptrdiff_t>(i) * columns, columns, batch_x.begin() + row * columns);
    batch_y[static_cast<std::size_t>(row)] = got_y[i];
  }
  return local;
}

template LocalBatch fetch_batch<float>(const Communicator&, const BatchPlan&, std::int64_t, const RowPartition&,
                                       std::span<const float>, std::span<const std::int32_t>, std::int64_t,
                                       std::vector<float>&, std::vector<std::int32_t>&);
template LocalBatch fetch_batch<double>(const Communicator&, const BatchPlan&, std::int64_t, const RowPartition&,
                                        std::span<const double>, std::span<const std::int32_t>, std::int64_t,
                                        std::vector<double>&, std::vector<std::int32_t>&);

}  // namespace tessera
