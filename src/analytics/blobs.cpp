// Blob generation: each rank fills its rows of a uniform row partition and writes them.
#include "tessera/analytics/blobs.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/io/parallel_file.hpp"
#include "tessera/kernels/blobs.hpp"

#include <cmath>
#include <vector>

namespace tessera {

namespace {

template <class T>
void write_points(const Communicator& comm, const BlobsSpec& s, const RowPartition& part,
                  const std::vector<double>& centres, std::vector<std::int64_t>& labels, hid_t file) {
  const std::int64_t first = part.offset(comm.rank());
  std::vector<T> points(labels.size() * static_cast<std::size_t>(s.features));
  kernels::generate_blob_rows<T>(s.seed, first, centres, s.centres, s.features, s.spread, labels, points);
  h5::Handle dataset = h5::write_array(comm, file, view_rows<T>("points", points, s.features, first, s.rows));
  h5::write_attribute(dataset, "labels", std::string("/labels"));
  write_attributes(dataset, OutputAttributes::quantity("points drawn around the centres", "1", {"row", "feature"}));
}
}  // namespace

void BlobsSpec::validate() const {
  if (rows < 1) throw UsageError("--rows must be at least 1, got " + std::to_string(rows));
  if (features < 1) throw UsageError("--features must be at least 1, got " + std::to_string(features));
  if (centres < 1 || centres > rows) {
    throw UsageError("--centres must be in [1, --rows = " + std::to_string(rows) + "], got " + std::to_string(centres));
  }
  if (!(spread >= 0) || !std::isfinite(spread)) throw UsageError("--spread must be finite and >= 0, got " + std::to_string(spread));
  if (!(box > 0) || !std::isfinite(box)) throw UsageError("--box must be finite and > 0, got " + std::to_string(box));
  if (type != kernels::ElementType::f32 && type != kernels::ElementType::f64) {
    throw UsageError("--type must be float32 or float64, got " + std::string(kernels::type_name(type)));
  }
}

void generate_blobs(const Communicator& comm, const BlobsSpec& s, const std::filesystem::path& path) {
  collective_check(comm, [&] { s.validate(); });
  const RowPartition part = RowPartition::uniform(s.rows, comm.size());
  const std::int64_t count = part.count(comm.rank());
  require_memory(comm, static_cast<double>(count) * (static_cast<double>(s.features * static_cast<std::int64_t>(kernels::size_of(s.type)) + 8)),
                 "the generated rows");
  std::vector<double> centres(static_cast<std::size_t>(s.centres * s.features));
  kernels::generate_blob_centres(s.seed, s.centres, s.features, s.box, centres);
  std::vector<std::int64_t> labels(static_cast<std::size_t>(count));
  // Written under a temporary name and renamed when complete: a killed generation leaves no
  // file that looks like a data set.
  write_file_atomically(comm, path, [&](hid_t file) {
    if (s.type == kernels::ElementType::f32) {
      write_points<float>(comm, s, part, centres, labels, file);
    } else {
      write_points<double>(comm, s, part, centres, labels, file);
    }
    h5::Handle label_set = h5::write_array(comm, file, view_1d<std::int64_t>("labels", labels, part.offset(comm.rank()), s.rows));
    write_attributes(label_set, OutputAttributes::quantity("true cluster of each row", "cluster index", {"row"}));
    h5::Handle centre_set = h5::write_array(comm, file, view_replicated<double>("centres", centres, {s.centres, s.features}));
    write_attributes(centre_set, OutputAttributes::quantity("cluster centres", "1", {"cluster", "feature"}));
    write_attributes(file, OutputAttributes::provenance("tessera-data generate blobs"));
    h5::write_attribute(file, "seed", static_cast<std::uint64_t>(s.seed));
    h5::write_attribute(file, "spread", s.spread);
  });
}

}  // namespace tessera
