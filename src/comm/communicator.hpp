// Communicator as a value: shares ownership of an MPI_Comm that tessera duplicated or created,
// frees it when the last copy goes, and sets MPI_ERRORS_RETURN so failures become exceptions.
#pragma once

#include <mpi.h>

#include <memory>

namespace tessera {

class Communicator {
 public:
  /// A duplicate of `comm` owned by the returned object (collective over `comm`).
  static Communicator duplicate(MPI_Comm comm);
  /// Takes ownership of a communicator tessera just created (e.g. by MPI_Cart_create).
  static Communicator adopt(MPI_Comm comm);

  [[nodiscard]] MPI_Comm get() const { return *handle_; }
  [[nodiscard]] int rank() const { return rank_; }
  [[nodiscard]] int size() const { return size_; }
  [[nodiscard]] bool is_root() const { return rank_ == 0; }

  void barrier() const;
  /// MPI_Comm_split; ranks passing MPI_UNDEFINED get an invalid communicator (valid() false).
  [[nodiscard]] Communicator split(int color, int key) const;
  [[nodiscard]] bool valid() const { return handle_ && *handle_ != MPI_COMM_NULL; }

 private:
  explicit Communicator(MPI_Comm owned);
  std::shared_ptr<MPI_Comm> handle_;
  int rank_ = -1;  // -1 and 0 for MPI_COMM_NULL
  int size_ = 0;
};

}  // namespace tessera
