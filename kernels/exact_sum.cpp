// Exact summation: carrying, merging and the single final rounding.
#include "tessera/kernels/exact_sum.hpp"

#include <cmath>
#include <limits>
#include <vector>

namespace tessera::kernels {

namespace {
// Moves everything above the low 32 bits of each bin into the next one, so every bin but
// the top one ends in [0, 2^32) and the top one carries the sign. The value is unchanged.
void carry_bins(std::array<Int128, ExactSum::kBins>& bins) {
  for (std::size_t b = 0; b + 1 < bins.size(); ++b) {
    const Int128 high = bins[b] >> ExactSum::kBinBits;  // arithmetic shift: floor division
    bins[b] -= high * (Int128{1} << ExactSum::kBinBits);
    bins[b + 1] += high;
  }
}
}  // namespace

void ExactSum::add_special(std::uint64_t bits) noexcept {
  if ((bits & ((std::uint64_t{1} << 52) - 1)) != 0) {
    ++nan_;
  } else if ((bits >> 63) != 0) {
    ++neg_inf_;
  } else {
    ++pos_inf_;
  }
}

void ExactSum::carry() noexcept {
  const Bins sum = folded();
  for (auto& lane : lanes_) {
    lane[0].fill(0);
    lane[1].fill(0);
  }
  lanes_[0][0] = sum;  // may hold a negative top bin: signed bins take either sign
  pending_ = 1;        // the carried bins count as one term (each is far below 2^84)
}

// Every term added since the last carry went into one bin of one array and is below 2^84, so
// the arrays' bins sum to at most pending_ * 2^84 < 2^124 in magnitude: no carry is needed
// before the sum, only after.
ExactSum::Bins ExactSum::folded() const {
  Bins bins{};
  for (const Lane& lane : lanes_) {
    for (std::size_t b = 0; b < bins.size(); ++b) bins[b] += lane[0][b] - lane[1][b];
  }
  carry_bins(bins);
  return bins;
}

void ExactSum::add(const ExactSum& other) noexcept {
  // Bin by bin: the bound pending_ * 2^84 holds for the sum with the pending counts added.
  for (std::size_t lane = 0; lane < lanes_.size(); ++lane) {
    for (std::size_t sign = 0; sign < 2; ++sign) {
      for (std::size_t b = 0; b < kBins; ++b) lanes_[lane][sign][b] += other.lanes_[lane][sign][b];
    }
  }
  nan_ += other.nan_;
  pos_inf_ += other.pos_inf_;
  neg_inf_ += other.neg_inf_;
  pending_ += other.pending_;
  if (pending_ >= carry_every_) carry();
}

void ExactSum::add(const Limbs& limbs) noexcept {
  // Carried limbs (even summed over 2^30 ranks) are far below 2^84: one more term.
  for (int b = 0; b < kBins; ++b) lanes_[0][0][static_cast<std::size_t>(b)] += limbs[static_cast<std::size_t>(b)];
  nan_ += limbs[kBins];
  pos_inf_ += limbs[kBins + 1];
  neg_inf_ += limbs[kBins + 2];
  if (++pending_ >= carry_every_) carry();
}

ExactSum::Limbs ExactSum::limbs() const {
  const Bins bins = folded();
  Limbs out{};
  for (int b = 0; b < kBins; ++b) out[static_cast<std::size_t>(b)] = static_cast<std::int64_t>(bins[static_cast<std::size_t>(b)]);
  out[kBins] = nan_;
  out[kBins + 1] = pos_inf_;
  out[kBins + 2] = neg_inf_;
  return out;
}

double ExactSum::value() const {
  if (nan_ > 0 || (pos_inf_ > 0 && neg_inf_ > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (pos_inf_ > 0) return std::numeric_limits<double>::infinity();
  if (neg_inf_ > 0) return -std::numeric_limits<double>::infinity();

  Bins bins = folded();
  const bool negative = bins.back() < 0;
  if (negative) {
    for (auto& b : bins) b = -b;
    carry_bins(bins);
  }
  int top = kBins - 1;
  while (top >= 0 && bins[static_cast<std::size_t>(top)] == 0) --top;
  if (top < 0) return 0.0;

  // The three highest limbs hold the leading 65 to 127 bits; everything below only decides
  // the rounding, as a sticky bit.
  const int low = top - 2;
  UInt128 window = 0;
  for (int i = 0; i < 3; ++i) {
    if (low + i >= 0) window |= static_cast<UInt128>(bins[static_cast<std::size_t>(low + i)]) << (kBinBits * i);
  }
  bool sticky = false;
  for (int b = 0; b < low; ++b) sticky = sticky || bins[static_cast<std::size_t>(b)] != 0;
  const auto high_word = static_cast<std::uint64_t>(window >> 64);
  const int length = 128 - __builtin_clzll(high_word);  // the top limb is nonzero, so length > 64
  const int shift = length - 64;
  auto mantissa = static_cast<std::uint64_t>(window >> shift);
  sticky = sticky || (window & ((UInt128{1} << shift) - 1)) != 0;
  if (sticky) mantissa |= 1;  // 11 bits below the 53 kept: a set last bit breaks any false tie
  // The conversion rounds once. A subnormal result has fewer than 54 significant bits, so the
  // conversion is exact there and ldexp rounds once instead.
  const double magnitude = std::ldexp(static_cast<double>(mantissa), kBinBits * low + shift - 1075);
  return negative ? -magnitude : magnitude;
}

double exact_sum_ref(std::span<const double> values) {
  std::vector<double> partials;  // non-overlapping, increasing magnitude, exact sum of all seen
  for (double x : values) {
    std::size_t kept = 0;
    for (double y : partials) {
      if (std::fabs(x) < std::fabs(y)) std::swap(x, y);
      const double hi = x + y;
      const double lo = y - (hi - x);
      if (lo != 0.0) partials[kept++] = lo;
      x = hi;
    }
    partials.resize(kept);
    partials.push_back(x);
  }
  // Sum from the top until a rounding happens, then correct a half-way case.
  std::size_t n = partials.size();
  if (n == 0) return 0.0;
  double hi = partials[--n];
  double lo = 0.0;
  while (n > 0) {
    const double x = hi;
    const double y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo != 0.0) break;
  }
  if (n > 0 && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))) {
    const double y = lo * 2.0;
    const double x = hi + y;
    if (y == x - hi) hi = x;
  }
  return hi;
}

}  // namespace tessera::kernels
