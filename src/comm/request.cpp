// Request completion.
#include "src/comm/request.hpp"

#include "src/comm/mpi_check.hpp"

namespace tessera {

void Request::wait() { TESSERA_MPI_CHECK(MPI_Wait(&request_, MPI_STATUS_IGNORE)); }

void Request::release() noexcept {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (request_ != MPI_REQUEST_NULL && !finalized) MPI_Request_free(&request_);
  request_ = MPI_REQUEST_NULL;
}

void wait_all(std::span<Request> requests) {
  std::vector<MPI_Request> raw;
  raw.reserve(requests.size());
  for (auto& r : requests) raw.push_back(*r.handle());
  TESSERA_MPI_CHECK(MPI_Waitall(static_cast<int>(raw.size()), raw.data(), MPI_STATUSES_IGNORE));
  for (auto& r : requests) *r.handle() = MPI_REQUEST_NULL;
}

}  // namespace tessera
