// Data-set description (rank 0 reads the metadata serially and broadcasts it, so a job of
// thousands of ranks does not open the file thousands of times to learn a shape) and the
// collective, batched row reads.
#include "tessera/io/dataset_reader.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/file_kind.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/node.hpp"
#include "tessera/io/hdf5_handle.hpp"
#include "tessera/io/parallel_file.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace tessera {

namespace fs = std::filesystem;

namespace {

const char* kTypesRead = "float32, float64, int32, int64, uint8 or uint64";

// Opens `file` on this rank alone, read-only, with messages for the usual mistakes.
h5::Handle open_serial(const fs::path& file) {
  h5::silence_error_stack();
  std::error_code ec;
  if (!fs::exists(file, ec)) throw UsageError(file.string() + ": no such file; check the path");
  if (fs::is_directory(file, ec)) throw UsageError(file.string() + " is a directory, not an HDF5 file");
  require_regular_file(file, "data file");  // a FIFO would block the open forever
  if (H5Fis_hdf5(file.c_str()) <= 0) {
    throw UsageError(file.string() + " is not an HDF5 file (or is unreadable); convert CSV, .npy or IDX data with "
                                     "tools/tessera-import");
  }
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw UsageError("cannot open HDF5 file " + file.string() + ": " + h5::last_error());
  // A file this rank opened alone, read-only, always closes, also while an error unwinds
  // (h5::Handle leaves parallel files open then; see hdf5_handle.hpp).
  return {id, [](hid_t f) { return H5Fclose(f); }};
}

struct Found {
  std::vector<std::string> datasets;  // paths of all datasets
};

herr_t collect_datasets(hid_t group, const char* name, const H5L_info_t* /*info*/, void* out) {
  H5O_info_t object{};
  if (H5Oget_info_by_name2(group, name, &object, H5O_INFO_BASIC, H5P_DEFAULT) >= 0 && object.type == H5O_TYPE_DATASET) {
    static_cast<Found*>(out)->datasets.push_back(std::string("/") + name);
  }
  return 0;
}

std::vector<std::string> dataset_paths(hid_t file) {
  Found found;
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, collect_datasets, &found);
  return found.datasets;
}

DatasetInfo describe_open(hid_t file, const DatasetRef& ref) {
  // Walk the path one link at a time: H5Lexists fails on a path whose parent is missing.
  std::string prefix;
  std::size_t at = 1;
  while (at <= ref.path.size()) {
    std::size_t next = ref.path.find('/', at);
    if (next == std::string::npos) next = ref.path.size();
    prefix = ref.path.substr(0, next);
    if (next > at && H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) {
      const auto all = dataset_paths(file);
      std::string held;
      for (std::size_t i = 0; i < all.size() && i < 8; ++i) held += (i ? ", " : "") + all[i];
      if (all.size() > 8) held += ", ...";
      throw UsageError(ref.file.string() + " has no dataset '" + ref.path + "' (" +
                       (all.empty() ? std::string("the file holds no datasets")
                                    : "the file holds " + held) +
                       "); name one as FILE.h5:/path");
    }
    at = next + 1;
  }
  H5O_info_t object{};
  h5::check(H5Oget_info_by_name2(file, ref.path.c_str(), &object, H5O_INFO_BASIC, H5P_DEFAULT),
            "reading " + ref.text());
  if (object.type != H5O_TYPE_DATASET) {
    throw UsageError(ref.text() + " is a group, not a dataset; name a dataset inside it");
  }
  h5::Handle dataset = h5::dataset_handle(H5Dopen2(file, ref.path.c_str(), H5P_DEFAULT), "opening " + ref.text());
  h5::Handle type = h5::type_handle(H5Dget_type(dataset), "reading the type of " + ref.text());
  DatasetInfo info;
  info.ref = ref;
  const auto element = h5::element_type(type);
  if (!element) {
    throw UsageError(ref.text() + " holds " + h5::describe_type(type) + "; tessera reads " + kTypesRead +
                     " (convert it, e.g. with tools/tessera-import --dtype float64)");
  }
  info.type = *element;
  h5::Handle space = h5::dataspace_handle(H5Dget_space(dataset), "reading the shape of " + ref.text());
  const int ndims = H5Sget_simple_extent_ndims(space);
  if (ndims < 1 || ndims > kMaxDims) {
    throw UsageError(ref.text() + " has " + std::to_string(ndims) + " dimensions; tessera reads data sets of 1 to " +
                     std::to_string(kMaxDims));
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(ndims));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  info.shape.assign(dims.begin(), dims.end());
  h5::Handle create = h5::plist_handle(H5Dget_create_plist(dataset), "reading the layout of " + ref.text());
  if (H5Pget_layout(create) == H5D_CHUNKED) {
    std::vector<hsize_t> chunk(static_cast<std::size_t>(ndims));
    H5Pget_chunk(create, ndims, chunk.data());
    info.chunk.assign(chunk.begin(), chunk.end());
  }
  return info;
}

