// How node-local sums are formed: fast (a double per thread, combined in thread order: the last
// bits depend on the thread count) or reproducible (exact accumulation, kernels/exact_sum.hpp:
// bitwise independent of any split of the terms). Apps choose with --reproducible.
#pragma once

namespace tessera::kernels {

enum class SumMode { fast, reproducible };

}  // namespace tessera::kernels
