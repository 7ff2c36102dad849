// Result files: write to PATH.partial, close, rename.
#include "tessera/io/output_file.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/io/parallel_file.hpp"
#include "tessera/version.hpp"

#include <fstream>

namespace tessera {

namespace fs = std::filesystem;

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw RuntimeError("cannot write " + partial.string());
  }
  std::error_code ec;
  std::filesystem::rename(partial, path, ec);
  if (ec) throw RuntimeError("cannot rename " + partial.string() + " to " + path.string() + ": " + ec.message());
}

void write_file_atomically(const Communicator& comm, const fs::path& path, const std::function<void(hid_t file)>& write) {
  const fs::path partial = path.string() + ".partial";
  collective_check(comm, [&] {
    if (!comm.is_root() || !path.has_parent_path()) return;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw RuntimeError("cannot create directory " + path.parent_path().string() + ": " + ec.message());
  });
  collective_check(comm, [&] {
    h5::Handle file = h5::create_parallel(comm, partial);
    write(file);
    file.close();
  });
  collective_check(comm, [&] {
    if (!comm.is_root()) return;
    std::error_code ec;
    fs::rename(partial, path, ec);
    if (ec) throw RuntimeError("cannot rename " + partial.string() + " to " + path.string() + ": " + ec.message());
  });
}

OutputAttributes OutputAttributes::provenance(const std::string& app, const std::string& options_json) {
  OutputAttributes a;
  a.text = {{"app", app}, {"tessera_version", kVersion}, {"git_revision", revision_tag()}};
  if (!options_json.empty()) a.text["options"] = options_json;
  return a;
}

OutputAttributes OutputAttributes::quantity(const std::string& long_name, const std::string& units,
                                            std::vector<std::string> dimension_names) {
  OutputAttributes a;
  a.text = {{"long_name", long_name}, {"units", units}};
  if (!dimension_names.empty()) a.text_lists["dimension_names"] = std::move(dimension_names);
  return a;
}

OutputAttributes& OutputAttributes::merge(const OutputAttributes& other) {
  for (const auto& [k, v] : other.text) text[k] = v;
  for (const auto& [k, v] : other.reals) reals[k] = v;
  for (const auto& [k, v] : other.integers) integers[k] = v;
  for (const auto& [k, v] : other.text_lists) text_lists[k] = v;
  for (const auto& [k, v] : other.real_lists) real_lists[k] = v;
  return *this;
}

void write_attributes(hid_t object, const OutputAttributes& attributes) {
  for (const auto& [name, value] : attributes.text) h5::write_attribute(object, name, value);
  for (const auto& [name, value] : attributes.reals) h5::write_attribute(object, name, value);
  for (const auto& [name, value] : attributes.integers) h5::write_attribute(object, name, value);
  for (const auto& [name, value] : attributes.text_lists) h5::write_attribute(object, name, value);
  for (const auto& [name, value] : attributes.real_lists) h5::write_attribute(object, name, value);
}

fs::path write_output_file(const Communicator& comm, const fs::path& path, std::span<const ArrayView> arrays,
                           const OutputAttributes& attributes, const ArrayAttributes& array_attributes) {
  write_file_atomically(comm, path, [&](hid_t file) {
    write_attributes(file, attributes);
    for (const auto& a : arrays) {
      h5::Handle dataset = h5::write_array(comm, file, a);
      if (const auto it = array_attributes.find(a.name); it != array_attributes.end()) {
        write_attributes(dataset, it->second);
      }
    }
  });
  return path;
}

}  // namespace tessera
