// Block digests: OpenMP over the two slow dimensions with an integer-sum reduction.
#include "kernels/digest.hpp"

namespace tessera::kernels {

std::uint64_t block_digest(const double* first, const StridedBlock& b) {
  std::uint64_t sum = 0;
  const auto& c = b.count;
  const auto& s = b.memory_stride;
  const auto& o = b.global_offset;
  const auto& g = b.global_shape;
#pragma omp parallel for collapse(2) reduction(+ : sum) schedule(static)
  for (std::int64_t a0 = 0; a0 < c[0]; ++a0) {
    for (std::int64_t a1 = 0; a1 < c[1]; ++a1) {
      const double* row = first + a0 * s[0] + a1 * s[1];
      const auto base = static_cast<std::uint64_t>(((o[0] + a0) * g[1] + (o[1] + a1)) * g[2] + o[2]);
      for (std::int64_t a2 = 0; a2 < c[2]; ++a2) {
        sum += element_hash(base + static_cast<std::uint64_t>(a2), row[a2 * s[2]]);
      }
    }
  }
  return sum;
}

std::uint64_t block_digest_ref(const double* first, const StridedBlock& b) {
  std::uint64_t sum = 0;
  for (std::int64_t a0 = 0; a0 < b.count[0]; ++a0)
    for (std::int64_t a1 = 0; a1 < b.count[1]; ++a1)
      for (std::int64_t a2 = 0; a2 < b.count[2]; ++a2) {
        const std::int64_t global = ((b.global_offset[0] + a0) * b.global_shape[1] +
                                     (b.global_offset[1] + a1)) * b.global_shape[2] +
                                    (b.global_offset[2] + a2);
        const double v =
            first[a0 * b.memory_stride[0] + a1 * b.memory_stride[1] + a2 * b.memory_stride[2]];
        sum += element_hash(static_cast<std::uint64_t>(global), v);
      }
  return sum;
}

}  // namespace tessera::kernels
