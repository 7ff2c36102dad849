// Field snapshots for visualization: one HDF5 file per output step plus one XDMF file that
// lists them as a time series, so ParaView and VisIt open the whole run at once. Each file
// describes itself for h5py and pandas users: step, time, the caller's attributes (app,
// version, options), and on every array its dimension names, origin and spacing in storage
// order (slowest first) and the caller's per-array attributes (long_name, units). 2D grids
// are placed in the XY plane (a 3D mesh one cell thick), where ParaView's camera looks.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"
#include "tessera/io/output_file.hpp"

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// A uniform grid: cell (i, j, k) sits at origin + (i, j, k) * spacing (x, y, z order).
struct UniformGrid {
  int dims = 3;
  std::array<std::int64_t, 3> cells{1, 1, 1};
  std::array<double, 3> origin{0.0, 0.0, 0.0};
  std::array<double, 3> spacing{1.0, 1.0, 1.0};

  /// dimension_names ("z", "y", "x" or "y", "x"), origin and spacing in storage order
  /// (slowest first, as the arrays' shapes), for the arrays' attributes.
  [[nodiscard]] OutputAttributes attributes() const;
};

class SnapshotSeries {
 public:
  /// Files go to `directory` as <name>_<step>.h5 and <name>.xdmf. `file_attributes` go on
  /// every file, `array_attributes` on the arrays they name (with the grid's attributes).
  SnapshotSeries(Communicator comm, std::filesystem::path directory, std::string name, UniformGrid grid,
                 OutputAttributes file_attributes = {}, ArrayAttributes array_attributes = {});

  /// Collective: after a restart at `step`, keeps the earlier snapshots in the series and
  /// drops later ones (they are rewritten as the run goes on).
  void resume_at(std::int64_t step);
  /// Collective: writes the arrays (views of the grid) for `step` and updates the XDMF file.
  std::filesystem::path write(std::int64_t step, double time, std::span<const ArrayView> arrays);

  [[nodiscard]] std::filesystem::path xdmf_path() const;

 private:
  struct Entry {
    std::int64_t step;
    double time;
    std::string file;
    std::vector<std::string> arrays;
  };
  void publish() const;  // rank 0: rewrites the XDMF file and the series index
  [[nodiscard]] std::filesystem::path index_path() const;

  Communicator comm_;
  std::filesystem::path directory_;
  std::string name_;
  UniformGrid grid_;
  OutputAttributes file_attributes_;
  ArrayAttributes array_attributes_;
  std::vector<Entry> entries_;
};

}  // namespace tessera
