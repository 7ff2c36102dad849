// Result files: write to PATH.partial, close, rename.
#include "src/io/output_file.hpp"

#include "src/base/error.hpp"
#include "src/comm/agreement.hpp"
#include "src/io/parallel_file.hpp"

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

fs::path write_output_file(const Communicator& comm, const fs::path& path, std::span<const ArrayView> arrays,
                           const OutputAttributes& attributes) {
  write_file_atomically(comm, path, [&](hid_t file) {
    for (const auto& [name, value] : attributes.text) h5::write_attribute(file, name, value);
    for (const auto& [name, value] : attributes.reals) h5::write_attribute(file, name, value);
    for (const auto& [name, value] : attributes.integers) h5::write_attribute(file, name, value);
    for (const auto& a : arrays) h5::write_array(comm, file, a);
  });
  return path;
}

}  // namespace tessera
