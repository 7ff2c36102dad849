// probe: measures the machine a job runs on (STREAM bandwidth per rank and per node, MPI
// ping-pong latency and bandwidth, allreduce time, halo-exchange time) and writes the figures
// as a run record, for scaling reports and their performance model. It checks that the
// kernels and messages it timed computed the right values, and says PASS/FAIL.
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/domain/block_partition.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/kernels/stream.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/perf/machine_probe.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/placement.hpp"
#include "tessera/run/run_record.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

namespace {

using namespace tessera;

struct ProbeOptions {
  std::int64_t stream_cells = std::int64_t{1} << 25;  // 256 MiB per array
  std::vector<int> threads;                          // empty: 1, 2, 4, ... up to OMP_NUM_THREADS
  int repeats = 5;
  std::int64_t max_message = std::int64_t{4} << 20;
  int halo_dims = 3;
  std::int64_t halo_block = 64;
};

// More threads than this only measure the scheduler (and 10^5 threads exhaust the process).
int max_thread_count() {
  return 4 * std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

std::vector<int> default_threads() {
  std::vector<int> t;
  const int max = kernels::max_threads();
  for (int n = 1; n < max; n *= 2) t.push_back(n);
  t.push_back(max);
  return t;
}

// STREAM kernels, checked against their reference twins on this rank's arrays, and a digest
// of the results over all ranks (the same for the same sizes and rank count).
bool kernels_compute_right(const Communicator& comm, std::int64_t cells, std::uint64_t& digest) {
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(cells, 1 << 20));
  std::vector<double> a(n), b(n), c(n), b_ref(n), a_ref(n);
  for (std::size_t i = 0; i < n; ++i) {
    a[i] = 1.0 + static_cast<double>(i % 97);
    c[i] = 0.25 * static_cast<double>(i % 13);
  }
  kernels::stream_copy(a, b);
  kernels::stream_copy_ref(a, b_ref);
  kernels::stream_triad(a, b, c, 3.0);
  kernels::stream_triad_ref(a_ref, b_ref, c, 3.0);
  const bool local = b == b_ref && a == a_ref;
  const BlockPartition part(static_cast<std::int64_t>(n) * comm.size(), comm.size());
  digest = array_digest(comm, view_1d("triad", std::span<double>(a), part.offset(comm.rank()), part.items()));
  return allreduce_min(comm, local ? 1 : 0) == 1;
}

ExitCode probe_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("probe", "Measures STREAM bandwidth, MPI latency/bandwidth, allreduce and halo-exchange "
                              "times of this machine and writes them as a run record.");
  ProbeOptions o;
  auto& cli = options.cli();
  cli.add_option("--stream-cells", o.stream_cells, "Doubles per STREAM array per rank")->check(positive_number());
  cli.add_option("--threads", o.threads, "Thread counts for STREAM (default 1, 2, 4, ... OMP_NUM_THREADS)")
      ->check(CLI::Validator(
          [](std::string& text) -> std::string {
            const int most = max_thread_count();
            std::size_t used = 0;
            long value = 0;
            try {
              value = std::stol(text, &used);
            } catch (const std::logic_error&) {
              used = 0;
            }
            if (used != text.size() || value < 1 || value > most) {
              return "thread counts are whole numbers from 1 to " + std::to_string(most) +
                     " (4x this node's hardware threads), got " + text;
            }
            return {};
          },
          "1.." + std::to_string(max_thread_count())));
  cli.add_option("--repeats", o.repeats, "Repeats of every measurement (median, min, max)")->check(CLI::Range(1, 1000));
  cli.add_option("--max-message", o.max_message, "Largest ping-pong message in bytes (from 8, doubling)")
      ->check(CLI::Range(std::int64_t{8}, std::int64_t{1} << 30));
  cli.add_option("--halo-dims", o.halo_dims, "Dimensions of the halo-exchange block (2 or 3)")->check(CLI::IsMember({2, 3}));
  cli.add_option("--halo-block", o.halo_block, "Cells per dimension of each rank's halo-exchange block")
      ->check(positive_number());
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  if (o.threads.empty()) o.threads = default_threads();
  // Every buffer the probe allocates must fit before it allocates: three STREAM arrays, the
  // ping-pong message twice, the halo block with its ghost layer twice.
  const double stream_bytes = 3.0 * 8.0 * static_cast<double>(o.stream_cells);
  const double message_bytes = 2.0 * static_cast<double>(o.max_message);
  const double halo_bytes = 2.0 * 8.0 * std::pow(static_cast<double>(o.halo_block) + 2.0, o.halo_dims);
  require_memory(world, stream_bytes, "--stream-cells " + std::to_string(o.stream_cells) + ": the STREAM arrays");
  require_memory(world, message_bytes, "--max-message " + std::to_string(o.max_message) + ": the ping-pong buffers");
  require_memory(world, halo_bytes, "--halo-block " + std::to_string(o.halo_block) + ": the halo-exchange buffers");
  const CommonOptions& common = options.common();
  const Placement placement = probe_placement(world);
  auto say = [&](const std::string& line) {
    if (world.is_root() && !common.quiet) std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  char line[256];
  std::snprintf(line, sizeof line, "[probe] %d ranks (%d per node), up to %d threads, %d repeats per figure",
                world.size(), placement.ranks_on_node, kernels::max_threads(), o.repeats);
  say(line);

  const auto stream = probe_stream(world, o.stream_cells, o.threads, o.repeats);
  for (const auto& s : stream) {
    std::snprintf(line, sizeof line, "[probe] STREAM %-5s %-4s %2d threads: %8.2f GB/s (min %.2f, max %.2f)", s.kernel.c_str(),
                  s.scope.c_str(), s.threads, s.bytes_per_s.median / 1e9, s.bytes_per_s.min / 1e9, s.bytes_per_s.max / 1e9);
    say(line);
  }
  std::vector<std::int64_t> sizes;
  for (std::int64_t b = 8; b <= o.max_message; b *= 2) sizes.push_back(b);
  const auto pingpong = probe_ping_pong(world, sizes, o.repeats);
  for (const auto& p : pingpong) {
    std::snprintf(line, sizeof line, "[probe] ping-pong %9lld B: latency %8.2f us, %8.3f GB/s", static_cast<long long>(p.bytes),
                  p.latency_s.median * 1e6, p.bytes_per_s.median / 1e9);
    say(line);
  }
  if (pingpong.empty()) say("[probe] ping-pong: needs 2 ranks, skipped");
  const auto allreduce_figures = probe_allreduce(world, {8, std::int64_t{1} << 20}, o.repeats);
  for (const auto& a : allreduce_figures) {
    std::snprintf(line, sizeof line, "[probe] allreduce %8lld B: %9.2f us", static_cast<long long>(a.bytes), a.seconds.median * 1e6);
    say(line);
  }
  HaloFigure halo;
  collective_check(world, [&] {
    if (o.halo_block < 1) throw UsageError("--halo-block must be at least 1");
  });
  halo = probe_halo(world, o.halo_dims, o.halo_block, o.repeats);
  std::snprintf(line, sizeof line, "[probe] halo exchange %lld^%d block: %.2f us (%lld bytes sent by the busiest rank)",
                static_cast<long long>(halo.block), halo.dims, halo.seconds.median * 1e6,
                static_cast<long long>(halo.bytes_per_rank));
  say(line);

  std::uint64_t digest = 0;
  bool verified = kernels_compute_right(world, o.stream_cells, digest);
  auto positive = [](const Stats& s) { return std::isfinite(s.median) && s.min > 0 && s.min <= s.median && s.median <= s.max; };
  for (const auto& s : stream) verified = verified && positive(s.bytes_per_s);
  for (const auto& p : pingpong) verified = verified && positive(p.latency_s);
  for (const auto& a : allreduce_figures) verified = verified && positive(a.seconds);
  verified = verified && (world.size() == 1 || positive(halo.seconds));
  say(std::string("[probe] ") + (verified ? "PASS" : "FAIL") +
      ": STREAM kernels match their reference, every figure is positive and finite; digest " + digest_hex(digest));

  if (!common.record.empty() && world.is_root()) {
    nlohmann::json record = make_run_record("probe", world.size(), kernels::max_threads());
    record["options"] = typed_options(common.all);
    record["ranks_per_node"] = placement.ranks_on_node;
    record["oversubscribed"] = placement.oversubscribed;
    const auto load = load_average();
    record["load"] = {{"end", load ? nlohmann::json(*load) : nlohmann::json(nullptr)},
                      {"cores_on_node", placement.cores_on_node},
                      {"cpus_online", sysconf(_SC_NPROCESSORS_ONLN)}};
    nlohmann::json stream_json = nlohmann::json::array();
    for (const auto& s : stream) {
      stream_json.push_back({{"kernel", s.kernel}, {"scope", s.scope}, {"threads", s.threads}, {"bytes_per_s", s.bytes_per_s}});
    }
    nlohmann::json pingpong_json = nlohmann::json::array();
    for (const auto& p : pingpong) {
      pingpong_json.push_back({{"bytes", p.bytes}, {"latency_s", p.latency_s}, {"bytes_per_s", p.bytes_per_s}});
    }
    nlohmann::json allreduce_json = nlohmann::json::array();
    for (const auto& a : allreduce_figures) allreduce_json.push_back({{"bytes", a.bytes}, {"seconds", a.seconds}});
    record["problem"] = {{"stream_cells", o.stream_cells}, {"repeats", o.repeats}, {"halo_block", o.halo_block}};
    record["metrics"] = {{"stream", stream_json},
                         {"pingpong", pingpong_json},
                         {"allreduce", allreduce_json},
                         {"halo", {{"dims", halo.dims}, {"block", halo.block}, {"bytes_per_rank", halo.bytes_per_rank},
                                   {"seconds", halo.seconds}}}};
    record["timers"] = nlohmann::json::object();
    record["verified"] = verified;
    record["state_digest"] = digest_hex(digest);
    append_run_record(common.record, record);
  }
  return verified ? ExitCode::success : ExitCode::verification_failed;
}

}  // namespace

int main(int argc, char** argv) { return tessera::run_main(argc, argv, probe_main); }
