// Probe measurements. Timings use MPI_Wtime; a repeat times enough iterations to last about a
// millisecond or more, and collective figures take the slowest rank.
#include "tessera/perf/machine_probe.hpp"

#include "tessera/comm/collectives.hpp"
#include "tessera/comm/mpi_check.hpp"
#include "tessera/grid/field.hpp"
#include "tessera/grid/halo_exchange.hpp"
#include "tessera/kernels/stream.hpp"
#include "tessera/kernels/threads.hpp"

#include <mpi.h>

#include <algorithm>
#include <functional>

namespace tessera {

namespace {

// Seconds per call of `work`, repeated `iterations` times, slowest rank.
double timed_max(const Communicator& comm, int iterations, const std::function<void()>& work) {
  comm.barrier();
  const double start = MPI_Wtime();
  for (int i = 0; i < iterations; ++i) work();
  return allreduce_max(comm, (MPI_Wtime() - start) / iterations);
}

}  // namespace

std::vector<StreamFigure> probe_stream(const Communicator& comm, std::int64_t cells, const std::vector<int>& threads,
                                       int repeats) {
  const int saved = kernels::max_threads();
  const auto n = static_cast<std::size_t>(cells);
  std::vector<double> a(n), b(n), c(n);
  std::vector<StreamFigure> out;
  for (int t : threads) {
    kernels::set_threads(t);
    kernels::first_touch_fill(a, 1.0);
    kernels::first_touch_fill(b, 2.0);
    kernels::first_touch_fill(c, 0.5);
    for (const std::string kernel : {"copy", "triad"}) {
      const double bytes = (kernel == "copy" ? 16.0 : 24.0) * static_cast<double>(n);
      auto run = [&] {
        if (kernel == "copy") {
          kernels::stream_copy(a, b);
        } else {
          kernels::stream_triad(a, b, c, 3.0);
        }
      };
      for (const std::string scope : {"rank", "all"}) {
        std::vector<double> samples;
        for (int r = 0; r < repeats; ++r) {
          comm.barrier();
          double seconds = 0.0;
          if (scope == "all" || comm.is_root()) {
            const double start = MPI_Wtime();
            run();
            seconds = MPI_Wtime() - start;
          }
          if (scope == "rank") {
            samples.push_back(broadcast(comm, seconds > 0 ? bytes / seconds : 0.0, 0));
          } else {
            // Every rank moved `bytes` in the time of the slowest.
            samples.push_back(bytes * comm.size() / allreduce_max(comm, seconds));
          }
        }
        out.push_back({kernel, scope, t, summarize(samples)});
      }
    }
  }
  kernels::set_threads(saved);
  return out;
}

std::vector<PingPongFigure> probe_ping_pong(const Communicator& comm, const std::vector<std::int64_t>& sizes,
                                            int repeats) {
  std::vector<PingPongFigure> out;
  if (comm.size() < 2) return out;
  const std::int64_t largest = sizes.empty() ? 0 : *std::max_element(sizes.begin(), sizes.end());
  std::vector<char> buffer(static_cast<std::size_t>(largest), 1);
  for (std::int64_t bytes : sizes) {
    // About 4 MiB of traffic per repeat, at least 4 round trips.
    const int iterations = static_cast<int>(std::clamp<std::int64_t>((std::int64_t{4} << 20) / std::max<std::int64_t>(bytes, 1), 4, 1000));
    std::vector<double> one_way;
    for (int r = 0; r < repeats; ++r) {
      comm.barrier();
      const double start = MPI_Wtime();
      for (int i = 0; i < iterations && comm.rank() < 2; ++i) {
        const int count = static_cast<int>(bytes);
        if (comm.rank() == 0) {
          TESSERA_MPI_CHECK(MPI_Send(buffer.data(), count, MPI_CHAR, 1, 7, comm.get()));
          TESSERA_MPI_CHECK(MPI_Recv(buffer.data(), count, MPI_CHAR, 1, 7, comm.get(), MPI_STATUS_IGNORE));
        } else {
          TESSERA_MPI_CHECK(MPI_Recv(buffer.data(), count, MPI_CHAR, 0, 7, comm.get(), MPI_STATUS_IGNORE));
          TESSERA_MPI_CHECK(MPI_Send(buffer.data(), count, MPI_CHAR, 0, 7, comm.get()));
        }
      }
      const double elapsed = MPI_Wtime() - start;
      one_way.push_back(broadcast(comm, elapsed / (2.0 * iterations), 0));
    }
    PingPongFigure f;
    f.bytes = bytes;
    f.latency_s = summarize(one_way);
    std::vector<double> rates;
    for (double s : one_way) rates.push_back(static_cast<double>(bytes) / s);
    f.bytes_per_s = summarize(rates);
    out.push_back(f);
  }
  return out;
}

std::vector<CollectiveFigure> probe_allreduce(const Communicator& comm, const std::vector<std::int64_t>& sizes,
                                              int repeats) {
  std::vector<CollectiveFigure> out;
  for (std::int64_t bytes : sizes) {
    const auto count = static_cast<std::size_t>(std::max<std::int64_t>(bytes / 8, 1));
    std::vector<double> in(count, 1.0), result(count);
    const int iterations = static_cast<int>(std::clamp<std::int64_t>((std::int64_t{8} << 20) / std::max<std::int64_t>(bytes, 8), 4, 2000));
    std::vector<double> samples;
    for (int r = 0; r < repeats; ++r) {
      samples.push_back(timed_max(comm, iterations, [&] { allreduce<double>(comm, in, result, MPI_SUM); }));
    }
    out.push_back({static_cast<std::int64_t>(count * 8), summarize(samples)});
  }
  return out;
}

HaloFigure probe_halo(const Communicator& comm, int dims, std::int64_t block, int repeats) {
  CartSpec spec;
  spec.dims = dims;
  int grid[3] = {0, 0, 0};
  TESSERA_MPI_CHECK(MPI_Dims_create(comm.size(), dims, grid));
  for (int d = 0; d < dims; ++d) {
    spec.global[d] = block * grid[d];
    spec.proc_grid[d] = grid[d];
  }
  const CartDecomposition decomposition(comm, spec);
  Field field(decomposition, 1);
  HaloPlan plan(decomposition, field.layout());
  std::int64_t bytes = 0;
  for (int d = 0; d < dims; ++d) {
    std::int64_t face = 8;
    for (int e = 0; e < dims; ++e) face *= e == d ? 1 : block;
    for (int side : {-1, +1}) bytes += decomposition.neighbor(d, side) != MPI_PROC_NULL ? face : 0;
  }
  HaloFigure f;
  f.dims = dims;
  f.block = block;
  f.bytes_per_rank = allreduce_max(comm, static_cast<long long>(bytes));
  const int iterations = 20;
  std::vector<double> samples;
  for (int r = 0; r < repeats; ++r) {
    samples.push_back(timed_max(decomposition.comm(), iterations, [&] { plan.exchange(field.data()); }));
  }
  f.seconds = summarize(samples);
  return f;
}

}  // namespace tessera
