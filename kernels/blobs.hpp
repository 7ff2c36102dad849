// Synthetic clustered rows: row r of stream (seed) is its centre (a counter-based draw keyed
// by r) plus Gaussian noise keyed by r, so any split of the rows over ranks and threads makes
// the same values.
#pragma once

#include <cstdint>
#include <span>

namespace tessera::kernels {

/// The true centres: clusters x features, uniform in [-box, box] (the same on every rank).
void generate_blob_centres(std::uint64_t seed, std::int64_t clusters, std::int64_t features, double box,
                           std::span<double> centres);

/// Fills rows [first_row, first_row + labels.size()) of a blob data set: labels[i] in
/// [0, clusters), points (labels.size() x features) = centres[label] + spread x N(0, 1).
template <class T>
void generate_blob_rows(std::uint64_t seed, std::int64_t first_row, std::span<const double> centres,
                        std::int64_t clusters, std::int64_t features, double spread, std::span<std::int64_t> labels,
                        std::span<T> points);

}  // namespace tessera::kernels
