// sort: distributed stable sort of an HDF5 data set of keys, with a values data set carried
// along, verified by its own invariants. Reads keys (and values) in parallel, sample-sorts
// them (src/analytics/sample_sort), checkpoints the sorted buckets, rebalances to the uniform
// row partition and writes OUTPUT/sorted.h5 (/keys, /values) under a temporary name. The output
// bytes do not depend on the rank or thread count: the sort is stable (ties by input position).
#include "tessera/analytics/sample_sort.hpp"
#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/kernels/local_sort.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/config_hash.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/run/step_driver.hpp"

#include <mpi.h>

#include <bit>
#include <cstdio>
#include <optional>
#include <string>

namespace {

using namespace tessera;

struct SortOptions {
  std::string input;
  std::string values;
  std::uint64_t seed = 1;
};

struct Inputs {
  DatasetInfo keys;
  std::optional<DatasetInfo> values;
  [[nodiscard]] std::size_t payload_bytes() const {
    return values ? kernels::size_of(values->type) * static_cast<std::size_t>(values->columns()) : 0;
  }
};

/// This rank's rows of the keys and values, as a view set for checkpoints and the output file.
template <class Key>
std::vector<ArrayView> views_of(SortRun<Key>& run, const Inputs& in, std::int64_t first, Distribution distribution) {
  const std::int64_t n = in.keys.rows();
  std::vector<ArrayView> views{view_table("keys", in.keys.type, run.keys.data(), run.size(), 1, 1, first, n, distribution)};
  if (in.values) {
    const auto ndims = static_cast<int>(in.values->shape.size());
    views.push_back(view_table("values", in.values->type, run.payload.data(), run.size(), in.values->columns(), ndims,
                               first, n, distribution));
  }
  return views;
}

template <class Key>
ExitCode run(const Communicator& world, const CommonOptions& common, const SortOptions& o, const Inputs& in) {
  using Bits = kernels::OrderedBits<Key>;
  RunSession session(world, common, "sort");
  const Communicator& comm = session.comm();
  PhaseTimers& timers = session.timers();
  StageTimes stages;
  const std::int64_t n = in.keys.rows();
  const RowPartition part = RowPartition::uniform(n, comm.size());
  const std::int64_t first = part.offset(comm.rank());
  const std::int64_t mine = part.count(comm.rank());
  const std::size_t payload_bytes = in.payload_bytes();

  // The output depends on the keys and values only: the seed and the rank count change the
  // buckets, not the sorted result, so a checkpoint resumes on any rank count and seed.
  ConfigHash hash;
  hash.add("input", in.keys.ref.text())
      .add("shape", shape_string(in.keys.shape))
      .add("type", std::string(kernels::type_name(in.keys.type)))
      .add("values", in.values ? in.values->ref.text() + " " + in.values->describe() : std::string("none"));
  RunIdentity identity{"sort", hash.value(), {comm.size()}, hash.text()};
  identity.step_word = "phase";
  identity.last_milestone = 2;  // phase 2: past the checkpoint, before the write
  identity.total_option = "the sort's phases 1 and 2";
  StepDriver driver(session, identity, 1);
  driver.say("[sort] " + in.keys.ref.text() + ": " + in.keys.describe() +
             (in.values ? ", values " + in.values->ref.text() + ": " + in.values->describe() : std::string()) + ", " +
             std::to_string(comm.size()) + " ranks x " + std::to_string(kernels::max_threads()) + " threads");

  SortRun<Key> out;  // this rank's rows of the sorted output: rows [first, first + mine)
  out.payload_bytes = payload_bytes;
  std::uint64_t input_checksum = 0;
  double bucket_imbalance = 0;
  // A checkpoint holds the sorted buckets in rank order, so its rows read back as the
  // uniform partition are this rank's output rows on any rank count: rebalanced already.
  const StepDriver::Start start = driver.begin([&](const CheckpointMeta&, const std::vector<StoredArray>&) {
    out.keys.assign(static_cast<std::size_t>(mine), Key{});
    out.payload.assign(static_cast<std::size_t>(mine) * payload_bytes, 0);
    return views_of(out, in, first, Distribution::ragged);
  });
  if (start.checkpoint) {
    input_checksum = std::bit_cast<std::uint64_t>(start.checkpoint->integers.at("checksum"));
  } else {
    SortRun<Key> input;
    input.payload_bytes = payload_bytes;
    {
      auto t = stages.measure("read", timers, Phase::io);
      // At the peak a rank holds its keys about four times (input, bit patterns, packed,
      // bucket) and its values three, plus a bucket number and a position per key.
      require_memory_for_rows(comm, in.keys, part, 4.0 * sizeof(Key) + 3.0 * static_cast<double>(payload_bytes) + 8.0);
      input.keys.resize(static_cast<std::size_t>(mine));
      read_rows<Key>(comm, in.keys, part, input.keys);
      if (in.values) {
        input.payload.resize(static_cast<std::size_t>(mine) * payload_bytes);
        kernels::visit_type(in.values->type, [&](auto zero) {
          using V = decltype(zero);
          read_rows<V>(comm, *in.values, part,
                       std::span<V>(reinterpret_cast<V*>(input.payload.data()), input.payload.size() / sizeof(V)));
        });
      }
    }
    SortRun<Bits> bits;
    {
      auto t = stages.measure("checksum", timers, Phase::compute);
      input_checksum = global_checksum(comm, input);
    }
    {
      auto t = stages.measure("partition", timers, Phase::compute);
      bits = to_bit_patterns(std::move(input));
    }
    SampleSortConfig config;
    config.seed = o.seed;
    std::vector<Splitter<Bits>> splitters;
    {
      auto t = stages.measure("sample", timers, Phase::reduce);
      splitters = choose_splitters<Bits>(comm, bits.keys, first, n, config);
    }
    std::vector<std::int64_t> counts;
    SortRun<Bits> packed;
    {
      auto t = stages.measure("partition", timers, Phase::compute);
      packed = partition<Bits>(bits, first, splitters, counts);
      bits = {};
    }
    SortRun<Bits> bucket;
    {
      auto t = stages.measure("exchange", timers, Phase::halo);
      bucket = exchange(comm, packed, std::move(counts));
      packed = {};
    }
    {
      auto t = stages.measure("local_sort", timers, Phase::compute);
      sort_run(bucket);
    }
    const auto largest = allreduce_max(comm, bucket.size());
    bucket_imbalance = n > 0 ? static_cast<double>(largest) * comm.size() / static_cast<double>(n) : 1.0;
    SortRun<Key> sorted;
    {
      auto t = stages.measure("local_sort", timers, Phase::compute);
      sorted = from_bit_patterns<Key>(std::move(bucket));
    }
    // The checkpoint after the exchange: each rank's sorted bucket, a ragged array.
    const std::int64_t bucket_first = exscan_sum(comm, sorted.size());
    const auto state = views_of(sorted, in, bucket_first, Distribution::ragged);
    const std::map<std::string, std::int64_t> integers{{"checksum", std::bit_cast<std::int64_t>(input_checksum)},
                                                       {"count", n}};
    char detail[96];
    std::snprintf(detail, sizeof detail, "buckets exchanged and sorted, largest %.3f x the mean", bucket_imbalance);
    // --checkpoint-every N >= 1: the sort has one place to checkpoint.
    if (common.checkpoint_every > 1) driver.checkpoint(1, 0.0, state, {}, integers);
    if (driver.end_step(1, 0.0, state, {}, detail, integers) == StepDriver::Next::stop) return ExitCode::interrupted;
    {
      auto t = stages.measure("rebalance", timers, Phase::halo);
      out = rebalance(comm, std::move(sorted), part);
    }
    driver.milestone(2);  // "step 2" for --inject-fault: past the checkpoint, before the write
  }

  SortCheck check;
  {
    auto t = stages.measure("verify", timers, Phase::reduce);
    check = check_sorted(comm, out, n, input_checksum);
  }
  std::filesystem::path written;
  {
    auto t = stages.measure("write", timers, Phase::io);
    OutputAttributes attributes = session.provenance();
    attributes.text["title"] = "keys sorted ascending (stable), values moved with their keys";
    attributes.text["input"] = in.keys.ref.text();
    attributes.text["values"] = in.values ? in.values->ref.text() : std::string();
    attributes.integers["count"] = n;
    std::vector<std::string> value_dims{"row"};
    if (in.values && in.values->shape.size() > 1) value_dims.emplace_back("column");
    const ArrayAttributes described{
        {"keys", OutputAttributes::quantity("sorted keys", "units of the input keys", {"row"})},
        {"values", OutputAttributes::quantity("values of the sorted keys", "units of the input values", value_dims)}};
    const auto views = views_of(out, in, first, Distribution::blocks);
    written = write_output_file(comm, std::filesystem::path(common.output) / "sorted.h5", views, attributes, described);
  }
  const nlohmann::json stage_seconds = stages.reduce_max(comm);
  const double sort_seconds = StageTimes::total(stage_seconds, {"read", "write", "verify", "checksum"});
  const double keys_per_s = sort_seconds > 0 ? static_cast<double>(n) / sort_seconds : 0.0;
  char imbalance_text[64] = "";
  if (!start.checkpoint) std::snprintf(imbalance_text, sizeof imbalance_text, "; largest bucket %.3f x the mean", bucket_imbalance);
  char summary[768];
  std::snprintf(summary, sizeof summary,
                "[sort] %s%s%s: %lld keys, %s%s\n"
                "[sort] sort phases %.3f s (max over ranks, without read, checksums and write): %.3g keys/s%s; "
                "checksum %016llx",
                check.passed ? "PASS" : "FAIL", check.passed ? "" : " (", check.passed ? "" : (check.reason + ")").c_str(),
                static_cast<long long>(check.count), "globally sorted, count and (key, value) multiset checksum equal",
                start.checkpoint ? " (resumed after the exchange)" : "", sort_seconds, keys_per_s,
                imbalance_text, static_cast<unsigned long long>(check.checksum));
  driver.say(summary);
  driver.say("[sort] " + std::string(in.values ? "keys and values: " : "keys: ") + written.string());

  nlohmann::json record = driver.run_record({n, 1, start.step, start.checkpoint.has_value(), sort_seconds, sort_seconds});
  record["problem"] = {{"input", in.keys.ref.text()},
                       {"rows", n},
                       {"type", std::string(kernels::type_name(in.keys.type))},
                       {"values", in.values ? nlohmann::json(in.values->ref.text()) : nlohmann::json(nullptr)},
                       {"seed", o.seed}};
  record["metrics"] = {{"stages", stage_seconds},
                       {"sort_seconds", sort_seconds},
                       {"keys_per_s", keys_per_s},
                       {"cell_updates_per_s", keys_per_s},
                       {"bucket_imbalance", start.checkpoint ? nlohmann::json(nullptr) : nlohmann::json(bucket_imbalance)},
                       {"checksum", check.checksum}};
  record["verified"] = check.passed;
  record["state_digest"] = digest_hex(check.checksum);
  driver.finish(record);
  return check.passed ? ExitCode::success : ExitCode::verification_failed;
}

ExitCode sort_main(const Communicator& world, int argc, char** argv) {
  AppOptions options("sort", "Distributed stable sort of an HDF5 data set of keys (sample sort), values carried "
                             "along; the output file is the same for any rank count. Verified by its invariants "
                             "(sorted within and across ranks, count and (key, value) multiset unchanged).");
  SortOptions o;
  auto& cli = options.cli();
  cli.add_option("--input", o.input, "Keys: FILE.h5:/path (1D; int32, int64, uint64, float32 or float64)")
      ->required()
      ->group("Problem");
  cli.add_option("--values", o.values, "Values moved with their keys: FILE.h5:/path, one row per key (1D or 2D)")
      ->group("Problem");
  cli.add_option("--seed", o.seed, "Seed of the splitter sample (changes the buckets, not the output)")
      ->check(non_negative_number())
      ->group("Problem");
  if (!options.parse(world, argc, argv)) return ExitCode::success;
  const CommonOptions& common = options.common();

  Inputs in;
  DatasetRef keys_ref;
  std::optional<DatasetRef> values_ref;
  collective_check(world, [&] {
    keys_ref = parse_dataset_ref(o.input, "--input");
    if (!o.values.empty()) values_ref = parse_dataset_ref(o.values, "--values");
  });
  in.keys = describe_dataset(world, keys_ref);
  require_dims(in.keys, 1, "a 1D dataset of keys (sort one column of a table by giving it its own dataset)");
  if (in.keys.type == kernels::ElementType::u8) {
    throw UsageError(in.keys.ref.text() + " holds uint8 keys; sort takes int32, int64, uint64, float32 or float64 "
                                          "keys (store them as int32)",
                     true);
  }
  if (values_ref) {
    in.values = describe_dataset(world, *values_ref);
    if (in.values->shape.size() > 2) {
      throw UsageError(in.values->ref.text() + " is " + shape_string(in.values->shape) +
                           "; --values takes a 1D or 2D dataset (one row per key)",
                       true);
    }
    if (in.values->rows() != in.keys.rows()) {
      throw UsageError(in.values->ref.text() + " has " + std::to_string(in.values->rows()) + " rows but " +
                           in.keys.ref.text() + " has " + std::to_string(in.keys.rows()) +
                           " keys; --values needs one row per key",
                       true);
    }
  }
  switch (in.keys.type) {
    case kernels::ElementType::i32: return run<std::int32_t>(world, common, o, in);
    case kernels::ElementType::i64: return run<std::int64_t>(world, common, o, in);
    case kernels::ElementType::u64: return run<std::uint64_t>(world, common, o, in);
    case kernels::ElementType::f32: return run<float>(world, common, o, in);
    case kernels::ElementType::f64: return run<double>(world, common, o, in);
    case kernels::ElementType::u8: break;
  }
  return ExitCode::usage;
}

}  // namespace

int main(int argc, char** argv) {
  return tessera::run_main(argc, argv, sort_main, tessera::StopSignals::checkpoint_and_exit);
}
