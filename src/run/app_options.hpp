// The options every tessera app takes (config file, output, checkpoints, restart, run record,
// quiet) and the parsing of an app's full option set on every rank, with agreement, so a bad
// option ends all ranks together with one message and exit status 2.
#pragma once

#include "kernels/sum_mode.hpp"
#include "src/comm/communicator.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace tessera {

/// Validators with messages that name the value: "must be greater than 0, got -3".
CLI::Validator positive_number();
CLI::Validator non_negative_number();

struct CommonOptions {
  std::string config;
  std::string output = "tessera-output";
  std::int64_t checkpoint_every = 0;
  std::string checkpoint_dir;  ///< empty: OUTPUT/checkpoints
  int keep = 2;
  bool restart = false;
  std::string record;
  bool quiet = false;
  bool reproducible = false;      ///< global sums bitwise independent of rank and thread counts
  std::string inject_fault;       ///< fault injection spec (see src/base/fault_injection.hpp)
  double watchdog_timeout = 300;  ///< seconds without progress before the job is ended; 0 = off
  std::string on_checkpoint_error = "stop";

  [[nodiscard]] kernels::SumMode sum_mode() const {
    return reproducible ? kernels::SumMode::exact : kernels::SumMode::fast;
  }
  [[nodiscard]] std::filesystem::path checkpoint_directory() const {
    return checkpoint_dir.empty() ? std::filesystem::path(output) / "checkpoints"
                                  : std::filesystem::path(checkpoint_dir);
  }
};

class AppOptions {
 public:
  AppOptions(const std::string& app_name, const std::string& description);

  /// Add app-specific options here before parse().
  CLI::App& cli() { return cli_; }
  [[nodiscard]] const CommonOptions& common() const { return common_; }

  /// Collective: parses on every rank. Returns false when --help was given (rank 0 printed
  /// it). Throws a collective UsageError on bad options or an unreadable config file.
  bool parse(const Communicator& comm, int argc, char** argv);

 private:
  CLI::App cli_;
  CommonOptions common_;
};

}  // namespace tessera
