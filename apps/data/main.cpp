// tessera-data: makes and describes data sets for the data apps.
//   tessera-data generate blobs --output FILE.h5 --rows N --features D --centres C ...
//   tessera-data generate keys --output FILE.h5 --rows N --dist zipf --type int64 ...
//   tessera-data info FILE.h5
// Runs on one rank or under mpirun (generation writes every rank's rows in parallel).
#include "tessera/analytics/blobs.hpp"
#include "tessera/analytics/synthetic_keys.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/version.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace {

using namespace tessera;

ExitCode data_main(const Communicator& world, int argc, char** argv) {
  CLI::App cli("Makes and describes data sets (HDF5 tables of rows x features) for the data apps.", "tessera-data");
  cli.require_subcommand(1);
  cli.set_version_flag("--version", version_line(), "Print the version and git revision and exit");
  auto* generate = cli.add_subcommand("generate", "Generate a synthetic data set");
  generate->require_subcommand(1);
  auto* blobs = generate->add_subcommand(
      "blobs", "Gaussian clusters: /points (rows x features), /labels (true cluster of each row), /centres");
  BlobsSpec spec;
  std::string output;
  std::string type = "float64";
  blobs->add_option("--output,-o", output, "HDF5 file to write (replaced)")->required();
  blobs->add_option("--rows", spec.rows, "Rows (samples)")->capture_default_str();
  blobs->add_option("--features", spec.features, "Features (columns)")->capture_default_str();
  blobs->add_option("--centres", spec.centres, "Clusters")->capture_default_str();
  blobs->add_option("--spread", spec.spread, "Standard deviation around each centre")->capture_default_str();
  blobs->add_option("--box", spec.box, "Centres are uniform in [-box, box] per feature")->capture_default_str();
  blobs->add_option("--seed", spec.seed, "Seed: the data depend on it, not on the rank count")->capture_default_str();
  blobs->add_option("--type", type, "float32 or float64")->check(CLI::IsMember({"float32", "float64"}))->capture_default_str();
  auto* keys = generate->add_subcommand(
      "keys", "Sort keys: /keys (rows) in a chosen distribution, /values (rows, int64: each row's index)");
  KeysSpec keys_spec;
  std::string keys_output;
  std::string keys_dist = "uniform";
  std::string keys_type = "int64";
  keys->add_option("--output,-o", keys_output, "HDF5 file to write (replaced)")->required();
  keys->add_option("--rows", keys_spec.rows, "Rows (keys)")->capture_default_str();
  keys->add_option("--dist", keys_dist, "uniform, normal, zipf, equal, sorted or reversed")
      ->check(CLI::IsMember({"uniform", "normal", "zipf", "equal", "sorted", "reversed"}))
      ->capture_default_str();
  keys->add_option("--type", keys_type, "int32, int64, uint64, float32 or float64")
      ->check(CLI::IsMember({"int32", "int64", "uint64", "float32", "float64"}))
      ->capture_default_str();
  keys->add_option("--seed", keys_spec.seed, "Seed: the data depend on it, not on the rank count")->capture_default_str();
  std::string info_file;
  cli.add_subcommand("info", "List the datasets of an HDF5 file: type, shape, chunks")
      ->add_option("FILE", info_file, "HDF5 file")->required();
  if (const std::string unknown = unknown_subcommand(cli, argc, argv); !unknown.empty()) {
    if (world.is_root()) std::fprintf(stderr, "error: %s\n", unknown.c_str());
    return ExitCode::usage;
  }
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (world.is_root()) cli.exit(e);
    return e.get_exit_code() == 0 ? ExitCode::success : ExitCode::usage;
  }

  if (!info_file.empty()) {
    const auto all = list_datasets(world, info_file);
    if (world.is_root()) {
      std::printf("%s\n", info_file.c_str());
      for (const auto& d : all) std::printf("  %-24s %s\n", d.ref.path.c_str(), d.describe().c_str());
      if (all.empty()) std::printf("  (no datasets of a type tessera reads)\n");
    }
    return ExitCode::success;
  }
  if (keys->parsed()) {
    keys_spec.distribution = parse_key_distribution(keys_dist);
    for (const auto t : kernels::kAllElementTypes) {
      if (kernels::type_name(t) == keys_type) keys_spec.type = t;
    }
    generate_keys(world, keys_spec, keys_output);
    if (world.is_root()) {
      std::printf("[tessera-data] wrote %s: /keys %lld %s (%s, seed %llu), /values (row index, int64)\n",
                  keys_output.c_str(), static_cast<long long>(keys_spec.rows), keys_type.c_str(), keys_dist.c_str(),
                  static_cast<unsigned long long>(keys_spec.seed));
    }
    return ExitCode::success;
  }
  spec.type = type == "float32" ? kernels::ElementType::f32 : kernels::ElementType::f64;
  generate_blobs(world, spec, output);
  if (world.is_root()) {
    std::printf("[tessera-data] wrote %s: /points %lldx%lld %s, /labels, /centres (%lld clusters, spread %g, seed %llu)\n",
                output.c_str(), static_cast<long long>(spec.rows), static_cast<long long>(spec.features), type.c_str(),
                static_cast<long long>(spec.centres), spec.spread, static_cast<unsigned long long>(spec.seed));
  }
  return ExitCode::success;
}

}  // namespace

int main(int argc, char** argv) { return tessera::run_main(argc, argv, data_main); }
