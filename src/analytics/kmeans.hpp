// Distributed k-means (Lloyd's algorithm) over a data set split by rows across ranks.
//
// Every rank holds its rows of the table (converted to the compute precision and centred on
// the global mean, as scikit-learn does, so the GEMM-form distances keep their digits). Each
// iteration assigns every point to its nearest centre and accumulates the next centres in one
// sweep (kernels/kmeans.hpp), then one reduction of counts, sums and inertia gives every rank
// the same new centres. Seeding: k-means++, k-means|| (Bahmani et al., VLDB 2012: a few rounds
// of oversampling, then weighted k-means++ on the candidates), uniform random rows, or given
// centres. Every random choice is a counter-based draw keyed by (seed, purpose, global row),
// so seeding picks the same rows on any rank count.
//
// In SumMode::reproducible every sum (mean, variance, centre sums, inertia) is formed exactly or in
// fixed point and merged by integer addition: centres, labels and inertia are bitwise the same
// on any rank and thread count. In fast mode the last bits of the centres depend on them.
// Empty clusters take the points farthest from their centres (largest distance first, ties to
// the lower row), as scikit-learn does.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/io/dataset_reader.hpp"
#include "tessera/kernels/fixed_sum.hpp"
#include "tessera/kernels/kmeans.hpp"
#include "tessera/kernels/sum_mode.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tessera {

enum class KMeansInit { kmeans_plus_plus, kmeans_parallel, random, file };

/// Parses --init: "k-means++", "k-means-par", "random" or FILE.h5:/centres (then `file` is set).
KMeansInit parse_kmeans_init(const std::string& text, std::optional<DatasetRef>& file);
const char* kmeans_init_name(KMeansInit init);

struct KMeansConfig {
  int k = 8;
  KMeansInit init = KMeansInit::kmeans_plus_plus;
  std::optional<DatasetRef> init_file;  ///< with KMeansInit::file: a k x d dataset of centres
  std::uint64_t seed = 1;
  double tol = 1e-4;  ///< stop when the squared centre shift <= tol x mean feature variance
  kernels::SumMode sum_mode = kernels::SumMode::fast;
  int parallel_rounds = 5;         ///< k-means|| rounds
  double parallel_oversampling = 2;  ///< k-means|| expected picks per round, in units of k
};

/// One Lloyd iteration's outcome (the same on every rank).
struct LloydStep {
  double inertia = 0;         ///< sum of squared distances to the centres the points were assigned to
  double shift = 0;           ///< sum over centres of the squared move
  std::int64_t changed = 0;   ///< points whose label changed
  std::int64_t relocated = 0; ///< empty clusters given a far point
  bool strict = false;        ///< no label changed: the centres are a fixed point
};

struct KMeansCheck {
  bool passed = true;
  std::string reason;
  double max_centre_error = 0;      ///< |centre - mean of its points|, largest, relative to the data scale
  std::int64_t not_nearest = 0;     ///< points whose label is not a nearest centre (recomputed)
  std::int64_t empty_clusters = 0;
};

template <class T>
class KMeans {
 public:
  /// Collective: reads this rank's rows of `data` (a 2D table, rows x features) and centres
  /// them on the global mean. Throws a collective UsageError for unusable data (not 2D, fewer
  /// rows than k, NaN or Inf, too large for memory).
  KMeans(Communicator comm, const DatasetInfo& data, KMeansConfig config);

  /// Collective: picks the initial centres as the config says; returns a line describing it.
  std::string initialise();
  /// Collective: one Lloyd iteration (assign, reduce, relocate empty clusters, update).
  LloydStep iterate();
  /// Collective: the final assignment to the final centres (skipped after a strict
  /// convergence, where it would change nothing); returns the inertia of the result.
  double finish(bool strict);

  /// Collective: checks the centres are the means of the points assigned to them in the last
  /// iteration (call before finish), or, with `labels_only`, that every label is a nearest
  /// centre (call after finish). Recomputed with plain loops in double, not the kernels.
  KMeansCheck check_centres() const;
  KMeansCheck check_labels() const;

  /// The arrays a checkpoint holds: centres (replicated, relative to the data mean) and labels.
  std::vector<ArrayView> state();
  /// Centres in the data's coordinates, k x d.
  [[nodiscard]] std::vector<double> centres() const;
  /// Collective: points per cluster, for the current labels.
  [[nodiscard]] std::vector<std::int64_t> cluster_sizes() const;
  [[nodiscard]] std::span<const std::int32_t> labels() const { return labels_; }
  [[nodiscard]] double tolerance() const { return tolerance_; }
  [[nodiscard]] const RowPartition& partition() const { return part_; }
  [[nodiscard]] std::int64_t rows() const { return part_.rows(); }
  [[nodiscard]] int features() const { return d_; }
  [[nodiscard]] int clusters() const { return k_; }
  [[nodiscard]] const Communicator& comm() const { return comm_; }

 private:
  std::vector<std::int64_t> pick_random_rows(int count, std::uint64_t stream) const;
  std::int64_t sample_by_weight(std::span<const double> weights, std::uint64_t stream) const;
  void add_centre(std::span<const double> centre);
  void set_centres(const std::vector<double>& centres);
  std::string init_plus_plus();
  std::string init_parallel();
  std::string init_from_file();
  void relocate_empty(std::vector<std::int64_t>& counts, std::vector<double>& sums,
                      std::vector<kernels::FixedInt>& fixed) ;

  Communicator comm_;
  DatasetInfo data_;
  KMeansConfig config_;
  RowPartition part_;
  int k_;
  int d_;
  std::int64_t first_row_;
  std::vector<T> points_;           // local rows, centred, n_local x d
  std::vector<double> mean_;        // d
  double scale_abs_ = 0;            // max |centred value| over all data
  double tolerance_ = 0;
  kernels::FixedPointScale fixed_scale_;
  // Sized once in the constructor and never reallocated: state() hands out views of them.
  std::vector<double> centres_;     // k x d, centred coordinates
  std::vector<std::int32_t> labels_;
  std::vector<double> distances_;
  kernels::PreparedCentres<T> prepared_;
};

/// Collective: adjusted Rand index of two labelings of the same rows (Hubert and Arabie),
/// from the global contingency table.
double adjusted_rand_index(const Communicator& comm, std::span<const std::int32_t> labels, int clusters,
                           std::span<const std::int64_t> truth);

}  // namespace tessera
