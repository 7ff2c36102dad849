// The options every tessera app takes (config file, output, checkpoints, restart, run record,
// quiet, reproducible sums, failure handling), as plain values: the library takes them without
// knowing how they were parsed (src/run/app_options.hpp parses them with CLI11).
#pragma once

#include "kernels/sum_mode.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace tessera {

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
    return reproducible ? kernels::SumMode::reproducible : kernels::SumMode::fast;
  }
  [[nodiscard]] std::filesystem::path checkpoint_directory() const {
    return checkpoint_dir.empty() ? std::filesystem::path(output) / "checkpoints"
                                  : std::filesystem::path(checkpoint_dir);
  }
};

}  // namespace tessera
