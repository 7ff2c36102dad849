// Reduction of phase timers over ranks.
#include "src/run/phase_timers.hpp"

#include "src/comm/collectives.hpp"

#include <algorithm>

namespace tessera {

std::string_view PhaseTimers::name(Phase phase) {
  switch (phase) {
    case Phase::compute: return "compute";
    case Phase::halo: return "halo";
    case Phase::reduce: return "reduce";
    case Phase::io: return "io";
    case Phase::count: break;
  }
  return "unknown";
}

nlohmann::json PhaseTimers::reduce(const Communicator& comm) const {
  constexpr std::size_t n = static_cast<std::size_t>(Phase::count);
  std::array<double, n> lo{}, sum{}, hi{};
  allreduce<double>(comm, seconds_, lo, MPI_MIN);
  allreduce<double>(comm, seconds_, sum, MPI_SUM);
  allreduce<double>(comm, seconds_, hi, MPI_MAX);
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t p = 0; p < n; ++p) {
    out[std::string(name(static_cast<Phase>(p)))] = {
        {"min", lo[p]}, {"avg", sum[p] / comm.size()}, {"max", hi[p]}};
  }
  return out;
}

StageTimes::Scope StageTimes::measure(const std::string& name, PhaseTimers& timers, Phase phase) {
  std::size_t at = 0;
  while (at < stages_.size() && stages_[at].first != name) ++at;
  if (at == stages_.size()) stages_.emplace_back(name, 0.0);
  return Scope(*this, at, timers, phase);
}

nlohmann::json StageTimes::reduce_max(const Communicator& comm) const {
  std::vector<double> mine;
  for (const auto& [name, seconds] : stages_) mine.push_back(seconds);
  std::vector<double> most(mine.size());
  allreduce<double>(comm, mine, most, MPI_MAX);
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t i = 0; i < stages_.size(); ++i) out[stages_[i].first] = most[i];
  return out;
}

double StageTimes::total(const nlohmann::json& reduced, const std::vector<std::string>& skip) {
  double total = 0;
  for (const auto& [name, seconds] : reduced.items()) {
    if (std::find(skip.begin(), skip.end(), name) == skip.end()) total += seconds.get<double>();
  }
  return total;
}

}  // namespace tessera
