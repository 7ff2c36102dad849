// Wall-clock time per phase of a run (compute, halo, reduce, io), reduced over ranks as
// min / avg / max for the run record and the end-of-run timing table; MAX is the figure that
// bounds the job. Phases are exclusive: a phase measured inside another pauses the enclosing
// one, so the phases of a rank never add up to more than its wall time, and "other" (whatever
// ran outside any phase: set-up, messages, waiting) is the rest.
// StageTimes names the stages of a single-pass app (a sort's read, sample, partition,
// exchange, ...) and adds each to one of those phases as well.
#pragma once

#include "tessera/comm/communicator.hpp"

#include <mpi.h>
#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

enum class Phase : int { compute = 0, halo, reduce, io, count };

class PhaseTimers {
 public:
  /// Adds the time from construction to destruction to one phase, less the time of scopes
  /// opened inside it. Scopes nest (they live on the stack of one thread).
  class Scope {
   public:
    Scope(PhaseTimers& timers, Phase phase) : timers_(timers) { timers_.open(phase); }
    ~Scope() { timers_.close(); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PhaseTimers& timers_;
  };

  [[nodiscard]] Scope measure(Phase phase) { return Scope(*this, phase); }
  /// Adds time measured elsewhere (not inside an open scope of the same timers).
  void add(Phase phase, double seconds) { seconds_[static_cast<std::size_t>(phase)] += seconds; }
  [[nodiscard]] double seconds(Phase phase) const { return seconds_[static_cast<std::size_t>(phase)]; }
  /// The sum over the phases (this rank).
  [[nodiscard]] double total() const;

  /// Collective: {"compute": {"min":…, "avg":…, "max":…}, …, "other": {…}}, where "other"
  /// is each rank's `wall_seconds` less its phases (omitted when `wall_seconds` is 0).
  [[nodiscard]] nlohmann::json reduce(const Communicator& comm, double wall_seconds = 0.0) const;
  static std::string_view name(Phase phase);

 private:
  void open(Phase phase);
  void close();

  std::array<double, static_cast<std::size_t>(Phase::count)> seconds_{};
  std::vector<Phase> open_;  ///< the phases of the open scopes, innermost last
  double since_ = 0.0;       ///< when the innermost open scope last started counting
};

class StageTimes {
 public:
  class Scope {
   public:
    Scope(StageTimes& stages, std::size_t stage, PhaseTimers& timers, Phase phase)
        : stages_(stages), stage_(stage), phase_(timers, phase), start_(MPI_Wtime()) {}
    ~Scope() { stages_.stages_[stage_].second += MPI_Wtime() - start_; }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    StageTimes& stages_;
    std::size_t stage_;
    PhaseTimers::Scope phase_;
    double start_;
  };

  /// Times stage `name` (created on first use; every rank must name the same stages in the
  /// same order) and adds the time to `phase` of `timers`.
  [[nodiscard]] Scope measure(const std::string& name, PhaseTimers& timers, Phase phase);
  /// Collective: {"read": seconds, ...}, each the MAX over ranks.
  [[nodiscard]] nlohmann::json reduce_max(const Communicator& comm) const;
  /// The sum of the stages of a reduce_max() result, but those in `skip`.
  [[nodiscard]] static double total(const nlohmann::json& reduced, const std::vector<std::string>& skip = {});

 private:
  std::vector<std::pair<std::string, double>> stages_;
};

}  // namespace tessera
