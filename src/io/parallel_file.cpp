// Parallel HDF5 plumbing.
#include "tessera/io/parallel_file.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/file_kind.hpp"
#include "tessera/comm/agreement.hpp"

#include <array>
#include <optional>

namespace tessera::h5 {

namespace {

Handle mpio_access(const Communicator& comm) {
  silence_error_stack();
  Handle fapl = plist_handle(H5Pcreate(H5P_FILE_ACCESS), "creating a file access list");
  check(H5Pset_fapl_mpio(fapl, comm.get(), MPI_INFO_NULL), "selecting the MPI-IO driver");
  check(H5Pset_all_coll_metadata_ops(fapl, true), "enabling collective metadata reads");
  check(H5Pset_coll_metadata_write(fapl, true), "enabling collective metadata writes");
  // The 1.8 format keeps a group's links in its object header: the older symbol-table
  // B-tree nodes are written with uninitialised padding, which made files written on
  // different rank counts differ in bytes that no reader sees.
  check(H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST), "selecting the file format");
  return fapl;
}

// Variable-length UTF-8 strings, in files and in memory alike.
Handle string_type() {
  Handle type = type_handle(H5Tcopy(H5T_C_S1), "creating a string type");
  check(H5Tset_size(type, H5T_VARIABLE), "making a variable-length string type");
  check(H5Tset_cset(type, H5T_CSET_UTF8), "setting a string type's character set");
  return type;
}

}  // namespace

Handle collective_transfer() {
  Handle dxpl = plist_handle(H5Pcreate(H5P_DATASET_XFER), "creating a transfer list");
  check(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "selecting collective transfers");
  return dxpl;
}

namespace {

template <class T>
void write_scalar(hid_t object, const std::string& name, hid_t type, const T& value) {
  Handle space = dataspace_handle(H5Screate(H5S_SCALAR), "creating a scalar dataspace");
  Handle attr = attribute_handle(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "creating attribute '" + name + "'");
  check(H5Awrite(attr, type, &value), "writing attribute '" + name + "'");
}

template <class T>
void write_vector(hid_t object, const std::string& name, hid_t type, const std::vector<T>& values) {
  // A zero-length attribute is awkward in HDF5 1.10; an empty list is stored as a null space.
  Handle space = values.empty()
                     ? dataspace_handle(H5Screate(H5S_NULL), "creating a null dataspace")
                     : [&] {
                         const hsize_t n = values.size();
                         return dataspace_handle(H5Screate_simple(1, &n, nullptr), "creating a dataspace");
                       }();
  Handle attr = attribute_handle(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "creating attribute '" + name + "'");
  if (!values.empty()) check(H5Awrite(attr, type, values.data()), "writing attribute '" + name + "'");
}

// A file written by someone else may hold an array where a single value is expected: reading
// it into one value would overrun the buffer.
void require_single_value(hid_t attr, const std::string& name) {
  Handle space = dataspace_handle(H5Aget_space(attr), "reading the shape of attribute '" + name + "'");
  if (H5Sget_simple_extent_npoints(space) != 1) {
    throw RuntimeError("attribute '" + name + "' holds " + std::to_string(H5Sget_simple_extent_npoints(space)) +
                       " values where one is expected");
  }
}

template <class T>
T read_scalar(hid_t object, const std::string& name, hid_t type) {
  Handle attr = attribute_handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute '" + name + "'");
  require_single_value(attr, name);
  T value{};
  check(H5Aread(attr, type, &value), "reading attribute '" + name + "'");
  return value;
}

template <class T>
std::vector<T> read_vector(hid_t object, const std::string& name, hid_t type) {
  Handle attr = attribute_handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute '" + name + "'");
  Handle space = dataspace_handle(H5Aget_space(attr), "reading the shape of attribute '" + name + "'");
  const hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<T> values(n > 0 ? static_cast<std::size_t>(n) : 0);
  if (!values.empty()) check(H5Aread(attr, type, values.data()), "reading attribute '" + name + "'");
  return values;
}

// File and memory selections of a view's block; an empty block selects nothing, and the rank
// still takes part in the collective transfer. A replicated array is written by rank 0 alone
// and read whole by every rank.
struct Selections {
  Handle file_space;
  Handle memory_space;
};

enum class Access { write, read };

Selections select_block(const Communicator& comm, hid_t file_space_id, const ArrayView& view, Access access) {
  Selections s{dataspace_handle(H5Scopy(file_space_id), "copying a dataspace"), Handle()};
  const int r = view.ndims;
  const int first = kMaxDims - r;
  std::array<hsize_t, kMaxDims> mem_shape{};
  std::array<hsize_t, kMaxDims> mem_start{};
  std::array<hsize_t, kMaxDims> file_start{};
  std::array<hsize_t, kMaxDims> count{};
  for (int d = 0; d < r; ++d) {
    mem_shape[d] = static_cast<hsize_t>(view.memory_shape[first + d]);
    mem_start[d] = static_cast<hsize_t>(view.memory_start[first + d]);
    file_start[d] = static_cast<hsize_t>(view.offset[first + d]);
    count[d] = static_cast<hsize_t>(view.count[first + d]);
  }
  s.memory_space = dataspace_handle(H5Screate_simple(r, mem_shape.data(), nullptr), "creating a memory dataspace");
  const bool skip = view.block_size() == 0 ||
                    (view.distribution == Distribution::replicated && access == Access::write && !comm.is_root());
  if (skip) {
    check(H5Sselect_none(s.file_space), "selecting nothing");
    check(H5Sselect_none(s.memory_space), "selecting nothing");
  } else {
    check(H5Sselect_hyperslab(s.file_space, H5S_SELECT_SET, file_start.data(), nullptr, count.data(), nullptr),
          "selecting this rank's block of '" + view.name + "'");
    check(H5Sselect_hyperslab(s.memory_space, H5S_SELECT_SET, mem_start.data(), nullptr, count.data(), nullptr),
          "selecting this rank's block in memory");
  }
  return s;
}

// Turns a per-rank status into an agreed outcome: every rank calls this right after the call
// that may fail on some ranks only.
void agree_on_status(const Communicator& comm, herr_t status, const std::string& what) {
  std::exception_ptr local;
  if (status < 0) {
    const std::string detail = last_error();
    local = std::make_exception_ptr(RuntimeError(what + (detail.empty() ? std::string() : ": " + detail)));
  }
  agree_on_error(comm, local);
}

}  // namespace

