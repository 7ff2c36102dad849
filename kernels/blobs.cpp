// Blob rows, OpenMP over rows.
#include "tessera/kernels/blobs.hpp"

#include "tessera/kernels/counter_rng.hpp"

#include <algorithm>

namespace tessera::kernels {

namespace {
// One stream per purpose (and none shared with other users of the seed, such as k-means).
constexpr std::uint64_t kStreamCentres = 1;
constexpr std::uint64_t kStreamLabels = 2;
constexpr std::uint64_t kStreamNoise = 3;
}  // namespace

void generate_blob_centres(std::uint64_t seed, std::int64_t clusters, std::int64_t features, double box,
                           std::span<double> centres) {
  const CounterRng rng(seed, kStreamCentres);
  const auto n = static_cast<std::size_t>(clusters * features);
  for (std::size_t i = 0; i < n && i < centres.size(); ++i) centres[i] = box * (2 * rng.uniform(i) - 1);
}

template <class T>
void generate_blob_rows(std::uint64_t seed, std::int64_t first_row, std::span<const double> centres,
                        std::int64_t clusters, std::int64_t features, double spread, std::span<std::int64_t> labels,
                        std::span<T> points) {
  const CounterRng label_rng(seed, kStreamLabels);
  const CounterRng noise(seed, kStreamNoise);
  const std::int64_t pairs = (features + 1) / 2;  // normal draws come in pairs
  const auto count = static_cast<std::int64_t>(labels.size());
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < count; ++i) {
    const auto row = static_cast<std::uint64_t>(first_row + i);
    const std::int64_t label =
        std::min<std::int64_t>(clusters - 1, static_cast<std::int64_t>(label_rng.uniform(row) * static_cast<double>(clusters)));
    labels[static_cast<std::size_t>(i)] = label;
    const double* centre = centres.data() + label * features;
    T* out = points.data() + i * features;
    for (std::int64_t p = 0; p < pairs; ++p) {
      const auto [z0, z1] = noise.normal_pair(row * static_cast<std::uint64_t>(pairs) + static_cast<std::uint64_t>(p));
      out[2 * p] = static_cast<T>(centre[2 * p] + spread * z0);
      if (2 * p + 1 < features) out[2 * p + 1] = static_cast<T>(centre[2 * p + 1] + spread * z1);
    }
  }
}

template void generate_blob_rows<float>(std::uint64_t, std::int64_t, std::span<const double>, std::int64_t, std::int64_t,
                                        double, std::span<std::int64_t>, std::span<float>);
template void generate_blob_rows<double>(std::uint64_t, std::int64_t, std::span<const double>, std::int64_t,
                                         std::int64_t, double, std::span<std::int64_t>, std::span<double>);

}  // namespace tessera::kernels
