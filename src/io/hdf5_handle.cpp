// HDF5 handle closing and error-stack reading.
#include "tessera/io/hdf5_handle.hpp"

#include "tessera/base/error.hpp"

#include <atomic>

namespace tessera::h5 {

void Handle::close() {
  if (id_ < 0 || closer_ == nullptr) return;
  const herr_t status = closer_(std::exchange(id_, H5I_INVALID_HID));
  check(status, "closing an HDF5 object");
}

namespace {
std::atomic<int> g_abandoned{0};
}  // namespace

void note_abandoned_file() noexcept { g_abandoned.fetch_add(1); }
int abandoned_files() noexcept { return g_abandoned.load(); }

void silence_error_stack() {
  static const bool once = [] {
    H5dont_atexit();  // must come before any other HDF5 call to take effect
    return true;
  }();
  (void)once;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {
herr_t keep_innermost(unsigned n, const H5E_error2_t* error, void* out) {
  if (n == 0 && error->desc != nullptr) {
    *static_cast<std::string*>(out) = std::string(error->desc) + " (in " + error->func_name + ")";
  }
  return 0;
}
}  // namespace

std::string last_error() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &message);
  return message;
}

Handle check(hid_t id, Handle::Closer closer, const std::string& what) {
  if (id < 0) {
    const std::string detail = last_error();
    throw RuntimeError(what + (detail.empty() ? std::string() : ": " + detail));
  }
  return Handle(id, closer);
}

void check(herr_t status, const std::string& what) {
  if (status < 0) {
    const std::string detail = last_error();
    throw RuntimeError(what + (detail.empty() ? std::string() : ": " + detail));
  }
}

Handle file_handle(hid_t id, const std::string& what) { return check(id, H5Fclose, what); }
Handle dataset_handle(hid_t id, const std::string& what) { return check(id, H5Dclose, what); }
Handle dataspace_handle(hid_t id, const std::string& what) { return check(id, H5Sclose, what); }
Handle plist_handle(hid_t id, const std::string& what) { return check(id, H5Pclose, what); }
Handle attribute_handle(hid_t id, const std::string& what) { return check(id, H5Aclose, what); }
Handle group_handle(hid_t id, const std::string& what) { return check(id, H5Gclose, what); }
Handle type_handle(hid_t id, const std::string& what) { return check(id, H5Tclose, what); }

}  // namespace tessera::h5
