// Reduction of phase timers over ranks.
#include "src/run/phase_timers.hpp"

#include "src/comm/collectives.hpp"

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

}  // namespace tessera
