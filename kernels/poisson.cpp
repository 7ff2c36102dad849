// Poisson operator and CG vector kernels. The optimized versions sweep rows with raw pointers,
// threads over slabs and SIMD along x; the reference versions index every neighbour through
// the layout. Both evaluate the same expressions in the same order (and the kernels target
// is built with -ffp-contract=off), so the vectors they write agree bit for bit.
#include "tessera/kernels/poisson.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace tessera::kernels {

namespace {
// Bytes of an operator sweep's working set (a band of rows in three planes) meant to stay in
// L2, as in the heat kernel: each input cell then comes from memory once.
constexpr Index kL2BandBytes = 512 * 1024;
constexpr Index kNoBands = std::numeric_limits<Index>::max() / 2;

// Calls row(offset_of_x0) for every row of `share`, in bands of `band` y rows.
template <class Row>
void sweep_share(const GridLayout& layout, const Box& share, Index band, const Row& row) {
  if (share.empty()) return;
  for (Index j_begin = share.lo[1]; j_begin < share.hi[1]; j_begin += band) {
    const Index j_end = std::min(share.hi[1], j_begin + band);
    for (Index k = share.lo[2]; k < share.hi[2]; ++k) {
      for (Index j = j_begin; j < j_end; ++j) row(layout.index(0, j, k));
    }
  }
}

// Each thread sweeps its share of `box` (thread_share) with row(offset_of_x0).
template <class Row>
void for_each_row(const GridLayout& layout, const Box& box, Index band, const Row& row) {
  if (box.empty()) return;
#pragma omp parallel
  sweep_share(layout, thread_share(box, omp_get_num_threads(), omp_get_thread_num()), band, row);
}

// As for_each_row, with row(offset_of_x0, sum) adding to a per-thread partial sum; the
// per-thread sums are combined in thread order.
template <class Row>
PartialSum sweep_rows(const GridLayout& layout, const Box& box, SumMode mode, Index band, const Row& row) {
  PartialSum total(mode);
  if (box.empty()) return total;
#pragma omp parallel
  {
    const int team = omp_get_num_threads();
    PartialSum mine(mode);
    sweep_share(layout, thread_share(box, team, omp_get_thread_num()), band, [&](Index at) { row(at, mine); });
#pragma omp for ordered schedule(static, 1)
    for (int t = 0; t < team; ++t) {
#pragma omp ordered
      total.add(mine);
    }
  }
  return total;
}

// The operator at one cell, written once so both twins evaluate it in the same order.
inline double stencil_value(double d, double cx, double cy, double cz, double c, double w, double e, double s,
                            double n, double b, double t) {
  return d * c - cx * (w + e) - cy * (s + n) - cz * (b + t);
}

// One row of the operator. Plain functions over restrict pointers and locals: inside a
// lambda that reads its coefficients through the closure, GCC 12 emulates gathers and keeps
// the reduction in memory (half the speed).
void apply_row(const double* __restrict u, double* __restrict o, Index lo, Index hi, Index sy, Index sz, double d,
               double cx, double cy, double cz) {
#pragma omp simd
  for (Index i = lo; i < hi; ++i) {
    o[i] = stencil_value(d, cx, cy, cz, u[i], u[i - 1], u[i + 1], u[i - sy], u[i + sy], u[i - sz], u[i + sz]);
  }
}

// The same, returning the row's sum of u * (A u) from the same SIMD loop.
double apply_row_dot(const double* __restrict u, double* __restrict o, Index lo, Index hi, Index sy, Index sz,
                     double d, double cx, double cy, double cz) {
  double s = 0.0;
#pragma omp simd reduction(+ : s)
  for (Index i = lo; i < hi; ++i) {
    const double v = stencil_value(d, cx, cy, cz, u[i], u[i - 1], u[i + 1], u[i - sy], u[i + sy], u[i - sz], u[i + sz]);
    o[i] = v;
    s += u[i] * v;
  }
  return s;
}

// r = r - alpha q on one row; returns the row's sum of the new r squared when `dot`.
template <bool Dot>
double residual_row(double* __restrict r, const double* __restrict q, Index lo, Index hi, double alpha) {
  double s = 0.0;
  if constexpr (Dot) {
#pragma omp simd reduction(+ : s)
    for (Index i = lo; i < hi; ++i) {
      const double v = r[i] - alpha * q[i];
      r[i] = v;
      s += v * v;
    }
  } else {
#pragma omp simd
    for (Index i = lo; i < hi; ++i) r[i] = r[i] - alpha * q[i];
  }
  return s;
}

void solution_direction_row(double* __restrict x, double* __restrict p, const double* __restrict r, Index lo,
                            Index hi, double alpha, double beta, double r_scale) {
#pragma omp simd
  for (Index i = lo; i < hi; ++i) {
    x[i] = x[i] + alpha * p[i];
    p[i] = r_scale * r[i] + beta * p[i];
  }
}

// The 1D factor a(t) = t (1 - t) e^t of the manufactured solution, and a''(t) = -(t^2 + 3t) e^t.
double factor(double t) { return t * (1.0 - t) * std::exp(t); }
double factor_second(double t) { return -(t * t + 3.0 * t) * std::exp(t); }
double coordinate(const GridGeometry& g, int d, Index local) {
  return static_cast<double>(g.offset[d] + local + 1) * g.h[d];
}
// -Laplace(u) from the factors, in one fixed order.
inline double rhs_value(double ax, double axx, double ay, double ayy, double az, double azz) {
  return -(axx * ay * az + ax * ayy * az + ax * ay * azz);
}
}  // namespace

