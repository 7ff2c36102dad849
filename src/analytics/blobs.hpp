// Synthetic clustered data ("blobs", as scikit-learn's make_blobs): rows drawn around random
// centres with Gaussian spread, with their true labels and centres, for tests, benchmarks and
// demos of the data apps. Every value is a counter-based draw keyed by (seed, row), so every
// rank writes its own rows and the data sets are bitwise the same for any rank count; a
// cluster of ranks generates 10^9 x 16 as fast as it writes.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/kernels/element_type.hpp"

#include <cstdint>
#include <filesystem>

namespace tessera {

struct BlobsSpec {
  std::int64_t rows = 10000;
  std::int64_t features = 2;
  std::int64_t centres = 3;
  double spread = 1.0;      ///< standard deviation around a centre
  double box = 10.0;        ///< centres uniform in [-box, box] per feature
  std::uint64_t seed = 1;
  kernels::ElementType type = kernels::ElementType::f64;  ///< f32 or f64
  void validate() const;    ///< throws a UsageError naming the bad value
};

/// Collective: writes `path` with /points (rows x features, spec.type, attribute labels =
/// "/labels"), /labels (rows, int64) and /centres (centres x features, float64).
void generate_blobs(const Communicator& comm, const BlobsSpec& spec, const std::filesystem::path& path);

}  // namespace tessera
