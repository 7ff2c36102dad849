// RAII MPI environment: MPI_Init_thread with FUNNELED (checked) on construction, MPI_Finalize
// on destruction. Apps keep everything MPI inside an inner scope so it is gone before finalize.
#pragma once

#include "tessera/comm/communicator.hpp"

namespace tessera {

class Environment {
 public:
  Environment(int& argc, char**& argv, int required_thread_level = MPI_THREAD_FUNNELED);
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;
  Environment(Environment&&) = delete;
  Environment& operator=(Environment&&) = delete;

  /// Our own duplicate of MPI_COMM_WORLD (errors return).
  [[nodiscard]] const Communicator& world() const { return world_; }
  [[nodiscard]] int thread_level() const { return provided_; }

 private:
  int provided_ = MPI_THREAD_SINGLE;
  Communicator world_;
};

}  // namespace tessera
