// Halo exchange of the faces of a grid block, planned once and run many times. The plan holds
// one committed MPI subarray datatype per face to send and per ghost face to receive, so no
// packing buffers are needed. Split phase: start() posts all receives and sends, finish()
// waits; in between the caller updates cells that do not read ghosts.
#pragma once

#include "tessera/comm/request.hpp"
#include "tessera/grid/cart_decomposition.hpp"
#include "tessera/kernels/grid_layout.hpp"

#include <memory>
#include <span>
#include <vector>

namespace tessera {

class HaloPlan {
 public:
  /// `layout` must be the decomposition's layout with the ghost width to exchange (>= 1, and
  /// no wider than this rank's block in any dimension that has a neighbour).
  HaloPlan(const CartDecomposition& decomposition, const kernels::GridLayout& layout);
  ~HaloPlan();
  HaloPlan(const HaloPlan&) = delete;
  HaloPlan& operator=(const HaloPlan&) = delete;
  HaloPlan(HaloPlan&&) noexcept;
  HaloPlan& operator=(HaloPlan&&) noexcept;

  /// Posts the exchange on `field` (laid out as the plan's layout). Its ghost cells must not be
  /// read, nor its boundary cells written, until finish().
  void start(std::span<double> field);
  void finish();
  void exchange(std::span<double> field) {
    start(field);
    finish();
  }
  [[nodiscard]] bool in_flight() const { return in_flight_; }
  [[nodiscard]] const kernels::GridLayout& layout() const { return layout_; }

 private:
  struct Face;
  Communicator comm_;
  kernels::GridLayout layout_;
  std::vector<Face> faces_;
  std::vector<Request> requests_;
  bool in_flight_ = false;
};

}  // namespace tessera
