// Exact summation of doubles, the node-local half of tessera's reproducible global sums.
// Every addend is split into its integer significand and its exponent and added without
// rounding into a fixed-point accumulator that spans the whole double range, so the sum does
// not depend on the order of the additions: any split over threads or ranks, merged exactly,
// gives the same bits. value() rounds the exact sum once, to nearest (ties to even).
//
// The accumulator holds 67 bins of 128-bit integers; bin b weighs 2^(32 b - 1075). An addend
// with biased exponent E goes, shifted by E mod 32, into bin E / 32 (at most 85 bits), so a
// bin takes about 2^42 addends before it could overflow; the accumulator carries bins into
// their neighbours well before that. Positive and negative terms have separate bins, and four
// copies of both (lanes) take consecutive terms of a row, so additions to the same bin do not
// wait on each other: 4 x 2 x 67 bins, 8.6 KB. Merging two accumulators adds bins without
// carrying (cheap: thread and box partial sums merge every iteration). limbs() gives the carried form, small enough that the
// limbs of up to 2^30 accumulators can be summed as plain 64-bit integers (an MPI_SUM).
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <span>

namespace tessera::kernels {

__extension__ using Int128 = __int128;  // GCC and Clang; -Wpedantic would flag the bare name
__extension__ using UInt128 = unsigned __int128;

class ExactSum {
 public:
  static constexpr int kBinBits = 32;
  static constexpr int kBins = 2048 / kBinBits + 3;  // all exponents, plus room for carries
  /// Carried bins, then counts of NaN, +Inf and -Inf addends.
  static constexpr int kLimbs = kBins + 3;
  using Limbs = std::array<std::int64_t, kLimbs>;
  /// Carry often enough that no bin can overflow between two carries (see below).
  static constexpr std::int64_t kCarryEvery = std::int64_t{1} << 40;

  /// `carry_every`: terms between carries, at most kCarryEvery (smaller only to test carrying).
  explicit ExactSum(std::int64_t carry_every = kCarryEvery) : carry_every_(carry_every) {}

  void add(double x) noexcept {
    add_to(lanes_[0], x);
    if (++pending_ >= carry_every_) carry();
  }

  /// Adds the terms a[i] * b[i] (each product rounded as a double, then summed exactly).
  void add_products(const double* a, const double* b, std::int64_t count) noexcept {
    if (pending_ + count >= carry_every_) carry();
    // Consecutive terms mostly land in the same bin: four independent lanes keep the adds
    // from waiting on each other.
    std::int64_t i = 0;
    for (; i + kLanes <= count; i += kLanes) {
      for (int lane = 0; lane < kLanes; ++lane) add_to(lanes_[lane], a[i + lane] * b[i + lane]);
    }
    for (; i < count; ++i) add_to(lanes_[0], a[i] * b[i]);
    pending_ += count;
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
  // Each term is below 2^84 and a bin holds 2^127: pending_ < kCarryEvery = 2^40 terms keeps
  // every sum of bins below 2^124 (add_products calls hold far fewer terms than that).
  static constexpr int kLanes = 4;
  using Bins = std::array<Int128, kBins>;
  // Positive and negative terms go to separate bins: no negation on the hot path.
  using Lane = std::array<Bins, 2>;

  void add_to(Lane& lane, double x) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(x);
    const auto biased = static_cast<unsigned>(bits >> 52) & 0x7ffu;
    if (biased == 0x7ffu) [[unlikely]] {
      add_special(bits);
      return;
    }
    // Subnormals (biased exponent 0) have no hidden bit and the exponent of biased 1.
    const std::uint64_t hidden = biased != 0 ? 1 : 0;
    const std::uint64_t significand = (bits & ((std::uint64_t{1} << 52) - 1)) | (hidden << 52);
    const unsigned exponent = biased + 1u - static_cast<unsigned>(hidden);
    const unsigned shift = exponent % kBinBits;
    // significand << shift as two 64-bit words (shift < 32, so no shift by 64 occurs).
    const std::uint64_t low = significand << shift;
    const std::uint64_t high = (significand >> 1) >> (63u - shift);
    lane[bits >> 63][exponent / kBinBits] += static_cast<Int128>((static_cast<UInt128>(high) << 64) | low);
  }
  void add_special(std::uint64_t bits) noexcept;
  /// Folds all lanes into the first and carries it.
  void carry() noexcept;
  [[nodiscard]] Bins folded() const;

  std::array<Lane, kLanes> lanes_{};
  std::int64_t nan_ = 0;
  std::int64_t pos_inf_ = 0;
  std::int64_t neg_inf_ = 0;
  std::int64_t pending_ = 0;
  std::int64_t carry_every_;
};

/// Reference twin: the exactly rounded sum by a different method (Shewchuk's exact partials,
/// as in Python's math.fsum). Tests compare ExactSum against it.
double exact_sum_ref(std::span<const double> values);

}  // namespace tessera::kernels
