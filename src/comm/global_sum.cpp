// Global sums: one MPI_Allreduce per call, of doubles or of exact-accumulator limbs.
#include "tessera/comm/global_sum.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/error.hpp"
#include "tessera/base/fault_injection.hpp"
#include "tessera/comm/collectives.hpp"

#include <algorithm>

namespace tessera {

double global_sum(const Communicator& comm, const PartialSum& local) {
  return global_sums(comm, std::span<const PartialSum>(&local, 1)).front();
}

std::vector<double> global_sums(const Communicator& comm, std::span<const PartialSum> local) {
  const activity::Scope doing("allreduce (global sum)");
  fault::point(fault::Site::allreduce);
  std::vector<double> result(local.size(), 0.0);
  if (local.empty()) return result;
  const SumMode mode = local.front().mode();
  for (const auto& s : local) {
    if (s.mode() != mode) throw RuntimeError("global_sums: partial sums of different modes cannot be combined");
  }
  if (mode == SumMode::fast) {
    for (std::size_t i = 0; i < local.size(); ++i) result[i] = local[i].value();
    allreduce_in_place<double>(comm, result, MPI_SUM);
    return result;
  }
  using Limbs = kernels::ExactSum::Limbs;
  const std::size_t width = std::tuple_size_v<Limbs>;
  std::vector<std::int64_t> limbs(local.size() * width);
  for (std::size_t i = 0; i < local.size(); ++i) {
    const Limbs mine = local[i].exact().limbs();
    std::copy(mine.begin(), mine.end(), limbs.begin() + static_cast<std::ptrdiff_t>(i * width));
  }
  // Carried limbs are below 2^32 (the top one far below 2^63), so an integer sum over up to
  // 2^30 ranks is exact.
  allreduce_in_place<std::int64_t>(comm, limbs, MPI_SUM);
  for (std::size_t i = 0; i < local.size(); ++i) {
    Limbs summed{};
    std::copy_n(limbs.begin() + static_cast<std::ptrdiff_t>(i * width), width, summed.begin());
    kernels::ExactSum total;
    total.add(summed);
    result[i] = total.value();
  }
  return result;
}

double global_exact_sum(const Communicator& comm, const kernels::ExactSum& local) {
  const activity::Scope doing("allreduce (global sum)");
  fault::point(fault::Site::allreduce);
  kernels::ExactSum::Limbs limbs = local.limbs();
  allreduce_in_place<std::int64_t>(comm, limbs, MPI_SUM);
  kernels::ExactSum total;
  total.add(limbs);
  return total.value();
}

void global_binned_sum(const Communicator& comm, kernels::BinnedRef local, std::span<double> out) {
  const activity::Scope doing("allreduce (binned vector sum)");
  fault::point(fault::Site::allreduce);
  if (out.size() != local.size) throw RuntimeError("global_binned_sum: output and accumulator sizes differ");
  std::vector<std::int16_t> top(local.top, local.top + local.size);
  allreduce_in_place<std::int16_t>(comm, top, MPI_MAX);
  kernels::binned_align(local, top);
  allreduce_in_place<double>(comm, std::span<double>(local.bins, kernels::kBins * local.size), MPI_SUM);
  kernels::binned_values(local, out);
}

const char* sum_mode_name(SumMode mode) { return mode == SumMode::reproducible ? "reproducible" : "fast"; }

}  // namespace tessera
