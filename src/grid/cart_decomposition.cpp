// Process grid selection, validation and block placement.
#include "tessera/grid/cart_decomposition.hpp"

#include "tessera/comm/mpi_check.hpp"
#include "tessera/domain/block_partition.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

namespace tessera {

namespace {

std::string grid_string(const std::array<int, 3>& grid, int dims) {
  std::string s;
  for (int d = 0; d < dims; ++d) s += (d ? "x" : "") + std::to_string(grid[d]);
  return s;
}

// Halo cells of the largest block: the faces it exchanges in dimensions split over ranks.
std::int64_t halo_surface(const CartSpec& spec, const std::array<int, 3>& grid) {
  std::array<std::int64_t, 3> block{1, 1, 1};
  for (int d = 0; d < spec.dims; ++d) block[d] = (spec.global[d] + grid[d] - 1) / grid[d];
  std::int64_t surface = 0;
  for (int d = 0; d < spec.dims; ++d) {
    if (grid[d] > 1) surface += 2 * block[0] * block[1] * block[2] / block[d];
  }
  return surface;
}

// Fills the 0 entries of spec.proc_grid so that the grid has `ranks` ranks, no dimension more
// ranks than cells if possible, and the smallest halo surface; among equals, more ranks go to
// slower dimensions (z before y before x), whose faces are contiguous in memory. Unlike
// MPI_Dims_create this looks at the grid's shape: 3 ranks on 2x9x5 cells give 1x3x1, not 3x1x1.
std::array<int, 3> choose_proc_grid(const CartSpec& spec, int ranks) {
  std::array<int, 3> best = spec.proc_grid;
  bool found = false;
  bool best_fits = false;
  std::int64_t best_surface = 0;
  std::array<int, 3> grid = spec.proc_grid;
  int free_ranks = ranks;
  for (int d = 0; d < spec.dims; ++d) free_ranks /= spec.proc_grid[d] != 0 ? spec.proc_grid[d] : 1;
  std::vector<int> divisors;
  for (int f = 1; f <= free_ranks; ++f) {
    if (static_cast<long long>(f) * f > free_ranks) break;
    if (free_ranks % f == 0) {
      divisors.push_back(f);
      if (f != free_ranks / f) divisors.push_back(free_ranks / f);
    }
  }
  const auto consider = [&] {
    bool fits = true;
    for (int d = 0; d < spec.dims; ++d) fits = fits && grid[d] <= spec.global[d];
    const std::int64_t surface = halo_surface(spec, grid);
    const bool better = !found || (fits && !best_fits) ||
                        (fits == best_fits && (surface < best_surface ||
                                               (surface == best_surface &&
                                                std::lexicographical_compare(best.rbegin(), best.rend(), grid.rbegin(),
                                                                             grid.rend()))));
    if (better) {
      best = grid;
      best_surface = surface;
      best_fits = fits;
      found = true;
    }
  };
  const auto search = [&](const auto& self, int d, int remaining) -> void {
    if (d == spec.dims) {
      if (remaining == 1) consider();
      return;
    }
    if (spec.proc_grid[d] != 0) {  // fixed by the user, already divided out
      self(self, d + 1, remaining);
      return;
    }
    for (const int f : divisors) {
      if (remaining % f != 0) continue;
      grid[d] = f;
      self(self, d + 1, remaining / f);
    }
    grid[d] = 0;
  };
  search(search, 0, free_ranks);
  if (!found) {
    throw UsageError("process grid " + grid_string(spec.proc_grid, spec.dims) + " cannot be completed to " +
                         std::to_string(ranks) + " ranks; change --proc-grid or the rank count",
                     true);
  }
  return best;
}

// Every check depends only on the spec and the rank count, so all ranks agree without talking.
CartSpec complete_spec(CartSpec spec, int ranks) {
  if (spec.dims != 2 && spec.dims != 3) {
    throw UsageError("grid dimension must be 2 or 3, got " + std::to_string(spec.dims), true);
  }
  for (int d = 0; d < spec.dims; ++d) {
    if (spec.global[d] < 1) {
      throw UsageError("global grid size in dimension " + std::to_string(d) + " must be at least 1, got " +
                           std::to_string(spec.global[d]),
                       true);
    }
    if (spec.proc_grid[d] < 0) {
      throw UsageError("process grid entries must be >= 0 (0 = choose), got " + grid_string(spec.proc_grid, spec.dims), true);
    }
  }
  for (int d = spec.dims; d < 3; ++d) {
    spec.global[d] = 1;
    spec.proc_grid[d] = 1;
    spec.periodic[d] = false;
  }
  long long fixed = 1;  // wide: a product of user-given entries may overflow int
  for (int d = 0; d < spec.dims; ++d) {
    if (spec.proc_grid[d] > ranks) {
      throw UsageError("process grid " + grid_string(spec.proc_grid, spec.dims) + " asks for " +
                           std::to_string(spec.proc_grid[d]) + " ranks along " + "xyz"[d] +
                           " but the job has " + std::to_string(ranks),
                       true);
    }
    fixed *= spec.proc_grid[d] > 0 ? spec.proc_grid[d] : 1;
  }
  if (ranks % fixed != 0) {
    throw UsageError("process grid " + grid_string(spec.proc_grid, spec.dims) + " does not fit " +
                         std::to_string(ranks) + " ranks: the product of its fixed entries (" +
                         std::to_string(fixed) + ") must divide the rank count; use --proc-grid with " +
                         "entries multiplying to " + std::to_string(ranks) + " or 0 entries to choose",
                     true);
  }
  int free_entries = 0;
  for (int d = 0; d < spec.dims; ++d) free_entries += spec.proc_grid[d] == 0 ? 1 : 0;
  if (free_entries == 0 && fixed != ranks) {
    throw UsageError("process grid " + grid_string(spec.proc_grid, spec.dims) + " has " +
                         std::to_string(fixed) + " ranks but the job has " + std::to_string(ranks) +
                         "; launch with " + std::to_string(fixed) + " ranks or change --proc-grid",
                     true);
  }
  spec.proc_grid = choose_proc_grid(spec, ranks);
  for (int d = 0; d < spec.dims; ++d) {
    if (spec.proc_grid[d] > spec.global[d]) {
      throw UsageError("process grid " + grid_string(spec.proc_grid, spec.dims) + " puts " +
                           std::to_string(spec.proc_grid[d]) + " ranks along " + "xyz"[d] + ", which has only " +
                           std::to_string(spec.global[d]) + (spec.global[d] == 1 ? " cell" : " cells") +
                           "; use fewer ranks or a larger grid",
                       true);
    }
  }
  return spec;
}

}  // namespace

CartDecomposition::CartDecomposition(const Communicator& comm, const CartSpec& spec)
    : spec_(complete_spec(spec, comm.size())), cart_(Communicator::adopt(MPI_COMM_NULL)) {
  std::array<int, 3> periods{};
  for (int d = 0; d < 3; ++d) periods[d] = spec_.periodic[d] ? 1 : 0;
  MPI_Comm cart = MPI_COMM_NULL;
  // reorder = 0: rank numbers stay those of `comm`, so logs and rank-based tests keep meaning.
  TESSERA_MPI_CHECK(MPI_Cart_create(comm.get(), spec_.dims, spec_.proc_grid.data(), periods.data(), 0, &cart));
  cart_ = Communicator::adopt(cart);
  TESSERA_MPI_CHECK(MPI_Cart_coords(cart, cart_.rank(), spec_.dims, coords_.data()));
  for (int d = 0; d < 3; ++d) {
    const BlockPartition part(spec_.global[d], spec_.proc_grid[d]);
    offset_[d] = part.offset(coords_[d]);
    count_[d] = part.count(coords_[d]);
    neighbors_[d] = {MPI_PROC_NULL, MPI_PROC_NULL};
    if (d < spec_.dims) {
      TESSERA_MPI_CHECK(MPI_Cart_shift(cart, d, 1, &neighbors_[d][0], &neighbors_[d][1]));
    }
  }
}

int CartDecomposition::neighbor(int dim, int side) const { return neighbors_[dim][side > 0 ? 1 : 0]; }

kernels::GridLayout CartDecomposition::layout(int ghost) const {
  return kernels::GridLayout{spec_.dims, count_, ghost};
}

std::string CartDecomposition::proc_grid_string() const { return grid_string(spec_.proc_grid, spec_.dims); }

std::array<int, 3> parse_proc_grid(const std::string& text, int dims) {
  std::array<int, 3> grid{0, 0, 0};
  if (text.empty()) return grid;
  std::istringstream in(text);
  std::string item;
  int d = 0;
  while (std::getline(in, item, 'x')) {
    std::size_t used = 0;
    int value = -1;
    try {
      value = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (d >= dims || used != item.size() || value < 0) {
      throw UsageError("--proc-grid '" + text + "' is not a process grid for " + std::to_string(dims) +
                       " dimensions; write " + (dims == 2 ? "PxQ, e.g. 2x2" : "PxQxR, e.g. 2x2x1") +
                       " (0 = choose)");
    }
    grid[d++] = value;
  }
  if (d != dims) {
    throw UsageError("--proc-grid '" + text + "' has " + std::to_string(d) + " entries but the grid has " +
                     std::to_string(dims) + " dimensions");
  }
  return grid;
}

}  // namespace tessera
