// RunSession: what every run of every app sets up once, whether it loops over steps or makes a
// single pass over its data (a sort, a statistics pass): fault injection armed, output paths
// checked before any work, stop signals caught, placement probed (with a warning when
// oversubscribed), the hang watchdog started, phase timers, progress messages from rank 0,
// and the run record's shared fields. StepDriver (src/run/step_driver.hpp) adds the step-loop
// conventions on top of a session.
#pragma once

#include "tessera/base/fault_injection.hpp"
#include "tessera/comm/communicator.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/run/common_options.hpp"
#include "tessera/run/directory_lock.hpp"
#include "tessera/run/phase_timers.hpp"
#include "tessera/run/placement.hpp"
#include "tessera/run/watchdog.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

class RunSession {
 public:
  /// Collective. Throws a collective UsageError for an unwritable --output, --checkpoint-dir
  /// or --record, directories another run holds (DirectoryLock), or a bad --inject-fault.
  RunSession(Communicator comm, const CommonOptions& options, std::string app);
  /// Rank 0 removes the checkpoint directory if this session made it and it stayed empty.
  ~RunSession();
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;

  [[nodiscard]] const Communicator& comm() const { return comm_; }
  [[nodiscard]] const CommonOptions& options() const { return options_; }
  [[nodiscard]] const std::string& app() const { return app_; }
  [[nodiscard]] PhaseTimers& timers() { return timers_; }
  [[nodiscard]] const PhaseTimers& timers() const { return timers_; }
  [[nodiscard]] const Placement& placement() const { return placement_; }

  /// Collective (every rank holds the same options; no communication): refuses an
  /// --inject-fault that could never fire, at a step beyond `last_step` (`limit` names what
  /// sets it, e.g. "--steps") or at a site the app does not have.
  enum class FaultSites { with_halo, without_halo };
  void limit_faults(std::int64_t last_step, const std::string& limit, FaultSites sites) const;

  /// A point a single-pass app has reached (after its read, before its write), as a "step"
  /// for the watchdog's reports and for --inject-fault, so failures can be rehearsed there.
  /// Not collective.
  void milestone(std::int64_t step);

  /// Attributes that say where an output file came from: app, tessera_version, git_revision,
  /// and options (JSON text of the options that define the result: the app's own and
  /// --reproducible, not paths or run control, so outputs of the same problem on other rank
  /// counts or directories stay byte-identical).
  [[nodiscard]] OutputAttributes provenance() const;

  /// Rank 0 prints `line` to stdout (always, also with --quiet).
  void say(const std::string& line) const;
  /// Rank 0 prints `line` unless --quiet.
  void progress(const std::string& line) const;

  /// Collective (reduces the phase timers): a run record with the fields every app shares
  /// (run_record.hpp): app, version, ranks, threads, options, placement, run_seconds (the
  /// session's wall time, MAX over ranks), timers (exclusive phases and "other", which add up
  /// to run_seconds on each rank), load (load averages at the session's start and now).
  [[nodiscard]] nlohmann::json run_record() const;
  /// Collective: rank 0 prints the timing table of `record` (unless --quiet) and appends
  /// `record` to the --record file, if one was given; an error there ends all ranks together.
  void finish(const nlohmann::json& record) const;

 private:
  Communicator comm_;
  CommonOptions options_;
  std::string app_;
  PhaseTimers timers_;
  Placement placement_;
  Watchdog watchdog_;
  std::vector<DirectoryLock> locks_;  ///< rank 0 holds the run's directories
  std::filesystem::path made_checkpoint_directory_;  ///< rank 0: created by this session
  std::optional<fault::Spec> fault_;  ///< --inject-fault, parsed on every rank
  double start_ = 0.0;                ///< MPI_Wtime() when the session began
  std::optional<std::vector<double>> load_at_start_;
};

}  // namespace tessera
