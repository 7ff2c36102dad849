// How many OpenMP threads the kernels use (so code outside kernels/ needs no OpenMP).
#pragma once

namespace tessera::kernels {
int max_threads();
/// Sets the thread count of the following kernel calls (omp_set_num_threads).
void set_threads(int threads);
}  // namespace tessera::kernels
