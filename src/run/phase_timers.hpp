// Wall-clock time per phase of a run (compute, halo, reduce, io), reduced over ranks as
// min / avg / max for the run record; MAX is the figure that bounds the job. StageTimes names
// the stages of a single-pass app (a sort's read, sample, partition, exchange, ...) and adds
// each to one of those phases as well.
#pragma once

#include "src/comm/communicator.hpp"

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
  /// Adds the time from construction to destruction to one phase.
  class Scope {
   public:
    Scope(PhaseTimers& timers, Phase phase) : timers_(timers), phase_(phase), start_(MPI_Wtime()) {}
    ~Scope() { timers_.add(phase_, MPI_Wtime() - start_); }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    PhaseTimers& timers_;
    Phase phase_;
    double start_;
  };

  [[nodiscard]] Scope measure(Phase phase) { return Scope(*this, phase); }
  void add(Phase phase, double seconds) { seconds_[static_cast<std::size_t>(phase)] += seconds; }
  [[nodiscard]] double seconds(Phase phase) const { return seconds_[static_cast<std::size_t>(phase)]; }

  /// Collective: {"compute": {"min":…, "avg":…, "max":…}, …}.
  [[nodiscard]] nlohmann::json reduce(const Communicator& comm) const;
  static std::string_view name(Phase phase);

 private:
  std::array<double, static_cast<std::size_t>(Phase::count)> seconds_{};
};

class StageTimes {
 public:
  class Scope {
   public:
    Scope(StageTimes& stages, std::size_t stage, PhaseTimers& timers, Phase phase)
        : stages_(stages), stage_(stage), timers_(timers), phase_(phase), start_(MPI_Wtime()) {}
    ~Scope() {
      const double seconds = MPI_Wtime() - start_;
      stages_.stages_[stage_].second += seconds;
      timers_.add(phase_, seconds);
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    StageTimes& stages_;
    std::size_t stage_;
    PhaseTimers& timers_;
    Phase phase_;
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
