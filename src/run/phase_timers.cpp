// Reduction of phase timers over ranks.
#include "tessera/run/phase_timers.hpp"

#include "tessera/comm/collectives.hpp"

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

void PhaseTimers::open(Phase phase) {
  const double now = MPI_Wtime();
  if (!open_.empty()) add(open_.back(), now - since_);
  open_.push_back(phase);
  since_ = now;
}

void PhaseTimers::close() {
  const double now = MPI_Wtime();
  add(open_.back(), now - since_);
  open_.pop_back();
  since_ = now;  // the enclosing scope counts again from here
}

double PhaseTimers::total() const {
  double sum = 0.0;
  for (const double s : seconds_) sum += s;
  return sum;
}

nlohmann::json PhaseTimers::reduce(const Communicator& comm, double wall_seconds) const {
  constexpr std::size_t n = static_cast<std::size_t>(Phase::count);
  // The phases, then "other": the rest of this rank's wall time.
  std::array<double, n + 1> mine{}, lo{}, sum{}, hi{};
  std::copy(seconds_.begin(), seconds_.end(), mine.begin());
  mine[n] = std::max(0.0, wall_seconds - total());
  allreduce<double>(comm, mine, lo, MPI_MIN);
  allreduce<double>(comm, mine, sum, MPI_SUM);
  allreduce<double>(comm, mine, hi, MPI_MAX);
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t p = 0; p <= n; ++p) {
    if (p == n && wall_seconds <= 0.0) break;
    const std::string key = p < n ? std::string(name(static_cast<Phase>(p))) : "other";
    out[key] = {{"min", lo[p]}, {"avg", sum[p] / comm.size()}, {"max", hi[p]}};
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
