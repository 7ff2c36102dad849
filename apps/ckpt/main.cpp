// tessera-ckpt: lists, verifies and describes checkpoints of any tessera app.
//   tessera-ckpt list DIR      every checkpoint: step, time, ranks, size, valid or not
//   tessera-ckpt verify PATH   a file or every checkpoint in a directory; exit 0 only if all valid
//   tessera-ckpt info FILE     metadata, arrays and their global shapes
// Runs on one rank, or under mpirun to verify large checkpoints in parallel.
#include "tessera/comm/collectives.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/checkpoint_inspect.hpp"
#include "tessera/run/app_options.hpp"
#include "tessera/run/main_guard.hpp"
#include "tessera/version.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

namespace {

using namespace tessera;
namespace fs = std::filesystem;


struct Listing {
  std::vector<fs::path> checkpoints;
  std::vector<fs::path> partial;     ///< never committed
  std::vector<CheckpointStore::Stray> strays;  ///< named like checkpoints, not regular files
};

Listing checkpoints_in(const fs::path& dir) {
  Listing found;
  CheckpointStore store(Communicator::duplicate(MPI_COMM_SELF), dir, 1);
  for (const auto& c : store.list()) found.checkpoints.push_back(c.path);
  found.strays = store.strays();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().ends_with(".h5.partial")) found.partial.push_back(e.path());
  }
  std::sort(found.partial.begin(), found.partial.end());
  return found;
}


ExitCode ckpt_main(const Communicator& world, int argc, char** argv) {
  CLI::App cli("Lists, verifies and describes tessera checkpoints.", "tessera-ckpt");
  cli.require_subcommand(1);
  cli.set_version_flag("--version", version_line(), "Print the version and git revision and exit");
  std::string list_dir, verify_path, info_file;
  cli.add_subcommand("list", "List the checkpoints in a directory with step, time, ranks, size and validity")
      ->add_option("DIR", list_dir, "checkpoint directory")->required()->check(CLI::ExistingDirectory);
  cli.add_subcommand("verify", "Verify a checkpoint file or every checkpoint in a directory (exit 0: all valid)")
      ->add_option("PATH", verify_path, "checkpoint file or directory")
      ->required()
      ->check(CLI::ExistingDirectory | regular_file("checkpoint"));
  cli.add_subcommand("info", "Show a checkpoint's metadata and arrays")
      ->add_option("FILE", info_file, "checkpoint file")->required()->check(regular_file("checkpoint"));
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
  const bool root = world.is_root();

  // Lines go out as they are made: a later fault must not swallow what was already found.
  if (!list_dir.empty()) {
    const auto found = checkpoints_in(list_dir);
    if (root) std::printf("%-28s %10s %14s %6s %12s  %s\n", "file", "step", "time", "ranks", "bytes", "status");
    for (const auto& f : found.checkpoints) {
      const auto r = inspect_checkpoint(world, f, true);
      if (!root) continue;
      std::error_code ec;
      const auto bytes = fs::file_size(f, ec);
      if (r.meta_ok) {
        std::printf("%-28s %10lld %14.6e %6lld %12llu  %s\n", f.filename().c_str(), static_cast<long long>(r.meta.step),
                    r.meta.time, static_cast<long long>(r.meta.ranks), static_cast<unsigned long long>(bytes),
                    r.valid ? "valid" : ("INVALID: " + r.problem).c_str());
      } else {
        std::printf("%-28s %10s %14s %6s %12llu  INVALID: %s\n", f.filename().c_str(), "-", "-", "-",
                    static_cast<unsigned long long>(bytes), r.problem.c_str());
      }
      std::fflush(stdout);
    }
    if (root) {
      for (const auto& p : found.partial) {
        std::printf("%-28s %10s %14s %6s %12s  %s\n", p.filename().c_str(), "-", "-", "-", "-", "incomplete (never committed)");
      }
      for (const auto& s : found.strays) {
        std::printf("%-28s %10s %14s %6s %12s  ignored: %s, not a regular file\n", s.name.c_str(), "-", "-", "-", "-",
                    s.kind.c_str());
      }
      if (found.checkpoints.empty()) std::printf("(no checkpoints in %s)\n", list_dir.c_str());
    }
    return ExitCode::success;
  }

  if (!verify_path.empty()) {
    const bool directory = fs::is_directory(verify_path);
    const auto found = directory ? checkpoints_in(verify_path) : Listing{{verify_path}, {}, {}};
    bool all = !found.checkpoints.empty();
    for (const auto& f : found.checkpoints) {
      const auto r = inspect_checkpoint(world, f, true);
      all = all && r.valid;
      if (root) std::printf("%s: %s\n", f.c_str(), r.valid ? "valid" : ("INVALID: " + r.problem).c_str());
      std::fflush(stdout);
    }
    if (root) {
      for (const auto& s : found.strays) {
        std::printf("%s: ignored, %s, not a regular file\n", (fs::path(verify_path) / s.name).c_str(), s.kind.c_str());
      }
      if (found.checkpoints.empty()) std::printf("%s: no checkpoints\n", verify_path.c_str());
    }
    return all ? ExitCode::success : ExitCode::verification_failed;
  }

  const auto r = inspect_checkpoint(world, info_file, false);
  if (root) {
    const auto& m = r.meta;
    std::printf("file:        %s\n", info_file.c_str());
    if (!r.problem.empty()) std::printf("problem:     %s\n", r.problem.c_str());
    if (!r.meta_ok) return ExitCode::verification_failed;
    std::printf("app:         %s (tessera %s)\nstep:        %lld\ntime:        %.17g\nranks:       %lld\n", m.app.c_str(),
                m.version.c_str(), static_cast<long long>(m.step), m.time, static_cast<long long>(m.ranks));
    std::string grid;
    for (auto g : m.proc_grid) grid += (grid.empty() ? "" : "x") + std::to_string(g);
    std::printf("proc grid:   %s\nconfig:      %s (hash %s)\n", grid.c_str(), m.config.c_str(), digest_hex(m.config_hash).c_str());
    std::printf("rng state:   %zu words\n", m.rng_state.size());
    for (const auto& [k, v] : m.scalars) std::printf("scalar:      %s = %.17g\n", k.c_str(), v);
    for (const auto& [k, v] : m.integers) std::printf("integer:     %s = %lld\n", k.c_str(), static_cast<long long>(v));
    for (const auto& a : r.arrays) {
      std::printf("array:       %s  %s %s (%s)  digest %s\n", a.name.c_str(), shape_string(a.shape).c_str(),
                  std::string(kernels::type_name(a.type)).c_str(), distribution_name(a.distribution),
                  digest_hex(a.stored_digest).c_str());
    }
  }
  return r.problem.empty() ? ExitCode::success : ExitCode::verification_failed;
}

}  // namespace

int main(int argc, char** argv) { return tessera::run_main(argc, argv, ckpt_main); }