hid_t native_type(ElementType type) {
  switch (type) {
    case ElementType::f32: return H5T_NATIVE_FLOAT;
    case ElementType::f64: return H5T_NATIVE_DOUBLE;
    case ElementType::i32: return H5T_NATIVE_INT32;
    case ElementType::i64: return H5T_NATIVE_INT64;
    case ElementType::u8: return H5T_NATIVE_UINT8;
    case ElementType::u64: return H5T_NATIVE_UINT64;
  }
  return H5T_NATIVE_DOUBLE;
}

std::optional<ElementType> element_type(hid_t file_type) {
  const H5T_class_t cls = H5Tget_class(file_type);
  const std::size_t size = H5Tget_size(file_type);
  if (cls == H5T_FLOAT) {
    // Only IEEE binary32/binary64 (HDF5 also knows 16-bit and custom floats).
    if (size == 4 && H5Tget_precision(file_type) == 32) return ElementType::f32;
    if (size == 8 && H5Tget_precision(file_type) == 64) return ElementType::f64;
    return std::nullopt;
  }
  if (cls == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(file_type) == H5T_SGN_2;
    if (is_signed && size == 4) return ElementType::i32;
    if (is_signed && size == 8) return ElementType::i64;
    if (!is_signed && size == 1) return ElementType::u8;
    if (!is_signed && size == 8) return ElementType::u64;
  }
  return std::nullopt;
}

std::string describe_type(hid_t file_type) {
  if (const auto t = element_type(file_type)) return std::string(kernels::type_name(*t));
  const std::size_t bits = 8 * H5Tget_size(file_type);
  switch (H5Tget_class(file_type)) {
    case H5T_INTEGER:
      return std::string(H5Tget_sign(file_type) == H5T_SGN_2 ? "int" : "uint") + std::to_string(bits);
    case H5T_FLOAT: return "float" + std::to_string(bits);
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    case H5T_ENUM: return "enum values";
    case H5T_ARRAY: return "array elements";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_BITFIELD: return "bit fields";
    case H5T_OPAQUE: return "opaque data";
    case H5T_REFERENCE: return "references";
    default: return "an unknown type";
  }
}

