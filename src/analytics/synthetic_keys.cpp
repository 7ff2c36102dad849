// Key generation: each rank fills its rows of a uniform row partition and writes them.
#include "tessera/analytics/synthetic_keys.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/io/output_file.hpp"
#include "tessera/io/parallel_file.hpp"

#include <vector>

namespace tessera {

void KeysSpec::validate() const {
  if (rows < 0) throw UsageError("--rows must be at least 0, got " + std::to_string(rows));
  if (type == kernels::ElementType::u8) {
    throw UsageError("--type must be int32, int64, uint64, float32 or float64, got uint8");
  }
}

kernels::KeyDistribution parse_key_distribution(const std::string& name) {
  std::string known;
  for (std::size_t i = 0; i < std::size(kernels::kKeyDistributionNames); ++i) {
    if (name == kernels::kKeyDistributionNames[i]) return static_cast<kernels::KeyDistribution>(i);
    known += (i > 0 ? ", " : "") + std::string(kernels::kKeyDistributionNames[i]);
  }
  throw UsageError("unknown key distribution '" + name + "'; use one of " + known);
}

void generate_keys(const Communicator& comm, const KeysSpec& s, const std::filesystem::path& path) {
  collective_check(comm, [&] { s.validate(); });
  const RowPartition part = RowPartition::uniform(s.rows, comm.size());
  const std::int64_t first = part.offset(comm.rank());
  const std::int64_t count = part.count(comm.rank());
  require_memory(comm, static_cast<double>(count) * static_cast<double>(kernels::size_of(s.type) + 8), "the generated keys");
  std::vector<std::int64_t> values(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) values[static_cast<std::size_t>(i)] = first + i;
  write_file_atomically(comm, path, [&](hid_t file) {
    kernels::visit_type(s.type, [&](auto zero) {
      using Key = decltype(zero);
      if constexpr (!std::is_same_v<Key, std::uint8_t>) {
        std::vector<Key> keys(static_cast<std::size_t>(count));
        kernels::generate_keys<Key>(s.distribution, s.seed, first, s.rows, keys);
        h5::Handle key_set = h5::write_array(comm, file, view_1d<Key>("keys", keys, first, s.rows));
        write_attributes(key_set, OutputAttributes::quantity("keys", "1", {"row"}));
      }
    });
    h5::Handle value_set = h5::write_array(comm, file, view_1d<std::int64_t>("values", values, first, s.rows));
    write_attributes(value_set, OutputAttributes::quantity("each key's row index", "row index", {"row"}));
    write_attributes(file, OutputAttributes::provenance("tessera-data generate keys"));
    h5::write_attribute(file, "distribution",
                        std::string(kernels::kKeyDistributionNames[static_cast<int>(s.distribution)]));
    h5::write_attribute(file, "seed", static_cast<std::uint64_t>(s.seed));
  });
}

}  // namespace tessera
