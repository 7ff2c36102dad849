// The options every tessera app takes (config file, output, checkpoints, restart, run record,
// quiet, reproducible sums, failure handling), as plain values: the library takes them without
// knowing how they were parsed (src/run/app_options.hpp parses them with CLI11).
#pragma once

#include "tessera/kernels/sum_mode.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace tessera {

/// One option's value as text, and what kind of value the option takes (so a record keeps
/// "--quantiles 0.5" and "--quantiles 0.25,0.5" both as text, and "--n 8" as a number).
struct OptionValue {
  enum class Kind { text, integer, real, flag };
  std::string text;
  Kind kind = Kind::text;
};

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
  /// Every option of the run, the app's own included, by long name (without dashes): the value
  /// given (command line, TESSERA_OPTIONS or config file) or the default, as text. Echoed in
  /// the run record and in output files.
  std::map<std::string, OptionValue> all;

  /// The options above that steer a run but do not define its result (paths, checkpoints,
  /// messages, failure handling): left out of the options output files carry.
  static constexpr const char* run_control[] = {"config", "output", "checkpoint-every", "checkpoint-dir", "keep",
                                                "restart", "record", "quiet", "watchdog-timeout",
                                                "on-checkpoint-error", "inject-fault"};

  [[nodiscard]] kernels::SumMode sum_mode() const {
    return reproducible ? kernels::SumMode::reproducible : kernels::SumMode::fast;
  }
  [[nodiscard]] std::filesystem::path checkpoint_directory() const {
    return checkpoint_dir.empty() ? std::filesystem::path(output) / "checkpoints"
                                  : std::filesystem::path(checkpoint_dir);
  }
};

}  // namespace tessera
