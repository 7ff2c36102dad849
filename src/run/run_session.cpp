// Run-session set-up: everything an app needs before its first step or pass.
#include "tessera/run/run_session.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/fault_injection.hpp"
#include "tessera/base/file_kind.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/kernels/threads.hpp"
#include "tessera/run/directory_lock.hpp"
#include "tessera/run/run_record.hpp"
#include "tessera/run/stop_signal.hpp"
#include "tessera/version.hpp"

#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <iostream>
#include <utility>

namespace tessera {

RunSession::RunSession(Communicator comm, const CommonOptions& options, std::string app)
    : comm_(std::move(comm)),
      options_(options),
      app_(std::move(app)),
      placement_(probe_placement(comm_)),
      watchdog_(comm_.rank(), options_.watchdog_timeout),
      start_(MPI_Wtime()),
      load_at_start_(load_average()) {
  collective_check(comm_, [&] {
    if (options_.inject_fault.empty()) return;
    fault_ = fault::parse(options_.inject_fault);
    if (fault_->rank >= comm_.size()) {
      throw UsageError("--inject-fault '" + options_.inject_fault + "': rank " + std::to_string(fault_->rank) +
                       " does not exist in a run of " + std::to_string(comm_.size()) + " ranks (0 to " +
                       std::to_string(comm_.size() - 1) + "); it would never fire");
    }
    fault::arm(*fault_, comm_.rank());
  });
  // Unwritable paths are input errors: find them now, not after hours of computing.
  collective_check(comm_, [&] {
    if (!comm_.is_root()) return;
    namespace fs = std::filesystem;
    std::error_code ec;
    // A run that writes no checkpoint (none periodic, no stop signal) removes a checkpoint
    // directory it made, at its end (~RunSession).
    if (!fs::exists(options_.checkpoint_directory(), ec)) made_checkpoint_directory_ = options_.checkpoint_directory();
    for (const auto& [dir, option] : {std::pair{fs::path(options_.output), "--output"},
                                      std::pair{options_.checkpoint_directory(), "--checkpoint-dir"}}) {
      fs::create_directories(dir, ec);
      if (ec || !fs::is_directory(dir)) {
        throw UsageError("cannot create directory " + dir.string() + " (" + (ec ? ec.message() : "not a directory") +
                         "); choose a writable " + option);
      }
      // A second run on these directories would overwrite this one's output and prune its
      // checkpoints: claim them for the life of the run.
      if (locks_.empty() || !fs::equivalent(dir, options_.output, ec)) {
        locks_.emplace_back(dir, app_, [](const std::string& text) { std::cerr << "warning: " << text << std::endl; });
      }
    }
    if (!options_.record.empty()) {
      const fs::path record(options_.record);
      // A device or FIFO accepts the probe below and fails (or blocks) at the end of the run.
      if (const std::string kind = non_regular_kind(record); !kind.empty() && kind != "missing") {
        throw UsageError("--record " + record.string() + " is " + kind +
                         ", not a regular file; name a file to append the run record to");
      }
      if (record.has_parent_path()) fs::create_directories(record.parent_path(), ec);
      std::ofstream probe(record, std::ios::app);
      if (!probe) throw UsageError("cannot write the run record " + record.string() + "; choose a writable --record path");
    }
  });
  StopSignal::install();
  if (placement_.oversubscribed && comm_.is_root()) {
    const int cores = placement_.cores_on_node;
    const int ranks = placement_.ranks_on_node;
    std::cerr << "warning: " << ranks << " ranks x " << placement_.threads << " OpenMP threads on a node with "
              << cores << " usable cores: oversubscribed, timings will be poor; "
              << (ranks > cores ? "use at most " + std::to_string(cores) + " ranks per node"
                                : "set OMP_NUM_THREADS to at most " + std::to_string(std::max(1, cores / ranks)) +
                                      " (and give each rank that many cores, e.g. mpirun --map-by slot:PE=N)")
              << std::endl;
  }
}

RunSession::~RunSession() {
  if (made_checkpoint_directory_.empty()) return;
  namespace fs = std::filesystem;
  locks_.clear();  // released: the lock file may go with the directory
  std::error_code ec;
  const fs::path lock = made_checkpoint_directory_ / DirectoryLock::kFileName;
  for (const auto& entry : fs::directory_iterator(made_checkpoint_directory_, ec)) {
    if (entry.path() != lock) return;  // checkpoints (or anything else): keep it
  }
  fs::remove(lock, ec);
  fs::remove(made_checkpoint_directory_, ec);
}

void RunSession::limit_faults(std::int64_t last_step, const std::string& limit, FaultSites sites) const {
  if (!fault_) return;
  const std::string head = "--inject-fault '" + options_.inject_fault + "': ";
  if (fault_->step > last_step) {
    throw UsageError(head + "step " + std::to_string(fault_->step) + " is beyond this run's last step " +
                         std::to_string(last_step) + " (" + limit + "); it would never fire",
                     true);
  }
  if (fault_->site == fault::Site::halo && sites == FaultSites::without_halo) {
    throw UsageError(head + app_ + " has no halo exchange; use the sites step, allreduce or checkpoint", true);
  }
}

void RunSession::milestone(std::int64_t step) {
  activity::state().step.store(step, std::memory_order_relaxed);
  fault::step_completed(step);
}

OutputAttributes RunSession::provenance() const {
  std::map<std::string, OptionValue> defining = options_.all;
  for (const char* name : CommonOptions::run_control) defining.erase(name);
  defining.erase("proc-grid");     // how the work is laid out, not what is computed
  defining.erase("output-every");  // how often it is written, not what is computed
  return OutputAttributes::provenance(app_, typed_options(defining).dump());
}

void RunSession::say(const std::string& line) const {
  if (comm_.is_root()) std::cout << line << std::endl;
}

void RunSession::progress(const std::string& line) const {
  if (!options_.quiet) say(line);
}

nlohmann::json RunSession::run_record() const {
  const double wall = MPI_Wtime() - start_;
  nlohmann::json timers = timers_.reduce(comm_, wall);
  nlohmann::json record = make_run_record(app_, comm_.size(), kernels::max_threads());
  record["options"] = typed_options(options_.all);
  record["ranks_per_node"] = placement_.ranks_on_node;
  record["oversubscribed"] = placement_.oversubscribed;
  record["run_seconds"] = allreduce_max(comm_, wall);
  record["timers"] = std::move(timers);
  record["timers_cover"] =
      "seconds per phase from the session's start (after option parsing) to the run record, min/avg/max over "
      "ranks; phases are exclusive (compute: local work of the steps; halo: halo and key exchanges; reduce: "
      "collectives between steps and verification; io: checkpoints, snapshots, inputs, results) and 'other' is "
      "the rest (set-up, messages, waiting), so each rank's phases add up to its wall time";
  const auto load_now = load_average();
  record["load"] = {{"start", load_at_start_ ? nlohmann::json(*load_at_start_) : nlohmann::json(nullptr)},
                    {"end", load_now ? nlohmann::json(*load_now) : nlohmann::json(nullptr)},
                    {"cores_on_node", placement_.cores_on_node},
                    {"cpus_online", sysconf(_SC_NPROCESSORS_ONLN)}};
  return record;
}

void RunSession::finish(const nlohmann::json& record) const {
  if (record.contains("timers") && record.contains("run_seconds")) {
    progress(timing_table(app_, record["timers"], record["run_seconds"].get<double>(), comm_.size()));
  }
  if (options_.record.empty()) return;
  collective_check(comm_, [&] {
    if (comm_.is_root()) append_run_record(options_.record, record);
  });
}

}  // namespace tessera
