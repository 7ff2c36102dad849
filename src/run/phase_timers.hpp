// Wall-clock time per phase of a run (compute, halo, reduce, io), reduced over ranks as
// min / avg / max for the run record; MAX is the figure that bounds the job.
#pragma once

#include "src/comm/communicator.hpp"

#include <mpi.h>
#include <nlohmann/json.hpp>

#include <array>
#include <string_view>

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

}  // namespace tessera
