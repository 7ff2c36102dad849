// Checkpoint inspection and verification.
#include "src/io/checkpoint_inspect.hpp"

#include "src/comm/agreement.hpp"
#include "src/domain/block_partition.hpp"
#include "src/domain/digest.hpp"
#include "src/io/parallel_file.hpp"

namespace tessera {

namespace {
std::vector<std::string> array_names(hid_t group) {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* out) -> herr_t {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
  };
  h5::check(H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), "listing the arrays");
  return names;
}
}  // namespace

CheckpointReport inspect_checkpoint(const Communicator& comm, const std::filesystem::path& path, bool verify) {
  CheckpointReport report;
  report.path = path;
  try {
    collective_check(comm, [&] { report.meta = read_checkpoint_meta(comm, path); });
    collective_check(comm, [&] {
      h5::Handle file = h5::open_parallel(comm, path);
      h5::Handle group = h5::group_handle(H5Gopen2(file, "arrays", H5P_DEFAULT), "opening group 'arrays'");
      for (const auto& name : array_names(group)) {
        ArrayInfo info;
        info.name = name;
        info.shape = h5::dataset_shape(group, name);
        h5::Handle dataset = h5::dataset_handle(H5Dopen2(group, name.c_str(), H5P_DEFAULT), "opening '" + name + "'");
        info.stored_digest = h5::read_uint64_attribute(dataset, "digest");
        h5::Handle space = h5::dataspace_handle(H5Dget_space(dataset), "reading the shape of '" + name + "'");
        info.dims = H5Sget_simple_extent_ndims(space);
        report.arrays.push_back(info);
      }
      if (!verify) return;
      for (auto& info : report.arrays) {
        // Split the array's slowest dimension over the ranks; each reads its slab.
        ArrayView view;
        view.name = info.name;
        view.rank = info.dims;
        const int slow = 3 - info.dims;
        const BlockPartition part(info.shape[static_cast<std::size_t>(slow)], comm.size());
        for (int d = 0; d < 3; ++d) {
          view.global_shape[d] = info.shape[static_cast<std::size_t>(d)];
          view.count[d] = info.shape[static_cast<std::size_t>(d)];
        }
        view.offset[slow] = part.offset(comm.rank());
        view.count[slow] = part.count(comm.rank());
        view.memory_shape = view.count;
        std::vector<double> buffer(static_cast<std::size_t>(view.block_size()));
        view.data = buffer.data();
        h5::read_array(comm, group, view);
        info.digest_ok = array_digest(comm, view) == info.stored_digest;
        if (!info.digest_ok && report.problem.empty()) {
          report.problem = "array '" + info.name + "' fails its checksum";
        }
      }
    });
    report.valid = report.problem.empty();
  } catch (const Error& e) {
    report.valid = false;
    report.problem = e.what();
  }
  return report;
}

}  // namespace tessera
