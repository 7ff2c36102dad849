// Path kinds by stat (following symlinks, as open would).
#include "tessera/base/file_kind.hpp"

#include "tessera/base/error.hpp"

namespace tessera {

namespace fs = std::filesystem;

std::string non_regular_kind(const fs::path& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  switch (status.type()) {
    case fs::file_type::regular: return {};
    case fs::file_type::not_found: return fs::is_symlink(path, ec) ? "a broken symbolic link" : "missing";
    case fs::file_type::directory: return "a directory";
    case fs::file_type::fifo: return "a FIFO";
    case fs::file_type::character: return "a character device";
    case fs::file_type::block: return "a block device";
    case fs::file_type::socket: return "a socket";
    default: return ec ? "unreadable (" + ec.message() + ")" : "not a regular file";
  }
}

void require_regular_file(const fs::path& path, const std::string& role) {
  const std::string kind = non_regular_kind(path);
  if (kind.empty()) return;
  if (kind == "missing") throw UsageError(role + " " + path.string() + " does not exist; check the path");
  throw UsageError(role + " " + path.string() + " is " + kind + ", not a regular file; name a file");
}

}  // namespace tessera
