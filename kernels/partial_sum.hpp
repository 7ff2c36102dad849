// A node-local partial sum in one of two modes: fast (a double per thread, combined in thread
// order, so the result depends on the thread count) or exact (an ExactSum, so it does not).
// Kernels that fuse a dot product into a sweep add each row's products here; the library
// then combines the ranks' partial sums (src/comm/global_sum.hpp).
#pragma once

#include "kernels/exact_sum.hpp"
#include "kernels/grid_layout.hpp"

namespace tessera::kernels {

enum class SumMode { fast, exact };

class PartialSum {
 public:
  explicit PartialSum(SumMode mode = SumMode::fast) : mode_(mode) {}

  [[nodiscard]] SumMode mode() const { return mode_; }

  /// Adds sum_i a[i] * b[i]. Meant for a row that was just written and is still in L1.
  void add_products(const double* a, const double* b, Index count);
  void add(double x) {
    if (mode_ == SumMode::exact) {
      exact_.add(x);
    } else {
      fast_ += x;
    }
  }
  /// Adds another partial sum of the same mode.
  void add(const PartialSum& other) {
    if (mode_ == SumMode::exact) {
      exact_.add(other.exact_);
    } else {
      fast_ += other.fast_;
    }
  }

  /// The local value (rounded once in exact mode).
  [[nodiscard]] double value() const { return mode_ == SumMode::exact ? exact_.value() : fast_; }
  [[nodiscard]] const ExactSum& exact() const { return exact_; }

 private:
  SumMode mode_;
  double fast_ = 0.0;
  ExactSum exact_;
};

}  // namespace tessera::kernels