Handle create_parallel(const Communicator& comm, const std::filesystem::path& path) {
  Handle fapl = mpio_access(comm);
  // No creation times on the root group either: a file's bytes depend on its content only.
  Handle fcpl = plist_handle(H5Pcreate(H5P_FILE_CREATE), "creating a file creation list");
  check(H5Pset_obj_track_times(fcpl, false), "turning off object times");
  return file_handle(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl, fapl),
                     "cannot create HDF5 file " + path.string());
}

Handle open_parallel(const Communicator& comm, const std::filesystem::path& path) {
  require_regular_file(path, "HDF5 file");
  Handle fapl = mpio_access(comm);
  return file_handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl), "cannot open HDF5 file " + path.string());
}

void write_attribute(hid_t object, const std::string& name, const std::string& value) {
  // Variable-length UTF-8: h5py returns these as str (fixed-length ones come back as bytes).
  Handle type = string_type();
  Handle space = dataspace_handle(H5Screate(H5S_SCALAR), "creating a scalar dataspace");
  Handle attr = attribute_handle(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "creating attribute '" + name + "'");
  const char* text = value.c_str();
  check(H5Awrite(attr, type, &text), "writing attribute '" + name + "'");
}

void write_attribute(hid_t object, const std::string& name, const std::vector<std::string>& values) {
  Handle type = string_type();
  const hsize_t count = values.size();
  Handle space = dataspace_handle(H5Screate_simple(1, &count, nullptr), "creating a string-list dataspace");
  Handle attr = attribute_handle(H5Acreate2(object, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                                 "creating attribute '" + name + "'");
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  check(H5Awrite(attr, type, texts.data()), "writing attribute '" + name + "'");
}

void write_attribute(hid_t object, const std::string& name, double value) {
  write_scalar(object, name, H5T_NATIVE_DOUBLE, value);
}
void write_attribute(hid_t object, const std::string& name, std::int64_t value) {
  write_scalar(object, name, H5T_NATIVE_INT64, value);
}
void write_attribute(hid_t object, const std::string& name, std::uint64_t value) {
  write_scalar(object, name, H5T_NATIVE_UINT64, value);
}
void write_attribute(hid_t object, const std::string& name, const std::vector<double>& values) {
  write_vector(object, name, H5T_NATIVE_DOUBLE, values);
}
void write_attribute(hid_t object, const std::string& name, const std::vector<std::int64_t>& values) {
  write_vector(object, name, H5T_NATIVE_INT64, values);
}
void write_attribute(hid_t object, const std::string& name, const std::vector<std::uint64_t>& values) {
  write_vector(object, name, H5T_NATIVE_UINT64, values);
}

bool has_attribute(hid_t object, const std::string& name) { return H5Aexists(object, name.c_str()) > 0; }

std::string read_string_attribute(hid_t object, const std::string& name) {
  Handle attr = attribute_handle(H5Aopen(object, name.c_str(), H5P_DEFAULT), "opening attribute '" + name + "'");
  require_single_value(attr, name);
  Handle type = type_handle(H5Aget_type(attr), "reading the type of attribute '" + name + "'");
  if (H5Tget_class(type) != H5T_STRING) throw RuntimeError("attribute '" + name + "' is not a string");
  if (H5Tis_variable_str(type) > 0) {
    // Read in the attribute's own character set (ASCII or UTF-8): HDF5 converts neither way.
    char* text = nullptr;
    check(H5Aread(attr, type, &text), "reading attribute '" + name + "'");
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  // Fixed-length strings: files written before format 2's string attributes.
  std::string value(H5Tget_size(type), '\0');
  check(H5Aread(attr, type, value.data()), "reading attribute '" + name + "'");
  value.resize(value.find('\0') == std::string::npos ? value.size() : value.find('\0'));
  return value;
}

double read_double_attribute(hid_t object, const std::string& name) {
  return read_scalar<double>(object, name, H5T_NATIVE_DOUBLE);
}
std::int64_t read_int64_attribute(hid_t object, const std::string& name) {
  return read_scalar<std::int64_t>(object, name, H5T_NATIVE_INT64);
}
std::uint64_t read_uint64_attribute(hid_t object, const std::string& name) {
  return read_scalar<std::uint64_t>(object, name, H5T_NATIVE_UINT64);
}
std::vector<std::int64_t> read_int64_array_attribute(hid_t object, const std::string& name) {
  return read_vector<std::int64_t>(object, name, H5T_NATIVE_INT64);
}
std::vector<std::uint64_t> read_uint64_array_attribute(hid_t object, const std::string& name) {
  return read_vector<std::uint64_t>(object, name, H5T_NATIVE_UINT64);
}

Handle write_array(const Communicator& comm, hid_t parent, const ArrayView& view) {
  const std::vector<std::int64_t> global = view.shape();
  const std::vector<hsize_t> shape(global.begin(), global.end());
  Handle space = dataspace_handle(H5Screate_simple(view.ndims, shape.data(), nullptr), "creating a file dataspace");
  const hid_t type = native_type(view.type);
  // Space allocated at creation and never pre-filled (every element is written next), set
  // explicitly: parallel HDF5 picks these itself for more than one rank only, and the file
  // should not depend on the rank count that wrote it.
  Handle create = plist_handle(H5Pcreate(H5P_DATASET_CREATE), "creating a dataset creation list");
  check(H5Pset_alloc_time(create, H5D_ALLOC_TIME_EARLY), "setting early allocation");
  check(H5Pset_fill_time(create, H5D_FILL_TIME_NEVER), "turning off fill values");
  // No modification times either: the same data make the same bytes.
  check(H5Pset_obj_track_times(create, false), "turning off object times");
  Handle dataset = dataset_handle(
      H5Dcreate2(parent, view.name.c_str(), type, space, H5P_DEFAULT, create, H5P_DEFAULT),
      "creating dataset '" + view.name + "'");
  // An empty array (a sort of no keys) has no storage to write to; the same on every rank.
  if (view.global_size() == 0) return dataset;
  Selections sel = select_block(comm, space, view, Access::write);
  Handle dxpl = collective_transfer();
  agree_on_status(comm, H5Dwrite(dataset, type, sel.memory_space, sel.file_space, dxpl, view.data),
                  "writing dataset '" + view.name + "'");
  return dataset;
}

std::vector<std::int64_t> dataset_shape(hid_t parent, const std::string& name) {
  Handle dataset = dataset_handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset '" + name + "'");
  Handle space = dataspace_handle(H5Dget_space(dataset), "reading the shape of '" + name + "'");
  const int r = H5Sget_simple_extent_ndims(space);
  if (r < 1 || r > kMaxDims) {
    throw RuntimeError("dataset '" + name + "' has " + std::to_string(r) + " dimensions; tessera reads 1 to 4");
  }
  std::array<hsize_t, kMaxDims> dims{};
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return {dims.begin(), dims.begin() + r};
}

std::optional<ElementType> dataset_type(hid_t parent, const std::string& name) {
  Handle dataset = dataset_handle(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), "opening dataset '" + name + "'");
  Handle type = type_handle(H5Dget_type(dataset), "reading the type of '" + name + "'");
  return element_type(type);
}

void read_array(const Communicator& comm, hid_t parent, const ArrayView& view) {
  if (H5Lexists(parent, view.name.c_str(), H5P_DEFAULT) <= 0) {
    throw RuntimeError("dataset '" + view.name + "' is missing");
  }
  const std::vector<std::int64_t> shape = dataset_shape(parent, view.name);
  if (shape != view.shape()) {
    throw RuntimeError("dataset '" + view.name + "' has global shape " + shape_string(shape) + " but " +
                       shape_string(view.shape()) + " is expected");
  }
  Handle dataset = dataset_handle(H5Dopen2(parent, view.name.c_str(), H5P_DEFAULT), "opening dataset '" + view.name + "'");
  {
    // Reading through a type conversion would make HDF5 fall back to independent I/O, and
    // would hide a file that does not hold what the caller expects: the types must match.
    Handle file_type = type_handle(H5Dget_type(dataset), "reading the type of '" + view.name + "'");
    const auto stored = element_type(file_type);
    if (stored != view.type) {
      throw RuntimeError("dataset '" + view.name + "' holds " + describe_type(file_type) + ", not " +
                         std::string(kernels::type_name(view.type)));
    }
  }
  if (view.global_size() == 0) return;  // nothing stored, on every rank alike
  Handle space = dataspace_handle(H5Dget_space(dataset), "reading the shape of '" + view.name + "'");
  Selections sel = select_block(comm, space, view, Access::read);
  Handle dxpl = collective_transfer();
  agree_on_status(comm, H5Dread(dataset, native_type(view.type), sel.memory_space, sel.file_space, dxpl, view.data),
                  "reading dataset '" + view.name + "'");
}

void sync_file(const Communicator& comm, hid_t file, const std::string& what) {
  agree_on_status(comm, H5Fflush(file, H5F_SCOPE_GLOBAL), what);
}

}  // namespace tessera::h5
