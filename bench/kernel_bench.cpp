// Kernel benchmarks, each against a STREAM kernel measured in the same run, with 1 and 2
// threads (more with --threads); prints each kernel's achieved bandwidth as a fraction of its
// reference. Bytes counted are the minimum traffic (neighbours come from cache):
//   heat 2D/3D sweeps vs STREAM copy of the same cells: 8 read + 8 written per cell;
//   one CG iteration's kernels (operator + residual + solution/direction update) on a
//   --cg-side^3 grid vs STREAM triad over the same footprint (4 vectors): 80 bytes per cell.
#include "tessera/kernels/heat.hpp"
#include "tessera/kernels/poisson.hpp"
#include "tessera/kernels/stream.hpp"

#include <benchmark/benchmark.h>
#include <omp.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using tessera::kernels::GridLayout;
using tessera::kernels::Index;

// Grid sides; the default of 64 Mi cells (512 MiB per field) is well beyond the last-level
// cache of current server CPUs (260 MiB on the machine the README figures come from).
// Change with --cells=N.
Index kSide2d = 8192;
Index kSide3d = 400;
Index kCgSide = 128;  // the size the README compares with PETSc; set with --cg-side=N

void set_threads(const benchmark::State& state) { omp_set_num_threads(static_cast<int>(state.range(0))); }

// STREAM copy of as many cells as the heat sweep of the given dimension updates.
template <int Dims>
void BM_copy_cells(benchmark::State& state) {
  set_threads(state);
  const auto n = static_cast<std::size_t>(Dims == 2 ? kSide2d * kSide2d : kSide3d * kSide3d * kSide3d);
  std::vector<double> a(n), b(n);
  tessera::kernels::first_touch_fill(a, 1.0);
  tessera::kernels::first_touch_fill(b, 0.0);
  for (auto _ : state) {
    tessera::kernels::stream_copy(a, b);
    benchmark::DoNotOptimize(b.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(16 * n));
}

template <int Dims>
void BM_heat(benchmark::State& state) {
  set_threads(state);
  const Index side = Dims == 2 ? kSide2d : kSide3d;
  const GridLayout layout{Dims, {side, side, Dims == 3 ? side : 1}, 1};
  std::vector<double> u(static_cast<std::size_t>(layout.size())), v(u.size());
  tessera::kernels::first_touch_fill(u, 0.5);
  tessera::kernels::first_touch_fill(v, 0.0);
  const tessera::kernels::Diffusion r{0.1, 0.1, 0.1};
  const auto update = Dims == 2 ? tessera::kernels::heat_update_2d : tessera::kernels::heat_update_3d;
  for (auto _ : state) {
    update(u, v, layout, layout.interior(), r);
    std::swap(u, v);
    benchmark::ClobberMemory();
  }
  const auto cells = layout.interior().size();
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 16 * cells);
  state.counters["cells_per_s"] = benchmark::Counter(static_cast<double>(state.iterations() * cells), benchmark::Counter::kIsRate);
}

