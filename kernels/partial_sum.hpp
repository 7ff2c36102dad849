// A node-local partial sum in one of two modes: fast (a double per thread, combined in thread
// order, so the result depends on the thread count) or exact (an ExactSum, so it does not).
// Kernels that fuse a dot product into a sweep add each row's products here; the library
// then combines the ranks' partial sums (src/comm/global_sum.hpp).
#pragma once

#include "tessera/kernels/exact_sum.hpp"
#include "tessera/kernels/grid_layout.hpp"
#include "tessera/kernels/sum_mode.hpp"

#include <cassert>
#include <memory>

namespace tessera::kernels {

class PartialSum {
 public:
  /// The exact accumulator (8.6 KB) exists only in exact mode.
  explicit PartialSum(SumMode mode = SumMode::fast)
      : mode_(mode), exact_(mode == SumMode::reproducible ? std::make_unique<ExactSum>() : nullptr) {}
  PartialSum(PartialSum&&) noexcept = default;
  PartialSum& operator=(PartialSum&&) noexcept = default;
  PartialSum(const PartialSum&) = delete;
  PartialSum& operator=(const PartialSum&) = delete;
  ~PartialSum() = default;

  [[nodiscard]] SumMode mode() const { return mode_; }

  /// Adds sum_i a[i] * b[i]. Meant for a row that was just written and is still in L1.
  void add_products(const double* a, const double* b, Index count);
  void add(double x) {
    if (mode_ == SumMode::reproducible) {
      exact_->add(x);
    } else {
      fast_ += x;
    }
  }
  /// Adds another partial sum of the same mode.
  void add(const PartialSum& other) {
    assert(other.mode_ == mode_ && "partial sums of different modes");
    if (mode_ == SumMode::reproducible) {
      exact_->add(*other.exact_);
    } else {
      fast_ += other.fast_;
    }
  }

  /// The local value (rounded once in exact mode).
  [[nodiscard]] double value() const { return mode_ == SumMode::reproducible ? exact_->value() : fast_; }
  /// The exact accumulator; exact mode only.
  [[nodiscard]] const ExactSum& exact() const {
    assert(mode_ == SumMode::reproducible);
    return *exact_;
  }

 private:
  SumMode mode_;
  double fast_ = 0.0;
  std::unique_ptr<ExactSum> exact_;
};

}  // namespace tessera::kernels