Stencil7 poisson_stencil(const std::array<double, 3>& h) {
  Stencil7 s;
  for (std::size_t d = 0; d < 3; ++d) s.c[d] = 1.0 / (h[d] * h[d]);
  return s;
}

PartialSum apply_poisson(std::span<const double> in, std::span<double> out, const GridLayout& layout,
                         const Box& box, const Stencil7& stencil, SumMode mode) {
  const Index sy = layout.stride(1);
  const Index sz = layout.stride(2);
  const double d = stencil.diagonal();
  const double cx = stencil.c[0];
  const double cy = stencil.c[1];
  const double cz = stencil.c[2];
  const Index lo = box.lo[0];
  const Index hi = box.hi[0];
  const auto row_bytes = static_cast<Index>(sizeof(double)) * (hi - lo + 2);
  const Index band = std::max<Index>(4, kL2BandBytes / (3 * row_bytes));
  const double* const src = in.data();
  double* const dst = out.data();
  return sweep_rows(layout, box, mode, band, [=](Index row, PartialSum& sum) {
    if (mode == SumMode::fast) {
      sum.add(apply_row_dot(src + row, dst + row, lo, hi, sy, sz, d, cx, cy, cz));
    } else {
      apply_row(src + row, dst + row, lo, hi, sy, sz, d, cx, cy, cz);
      sum.add_products(src + row + lo, dst + row + lo, hi - lo);  // exact: the row is still in L1
    }
  });
}

PartialSum apply_poisson_ref(std::span<const double> in, std::span<double> out, const GridLayout& layout,
                             const Box& box, const Stencil7& stencil, SumMode mode) {
  PartialSum sum(mode);
  const double d = stencil.diagonal();
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const double c = in[layout.index(i, j, k)];
        const double v = stencil_value(d, stencil.c[0], stencil.c[1], stencil.c[2], c, in[layout.index(i - 1, j, k)],
                                       in[layout.index(i + 1, j, k)], in[layout.index(i, j - 1, k)],
                                       in[layout.index(i, j + 1, k)], in[layout.index(i, j, k - 1)],
                                       in[layout.index(i, j, k + 1)]);
        out[layout.index(i, j, k)] = v;
        sum.add(c * v);
      }
    }
  }
  return sum;
}

PartialSum update_residual(std::span<double> r, std::span<const double> q, double alpha, const GridLayout& layout,
                           const Box& box, SumMode mode) {
  const Index lo = box.lo[0];
  const Index hi = box.hi[0];
  double* const rr = r.data();
  const double* const qq = q.data();
  return sweep_rows(layout, box, mode, kNoBands, [=](Index row, PartialSum& sum) {
    if (mode == SumMode::fast) {
      sum.add(residual_row<true>(rr + row, qq + row, lo, hi, alpha));
    } else {
      residual_row<false>(rr + row, qq + row, lo, hi, alpha);
      sum.add_products(rr + row + lo, rr + row + lo, hi - lo);
    }
  });
}

PartialSum update_residual_ref(std::span<double> r, std::span<const double> q, double alpha,
                               const GridLayout& layout, const Box& box, SumMode mode) {
  PartialSum sum(mode);
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const auto at = static_cast<std::size_t>(layout.index(i, j, k));
        r[at] = r[at] - alpha * q[at];
        sum.add(r[at] * r[at]);
      }
    }
  }
  return sum;
}

void update_solution_direction(std::span<double> x, std::span<double> p, std::span<const double> r, double alpha,
                               double beta, double r_scale, const GridLayout& layout, const Box& box) {
  const Index lo = box.lo[0];
  const Index hi = box.hi[0];
  double* const xx = x.data();
  double* const pp = p.data();
  const double* const rr = r.data();
  for_each_row(layout, box, kNoBands, [=](Index row) {
    solution_direction_row(xx + row, pp + row, rr + row, lo, hi, alpha, beta, r_scale);
  });
}

void update_solution_direction_ref(std::span<double> x, std::span<double> p, std::span<const double> r,
                                   double alpha, double beta, double r_scale, const GridLayout& layout,
                                   const Box& box) {
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const auto at = static_cast<std::size_t>(layout.index(i, j, k));
        x[at] = x[at] + alpha * p[at];
        p[at] = r_scale * r[at] + beta * p[at];
      }
    }
  }
}

PartialSum subtract_from(std::span<const double> b, std::span<double> v, const GridLayout& layout, const Box& box,
                         SumMode mode) {
  const Index lo = box.lo[0];
  const Index hi = box.hi[0];
  const double* const bb = b.data();
  double* const vv = v.data();
  return sweep_rows(layout, box, mode, kNoBands, [=](Index row, PartialSum& sum) {
    const double* __restrict bv = bb + row;
    double* __restrict vr = vv + row;
#pragma omp simd
    for (Index i = lo; i < hi; ++i) vr[i] = bv[i] - vr[i];
    sum.add_products(vr + lo, vr + lo, hi - lo);
  });
}

