// Kernel benchmarks: heat 2D/3D sweeps against a STREAM copy of the same number of cells,
// measured in the same run, with 1 and 2 threads (more with --threads). Prints each kernel's
// achieved bandwidth as a fraction of the copy's. Bytes counted: 8 read + 8 written per cell
// for both (the minimum traffic; neighbours come from cache).
#include "kernels/heat.hpp"
#include "kernels/stream.hpp"

#include <benchmark/benchmark.h>
#include <omp.h>

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
    std::printf("\nAchieved bandwidth as a fraction of STREAM copy on the same cells (target >= 0.85):\n");
    std::printf("%-10s %8s %12s %12s %8s\n", "kernel", "threads", "kernel GB/s", "copy GB/s", "ratio");
    for (const auto& [name, value] : bandwidth_) {
      for (const char* dims : {"2d", "3d"}) {
        const std::string prefix = std::string("BM_heat_") + dims + "/threads:";
        if (name.rfind(prefix, 0) != 0) continue;
        const std::string threads = name.substr(prefix.size(), name.find('/', prefix.size()) - prefix.size());
        const auto copy = bandwidth_.find(std::string("BM_copy_") + dims + "_cells/threads:" + name.substr(prefix.size()));
        if (copy == bandwidth_.end()) continue;
        std::printf("heat %-5s %8s %12.2f %12.2f %8.2f\n", dims, threads.c_str(), value / 1e9, copy->second / 1e9,
                    value / copy->second);
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
    } else {
      rest.push_back(argv[i]);
    }
  }
  argc = static_cast<int>(rest.size());
  argv = rest.data();
  std::printf("heat 2D grid %lldx%lld, 3D grid %lld^3 (set with --cells=N)\n", static_cast<long long>(kSide2d),
              static_cast<long long>(kSide2d), static_cast<long long>(kSide3d));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
