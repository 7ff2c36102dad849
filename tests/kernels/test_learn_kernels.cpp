// Kernels of the training app: binned reproducible sums, the epoch permutation, dense layers
// against their reference twins, the whole network's gradient against finite differences,
// and the optimizer updates.
#include "tessera/kernels/binned_sum.hpp"
#include "tessera/kernels/dense_layers.hpp"
#include "tessera/kernels/exact_sum.hpp"
#include "tessera/kernels/mlp_passes.hpp"
#include "tessera/kernels/optimizer_steps.hpp"
#include "tessera/kernels/random_permutation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

namespace tk = tessera::kernels;

namespace {

std::vector<double> binned_total(const std::vector<std::vector<double>>& terms, std::size_t n) {
  tk::BinnedVector acc(n);
  for (const auto& t : terms) tk::binned_deposit(acc.ref(), t);
  std::vector<double> out(n);
  tk::binned_values(acc.ref(), out);
  return out;
}

// Terms of wildly different magnitudes and signs, with cancellation, per element.
std::vector<std::vector<double>> awkward_terms(std::size_t count, std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::uniform_int_distribution<int> e(-60, 60);
  std::vector<std::vector<double>> terms(count, std::vector<double>(n));
  for (auto& t : terms) {
    for (std::size_t j = 0; j < n; ++j) t[j] = std::ldexp(u(rng), e(rng) + static_cast<int>(j % 7) * 40 - 120);
  }
  return terms;
}

}  // namespace

TEST(BinnedSum, OrderAndSplitDoNotChangeTheBits) {
  const std::size_t n = 64;
  auto terms = awkward_terms(200, n, 1);
  const std::vector<double> reference = binned_total(terms, n);
  std::mt19937_64 rng(2);
  for (int trial = 0; trial < 5; ++trial) {
    std::shuffle(terms.begin(), terms.end(), rng);
    EXPECT_EQ(binned_total(terms, n), reference) << "shuffle " << trial;
    // Split over three accumulators at random, merged in both orders, and aligned then added
    // bin by bin as ranks do.
    tk::BinnedVector parts[3] = {tk::BinnedVector(n), tk::BinnedVector(n), tk::BinnedVector(n)};
    for (const auto& t : terms) tk::binned_deposit(parts[rng() % 3].ref(), t);
    tk::binned_merge(parts[2].ref(), parts[0].ref());
    tk::binned_merge(parts[2].ref(), parts[1].ref());
    std::vector<double> merged(n);
    tk::binned_values(parts[2].ref(), merged);
    EXPECT_EQ(merged, reference);
  }
}

TEST(BinnedSum, AlignedBinsAddLikeRanks) {
  const std::size_t n = 16;
  const auto terms = awkward_terms(90, n, 3);
  tk::BinnedVector a(n), b(n);
  for (std::size_t i = 0; i < terms.size(); ++i) tk::binned_deposit((i % 2 ? a : b).ref(), terms[i]);
  std::vector<std::int16_t> top(n);
  for (std::size_t j = 0; j < n; ++j) top[j] = std::max(a.tops()[j], b.tops()[j]);
  tk::binned_align(a.ref(), top);
  tk::binned_align(b.ref(), top);
  for (std::size_t k = 0; k < a.bins().size(); ++k) a.bins()[k] += b.bins()[k];  // MPI_SUM
  std::vector<double> out(n);
  tk::binned_values(a.ref(), out);
  EXPECT_EQ(out, binned_total(terms, n));
}

TEST(BinnedSum, AccurateToTheLargestTerm) {
  const std::size_t n = 32;
  const auto terms = awkward_terms(500, n, 4);
  const std::vector<double> got = binned_total(terms, n);
  for (std::size_t j = 0; j < n; ++j) {
    tk::ExactSum exact;
    double largest = 0;
    for (const auto& t : terms) {
      exact.add(t[j]);
      largest = std::max(largest, std::fabs(t[j]));
    }
    EXPECT_LE(std::fabs(got[j] - exact.value()), largest * 0x1p-50) << "element " << j;
  }
}

TEST(BinnedSum, MatchesItsReferenceTwin) {
  const std::size_t n = 48;
  const auto terms = awkward_terms(60, n, 5);
  tk::BinnedVector fast(n), ref(n);
  for (const auto& t : terms) {
    tk::binned_deposit(fast.ref(), t);
    tk::binned_deposit_ref(ref.ref(), t);
  }
  std::vector<double> a(n), b(n);
  tk::binned_values(fast.ref(), a);
  tk::binned_values_ref(ref.ref(), b);
  EXPECT_EQ(a, b);
  EXPECT_TRUE(std::equal(fast.tops().begin(), fast.tops().end(), ref.tops().begin()));
}

