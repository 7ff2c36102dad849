// Snapshot files and the XDMF (version 2) time-series description.
#include "tessera/io/snapshot_series.hpp"

#include "tessera/io/output_file.hpp"

#include "tessera/base/activity.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/io/parallel_file.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

namespace tessera {

namespace fs = std::filesystem;

namespace {

// XDMF lists shapes, origins and spacings slowest first (z y x). A 2D grid is written as a 3D
// mesh of one plane at z = 0: the readers of ParaView and VisIt then place it in the XY plane
// (a 2DCoRectMesh lands in YZ), and the one-plane data item reads the 2D dataset as it is.
// `xyz` in z y x order; in 2D, z (absent) is `flat`.
template <class T>
std::array<T, 3> zyx(const UniformGrid& g, const std::array<T, 3>& xyz, T flat) {
  return {g.dims == 3 ? xyz[2] : flat, xyz[1], xyz[0]};
}

template <class T>
std::string join(const std::array<T, 3>& v) {
  std::ostringstream s;
  s.precision(17);
  s << v[0] << ' ' << v[1] << ' ' << v[2];
  return s.str();
}

}  // namespace

OutputAttributes UniformGrid::attributes() const {
  OutputAttributes a;
  const std::array<const char*, 3> names{"x", "y", "z"};
  for (int d = dims - 1; d >= 0; --d) {
    a.text_lists["dimension_names"].emplace_back(names[static_cast<std::size_t>(d)]);
    a.real_lists["origin"].push_back(origin[static_cast<std::size_t>(d)]);
    a.real_lists["spacing"].push_back(spacing[static_cast<std::size_t>(d)]);
  }
  return a;
}

SnapshotSeries::SnapshotSeries(Communicator comm, fs::path directory, std::string name, UniformGrid grid,
                               OutputAttributes file_attributes, ArrayAttributes array_attributes)
    : comm_(std::move(comm)),
      directory_(std::move(directory)),
      name_(std::move(name)),
      grid_(grid),
      file_attributes_(std::move(file_attributes)),
      array_attributes_(std::move(array_attributes)) {}

fs::path SnapshotSeries::xdmf_path() const { return directory_ / (name_ + ".xdmf"); }
fs::path SnapshotSeries::index_path() const { return directory_ / (name_ + ".series.json"); }

void SnapshotSeries::resume_at(std::int64_t step) {
  entries_.clear();
  std::string text;
  if (comm_.is_root()) {
    std::ifstream in(index_path());
    if (in) {
      std::stringstream buffer;
      buffer << in.rdbuf();
      text = buffer.str();
    }
  }
  text = broadcast(comm_, text, 0);
  if (text.empty()) return;
  try {
    const nlohmann::json index = nlohmann::json::parse(text);
    for (const auto& e : index.at("snapshots")) {
      Entry entry{e.at("step").get<std::int64_t>(), e.at("time").get<double>(), e.at("file").get<std::string>(),
                  e.at("arrays").get<std::vector<std::string>>()};
      if (entry.step <= step) {
        entries_.push_back(std::move(entry));
      } else if (comm_.is_root()) {
        // A later snapshot of an abandoned timeline (a fresh run, or a resume from earlier).
        std::error_code ec;
        std::filesystem::remove(directory_ / entry.file, ec);
      }
    }
  } catch (const nlohmann::json::exception& e) {
    throw RuntimeError("snapshot index " + index_path().string() + " is damaged (" + e.what() +
                           "); delete it to start a new series",
                       true);
  }
}

fs::path SnapshotSeries::write(std::int64_t step, double time, std::span<const ArrayView> arrays) {
  char file_name[96];
  std::snprintf(file_name, sizeof file_name, "%s_%09lld.h5", name_.c_str(), static_cast<long long>(step));
  const fs::path path = directory_ / file_name;
  collective_check(comm_, [&] {
    if (!comm_.is_root()) return;
    std::error_code ec;
    fs::create_directories(directory_, ec);
    if (ec) throw RuntimeError("cannot create output directory " + directory_.string() + ": " + ec.message());
  });
  activity::enter("snapshot write", -1, true);
  collective_check(comm_, [&] {
    h5::Handle file = h5::create_parallel(comm_, path);
    OutputAttributes described = file_attributes_;
    described.integers["step"] = step;
    described.reals["time"] = time;
    write_attributes(file, described);
    for (const auto& a : arrays) {
      h5::Handle dataset = h5::write_array(comm_, file, a);
      OutputAttributes on_array = grid_.attributes();
      if (const auto it = array_attributes_.find(a.name); it != array_attributes_.end()) on_array.merge(it->second);
      write_attributes(dataset, on_array);
    }
    file.close();
  });
  Entry entry{step, time, file_name, {}};
  activity::enter("compute");
  for (const auto& a : arrays) entry.arrays.push_back(a.name);
  std::erase_if(entries_, [&](const Entry& e) { return e.step >= step; });
  entries_.push_back(std::move(entry));
  collective_check(comm_, [&] {
    if (comm_.is_root()) publish();
  });
  return path;
}

void SnapshotSeries::publish() const {
  const std::string shape = join(zyx<std::int64_t>(grid_, grid_.cells, 1));
  const std::string origin = join(zyx(grid_, grid_.origin, 0.0));
  const std::string spacing = join(zyx(grid_, grid_.spacing, 1.0));
  std::ostringstream x;
  x << "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n<Xdmf Version=\"2.0\">\n <Domain>\n"
    << "  <Grid Name=\"" << name_ << "\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
  nlohmann::json index;
  index["snapshots"] = nlohmann::json::array();
  for (const auto& e : entries_) {
    std::ostringstream time;
    time.precision(17);
    time << e.time;
    x << "   <Grid Name=\"step " << e.step << "\" GridType=\"Uniform\">\n"
      << "    <Time Value=\"" << time.str() << "\"/>\n"
      << "    <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"" << shape << "\"/>\n"
      << "    <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
      << "     <DataItem Dimensions=\"3\" Format=\"XML\">" << origin << "</DataItem>\n"
      << "     <DataItem Dimensions=\"3\" Format=\"XML\">" << spacing << "</DataItem>\n    </Geometry>\n";
    for (const auto& a : e.arrays) {
      x << "    <Attribute Name=\"" << a << "\" AttributeType=\"Scalar\" Center=\"Node\">\n"
        << "     <DataItem Dimensions=\"" << shape << "\" NumberType=\"Float\" Precision=\"8\" Format=\"HDF\">"
        << e.file << ":/" << a << "</DataItem>\n    </Attribute>\n";
    }
    x << "   </Grid>\n";
    index["snapshots"].push_back({{"step", e.step}, {"time", e.time}, {"file", e.file}, {"arrays", e.arrays}});
  }
  x << "  </Grid>\n </Domain>\n</Xdmf>\n";
  write_text_atomically(xdmf_path(), x.str());
  write_text_atomically(index_path(), index.dump(1) + "\n");
}

}  // namespace tessera