// DatasetInfo as integers, for a broadcast: type, ndims, shape, chunk ndims, chunk.
std::vector<std::int64_t> pack(const DatasetInfo& info) {
  std::vector<std::int64_t> v{static_cast<std::int64_t>(info.type), static_cast<std::int64_t>(info.shape.size())};
  v.insert(v.end(), info.shape.begin(), info.shape.end());
  v.push_back(static_cast<std::int64_t>(info.chunk.size()));
  v.insert(v.end(), info.chunk.begin(), info.chunk.end());
  return v;
}

DatasetInfo unpack(const DatasetRef& ref, const std::vector<std::int64_t>& v) {
  DatasetInfo info;
  info.ref = ref;
  info.type = static_cast<ElementType>(v.at(0));
  const auto n = static_cast<std::size_t>(v.at(1));
  info.shape.assign(v.begin() + 2, v.begin() + 2 + static_cast<std::ptrdiff_t>(n));
  const auto c = static_cast<std::size_t>(v.at(2 + n));
  info.chunk.assign(v.begin() + 3 + static_cast<std::ptrdiff_t>(n), v.begin() + 3 + static_cast<std::ptrdiff_t>(n + c));
  return info;
}

std::vector<std::int64_t> broadcast_vector(const Communicator& comm, std::vector<std::int64_t> v) {
  auto size = broadcast(comm, static_cast<std::int64_t>(v.size()), 0);
  v.resize(static_cast<std::size_t>(size));
  broadcast(comm, std::span<std::int64_t>(v), 0);
  return v;
}

}  // namespace

DatasetRef parse_dataset_ref(const std::string& spec, const std::string& option) {
  const std::size_t colon = spec.rfind(":/");
  if (colon == std::string::npos || colon == 0) {
    throw UsageError(option + " '" + spec + "' does not name a dataset; write FILE.h5:/path/to/dataset, e.g. " +
                     (spec.empty() ? std::string("data.h5") : spec) + ":/points");
  }
  DatasetRef ref{spec.substr(0, colon), spec.substr(colon + 1)};
  while (ref.path.size() > 1 && ref.path.back() == '/') ref.path.pop_back();
  if (ref.path == "/") throw UsageError(option + " '" + spec + "' names the file's root group, not a dataset");
  return ref;
}

std::int64_t DatasetInfo::columns() const {
  return std::accumulate(shape.begin() + (shape.empty() ? 0 : 1), shape.end(), std::int64_t{1},
                         std::multiplies<>());
}

std::string DatasetInfo::describe() const {
  std::string s = std::string(kernels::type_name(type)) + " " + shape_string(shape);
  s += chunk.empty() ? " (contiguous)" : " (chunks " + shape_string(chunk) + ")";
  return s;
}

DatasetInfo describe_dataset(const Communicator& comm, const DatasetRef& ref) {
  std::vector<std::int64_t> packed;
  collective_check(comm, [&] {
    if (!comm.is_root()) return;
    h5::Handle file = open_serial(ref.file);
    packed = pack(describe_open(file, ref));
  });
  return unpack(ref, broadcast_vector(comm, packed));
}

std::vector<DatasetInfo> list_datasets(const Communicator& comm, const fs::path& path) {
  std::string names;
  std::vector<std::int64_t> packed;
  collective_check(comm, [&] {
    if (!comm.is_root()) return;
    h5::Handle file = open_serial(path);
    for (const auto& name : dataset_paths(file)) {
      DatasetInfo info;
      try {
        info = describe_open(file, {path, name});
      } catch (const UsageError&) {
        continue;  // a dataset of a type tessera does not read: not listed
      }
      names += name + '\n';
      const auto p = pack(info);
      packed.push_back(static_cast<std::int64_t>(p.size()));
      packed.insert(packed.end(), p.begin(), p.end());
    }
  });
  names = broadcast(comm, names, 0);
  packed = broadcast_vector(comm, packed);
  std::vector<DatasetInfo> all;
  std::size_t at = 0;
  std::size_t name_at = 0;
  while (at < packed.size()) {
    const auto n = static_cast<std::size_t>(packed[at]);
    const std::size_t end = names.find('\n', name_at);
    all.push_back(unpack({path, names.substr(name_at, end - name_at)},
                         {packed.begin() + static_cast<std::ptrdiff_t>(at + 1),
                          packed.begin() + static_cast<std::ptrdiff_t>(at + 1 + n)}));
    at += 1 + n;
    name_at = end + 1;
  }
  return all;
}

