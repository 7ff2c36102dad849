// Formatting of MPI failures.
#include "tessera/comm/mpi_check.hpp"

#include <sstream>

namespace tessera {

void throw_mpi_error(int mpi_code, const char* call, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  if (MPI_Error_string(mpi_code, text, &length) != MPI_SUCCESS) length = 0;
  std::ostringstream what;
  what << "MPI call failed: " << call << " at " << file << ':' << line << ": "
       << (length > 0 ? std::string(text, static_cast<std::size_t>(length)) : "unknown MPI error")
       << " (code " << mpi_code << ')';
  throw MpiError(mpi_code, what.str());
}

}  // namespace tessera
