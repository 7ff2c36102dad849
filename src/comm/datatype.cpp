// Derived datatypes: creation is checked, and the type is owned from the moment it exists.
#include "tessera/comm/datatype.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/mpi_check.hpp"

#include <limits>
#include <string>

namespace tessera {

Datatype Datatype::contiguous_bytes(std::size_t bytes) {
  if (bytes == 0 || bytes > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw RuntimeError("Datatype::contiguous_bytes: an element of " + std::to_string(bytes) + " bytes");
  }
  Datatype t;
  TESSERA_MPI_CHECK(MPI_Type_contiguous(static_cast<int>(bytes), MPI_BYTE, &t.type_));
  TESSERA_MPI_CHECK(MPI_Type_commit(&t.type_));
  return t;
}

Datatype Datatype::subarray(int dims, const std::array<int, 3>& sizes, const std::array<int, 3>& subsizes,
                            const std::array<int, 3>& starts, MPI_Datatype element) {
  Datatype owned;
  TESSERA_MPI_CHECK(MPI_Type_create_subarray(dims, sizes.data(), subsizes.data(), starts.data(), MPI_ORDER_FORTRAN,
                                             element, &owned.type_));
  TESSERA_MPI_CHECK(MPI_Type_commit(&owned.type_));
  return owned;
}

void Datatype::reset() noexcept {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized && type_ != MPI_DATATYPE_NULL) MPI_Type_free(&type_);
  type_ = MPI_DATATYPE_NULL;
}

}  // namespace tessera
