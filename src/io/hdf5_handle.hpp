// RAII for HDF5 identifiers, and checked calls that turn HDF5 failures into RuntimeErrors
// carrying HDF5's own description of what went wrong.
#pragma once

#include <hdf5.h>

#include <exception>
#include <string>
#include <utility>

namespace tessera::h5 {

/// Files left open after a failed parallel write (see Handle::reset). A process holding one
/// cannot finalize MPI safely; run_main ends such a process with MPI_Abort instead.
void note_abandoned_file() noexcept;
int abandoned_files() noexcept;

/// Owns one hid_t and closes it with the matching H5*close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }

  [[nodiscard]] hid_t get() const { return id_; }
  operator hid_t() const { return id_; }  // NOLINT(google-explicit-constructor): reads like a hid_t
  /// Closes now and reports failure (a file's close is where a collective write completes).
  void close();

 private:
  void reset() noexcept {
    // A parallel file whose write failed cannot be closed safely: HDF5's collective close
    // flushes metadata, the flush fails on some ranks only, and the ranks diverge inside HDF5
    // and hang. While an error unwinds, such a file is left open (the job is ending or moving
    // on without it; HDF5's exit-time close is disabled by silence_error_stack()).
    // A file opened read-only has nothing to flush and closes safely.
    const bool abandon = closer_ == &H5Fclose && std::uncaught_exceptions() > 0 && opened_for_writing(id_);
    if (id_ >= 0 && abandon) note_abandoned_file();
    if (id_ >= 0 && closer_ != nullptr && !abandon) closer_(id_);
    id_ = H5I_INVALID_HID;
  }
  static bool opened_for_writing(hid_t file) noexcept {
    unsigned intent = 0;
    return H5Fget_intent(file, &intent) < 0 || (intent & H5F_ACC_RDWR) != 0;
  }
  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Turns off HDF5's automatic error-stack printing (we report errors ourselves) and its
/// close-everything-at-exit hook (which would hang on an abandoned parallel file). Idempotent.
void silence_error_stack();

/// The innermost message on HDF5's current error stack, or "" if none.
std::string last_error();

/// Throws RuntimeError("<what>: <HDF5 message>") when `id` is negative; else wraps it.
Handle check(hid_t id, Handle::Closer closer, const std::string& what);
/// Throws RuntimeError when `status` is negative.
void check(herr_t status, const std::string& what);

Handle file_handle(hid_t id, const std::string& what);
Handle dataset_handle(hid_t id, const std::string& what);
Handle dataspace_handle(hid_t id, const std::string& what);
Handle plist_handle(hid_t id, const std::string& what);
Handle attribute_handle(hid_t id, const std::string& what);
Handle group_handle(hid_t id, const std::string& what);
Handle type_handle(hid_t id, const std::string& what);

}  // namespace tessera::h5
