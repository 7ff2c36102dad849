// The node-local half of exact moments: min, max and the exact sum of a column of numbers
// (taken as float64), and the exact sum of squared deviations from a mean. Each thread keeps
// its own exact accumulator (kernels/exact_sum.hpp) and they are merged exactly, so the sums
// do not depend on the thread count. min and max follow IEEE totalOrder on zeros (-0.0 below
// +0.0). NaNs are the caller's to refuse.
// Reference twins: plain serial loops.
#pragma once

#include "tessera/kernels/exact_sum.hpp"

#include <limits>
#include <span>

namespace tessera::kernels {

struct MomentSums {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  ExactSum sum;
};

/// Adds x to out.sum and folds it into out.min / out.max.
template <class T>
void accumulate_moments(std::span<const T> x, MomentSums& out);
template <class T>
void accumulate_moments_ref(std::span<const T> x, MomentSums& out);

/// Adds (x_i - mean)^2, each square rounded as a double, to `out`.
template <class T>
void accumulate_squared_deviations(std::span<const T> x, double mean, ExactSum& out);
template <class T>
void accumulate_squared_deviations_ref(std::span<const T> x, double mean, ExactSum& out);

}  // namespace tessera::kernels
