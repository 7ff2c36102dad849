// Binned reproducible sums (see binned_sum.hpp). The deposit's common case, a term inside its
// element's window, is three exact two-add extractions with constants from a table: no
// exponent extraction, no division, no branch beyond the window check.
#include "tessera/kernels/binned_sum.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace tessera::kernels {

namespace {

// Bins whose extraction constant 1.5 * 2^52 * u_b is a normal double: u_b from 2^-1066 to
// 2^962. A window never reaches below kMinBin (its top is at least kMinTop), so every bin in
// use has a valid constant; terms past the top limit are treated as overflow.
constexpr int kMinBin = -41;
constexpr int kMaxBin = 37;
constexpr int kMinTop = kBinnedMinTop;
static_assert(kMinTop == kMinBin + kBins - 1 && kMaxBin < kBinnedInvalid);

struct Tables {
  std::array<double, kMaxBin - kMinBin + 1> extract{};  // 1.5 * 2^52 * u_b
  std::array<double, kMaxBin - kMinBin + 1> limit{};    // 2^(W (b + 1) - 1): terms below it fit window top b
  Tables() {
    for (int b = kMinBin; b <= kMaxBin; ++b) {
      extract[static_cast<std::size_t>(b - kMinBin)] = 1.5 * std::ldexp(1.0, 52 + kBinWidth * b);
      limit[static_cast<std::size_t>(b - kMinBin)] = std::ldexp(1.0, kBinWidth * (b + 1) - 1);
    }
  }
  [[nodiscard]] double extract_at(int b) const { return extract[static_cast<std::size_t>(b - kMinBin)]; }
  [[nodiscard]] double limit_at(int b) const { return limit[static_cast<std::size_t>(b - kMinBin)]; }
};
const Tables& tables() {
  static const Tables t;
  return t;
}

// The lowest window top that holds x (finite, nonzero): the smallest b with
// |x| < 2^(W (b + 1) - 1), at least kMinTop; kBinnedInvalid past kMaxBin.
std::int16_t window_top(double x) {
  if (!std::isfinite(x)) return kBinnedInvalid;
  if (x == 0) return kMinTop;
  const int e = std::ilogb(x);  // 2^e <= |x| < 2^(e+1)
  // ceil((e + 2) / W) - 1, for negative e too.
  const int numerator = e + 2;
  const int b = (numerator >= 0 ? (numerator + kBinWidth - 1) / kBinWidth : -((-numerator) / kBinWidth)) - 1;
  if (b > kMaxBin) return kBinnedInvalid;
  return static_cast<std::int16_t>(std::max(b, kMinTop));
}

// Moves a window from `from` up to `to`, dropping the bins that leave it.
void shift_window(double* bins, int from, int to) {
  const int s = to - from;
  for (int k = kBins - 1; k >= 0; --k) bins[k] = k - s >= 0 ? bins[k - s] : 0.0;
}

void make_invalid(std::int16_t& top, double* bins) {
  top = kBinnedInvalid;
  for (int k = 0; k < kBins; ++k) bins[k] = 0.0;
}

inline void deposit_one(std::int16_t& top, double* bins, double x, const Tables& t) {
  if (top == kBinnedInvalid) return;
  if (!(std::fabs(x) < t.limit_at(top))) {  // also NaN
    const std::int16_t needed = window_top(x);
    if (needed == kBinnedInvalid) {
      make_invalid(top, bins);
      return;
    }
    shift_window(bins, top, needed);
    top = needed;
  }
  double r = x;
  for (int k = 0; k < kBins; ++k) {
    const double m = t.extract_at(top - k);
    const double q = (r + m) - m;  // r rounded to a multiple of the bin's unit
    bins[k] += q;
    r -= q;
  }
}

template <class T>
void deposit(BinnedRef acc, std::span<const T> x) {
  const Tables& t = tables();
  for (std::size_t j = 0; j < acc.size; ++j) deposit_one(acc.top[j], acc.bins + kBins * j, static_cast<double>(x[j]), t);
}

}  // namespace

void binned_clear(BinnedRef acc) {
  std::fill(acc.top, acc.top + acc.size, static_cast<std::int16_t>(kMinTop));
  std::fill(acc.bins, acc.bins + kBins * acc.size, 0.0);
}

void binned_deposit(BinnedRef acc, std::span<const double> x) { deposit(acc, x); }
void binned_deposit(BinnedRef acc, std::span<const float> x) { deposit(acc, x); }

void binned_merge(BinnedRef acc, BinnedRef other) {
  for (std::size_t j = 0; j < acc.size; ++j) {
    double* a = acc.bins + kBins * j;
    const double* b = other.bins + kBins * j;
    if (acc.top[j] == kBinnedInvalid) continue;
    if (other.top[j] == kBinnedInvalid) {
      make_invalid(acc.top[j], a);
      continue;
    }
    const int top = std::max(acc.top[j], other.top[j]);
    shift_window(a, acc.top[j], top);
    acc.top[j] = static_cast<std::int16_t>(top);
    const int s = top - other.top[j];
    for (int k = s; k < kBins; ++k) a[k] += b[k - s];
  }
}

void binned_align(BinnedRef acc, std::span<const std::int16_t> top) {
  for (std::size_t j = 0; j < acc.size; ++j) {
    double* a = acc.bins + kBins * j;
    if (top[j] == kBinnedInvalid || acc.top[j] == kBinnedInvalid) {
      make_invalid(acc.top[j], a);
      continue;
    }
    if (top[j] > acc.top[j]) {
      shift_window(a, acc.top[j], top[j]);
      acc.top[j] = top[j];
    }
  }
}

void binned_values(BinnedRef acc, std::span<double> out) {
  for (std::size_t j = 0; j < acc.size; ++j) {
    const double* a = acc.bins + kBins * j;
    if (acc.top[j] == kBinnedInvalid) {
      out[j] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    double v = a[0];
    for (int k = 1; k < kBins; ++k) v += a[k];
    out[j] = v;
  }
}

void binned_deposit_ref(BinnedRef acc, std::span<const double> x) {
  for (std::size_t j = 0; j < acc.size; ++j) {
    double* bins = acc.bins + kBins * j;
    std::int16_t& top = acc.top[j];
    if (top == kBinnedInvalid) continue;
    const std::int16_t needed = window_top(x[j]);
    if (needed == kBinnedInvalid) {
      make_invalid(top, bins);
      continue;
    }
    if (needed > top) {
      shift_window(bins, top, needed);
      top = needed;
    }
    double r = x[j];
    for (int k = 0; k < kBins; ++k) {
      const int exponent = kBinWidth * (top - k);
      const double q = std::ldexp(std::nearbyint(std::ldexp(r, -exponent)), exponent);
      bins[k] += q;
      r -= q;
    }
  }
}

void binned_values_ref(BinnedRef acc, std::span<double> out) {
  for (std::size_t j = 0; j < acc.size; ++j) {
    const double* a = acc.bins + kBins * j;
    out[j] = acc.top[j] == kBinnedInvalid ? std::numeric_limits<double>::quiet_NaN() : (a[0] + a[1]) + a[2];
  }
}

}  // namespace tessera::kernels
