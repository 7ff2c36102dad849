// How many OpenMP threads the kernels use (so code outside kernels/ needs no OpenMP).
#pragma once

namespace tessera::kernels {
int max_threads();
}  // namespace tessera::kernels