std::optional<std::string> dataset_string_attribute(const Communicator& comm, const DatasetRef& ref,
                                                    const std::string& name) {
  std::string value;
  std::int64_t found = 0;
  collective_check(comm, [&] {
    if (!comm.is_root()) return;
    h5::Handle file = open_serial(ref.file);
    h5::Handle dataset = h5::dataset_handle(H5Dopen2(file, ref.path.c_str(), H5P_DEFAULT), "opening " + ref.text());
    if (!h5::has_attribute(dataset, name)) return;
    h5::Handle attr = h5::attribute_handle(H5Aopen(dataset, name.c_str(), H5P_DEFAULT), "opening attribute " + name);
    h5::Handle type = h5::type_handle(H5Aget_type(attr), "reading the type of attribute " + name);
    h5::Handle space = h5::dataspace_handle(H5Aget_space(attr), "reading the shape of attribute " + name);
    // A number or a list of names is not the one string asked for.
    if (H5Tget_class(type) != H5T_STRING || H5Sget_simple_extent_npoints(space) != 1) return;
    value = h5::read_string_attribute(dataset, name);
    found = 1;
  });
  if (broadcast(comm, found, 0) == 0) return std::nullopt;
  return broadcast(comm, value, 0);
}

void require_dims(const DatasetInfo& info, int ndims, const std::string& needed) {
  if (static_cast<int>(info.shape.size()) == ndims) return;
  // Every rank holds the same description: every rank throws the same error.
  throw UsageError(info.ref.text() + " is " + std::to_string(info.shape.size()) + "-dimensional (" +
                       shape_string(info.shape) + "); this needs " + needed,
                   true);
}

template <class T>
void read_rows(const Communicator& comm, const DatasetInfo& info, const RowPartition& part, std::span<T> out,
               std::int64_t batch_bytes) {
  const std::int64_t columns = info.columns();
  const std::int64_t first = part.offset(comm.rank());
  const std::int64_t count = part.count(comm.rank());
  if (part.rows() != info.rows() || static_cast<std::int64_t>(out.size()) != count * columns) {
    throw RuntimeError("read_rows: partition of " + std::to_string(part.rows()) + " rows and a buffer of " +
                       std::to_string(out.size()) + " elements do not fit " + info.ref.text() + " (" +
                       shape_string(info.shape) + ")");
  }
  const std::size_t file_size = kernels::size_of(info.type);
  const std::int64_t batch_rows = std::max<std::int64_t>(1, batch_bytes / std::max<std::int64_t>(1, columns * static_cast<std::int64_t>(file_size)));
  const std::int64_t my_batches = (count + batch_rows - 1) / batch_rows;
  const std::int64_t batches = allreduce_max(comm, my_batches);
  const bool same_type = info.type == kernels::element_type_of<T>();
  std::vector<char> buffer(same_type ? 0 : static_cast<std::size_t>(std::min(count, batch_rows) * columns) * file_size);

  collective_check(comm, [&] {
    h5::Handle file = h5::open_parallel(comm, info.ref.file);
    h5::Handle dataset = h5::dataset_handle(H5Dopen2(file, info.ref.path.c_str(), H5P_DEFAULT), "opening " + info.ref.text());
    h5::Handle space = h5::dataspace_handle(H5Dget_space(dataset), "reading the shape of " + info.ref.text());
    h5::Handle dxpl = h5::collective_transfer();
    const int ndims = static_cast<int>(info.shape.size());
    for (std::int64_t b = 0; b < batches; ++b) {
      const std::int64_t row0 = std::min(count, b * batch_rows);
      const std::int64_t rows = std::min(batch_rows, count - row0);
      std::vector<hsize_t> start(static_cast<std::size_t>(ndims), 0);
      std::vector<hsize_t> extent(info.shape.begin(), info.shape.end());
      start[0] = static_cast<hsize_t>(first + row0);
      extent[0] = static_cast<hsize_t>(rows);
      h5::Handle file_space = h5::dataspace_handle(H5Scopy(space), "copying a dataspace");
      const hsize_t elements = static_cast<hsize_t>(std::max<std::int64_t>(rows * columns, 1));
      h5::Handle memory_space = h5::dataspace_handle(H5Screate_simple(1, &elements, nullptr), "creating a memory dataspace");
      if (rows > 0) {
        h5::check(H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr),
                  "selecting rows of " + info.ref.text());
      } else {
        h5::check(H5Sselect_none(file_space), "selecting nothing");
        h5::check(H5Sselect_none(memory_space), "selecting nothing");
      }
      void* target = same_type ? static_cast<void*>(out.data() + row0 * columns) : static_cast<void*>(buffer.data());
      const herr_t status = H5Dread(dataset, h5::native_type(info.type), memory_space, file_space, dxpl, target);
      // Every rank must learn of a failure before the next collective read.
      std::exception_ptr failed;
      if (status < 0) {
        failed = std::make_exception_ptr(RuntimeError("reading rows of " + info.ref.text() + ": " + h5::last_error()));
      }
      agree_on_error(comm, failed);
      if (!same_type && rows > 0) {
        kernels::visit_type(info.type, [&](auto tag) {
          using F = decltype(tag);
          const F* from = reinterpret_cast<const F*>(buffer.data());
          T* to = out.data() + row0 * columns;
          const std::int64_t n = rows * columns;
          for (std::int64_t i = 0; i < n; ++i) to[i] = static_cast<T>(from[i]);
        });
      }
    }
  });
}

