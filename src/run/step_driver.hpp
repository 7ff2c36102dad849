// The step loop's conventions, implemented once for every app: restart from the newest valid
// checkpoint, periodic checkpoints, stop on SIGTERM/SIGUSR1 with a checkpoint, and progress
// lines, on top of a RunSession (set-up, timers, messages, records). The app owns the physics
// and calls begin() once and end_step() after every step.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/io/checkpoint.hpp"
#include "tessera/run/common_options.hpp"
#include "tessera/run/run_session.hpp"
#include "tessera/run/stop_signal.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// What identifies a run's computed result: checkpoints of another app or config hash are
/// refused on restart.
struct RunIdentity {
  std::string app;
  std::uint64_t config_hash = 0;
  std::vector<std::int64_t> proc_grid;
  std::string config;  ///< readable form of the options behind config_hash
  std::string step_word = "step";         ///< what messages call a step ("iteration" for solvers)
  std::string total_option = "--steps";   ///< the option that sets the number of steps
  bool may_end_early = false;             ///< a solver that stops at a tolerance: ETA is an upper bound
  std::int64_t last_milestone = 0;        ///< milestones past total_steps (a sort's write phase)
  RunSession::FaultSites fault_sites = RunSession::FaultSites::without_halo;
};

class StepDriver {
 public:
  /// Collective: sets up its own RunSession.
  StepDriver(Communicator comm, const CommonOptions& options, RunIdentity identity, std::int64_t total_steps);
  /// Collective: the loop of a run whose session the app set up (and may use before and after).
  StepDriver(RunSession& session, RunIdentity identity, std::int64_t total_steps);

  struct Start {
    std::int64_t step = 0;
    double time = 0.0;
    std::optional<CheckpointMeta> checkpoint;  ///< set when resumed from one
  };
  /// Collective. With --restart, reads the newest valid checkpoint into `state` (views of
  /// the arrays the app advances) and returns where to continue; otherwise returns step 0.
  Start begin(std::span<const ArrayView> state);
  /// Collective. The same for state whose size the checkpoint decides (ragged arrays, a sort's
  /// buckets): `prepare` sizes the app's buffers from a candidate checkpoint and returns the
  /// views to read into (CheckpointStore::restore_latest).
  Start begin(const CheckpointStore::PrepareViews& prepare);

  enum class Next { proceed, stop };
  /// Collective, after each step: progress line, periodic checkpoint, and the stop-signal
  /// check (split phase: a signal is acted on at the step end after the one it arrived in,
  /// and at the last step at once). Returns stop when a signal arrived; the checkpoint of
  /// `step` is then on disk.
  /// `detail` replaces the simulated time in the progress line (e.g. a solver's residual).
  /// `integers`: integer app state for the checkpoint (counters, flags).
  Next end_step(std::int64_t step, double time, std::span<const ArrayView> state,
                const std::map<std::string, double>& scalars = {}, const std::string& detail = {},
                const std::map<std::string, std::int64_t>& integers = {});

  /// A point after the last step that is not checkpointed (a sort's rebalance, before its
  /// write): reported to the watchdog and to fault injection as `step`, so failures can be
  /// rehearsed there too. Not collective.
  void milestone(std::int64_t step);

  /// Collective: writes a checkpoint now.
  std::filesystem::path checkpoint(std::int64_t step, double time, std::span<const ArrayView> state,
                                   const std::map<std::string, double>& scalars = {},
                                   const std::map<std::string, std::int64_t>& integers = {});

  /// What the app's loop measured, for the run record.
  struct Outcome {
    std::int64_t size = 0;        ///< global cells
    std::int64_t step = 0;        ///< the last step reached
    std::int64_t first_step = 0;  ///< where this run started (the restart step, or 0)
    bool restarted = false;
    double wall_seconds = 0.0;    ///< the step loop, MAX over ranks
    double step_seconds = 0.0;    ///< the same without checkpoint and snapshot I/O
  };
  /// Collective (reduces the phase timers): a run record with the fields every app shares
  /// (run_record.hpp), the process grid, placement, steps, timers and the spread of step times
  /// (step_time). The app adds "problem", "metrics", "verified" and "state_digest", then calls
  /// finish.
  [[nodiscard]] nlohmann::json run_record(const Outcome& outcome) const;
  /// Collective: rank 0 prints the timing table (unless --quiet) and appends `record` to the
  /// --record file, if one was given; an error there ends all ranks together.
  void finish(const nlohmann::json& record) const;

  [[nodiscard]] PhaseTimers& timers() { return session_.timers(); }
  [[nodiscard]] RunSession& session() { return session_; }
  /// Signal number that stopped the run (0 if none).
  [[nodiscard]] int stop_signal() const { return stop_signal_; }
  /// Rank 0 prints `line` to stdout (always, also with --quiet).
  void say(const std::string& line) const;
  [[nodiscard]] const Placement& placement() const { return session_.placement(); }

 private:
  StepDriver(std::unique_ptr<RunSession> owned, RunSession* session, const RunIdentity& identity,
             std::int64_t total_steps);
  Start begin_with(const std::function<std::optional<CheckpointMeta>(const std::function<void(const std::string&)>&)>& restore);
  std::unique_ptr<RunSession> owned_;  // when the driver set up the session itself
  RunSession& session_;                // before stop_agreement_: its watchdog outlives the last reduction
  const Communicator& comm_;
  const CommonOptions& options_;
  RunIdentity identity_;
  std::int64_t total_steps_;
  CheckpointStore store_;
  StopAgreement stop_agreement_;
  double loop_start_ = 0.0;
  double last_progress_ = 0.0;
  double last_step_end_ = 0.0;
  std::vector<double> step_times_;  ///< this rank's seconds per step (for the record's spread)
  std::int64_t first_step_ = 0;
  int stop_signal_ = 0;
};

}  // namespace tessera
