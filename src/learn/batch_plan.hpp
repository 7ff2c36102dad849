// Which samples every optimizer step uses, and which rank computes them. Epoch e visits the
// n training samples in the order RandomPermutation(n, seed, e) (kernels/random_permutation.hpp),
// cut into global batches of `batch` positions (the last one of an epoch may be shorter), each
// cut into micro-batches of `micro_batch` positions. The micro-batches of a step go to the
// ranks in contiguous runs (RowPartition::uniform), and their samples are fetched there from
// the ranks that hold them (BatchFetcher). None of this depends on the rank count except who
// computes what: each micro-batch is the same rows in the same order on any number of ranks,
// which is what lets the training be bitwise reproducible.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/kernels/random_permutation.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

class BatchPlan {
 public:
  /// Throws a UsageError for a batch or micro-batch below 1 or a batch larger than the data.
  BatchPlan(std::int64_t samples, std::int64_t batch, std::int64_t micro_batch, std::uint64_t seed);

  struct Step {
    std::int64_t epoch = 0;
    std::int64_t first = 0;          ///< position in the epoch's order of the batch's first sample
    std::int64_t size = 0;           ///< samples in the batch
    std::int64_t micro_batches = 0;  ///< ceil(size / micro_batch)
  };
  [[nodiscard]] Step step(std::int64_t step) const;
  [[nodiscard]] std::int64_t steps_per_epoch() const { return steps_per_epoch_; }
  [[nodiscard]] std::int64_t samples() const { return samples_; }
  [[nodiscard]] std::int64_t batch() const { return batch_; }
  [[nodiscard]] std::int64_t micro_batch() const { return micro_batch_; }
  /// The most rows of one step any rank of `ranks` computes.
  [[nodiscard]] std::int64_t max_rows_per_rank(int ranks) const;
  /// Epoch `epoch`'s order: order(epoch)(position) is the sample at that position.
  [[nodiscard]] kernels::RandomPermutation order(std::int64_t epoch) const;
  /// The sample at `position` of epoch `epoch`'s order.
  [[nodiscard]] std::int64_t sample(std::int64_t epoch, std::int64_t position) const {
    return static_cast<std::int64_t>(order(epoch)(static_cast<std::uint64_t>(position)));
  }

 private:
  std::int64_t samples_;
  std::int64_t batch_;
  std::int64_t micro_batch_;
  std::uint64_t seed_;
  std::int64_t steps_per_epoch_;
};

/// This rank's share of one step: micro-batches [first_micro, first_micro + micro_offsets.size() - 1),
/// micro-batch j's rows at [micro_offsets[j], micro_offsets[j + 1]) of the fetched rows.
struct LocalBatch {
  std::int64_t first_micro = 0;
  std::vector<std::int64_t> micro_offsets{0};
  [[nodiscard]] std::int64_t micro_count() const { return static_cast<std::int64_t>(micro_offsets.size()) - 1; }
  [[nodiscard]] std::int64_t rows() const { return micro_offsets.back(); }
};

/// Collective: moves the samples of this rank's micro-batches of `step` from the ranks holding
/// them (`part`, this rank's rows `x` of `columns` values and labels `y`) into `batch_x` and
/// `batch_y` (resized), in micro-batch order.
template <class T>
LocalBatch fetch_batch(const Communicator& comm, const BatchPlan& plan, std::int64_t step, const RowPartition& part,
                       std::span<const T> x, std::span<const std::int32_t> y, std::int64_t columns,
                       std::vector<T>& batch_x, std::vector<std::int32_t>& batch_y);

}  // namespace tessera
