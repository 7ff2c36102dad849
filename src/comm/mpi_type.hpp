// Compile-time mapping from C++ arithmetic types to MPI datatypes.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <type_traits>

namespace tessera {

template <class T>
MPI_Datatype mpi_type() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, double>) return MPI_DOUBLE;
  else if constexpr (std::is_same_v<U, float>) return MPI_FLOAT;
  else if constexpr (std::is_same_v<U, char>) return MPI_CHAR;
  else if constexpr (std::is_same_v<U, signed char>) return MPI_SIGNED_CHAR;
  else if constexpr (std::is_same_v<U, unsigned char>) return MPI_UNSIGNED_CHAR;
  else if constexpr (std::is_same_v<U, short>) return MPI_SHORT;
  else if constexpr (std::is_same_v<U, int>) return MPI_INT;
  else if constexpr (std::is_same_v<U, unsigned>) return MPI_UNSIGNED;
  else if constexpr (std::is_same_v<U, long>) return MPI_LONG;
  // Open MPI 4.1.4 (Debian 12) reduces MPI_UNSIGNED_LONG with MPI_MIN/MPI_MAX as if signed
  // (0xfff0... "below" 0x4025...); the fixed-width type of the same size reduces correctly.
  else if constexpr (std::is_same_v<U, unsigned long>) return sizeof(unsigned long) == 8 ? MPI_UINT64_T : MPI_UINT32_T;
  else if constexpr (std::is_same_v<U, long long>) return MPI_LONG_LONG;
  else if constexpr (std::is_same_v<U, unsigned long long>) return MPI_UNSIGNED_LONG_LONG;
  else static_assert(sizeof(T) == 0, "tessera::mpi_type: no MPI datatype for this type");
}

}  // namespace tessera