TEST(BinnedSum, EdgeValues) {
  // Zeros, subnormals, huge values, exact cancellation, floats; NaN and Inf mark the element.
  const double tiny = std::numeric_limits<double>::denorm_min();
  const std::vector<std::vector<double>> terms{{0.0, tiny, 1e290, 1.0, 1.0, 2.0},
                                               {0.0, tiny, -1e290, 0x1p-40, std::nan(""), INFINITY},
                                               {0.0, 3 * tiny, 1.0, -1.0, 1.0, 1.0}};
  const std::vector<double> got = binned_total(terms, 6);
  EXPECT_EQ(got[0], 0.0);
  EXPECT_GE(got[1], 0.0);  // below the lowest bin: dropped or kept, never wrong in sign
  EXPECT_EQ(got[2], 0.0);  // 1.0 lies ~960 bits below the window of the 1e290 terms: dropped in any order
  EXPECT_EQ(got[3], 0x1p-40);  // within the window: exact (2^-80 would be below it)
  EXPECT_TRUE(std::isnan(got[4]));
  EXPECT_TRUE(std::isnan(got[5]));
  tk::BinnedVector f(2);
  const std::vector<float> floats{1.5f, -2.25f};
  tk::binned_deposit(f.ref(), std::span<const float>(floats));
  tk::binned_deposit(f.ref(), std::span<const float>(floats));
  std::vector<double> out(2);
  tk::binned_values(f.ref(), out);
  EXPECT_EQ(out, (std::vector<double>{3.0, -4.5}));
}

TEST(RandomPermutation, IsABijectionForAnySize) {
  for (const std::uint64_t n : {1ULL, 2ULL, 3ULL, 7ULL, 64ULL, 65ULL, 1000ULL, 4097ULL}) {
    const tk::RandomPermutation p(n, 9, 1);
    std::vector<std::uint64_t> seen;
    for (std::uint64_t i = 0; i < n; ++i) seen.push_back(p(i));
    std::sort(seen.begin(), seen.end());
    std::vector<std::uint64_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    EXPECT_EQ(seen, all) << "n = " << n;
  }
}

TEST(RandomPermutation, DependsOnSeedAndStream) {
  const tk::RandomPermutation a(1000, 1, 0), b(1000, 1, 1), c(1000, 2, 0), same(1000, 1, 0);
  int moved_b = 0, moved_c = 0, fixed_points = 0;
  for (std::uint64_t i = 0; i < 1000; ++i) {
    moved_b += a(i) != b(i);
    moved_c += a(i) != c(i);
    fixed_points += a(i) == i;
    EXPECT_EQ(a(i), same(i));
  }
  EXPECT_GT(moved_b, 900);
  EXPECT_GT(moved_c, 900);
  EXPECT_LT(fixed_points, 20);  // about 1 expected for a random permutation
}

template <class T>
class DenseLayers : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(DenseLayers, Precisions);

TYPED_TEST(DenseLayers, MatchTheirReferenceTwins) {
  using T = TypeParam;
  const double tol = std::is_same_v<T, float> ? 1e-4 : 1e-12;
  std::mt19937 rng(11);
  std::uniform_real_distribution<double> u(-1, 1);
  for (const auto [rows, in, out] : {std::array<tk::LayerIndex, 3>{1, 1, 1}, {7, 13, 5}, {33, 70, 19}, {64, 100, 128}}) {
    std::vector<T> x(rows * in), w(in * out), b(out), dz(rows * out);
    for (auto* v : {&x, &w, &b, &dz}) for (T& e : *v) e = static_cast<T>(u(rng));
    std::vector<T> z(rows * out), z_ref(rows * out), dw(in * out), dw_ref(in * out), db(out), db_ref(out),
        dx(rows * in), dx_ref(rows * in);
    tk::dense_forward<T>(x.data(), w.data(), b.data(), z.data(), rows, in, out);
    tk::dense_forward_ref<T>(x.data(), w.data(), b.data(), z_ref.data(), rows, in, out);
    tk::dense_backward<T>(x.data(), dz.data(), w.data(), dw.data(), db.data(), dx.data(), rows, in, out);
    tk::dense_backward_ref<T>(x.data(), dz.data(), w.data(), dw_ref.data(), db_ref.data(), dx_ref.data(), rows, in, out);
    const auto close = [&](const std::vector<T>& a, const std::vector<T>& r, const char* what) {
      for (std::size_t i = 0; i < a.size(); ++i) {
        ASSERT_NEAR(a[i], r[i], tol * (1 + std::fabs(r[i]))) << what << " " << rows << "x" << in << "x" << out << " at " << i;
      }
    };
    close(z, z_ref, "z");
    close(dw, dw_ref, "dw");
    close(db, db_ref, "db");
    close(dx, dx_ref, "dx");
  }
}

