// Process grid selection, validation and block placement.
#include "src/domain/cart_decomposition.hpp"

#include "src/comm/mpi_check.hpp"
#include "src/domain/block_partition.hpp"

#include <sstream>

namespace tessera {

namespace {

std::string grid_string(const std::array<int, 3>& grid, int dims) {
  std::string s;
  for (int d = 0; d < dims; ++d) s += (d ? "x" : "") + std::to_string(grid[d]);
  return s;
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
                           std::to_string(spec.proc_grid[d]) + " ranks along dimension " + std::to_string(d) +
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
  TESSERA_MPI_CHECK(MPI_Dims_create(ranks, spec.dims, spec.proc_grid.data()));
  for (int d = 0; d < spec.dims; ++d) {
    if (spec.proc_grid[d] > spec.global[d]) {
      throw UsageError("process grid " + grid_string(spec.proc_grid, spec.dims) + " puts " +
                           std::to_string(spec.proc_grid[d]) + " ranks along dimension " +
                           std::to_string(d) + " which has only " + std::to_string(spec.global[d]) +
                           " cells; use fewer ranks or a larger grid",
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