PartialSum subtract_from_ref(std::span<const double> b, std::span<double> v, const GridLayout& layout,
                             const Box& box, SumMode mode) {
  PartialSum sum(mode);
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const auto at = static_cast<std::size_t>(layout.index(i, j, k));
        v[at] = b[at] - v[at];
        sum.add(v[at] * v[at]);
      }
    }
  }
  return sum;
}

PartialSum dot(std::span<const double> a, std::span<const double> b, const GridLayout& layout, const Box& box,
               SumMode mode) {
  const Index lo = box.lo[0];
  const Index hi = box.hi[0];
  return sweep_rows(layout, box, mode, kNoBands,
                    [&](Index row, PartialSum& sum) { sum.add_products(a.data() + row + lo, b.data() + row + lo, hi - lo); });
}

PartialSum dot_ref(std::span<const double> a, std::span<const double> b, const GridLayout& layout, const Box& box,
                   SumMode mode) {
  PartialSum sum(mode);
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const auto at = static_cast<std::size_t>(layout.index(i, j, k));
        sum.add(a[at] * b[at]);
      }
    }
  }
  return sum;
}

namespace {
// Tabulates a and a'' along x for the box, so the sweeps do one exp per row, not per cell.
void tabulate_x(const GridGeometry& geometry, const Box& box, std::vector<double>& a, std::vector<double>& a2) {
  const auto n = static_cast<std::size_t>(box.hi[0] - box.lo[0]);
  a.resize(n);
  a2.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double x = coordinate(geometry, 0, box.lo[0] + static_cast<Index>(i));
    a[i] = factor(x);
    a2[i] = factor_second(x);
  }
}

template <class Cell>
void fill_rows(std::span<double> v, const GridLayout& layout, const Box& box, const GridGeometry& geometry,
               const Cell& cell) {
  if (box.empty()) return;
  std::vector<double> ax;
  std::vector<double> axx;
  tabulate_x(geometry, box, ax, axx);
#pragma omp parallel for collapse(2) schedule(static)
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      const double y = coordinate(geometry, 1, j);
      const double z = coordinate(geometry, 2, k);
      const double ay = factor(y);
      const double ayy = factor_second(y);
      const double az = factor(z);
      const double azz = factor_second(z);
      double* o = v.data() + layout.index(box.lo[0], j, k);
      for (Index i = 0; i < box.hi[0] - box.lo[0]; ++i) {
        const auto at = static_cast<std::size_t>(i);
        o[i] = cell(ax[at], axx[at], ay, ayy, az, azz);
      }
    }
  }
}

template <class Cell>
void fill_rows_ref(std::span<double> v, const GridLayout& layout, const Box& box, const GridGeometry& geometry,
                   const Cell& cell) {
  for (Index k = box.lo[2]; k < box.hi[2]; ++k) {
    for (Index j = box.lo[1]; j < box.hi[1]; ++j) {
      for (Index i = box.lo[0]; i < box.hi[0]; ++i) {
        const double x = coordinate(geometry, 0, i);
        const double y = coordinate(geometry, 1, j);
        const double z = coordinate(geometry, 2, k);
        v[static_cast<std::size_t>(layout.index(i, j, k))] =
            cell(factor(x), factor_second(x), factor(y), factor_second(y), factor(z), factor_second(z));
      }
    }
  }
}

double solution_cell(double ax, double, double ay, double, double az, double) { return ax * ay * az; }
}  // namespace

void fill_manufactured_solution(std::span<double> u, const GridLayout& layout, const Box& box,
                                const GridGeometry& geometry) {
  fill_rows(u, layout, box, geometry, solution_cell);
}
void fill_manufactured_rhs(std::span<double> f, const GridLayout& layout, const Box& box,
                           const GridGeometry& geometry) {
  fill_rows(f, layout, box, geometry, rhs_value);
}
void fill_manufactured_solution_ref(std::span<double> u, const GridLayout& layout, const Box& box,
                                    const GridGeometry& geometry) {
  fill_rows_ref(u, layout, box, geometry, solution_cell);
}
void fill_manufactured_rhs_ref(std::span<double> f, const GridLayout& layout, const Box& box,
                               const GridGeometry& geometry) {
  fill_rows_ref(f, layout, box, geometry, rhs_value);
}

ManufacturedBounds manufactured_bounds() {
  // a is largest where a'(t) = (1 - t - t^2) e^t vanishes, at t = (sqrt 5 - 1) / 2;
  // a''''(t) = -(t^2 + 7 t + 8) e^t is largest in magnitude at t = 1: 16 e.
  const double t = (std::sqrt(5.0) - 1.0) / 2.0;
  const double max_a = factor(t);
  return {max_a * max_a * max_a, 16.0 * std::exp(1.0) * max_a * max_a};
}

}  // namespace tessera::kernels
