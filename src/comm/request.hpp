// Move-only wrapper of a non-blocking MPI request.
#pragma once

#include <mpi.h>

#include <span>
#include <utility>
#include <vector>

namespace tessera {

class Request {
 public:
  Request() = default;
  explicit Request(MPI_Request request) : request_(request) {}
  Request(const Request&) = delete;
  Request& operator=(const Request&) = delete;
  Request(Request&& other) noexcept : request_(std::exchange(other.request_, MPI_REQUEST_NULL)) {}
  Request& operator=(Request&& other) noexcept {
    if (this != &other) {
      release();
      request_ = std::exchange(other.request_, MPI_REQUEST_NULL);
    }
    return *this;
  }
  /// An unfinished request is released, not waited for: waiting here could hang while an
  /// exception unwinds, and the job is about to end in that case anyway.
  ~Request() { release(); }

  [[nodiscard]] bool active() const { return request_ != MPI_REQUEST_NULL; }
  MPI_Request* handle() { return &request_; }
  void wait();

 private:
  void release() noexcept;
  MPI_Request request_ = MPI_REQUEST_NULL;
};

/// Waits for all requests (MPI_Waitall); throws MpiError on failure.
void wait_all(std::span<Request> requests);
/// Drives the requests' progress without blocking (MPI_Testall); true when all completed.
bool test_all(std::span<Request> requests);

}  // namespace tessera