// The gradient of the summed loss of a 3-layer MLP (ReLU) against central finite differences,
// in double, for every parameter of a small network.
TEST(MlpPasses, GradientMatchesFiniteDifferences) {
  const std::vector<std::int64_t> sizes{5, 7, 6, 4};
  std::vector<tk::DenseShape> layers;
  std::int64_t offset = 0;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    layers.push_back({sizes[l], sizes[l + 1], offset, offset + sizes[l] * sizes[l + 1]});
    offset += layers.back().parameters();
  }
  const std::int64_t rows = 9;
  std::mt19937 rng(5);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> params(static_cast<std::size_t>(offset)), x(static_cast<std::size_t>(rows * sizes[0]));
  for (double& p : params) p = u(rng);
  for (double& v : x) v = u(rng);
  std::vector<std::int32_t> labels(rows);
  for (auto& l : labels) l = static_cast<std::int32_t>(rng() % 4);
  const std::vector<std::int64_t> offsets{0, 4, 9};  // two micro-batches
  std::vector<std::vector<double>> outputs, deltas;
  for (const auto& layer : layers) {
    outputs.emplace_back(static_cast<std::size_t>(rows * layer.out));
    deltas.emplace_back(static_cast<std::size_t>(rows * layer.out));
  }
  const auto loss_of = [&](const std::vector<double>& p) {
    std::vector<double*> out, del;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      out.push_back(outputs[l].data());
      del.push_back(deltas[l].data());
    }
    std::vector<double> losses(2);
    std::vector<std::int64_t> correct(2);
    tk::mlp_forward_loss<double>(layers, p.data(), x.data(), offsets, out, labels.data(), del.back(), losses.data(),
                                 correct.data());
    return losses[0] + losses[1];
  };
  loss_of(params);
  std::vector<double*> out, del;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    out.push_back(outputs[l].data());
    del.push_back(deltas[l].data());
  }
  std::vector<std::vector<double>> scratch(1, std::vector<double>(params.size()));
  std::vector<std::vector<double>> sums(1, std::vector<double>(params.size()));
  for (std::size_t l = layers.size(); l-- > 0;) {
    tk::mlp_backward_layer<double>(layers, l, params.data(), x.data(), out, del, offsets, scratch,
                                   tk::ThreadGradients{sums, {}}, {});
  }
  std::vector<double> gradient(params.size());
  tk::merge_plain(sums, 0, params.size(), gradient.data());
  for (std::size_t i = 0; i < params.size(); ++i) {
    std::vector<double> p = params;
    const double h = 1e-6;
    p[i] = params[i] + h;
    const double up = loss_of(p);
    p[i] = params[i] - h;
    const double down = loss_of(p);
    EXPECT_NEAR(gradient[i], (up - down) / (2 * h), 1e-6 * (1 + std::fabs(gradient[i]))) << "parameter " << i;
  }
}

TEST(MlpPasses, EvaluationDoesNotDependOnTheSplit) {
  const std::vector<tk::DenseShape> layers{{6, 5, 0, 30}, {5, 3, 35, 50}};
  std::mt19937 rng(8);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> params(53), x(23 * 6);
  for (float& p : params) p = u(rng);
  for (float& v : x) v = u(rng);
  std::vector<std::int32_t> labels(23);
  for (auto& l : labels) l = static_cast<std::int32_t>(rng() % 3);
  const auto evaluate = [&](std::vector<std::int64_t> cuts) {
    tk::PartialSum loss(tk::SumMode::reproducible);
    std::vector<std::int64_t> confusion(9);
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      tk::mlp_evaluate<float>(layers, params.data(), x.data() + cuts[i] * 6, labels.data() + cuts[i], cuts[i],
                              cuts[i + 1] - cuts[i], 4, loss, confusion);
    }
    return std::make_pair(loss.value(), confusion);
  };
  const auto whole = evaluate({0, 23});
  EXPECT_EQ(evaluate({0, 5, 6, 17, 23}), whole);
  EXPECT_EQ(evaluate({0, 1, 2, 3, 23}), whole);
  EXPECT_EQ(std::accumulate(whole.second.begin(), whole.second.end(), std::int64_t{0}), 23);
}

TEST(OptimizerSteps, SgdAndAdamFollowTheirFormulas) {
  std::vector<double> w{1.0, -2.0}, v{0.5, 0.0};
  const std::vector<double> g{4.0, -8.0};  // summed over 4 rows
  tk::sgd_update<double>(w.data(), g.data(), 0.25, v.data(), 2, {0.1, 0.9, 0.01});
  // g = (1, -2) + 0.01 w = (1.01, -2.02); v = 0.9 v + g = (1.46, -2.02); w -= 0.1 v
  EXPECT_DOUBLE_EQ(v[0], 1.46);
  EXPECT_DOUBLE_EQ(w[0], 1.0 - 0.146);
  EXPECT_DOUBLE_EQ(w[1], -2.0 + 0.202);
  std::vector<float> a{1.0f}, m{0.0f}, s{0.0f};
  const std::vector<double> ga{2.0};
  tk::adam_update<float>(a.data(), ga.data(), 1.0, m.data(), s.data(), 1, {0.01, 0.9, 0.999, 1e-8, 0.0, 1});
  // First step: m/(1-b1) = g, v/(1-b2) = g^2: the step is lr * g / (|g| + eps) = lr.
  EXPECT_NEAR(a[0], 0.99f, 1e-6);
  EXPECT_NEAR(m[0], 0.2f, 1e-7);
  EXPECT_NEAR(s[0], 0.004f, 1e-7);
}
