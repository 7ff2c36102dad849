// Halo plan construction (subarray datatypes per face) and the non-blocking exchange.
#include "tessera/grid/halo_exchange.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/base/fault_injection.hpp"
#include "tessera/comm/datatype.hpp"
#include "tessera/comm/mpi_check.hpp"

#include <string>

namespace tessera {

struct HaloPlan::Face {
  int neighbor = MPI_PROC_NULL;
  int send_tag = 0;
  int recv_tag = 0;
  Datatype send_type;
  Datatype recv_type;
};

namespace {

// Subarray of the local array (with ghosts) covering `start`/`size` per used dimension, in
// Fortran order because x is fastest in memory.
Datatype make_subarray(const kernels::GridLayout& layout, const std::array<int, 3>& start,
                       const std::array<int, 3>& size) {
  std::array<int, 3> sizes{};
  for (int d = 0; d < 3; ++d) sizes[d] = static_cast<int>(layout.extent(d));
  return Datatype::subarray(layout.dims, sizes, size, start, MPI_DOUBLE);
}

}  // namespace

HaloPlan::HaloPlan(const CartDecomposition& decomposition, const kernels::GridLayout& layout)
    : comm_(decomposition.comm()), layout_(layout) {
  const int g = layout.ghost;
  if (g < 1) throw UsageError("halo width must be at least 1, got " + std::to_string(g));
  for (int d = 0; d < layout.dims; ++d) {
    for (int side : {-1, +1}) {
      Face face;
      face.neighbor = decomposition.neighbor(d, side);
      // Judged on the narrowest block of the dimension, so every rank reaches the same verdict.
      const std::int64_t narrowest = decomposition.global()[d] / decomposition.proc_grid()[d];
      const bool has_neighbours = decomposition.proc_grid()[d] > 1 || decomposition.periodic()[d];
      if (has_neighbours && narrowest < g) {
        throw UsageError("halo width " + std::to_string(g) + " is wider than the narrowest block (" +
                             std::to_string(narrowest) + " cells in dimension " + std::to_string(d) +
                             "); use fewer ranks along that dimension or a larger grid",
                         true);
      }
      // A face spans the interior of the other dimensions (faces only, no edges or corners).
      std::array<int, 3> size{};
      std::array<int, 3> send_start{};
      std::array<int, 3> recv_start{};
      for (int e = 0; e < 3; ++e) {
        size[e] = static_cast<int>(layout.n[e]);
        send_start[e] = recv_start[e] = static_cast<int>(layout.ghost_in(e));
      }
      size[d] = g;
      send_start[d] = side < 0 ? g : static_cast<int>(layout.n[d]);        // own cells next to the face
      recv_start[d] = side < 0 ? 0 : static_cast<int>(layout.n[d]) + g;    // ghost layers beyond it
      // Tag by direction of travel, so two faces to the same neighbour (periodic, 2 ranks)
      // cannot be confused: data sent towards +d is received from the -d side.
      face.send_tag = 2 * d + (side > 0 ? 1 : 0);
      face.recv_tag = 2 * d + (side > 0 ? 0 : 1);
      face.send_type = make_subarray(layout, send_start, size);
      face.recv_type = make_subarray(layout, recv_start, size);
      faces_.push_back(std::move(face));
    }
  }
  requests_.resize(2 * faces_.size());
}

HaloPlan::~HaloPlan() = default;
HaloPlan::HaloPlan(HaloPlan&&) noexcept = default;
HaloPlan& HaloPlan::operator=(HaloPlan&&) noexcept = default;

void HaloPlan::start(std::span<double> field) {
  fault::point(fault::Site::halo);
  if (in_flight_) throw RuntimeError("HaloPlan::start called while an exchange is in flight; call finish() first");
  if (static_cast<kernels::Index>(field.size()) != layout_.size()) {
    throw RuntimeError("HaloPlan::start: field has " + std::to_string(field.size()) +
                       " values but the plan's layout needs " + std::to_string(layout_.size()));
  }
  std::size_t r = 0;
  for (auto& face : faces_) {
    TESSERA_MPI_CHECK(MPI_Irecv(field.data(), 1, face.recv_type.get(), face.neighbor, face.recv_tag,
                                comm_.get(), requests_[r++].handle()));
  }
  for (auto& face : faces_) {
    TESSERA_MPI_CHECK(MPI_Isend(field.data(), 1, face.send_type.get(), face.neighbor, face.send_tag,
                                comm_.get(), requests_[r++].handle()));
  }
  in_flight_ = true;
}

void HaloPlan::finish() {
  if (!in_flight_) return;
  in_flight_ = false;
  int peer = -1;
  for (const auto& face : faces_) {
    if (face.neighbor != MPI_PROC_NULL && (peer < 0 || face.neighbor < peer)) peer = face.neighbor;
  }
  const activity::Scope doing("halo exchange", peer);
  wait_all(requests_);
}

}  // namespace tessera
