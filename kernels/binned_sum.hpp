// Binned reproducible sums of vectors (the idea of ReproBLAS, Demmel and Nguyen, ARITH 2013):
// every element's sum is bitwise the same whatever the order of its terms and however they
// are split over threads and ranks, at a few flops per term and three doubles per element,
// where an exact accumulator (kernels/exact_sum.hpp, 70 limbs) would not scale to the 10^5
// and more elements of a gradient.
//
// The exponent range is cut into fixed bins of kBinWidth bits: bin b holds multiples of
// u_b = 2^(kBinWidth * b). A term x is split into pieces, one per bin, each a pure function of
// x and the bin (x rounded to a multiple of u_b, minus x rounded to a multiple of u_(b+1)).
// Each element keeps the kBins bins from the highest one any of its terms reached down; pieces
// below that window are dropped, whenever they arrived. Pieces are at most 2^(kBinWidth - 1)
// units of their bin, so up to kMaxTerms of them sum exactly in a double: every bin's sum is
// exact, hence independent of order. Merging accumulators (threads, then ranks by MPI_SUM of
// the bins after agreeing the windows by MPI_MAX) adds exact sums, so it is exact too. The
// value is read out by adding the bins, top first: deterministic, and accurate to about
// 2^-52 of the largest term (better than a plain sum's bound).
//
// Terms beyond 2^987 in magnitude, infinities and NaNs make the element's sum NaN (for a
// gradient they mean the training diverged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace tessera::kernels {

inline constexpr int kBinWidth = 26;
inline constexpr int kBins = 3;
/// Terms per element that every bin sums exactly (over all threads and ranks together).
inline constexpr std::int64_t kBinnedMaxTerms = std::int64_t{1} << (54 - kBinWidth);
/// The lowest window top (that of an element with no nonzero term yet), and the mark of an
/// element that saw a non-finite or overflowing term.
inline constexpr std::int16_t kBinnedMinTop = -41 + kBins - 1;
inline constexpr std::int16_t kBinnedInvalid = std::numeric_limits<std::int16_t>::max();

/// A view of binned accumulators: top[j] is element j's highest bin, bins[kBins*j + k] the
/// sum in its bin top[j] - k.
struct BinnedRef {
  std::int16_t* top = nullptr;
  double* bins = nullptr;
  std::size_t size = 0;
  [[nodiscard]] BinnedRef slice(std::size_t first, std::size_t count) const {
    return {top + first, bins + kBins * first, count};
  }
};

/// Owns binned accumulators for `size` elements, all zero.
class BinnedVector {
 public:
  explicit BinnedVector(std::size_t size = 0) { resize(size); }
  void resize(std::size_t size) {
    top_.assign(size, kBinnedMinTop);
    bins_.assign(kBins * size, 0.0);
  }
  [[nodiscard]] std::size_t size() const { return top_.size(); }
  [[nodiscard]] BinnedRef ref() { return {top_.data(), bins_.data(), top_.size()}; }
  [[nodiscard]] std::span<std::int16_t> tops() { return top_; }
  [[nodiscard]] std::span<double> bins() { return bins_; }

 private:
  std::vector<std::int16_t> top_;
  std::vector<double> bins_;
};

/// Sets every accumulator to zero (not threaded: call it on a thread's own slice).
void binned_clear(BinnedRef acc);
/// acc[j] += x[j] for every j (x.size() == acc.size). Not threaded: threads deposit into
/// their own accumulators or their own slices.
void binned_deposit(BinnedRef acc, std::span<const double> x);
void binned_deposit(BinnedRef acc, std::span<const float> x);
/// acc[j] += other[j] (exact).
void binned_merge(BinnedRef acc, BinnedRef other);
/// Moves every element's window up to `top[j]` (>= its own; the highest over ranks), dropping
/// the bins that fall below it, so that bins of several accumulators can be added directly.
void binned_align(BinnedRef acc, std::span<const std::int16_t> top);
/// out[j] = the sum in acc[j], rounded to double (NaN for an invalid element).
void binned_values(BinnedRef acc, std::span<double> out);

/// Reference twins: the same definition, one term at a time with frexp/ldexp, no tables.
void binned_deposit_ref(BinnedRef acc, std::span<const double> x);
void binned_values_ref(BinnedRef acc, std::span<double> out);

}  // namespace tessera::kernels
