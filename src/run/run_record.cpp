// Run record creation and appending.
#include "src/run/run_record.hpp"

#include "src/base/error.hpp"
#include "src/base/version.hpp"

#include <chrono>
#include <ctime>
#include <fstream>

namespace tessera {

nlohmann::json make_run_record(const std::string& app, int ranks, int threads) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return {{"app", app},       {"version", kVersion}, {"git_revision", kGitRevision},
          {"ranks", ranks},   {"threads", threads},  {"time_utc", stamp}};
}

void append_run_record(const std::filesystem::path& path, const nlohmann::json& record) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::app);
  out << record.dump() << '\n';
  out.flush();
  if (!out) throw RuntimeError("cannot append the run record to " + path.string() + "; check the --record path");
}

}  // namespace tessera
