// Checkpoint inspection and verification.
#include "tessera/io/checkpoint_inspect.hpp"

#include "tessera/comm/agreement.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/domain/block_partition.hpp"
#include "tessera/domain/digest.hpp"
#include "tessera/io/parallel_file.hpp"

#include <algorithm>

namespace tessera {


CheckpointReport inspect_checkpoint(const Communicator& comm, const std::filesystem::path& path, bool verify) {
  CheckpointReport report;
  report.path = path;
  try {
    collective_check(comm, [&] { report.meta = read_checkpoint_meta(comm, path); });
    report.meta_ok = true;
    std::vector<StoredArray> stored_arrays;
    collective_check(comm, [&] { stored_arrays = read_checkpoint_arrays(comm, path); });
    for (const auto& stored : stored_arrays) {
      ArrayInfo info;
      info.name = stored.name;
      info.dims = static_cast<int>(stored.shape.size());
      info.shape = stored.shape;
      info.type = stored.type;
      info.distribution = stored.distribution;
      info.stored_digest = stored.digest;
      report.arrays.push_back(info);
    }
    if (verify) {
      // The largest slab a rank reads must fit before any buffer is allocated.
      double slab_bytes = 0.0;
      for (const auto& info : report.arrays) {
        double bytes = static_cast<double>(kernels::size_of(info.type));
        for (const auto extent : info.shape) bytes *= static_cast<double>(extent);
        if (info.distribution != Distribution::replicated) bytes /= static_cast<double>(comm.size());
        slab_bytes = std::max(slab_bytes, bytes);
      }
      require_memory(comm, slab_bytes, "verifying " + path.string() + " would");
    }
    if (verify) collective_check(comm, [&] {
      h5::Handle file = h5::open_parallel(comm, path);
      h5::Handle group = h5::group_handle(H5Gopen2(file, "arrays", H5P_DEFAULT), "opening group 'arrays'");
      for (auto& info : report.arrays) {
        // Split the array's slowest dimension over the ranks; each reads its slab (a
        // replicated array is read whole by every rank, as its digest expects).
        ArrayView view;
        view.name = info.name;
        view.type = info.type;
        view.distribution = info.distribution;
        view.ndims = info.dims;
        const int slow = kMaxDims - info.dims;
        for (int d = 0; d < info.dims; ++d) {
          view.global_shape[slow + d] = info.shape[static_cast<std::size_t>(d)];
          view.count[slow + d] = info.shape[static_cast<std::size_t>(d)];
        }
        if (info.distribution != Distribution::replicated) {
          const BlockPartition part(info.shape[0], comm.size());
          view.offset[slow] = part.offset(comm.rank());
          view.count[slow] = part.count(comm.rank());
        }
        view.memory_shape = view.count;
        std::vector<char> buffer(static_cast<std::size_t>(view.block_size()) * kernels::size_of(view.type));
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
