// TESSERA_MPI_CHECK: turns a failed MPI call into an exception naming the call, file:line and
// MPI_Error_string. Works because our communicators use MPI_ERRORS_RETURN.
#pragma once

#include "tessera/base/error.hpp"

#include <mpi.h>

namespace tessera {

class MpiError : public RuntimeError {
 public:
  MpiError(int mpi_code, const std::string& what) : RuntimeError(what), mpi_code_(mpi_code) {}
  [[nodiscard]] int mpi_code() const { return mpi_code_; }

 private:
  int mpi_code_;
};

[[noreturn]] void throw_mpi_error(int mpi_code, const char* call, const char* file, int line);

}  // namespace tessera

#define TESSERA_MPI_CHECK(call)                                                   \
  do {                                                                            \
    const int tessera_mpi_rc_ = (call);                                           \
    if (tessera_mpi_rc_ != MPI_SUCCESS) {                                         \
      ::tessera::throw_mpi_error(tessera_mpi_rc_, #call, __FILE__, __LINE__);     \
    }                                                                             \
  } while (false)
