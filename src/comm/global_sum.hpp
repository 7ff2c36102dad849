// Global sums of node-local partial sums, in the mode a run chose (--reproducible):
//   fast          MPI_SUM of each rank's double; the last bits depend on the rank and thread
//                 counts (and on the MPI library's reduction order).
//   reproducible  each rank's exact accumulator (kernels/exact_sum.hpp) is merged by an
//                 integer MPI_SUM of its carried limbs, then rounded once: bitwise the same on
//                 any rank count, thread count and process grid, and correctly rounded.
// The reproducible mode sends 70 int64 per sum instead of one double and costs the node-local
// exact accumulation; several sums share one reduction.
// Long vectors (gradients) use binned sums instead (kernels/binned_sum.hpp): three doubles
// and one int16 per element, bitwise the same for any split of the terms over ranks and
// threads, accurate to about 2^-52 of the largest term.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/kernels/binned_sum.hpp"
#include "tessera/kernels/partial_sum.hpp"

#include <span>
#include <vector>

namespace tessera {

// Part of the library's vocabulary: apps and solvers name them tessera::PartialSum, SumMode.
using kernels::PartialSum;
using kernels::SumMode;

/// Collective: the sum over ranks of every rank's `local` (all in the same mode).
double global_sum(const Communicator& comm, const PartialSum& local);

/// Collective: several global sums in one reduction.
std::vector<double> global_sums(const Communicator& comm, std::span<const PartialSum> local);

/// Collective: the exact sum over ranks of every rank's exact accumulator, rounded once.
double global_exact_sum(const Communicator& comm, const kernels::ExactSum& local);

/// Collective: out[j] = the sum over ranks of every rank's binned accumulator j, the same bits
/// on every rank whatever the order and split of the terms. `local` is used as the buffer:
/// its windows are agreed (MPI_MAX) and its bins summed in place (MPI_SUM, exact). Needs
/// at most kernels::kBinnedMaxTerms terms per element over all ranks.
void global_binned_sum(const Communicator& comm, kernels::BinnedRef local, std::span<double> out);

/// "fast" or "reproducible".
const char* sum_mode_name(SumMode mode);

}  // namespace tessera
