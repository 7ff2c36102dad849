// Block digests: OpenMP over the three slow dimensions with an integer-sum reduction.
#include "tessera/kernels/digest.hpp"

namespace tessera::kernels {

template <class T>
std::uint64_t block_digest(const T* first, const StridedBlock& b) {
  std::uint64_t sum = 0;
  const auto& c = b.count;
  const auto& s = b.memory_stride;
  const auto& o = b.global_offset;
  const auto& g = b.global_shape;
#pragma omp parallel for collapse(3) reduction(+ : sum) schedule(static)
  for (std::int64_t a0 = 0; a0 < c[0]; ++a0) {
    for (std::int64_t a1 = 0; a1 < c[1]; ++a1) {
      for (std::int64_t a2 = 0; a2 < c[2]; ++a2) {
        const T* row = first + a0 * s[0] + a1 * s[1] + a2 * s[2];
        const auto base = static_cast<std::uint64_t>((((o[0] + a0) * g[1] + (o[1] + a1)) * g[2] + (o[2] + a2)) * g[3] + o[3]);
        for (std::int64_t a3 = 0; a3 < c[3]; ++a3) {
          sum += element_hash(base + static_cast<std::uint64_t>(a3), value_bits(row[a3 * s[3]]));
        }
      }
    }
  }
  return sum;
}

template <class T>
std::uint64_t block_digest_ref(const T* first, const StridedBlock& b) {
  std::uint64_t sum = 0;
  for (std::int64_t a0 = 0; a0 < b.count[0]; ++a0)
    for (std::int64_t a1 = 0; a1 < b.count[1]; ++a1)
      for (std::int64_t a2 = 0; a2 < b.count[2]; ++a2)
        for (std::int64_t a3 = 0; a3 < b.count[3]; ++a3) {
          std::int64_t global = 0;
          const std::array<std::int64_t, kMaxDims> at{a0, a1, a2, a3};
          for (int d = 0; d < kMaxDims; ++d) global = global * b.global_shape[d] + b.global_offset[d] + at[d];
          std::int64_t memory = 0;
          for (int d = 0; d < kMaxDims; ++d) memory += at[d] * b.memory_stride[d];
          sum += element_hash(static_cast<std::uint64_t>(global), value_bits(first[memory]));
        }
  return sum;
}

std::uint64_t block_digest(const void* first, ElementType type, const StridedBlock& block) {
  return visit_type(type, [&](auto tag) {
    using T = decltype(tag);
    return block_digest(static_cast<const T*>(first), block);
  });
}

#define TESSERA_DIGEST_INSTANTIATE(T)                                          \
  template std::uint64_t block_digest<T>(const T*, const StridedBlock&);       \
  template std::uint64_t block_digest_ref<T>(const T*, const StridedBlock&);
TESSERA_DIGEST_INSTANTIATE(float)
TESSERA_DIGEST_INSTANTIATE(double)
TESSERA_DIGEST_INSTANTIATE(std::int32_t)
TESSERA_DIGEST_INSTANTIATE(std::int64_t)
TESSERA_DIGEST_INSTANTIATE(std::uint8_t)
TESSERA_DIGEST_INSTANTIATE(std::uint64_t)
#undef TESSERA_DIGEST_INSTANTIATE

}  // namespace tessera::kernels
