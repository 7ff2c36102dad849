// Exact summation of doubles, the node-local half of tessera's reproducible global sums.
// Every addend is split into its integer significand and its exponent and added without
// rounding into a fixed-point accumulator that spans the whole double range, so the sum does
// not depend on the order of the additions: any split over threads or ranks, merged exactly,
// gives the same bits. value() rounds the exact sum once, to nearest (ties to even).
//
// The accumulator holds 67 bins of 128-bit integers; bin b weighs 2^(32 b - 1075). An addend
// with biased exponent E goes, shifted by E mod 32, into bin E / 32 (at most 85 bits), so a
// bin takes about 2^42 addends before it could overflow; the accumulator carries bins into
// their neighbours well before that. limbs() gives the carried form, small enough that the
// limbs of up to 2^30 accumulators can be summed as plain 64-bit integers (an MPI_SUM).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <span>

namespace tessera::kernels {

__extension__ using Int128 = __int128;  // GCC and Clang; -Wpedantic would flag the bare name

class ExactSum {
 public:
  static constexpr int kBinBits = 32;
  static constexpr int kBins = 2048 / kBinBits + 3;  // all exponents, plus room for carries
  /// Carried bins, then counts of NaN, +Inf and -Inf addends.
  static constexpr int kLimbs = kBins + 3;
  using Limbs = std::array<std::int64_t, kLimbs>;

  void add(double x) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto biased = static_cast<int>((bits >> 52) & 0x7ff);
    if (biased == 0x7ff) {
      add_special(bits);
      return;
    }
    const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
    // Subnormals (biased exponent 0) have no hidden bit and the exponent of biased 1.
    const std::uint64_t significand = biased != 0 ? fraction | (std::uint64_t{1} << 52) : fraction;
    const int exponent = biased != 0 ? biased : 1;
    const Int128 term = static_cast<Int128>(significand) << (exponent % kBinBits);
    bins_[exponent / kBinBits] += (bits >> 63) != 0 ? -term : term;
    if (++pending_ == kCarryEvery) carry();
  }

  /// Adds the terms a[i] * b[i] (each product rounded as a double, then summed exactly).
  void add_products(const double* a, const double* b, std::int64_t count) noexcept {
    for (std::int64_t i = 0; i < count; ++i) add(a[i] * b[i]);
  }

  /// Adds another accumulator exactly.
  void add(const ExactSum& other) noexcept;
  /// Adds the carried limbs of one or more accumulators (e.g. summed over ranks) exactly.
  void add(const Limbs& limbs) noexcept;

  /// The exact sum, rounded once to the nearest double (ties to even). NaN if any addend was
  /// NaN or both infinities occurred; +-Inf if an addend was, or if the sum overflows.
  [[nodiscard]] double value() const;
  /// The sum in carried form, for an exact merge by integer addition.
  [[nodiscard]] Limbs limbs() const;

 private:
  // Carry often enough that no bin can overflow between two carries.
  static constexpr std::int64_t kCarryEvery = std::int64_t{1} << 40;
  void add_special(std::uint64_t bits) noexcept;
  void carry() noexcept;

  std::array<Int128, kBins> bins_{};
  std::int64_t nan_ = 0;
  std::int64_t pos_inf_ = 0;
  std::int64_t neg_inf_ = 0;
  std::int64_t pending_ = 0;
};

/// Reference twin: the exactly rounded sum by a different method (Shewchuk's exact partials,
/// as in Python's math.fsum). Tests compare ExactSum against it.
double exact_sum_ref(std::span<const double> values);

}  // namespace tessera::kernels
