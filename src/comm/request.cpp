// Request completion.
#include "tessera/comm/request.hpp"

#include "tessera/comm/mpi_check.hpp"

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
  const int rc = MPI_Waitall(static_cast<int>(raw.size()), raw.data(), MPI_STATUSES_IGNORE);
  // MPI_Waitall frees the requests it completed, also when it fails: take its view of them.
  for (std::size_t i = 0; i < raw.size(); ++i) *requests[i].handle() = raw[i];
  TESSERA_MPI_CHECK(rc);
}

bool test_all(std::span<Request> requests) {
  std::vector<MPI_Request> raw;
  raw.reserve(requests.size());
  for (auto& r : requests) raw.push_back(*r.handle());
  int done = 0;
  const int rc = MPI_Testall(static_cast<int>(raw.size()), raw.data(), &done, MPI_STATUSES_IGNORE);
  for (std::size_t i = 0; i < raw.size(); ++i) *requests[i].handle() = raw[i];
  TESSERA_MPI_CHECK(rc);
  return done != 0;
}

}  // namespace tessera
