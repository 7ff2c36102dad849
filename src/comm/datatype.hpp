// Datatype: an owned, committed MPI derived datatype, freed when the object goes (or never, if
// MPI is already finalized). Plans that build several types (one per halo face) hold them as
// values, so an exception half-way through building a plan leaks none.
#pragma once

#include <mpi.h>

#include <array>
#include <utility>

namespace tessera {

class Datatype {
 public:
  Datatype() = default;
  Datatype(const Datatype&) = delete;
  Datatype& operator=(const Datatype&) = delete;
  Datatype(Datatype&& other) noexcept : type_(std::exchange(other.type_, MPI_DATATYPE_NULL)) {}
  Datatype& operator=(Datatype&& other) noexcept {
    if (this != &other) {
      reset();
      type_ = std::exchange(other.type_, MPI_DATATYPE_NULL);
    }
    return *this;
  }
  ~Datatype() { reset(); }

  /// A committed type of `bytes` contiguous bytes (an element of any width as one MPI element).
  static Datatype contiguous_bytes(std::size_t bytes);
  /// A committed subarray of a `dims`-dimensional array of `element` (MPI_ORDER_FORTRAN: the
  /// first extent is the fastest in memory).
  static Datatype subarray(int dims, const std::array<int, 3>& sizes, const std::array<int, 3>& subsizes,
                           const std::array<int, 3>& starts, MPI_Datatype element);

  [[nodiscard]] MPI_Datatype get() const { return type_; }

 private:
  void reset() noexcept;
  MPI_Datatype type_ = MPI_DATATYPE_NULL;
};

}  // namespace tessera
