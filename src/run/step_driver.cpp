// Step-loop conventions.
#include "tessera/run/step_driver.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/fault_injection.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/run/run_record.hpp"
#include "tessera/run/stop_signal.hpp"
#include "tessera/version.hpp"

#include <mpi.h>

#include <algorithm>
#include <array>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <utility>

namespace tessera {

namespace {
const char* signal_name(int s) {
  if (s == SIGTERM) return "SIGTERM";
  if (s == SIGUSR1) return "SIGUSR1";
  return "a stop signal";
}
}  // namespace

StepDriver::StepDriver(Communicator comm, const CommonOptions& options, RunIdentity identity, std::int64_t total_steps)
    : StepDriver(std::make_unique<RunSession>(std::move(comm), options, identity.app), nullptr, identity, total_steps) {}

StepDriver::StepDriver(RunSession& session, RunIdentity identity, std::int64_t total_steps)
    : StepDriver(nullptr, &session, identity, total_steps) {}

StepDriver::StepDriver(std::unique_ptr<RunSession> owned, RunSession* session, const RunIdentity& identity,
                       std::int64_t total_steps)
    : owned_(std::move(owned)),
      session_(session != nullptr ? *session : *owned_),
      comm_(session_.comm()),
      options_(session_.options()),
      identity_(identity),
      total_steps_(total_steps),
      store_(comm_, options_.checkpoint_directory(), options_.keep),
      stop_agreement_(comm_) {
  session_.limit_faults(std::max(total_steps, identity.last_milestone), identity.total_option, identity.fault_sites);
}

void StepDriver::say(const std::string& line) const { session_.say(line); }

StepDriver::Start StepDriver::begin(std::span<const ArrayView> state) {
  return begin_with([&](const std::function<void(const std::string&)>& warn) {
    return store_.restore_latest(state, identity_.app, identity_.config_hash, warn, identity_.config);
  });
}

StepDriver::Start StepDriver::begin(const CheckpointStore::PrepareViews& prepare) {
  return begin_with([&](const std::function<void(const std::string&)>& warn) {
    return store_.restore_latest(prepare, identity_.app, identity_.config_hash, warn, identity_.config);
  });
}

StepDriver::Start StepDriver::begin_with(
    const std::function<std::optional<CheckpointMeta>(const std::function<void(const std::string&)>&)>& restore) {
  Start start;
  if (options_.restart) {
    auto measured = session_.timers().measure(Phase::io);
    const activity::Scope doing("checkpoint read (restart)", -1, true);
    auto warn = [&](const std::string& text) {
      if (comm_.is_root()) std::cerr << "warning: " << text << std::endl;
    };
    start.checkpoint = restore(warn);
    if (start.checkpoint && start.checkpoint->step > total_steps_) {
      const std::string& word = identity_.step_word;
      throw UsageError("the newest valid checkpoint in " + store_.directory().string() + " is of " + word + " " +
                           std::to_string(start.checkpoint->step) + ", beyond this run's " +
                           std::to_string(total_steps_) + " " + word + "s; raise " + identity_.total_option +
                           " or use another --checkpoint-dir",
                       true);
    }
    if (start.checkpoint) {
      start.step = start.checkpoint->step;
      start.time = start.checkpoint->time;
      say("[" + identity_.app + "] resumed from checkpoint " + identity_.step_word + " " + std::to_string(start.step) + " (written on " +
          std::to_string(start.checkpoint->ranks) + " ranks) in " + store_.directory().string());
    } else {
      say("[" + identity_.app + "] --restart: no valid checkpoint in " + store_.directory().string() +
          ", starting from " + identity_.step_word + " 0");
    }
  } else if (comm_.is_root() && !store_.list().empty()) {
    std::cerr << "warning: " << store_.directory().string()
              << " holds checkpoints of an earlier run; this run starts from " << identity_.step_word << " 0 and "
              << (options_.checkpoint_every > 0
                      ? "its checkpoints replace them (use --restart to resume instead)"
                      : "writes none (--checkpoint-every 0), so they stay: a later --restart would resume the "
                        "earlier run")
              << std::endl;
  }
  first_step_ = start.step;
  loop_start_ = last_progress_ = last_step_end_ = MPI_Wtime();
  return start;
}

std::filesystem::path StepDriver::checkpoint(std::int64_t step, double time, std::span<const ArrayView> state,
                                             const std::map<std::string, double>& scalars,
                                             const std::map<std::string, std::int64_t>& integers) {
  auto measured = session_.timers().measure(Phase::io);
  const activity::Scope doing("checkpoint write", -1, true);
  CheckpointMeta meta;
  meta.app = identity_.app;
  meta.step = step;
  meta.time = time;
  meta.config_hash = identity_.config_hash;
  meta.config = identity_.config;
  meta.ranks = comm_.size();
  meta.proc_grid = identity_.proc_grid;
  meta.version = kVersion;
  meta.scalars = scalars;
  meta.integers = integers;
  try {
    return store_.write(meta, state);
  } catch (const Error& e) {
    // Every rank has the same (agreed) error here, so all take the same branch.
    if (!e.collective() || options_.on_checkpoint_error != "continue") throw;
    if (comm_.is_root()) {
      std::cerr << "warning: checkpoint of " << identity_.step_word << " " << step << " failed: " << e.what()
                << "; continuing without it (--on-checkpoint-error continue)" << std::endl;
    }
    return {};
  }
}

void StepDriver::milestone(std::int64_t step) { session_.milestone(step); }

StepDriver::Next StepDriver::end_step(std::int64_t step, double time, std::span<const ArrayView> state,
                                      const std::map<std::string, double>& scalars, const std::string& detail,
                                      const std::map<std::string, std::int64_t>& integers) {
  activity::state().step.store(step, std::memory_order_relaxed);
  activity::enter("compute");
  fault::step_completed(step);
  {
    auto measured = session_.timers().measure(Phase::reduce);
    stop_signal_ = step >= total_steps_ ? stop_agreement_.settle() : stop_agreement_.exchange();
  }
  const bool periodic = options_.checkpoint_every > 0 && step % options_.checkpoint_every == 0;
  std::filesystem::path written;
  if (periodic || stop_signal_ != 0) written = checkpoint(step, time, state, scalars, integers);

  const double now = MPI_Wtime();
  step_times_.push_back(now - last_step_end_);
  last_step_end_ = now;
  if (comm_.is_root() && !options_.quiet && (now - last_progress_ >= 1.0 || step == total_steps_ || stop_signal_)) {
    last_progress_ = now;
    const double elapsed = now - loop_start_;
    const double done = static_cast<double>(step - first_step_);
    const double eta = done > 0 ? elapsed / done * static_cast<double>(total_steps_ - step) : 0.0;
    char when[64];
    std::snprintf(when, sizeof when, "t=%.6e", time);
    char line[384];
    std::snprintf(line, sizeof line, "[%s] %s %lld/%lld (%3.0f%%)  %s  elapsed %.1f s  %s %.1f s",
                  identity_.app.c_str(), identity_.step_word.c_str(), static_cast<long long>(step),
                  static_cast<long long>(total_steps_),
                  100.0 * static_cast<double>(step) / static_cast<double>(std::max<std::int64_t>(total_steps_, 1)),
                  detail.empty() ? when : detail.c_str(), elapsed, identity_.may_end_early ? "ETA at most" : "ETA", eta);
    std::cout << line << std::endl;
  }
  if (stop_signal_ != 0 && step >= total_steps_) {
    say("[" + identity_.app + "] received " + signal_name(stop_signal_) + " during the last " + identity_.step_word +
        ": checkpoint written, finishing");
    stop_signal_ = 0;
  }
  if (stop_signal_ != 0) {
    say("[" + identity_.app + "] received " + signal_name(stop_signal_) + ": checkpoint of " + identity_.step_word + " " +
        std::to_string(step) + " written to " + written.string() + "; exiting with code 75, resume with --restart");
    return Next::stop;
  }
  return Next::proceed;
}

nlohmann::json StepDriver::run_record(const Outcome& outcome) const {
  nlohmann::json record = session_.run_record();
  record["proc_grid"] = identity_.proc_grid;
  record["size"] = outcome.size;
  record["steps"] = outcome.step;
  record["steps_run"] = outcome.step - outcome.first_step;
  record["restarted_from"] = outcome.restarted ? nlohmann::json(outcome.first_step) : nlohmann::json(nullptr);
  record["wall_seconds"] = outcome.wall_seconds;
  record["step_seconds"] = outcome.step_seconds;
  // Each rank's spread, then the MAX over ranks of each figure: a slow or disturbed step on any
  // rank shows.
  const nlohmann::json mine = spread(step_times_);
  const std::array<double, 4> local{mine["min"].get<double>(), mine["median"].get<double>(), mine["p90"].get<double>(),
                                    mine["max"].get<double>()};
  std::array<double, 4> most{};
  allreduce<double>(comm_, local, most, MPI_MAX);
  record["step_time"] = {{"min", most[0]}, {"median", most[1]}, {"p90", most[2]}, {"max", most[3]},
                         {"count", step_times_.size()},
                         {"covers", "seconds from one step end to the next, checkpoint steps included; each figure "
                                    "the MAX over ranks of the rank's own"}};
  return record;
}

void StepDriver::finish(const nlohmann::json& record) const { session_.finish(record); }

}  // namespace tessera
