// Box arithmetic for interior/boundary splits of a rank's block.
#include "tessera/kernels/grid_layout.hpp"

#include <algorithm>

namespace tessera::kernels {

Box shrink(const Box& box, int dims, Index width) {
  Box out = box;
  for (int d = 0; d < dims; ++d) {
    out.lo[d] = box.lo[d] + width;
    out.hi[d] = std::max(out.lo[d], box.hi[d] - width);
  }
  return out;
}

std::vector<Box> shell(const Box& outer, const Box& inner, int dims) {
  std::vector<Box> pieces;
  if (inner.empty()) {
    if (!outer.empty()) pieces.push_back(outer);
    return pieces;
  }
  // Peel slabs dimension by dimension, slowest first: z slabs span the full x-y extent, then
  // y slabs span full x within the remaining z range, then x slabs.
  Box rest = outer;
  for (int d = dims - 1; d >= 0; --d) {
    Box below = rest;
    below.hi[d] = inner.lo[d];
    Box above = rest;
    above.lo[d] = inner.hi[d];
    if (!below.empty()) pieces.push_back(below);
    if (!above.empty()) pieces.push_back(above);
    rest.lo[d] = inner.lo[d];
    rest.hi[d] = inner.hi[d];
  }
  return pieces;
}

Box thread_share(const Box& box, int team, int me) {
  Box share = box;
  const int d = box.hi[2] - box.lo[2] >= team ? 2 : 1;
  const Index extent = box.hi[d] - box.lo[d];
  share.lo[d] = box.lo[d] + extent * me / team;
  share.hi[d] = box.lo[d] + extent * (me + 1) / team;
  return share;
}

}  // namespace tessera::kernels
