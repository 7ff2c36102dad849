// OpenMP thread count query.
#include "tessera/kernels/threads.hpp"

#include <omp.h>

namespace tessera::kernels {
int max_threads() { return omp_get_max_threads(); }
void set_threads(int threads) { omp_set_num_threads(threads); }
}  // namespace tessera::kernels
