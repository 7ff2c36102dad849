// Fixed-point sums: deterministic, order-independent sums of many bounded terms at a fraction
// of the cost of an exact accumulator (kernels/exact_sum.hpp). Every term is scaled by a power
// of two chosen from a global bound on |term| and the number of terms, rounded once to an
// integer (a grid 2^-84 of the bound, far finer than double precision), and added as a 128-bit
// integer. Integer addition is associative, so any split over threads and ranks gives the same
// bits. Used where an exact accumulator per output would be too large: k-means' k x d centre
// sums, histogram moments.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace tessera::kernels {

__extension__ using FixedInt = __int128;  // -Wpedantic would flag the bare name

class FixedPointScale {
 public:
  /// For at most `max_terms` terms of magnitude at most `max_abs`: their sum fits 124 bits.
  static FixedPointScale for_bound(double max_abs, std::int64_t max_terms) {
    int term_bits = 1;
    while (term_bits < 62 && (std::int64_t{1} << term_bits) <= max_terms) ++term_bits;
    const int top = max_abs > 0 && std::isfinite(max_abs) ? std::ilogb(max_abs) + 1 : 0;
    // Data below ~2^-900 would need a scale factor beyond the double range: such data keep
    // fewer bits (still deterministic) rather than overflow it.
    return FixedPointScale(std::min(1000, 124 - term_bits - top));
  }
  explicit FixedPointScale(int shift = 0) : shift_(shift), up_(std::ldexp(1.0, shift)), down_(std::ldexp(1.0, -shift)) {}
  [[nodiscard]] int shift() const { return shift_; }

  /// x * 2^shift rounded to the nearest integer (ties to even), without a software 128-bit
  /// conversion: the high part by truncation, the rest (below 2^62) by one rounding.
  [[nodiscard]] FixedInt to_fixed(double x) const {
    const double v = x * up_;  // exact: a power of two
    const double high = std::trunc(v * 0x1p-62);
    const double low = v - high * 0x1p62;  // exact: v and high * 2^62 share their leading bits
    return (static_cast<FixedInt>(static_cast<std::int64_t>(high)) << 62) + std::llrint(low);
  }
  /// The sum as a double, rounded once.
  [[nodiscard]] double to_double(FixedInt sum) const { return static_cast<double>(sum) * down_; }

 private:
  int shift_;
  double up_;
  double down_;
};

/// A 128-bit integer as three 42-bit limbs (low two non-negative), so that sums of up to 2^21
/// of them can be formed as plain int64 sums (an MPI_SUM) and recombined.
struct FixedLimbs {
  std::int64_t limb[3];
};
inline FixedLimbs to_limbs(FixedInt v) {
  constexpr std::int64_t kMask = (std::int64_t{1} << 42) - 1;
  return {{static_cast<std::int64_t>(v & kMask), static_cast<std::int64_t>((v >> 42) & kMask),
           static_cast<std::int64_t>(v >> 84)}};
}
inline FixedInt from_limbs(const std::int64_t* limb) {
  return static_cast<FixedInt>(limb[0]) + (static_cast<FixedInt>(limb[1]) << 42) + (static_cast<FixedInt>(limb[2]) << 84);
}

}  // namespace tessera::kernels