// STREAM triad over three arrays with the bytes of the CG's four vectors.
void BM_triad_cg_footprint(benchmark::State& state) {
  set_threads(state);
  const auto n = static_cast<std::size_t>(4 * kCgSide * kCgSide * kCgSide / 3);
  std::vector<double> a(n), b(n), c(n);
  tessera::kernels::first_touch_fill(a, 0.0);
  tessera::kernels::first_touch_fill(b, 1.0);
  tessera::kernels::first_touch_fill(c, 2.0);
  for (auto _ : state) {
    tessera::kernels::stream_triad(a, b, c, 0.5);
    benchmark::DoNotOptimize(a.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(24 * n));
}

// The three sweeps of one CG iteration, with their fused sums, in either sum mode.
template <tessera::kernels::SumMode Mode>
void BM_cg_iteration(benchmark::State& state) {
  namespace k = tessera::kernels;
  set_threads(state);
  const GridLayout layout{3, {kCgSide, kCgSide, kCgSide}, 1};
  std::vector<double> x(static_cast<std::size_t>(layout.size())), r(x.size()), p(x.size()), q(x.size());
  for (auto* v : {&x, &r, &p, &q}) k::first_touch_fill(*v, 0.0);
  const k::Box block = layout.interior();
  k::GridGeometry geometry;
  geometry.h = {1.0 / static_cast<double>(kCgSide + 1), 1.0 / static_cast<double>(kCgSide + 1),
                1.0 / static_cast<double>(kCgSide + 1)};
  k::fill_manufactured_rhs(r, layout, block, geometry);
  k::fill_manufactured_rhs(p, layout, block, geometry);
  const k::Stencil7 stencil = k::poisson_stencil(geometry.h);
  double rz = k::dot(r, r, layout, block, Mode).value();
  for (auto _ : state) {
    const double alpha = rz / k::apply_poisson(p, q, layout, block, stencil, Mode).value();
    const double rr = k::update_residual(r, q, alpha, layout, block, Mode).value();
    k::update_solution_direction(x, p, r, alpha, rr / rz, 1.0, layout, block);
    rz = rr;
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * 80 * block.size());
}

void thread_args(benchmark::internal::Benchmark* b) {
  const int max_threads = omp_get_max_threads();
  for (int t = 1; t <= max_threads; t *= 2) b->Arg(t);
  if ((max_threads & (max_threads - 1)) != 0) b->Arg(max_threads);
  b->ArgName("threads")->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(0.5);
}

BENCHMARK(BM_copy_cells<2>)->Name("BM_copy_2d_cells")->Apply(thread_args);
BENCHMARK(BM_heat<2>)->Name("BM_heat_2d")->Apply(thread_args);
BENCHMARK(BM_copy_cells<3>)->Name("BM_copy_3d_cells")->Apply(thread_args);
BENCHMARK(BM_heat<3>)->Name("BM_heat_3d")->Apply(thread_args);
BENCHMARK(BM_triad_cg_footprint)->Name("BM_triad_cg_footprint")->Apply(thread_args);
BENCHMARK(BM_cg_iteration<tessera::kernels::SumMode::fast>)->Name("BM_cg_iteration_fast")->Apply(thread_args);
BENCHMARK(BM_cg_iteration<tessera::kernels::SumMode::reproducible>)->Name("BM_cg_iteration_exact")->Apply(thread_args);

// Console output as usual, plus the bandwidth of every run kept for the ratio table.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& run : runs) {
      const auto it = run.counters.find("bytes_per_second");
      if (it == run.counters.end()) continue;
      // With --benchmark_repetitions the median is the figure to compare.
      if (run.run_type == Run::RT_Iteration && !medians_.count(run.run_name.str())) {
        bandwidth_[run.run_name.str()] = it->second.value;
      } else if (run.run_type == Run::RT_Aggregate && run.aggregate_name == "median") {
        bandwidth_[run.run_name.str()] = it->second.value;
        medians_.insert(run.run_name.str());
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    std::printf("\nAchieved bandwidth as a fraction of the STREAM reference measured in this run:\n");
    std::printf("%-22s %8s %12s %12s %8s   %s\n", "kernel", "threads", "kernel GB/s", "ref GB/s", "ratio", "reference");
    // kernel benchmark, its STREAM reference, and a label.
    const std::vector<std::array<std::string, 3>> pairs = {
        {"BM_heat_2d", "BM_copy_2d_cells", "copy, same cells"},
        {"BM_heat_3d", "BM_copy_3d_cells", "copy, same cells"},
        {"BM_cg_iteration_fast", "BM_triad_cg_footprint", "triad, same footprint"},
        {"BM_cg_iteration_exact", "BM_triad_cg_footprint", "triad, same footprint"}};
    for (const auto& [name, value] : bandwidth_) {
      for (const auto& [kernel, reference, label] : pairs) {
        const std::string prefix = kernel + "/threads:";
        if (name.rfind(prefix, 0) != 0) continue;
        const std::string threads = name.substr(prefix.size(), name.find('/', prefix.size()) - prefix.size());
        const auto ref = bandwidth_.find(reference + "/threads:" + name.substr(prefix.size()));
        if (ref == bandwidth_.end()) continue;
        std::printf("%-22s %8s %12.2f %12.2f %8.2f   %s\n", kernel.substr(3).c_str(), threads.c_str(), value / 1e9,
                    ref->second / 1e9, value / ref->second, label.c_str());
      }
    }
  }

 private:
  std::map<std::string, double> bandwidth_;
  std::set<std::string> medians_;
};

}  // namespace

int main(int argc, char** argv) {
  // Our one flag, --cells=N, is taken out before Google Benchmark sees the arguments.
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--cells=", 0) == 0) {
      const double cells = std::stod(arg.substr(8));
      kSide2d = static_cast<Index>(std::sqrt(cells));
      kSide3d = static_cast<Index>(std::cbrt(cells));
    } else if (arg.rfind("--cg-side=", 0) == 0) {
      kCgSide = std::stoll(arg.substr(10));
    } else {
      rest.push_back(argv[i]);
    }
  }
  argc = static_cast<int>(rest.size());
  argv = rest.data();
  std::printf("heat 2D grid %lldx%lld, 3D grid %lld^3 (set with --cells=N); CG grid %lld^3 (--cg-side=N)\n",
              static_cast<long long>(kSide2d), static_cast<long long>(kSide2d), static_cast<long long>(kSide3d),
              static_cast<long long>(kCgSide));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