void require_memory_for_rows(const Communicator& comm, const DatasetInfo& info, const RowPartition& part,
                             double bytes_per_row) {
  double largest = 0;
  for (int p = 0; p < part.parts(); ++p) largest = std::max(largest, static_cast<double>(part.count(p)));
  char what[512];
  std::snprintf(what, sizeof what, "the rows of %s (%s, up to %.0f rows per rank at %.0f bytes each)",
                info.ref.text().c_str(), info.describe().c_str(), largest, bytes_per_row);
  require_memory(comm, largest * bytes_per_row, what);
}

template <class T>
void require_finite(const Communicator& comm, const DatasetInfo& info, std::span<const T> rows, std::int64_t columns,
                    std::int64_t row_offset) {
  std::int64_t bad = 0;
  std::int64_t first_bad = std::numeric_limits<std::int64_t>::max();
  if constexpr (std::is_floating_point_v<T>) {
    const std::int64_t n = columns > 0 ? static_cast<std::int64_t>(rows.size()) / columns : 0;
    for (std::int64_t r = 0; r < n; ++r) {
      const T* row = rows.data() + r * columns;
      bool finite = true;
      for (std::int64_t c = 0; c < columns; ++c) finite = finite && std::isfinite(row[c]);
      if (!finite) {
        ++bad;
        first_bad = std::min(first_bad, row_offset + r);
      }
    }
  }
  bad = allreduce_sum(comm, bad);
  first_bad = allreduce_min(comm, first_bad);
  if (bad > 0) {
    throw UsageError(info.ref.text() + " has " + std::to_string(bad) + (bad == 1 ? " row" : " rows") +
                         " with NaN or infinite values (the first is row " + std::to_string(first_bad) +
                         ", counting from 0); remove or impute them before running",
                     true);
  }
}

template <class T>
std::vector<T> read_replicated(const Communicator& comm, const DatasetInfo& info) {
  const RowPartition split = RowPartition::uniform(info.rows(), comm.size());
  std::vector<T> mine(static_cast<std::size_t>(split.count(comm.rank()) * info.columns()));
  read_rows<T>(comm, info, split, mine);
  require_finite<T>(comm, info, mine, info.columns(), split.offset(comm.rank()));
  return allgatherv(comm, std::span<const T>(mine));
}

std::optional<DatasetRef> named_labels(const Communicator& comm, const DatasetRef& ref) {
  const auto named = dataset_string_attribute(comm, ref, "labels");
  if (!named || named->empty()) return std::nullopt;
  return DatasetRef{ref.file, named->front() == '/' ? *named : "/" + *named};
}

#define TESSERA_READER_INSTANTIATE(T)                                                                          \
  template std::vector<T> read_replicated<T>(const Communicator&, const DatasetInfo&);                          \
  template void read_rows<T>(const Communicator&, const DatasetInfo&, const RowPartition&, std::span<T>,       \
                             std::int64_t);                                                                    \
  template void require_finite<T>(const Communicator&, const DatasetInfo&, std::span<const T>, std::int64_t,   \
                                  std::int64_t);
TESSERA_READER_INSTANTIATE(float)
TESSERA_READER_INSTANTIATE(double)
TESSERA_READER_INSTANTIATE(std::int32_t)
TESSERA_READER_INSTANTIATE(std::int64_t)
TESSERA_READER_INSTANTIATE(std::uint8_t)
TESSERA_READER_INSTANTIATE(std::uint64_t)
#undef TESSERA_READER_INSTANTIATE

}  // namespace tessera
