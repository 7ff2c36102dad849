// Run record creation and appending, and the end-of-run timing table.
#include "tessera/run/run_record.hpp"

#include "tessera/base/error.hpp"
#include "tessera/version.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

namespace tessera {

nlohmann::json make_run_record(const std::string& app, int ranks, int threads) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S+00:00", &utc);
  return {{"app", app},
          {"version", kVersion},
          {"git_revision", revision_tag()},
          {"ranks", ranks},
          {"threads", threads},
          {"time_utc", stamp}};
}

void append_run_record(const std::filesystem::path& path, const nlohmann::json& record) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::app);
  out << record.dump() << '\n';
  out.flush();
  if (!out) throw RuntimeError("cannot append the run record to " + path.string() + "; check the --record path");
}

nlohmann::json typed_options(const std::map<std::string, OptionValue>& options) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : options) {
    const std::string& text = value.text;
    char* end = nullptr;
    errno = 0;
    switch (value.kind) {
      case OptionValue::Kind::flag: out[name] = text == "true"; continue;
      case OptionValue::Kind::integer: {
        const long long integer = std::strtoll(text.c_str(), &end, 10);
        if (!text.empty() && *end == '\0' && errno == 0) {
          out[name] = integer;
          continue;
        }
        break;
      }
      case OptionValue::Kind::real: {
        const double real = std::strtod(text.c_str(), &end);
        if (!text.empty() && *end == '\0' && std::isfinite(real)) {
          out[name] = real;
          continue;
        }
        break;
      }
      case OptionValue::Kind::text: break;
    }
    out[name] = text;
  }
  return out;
}

std::optional<std::vector<double>> load_average() {
  std::ifstream in("/proc/loadavg");
  std::vector<double> load(3);
  if (!(in >> load[0] >> load[1] >> load[2])) return std::nullopt;
  return load;
}

nlohmann::json spread(std::vector<double> seconds) {
  if (seconds.empty()) return {{"min", 0.0}, {"median", 0.0}, {"p90", 0.0}, {"max", 0.0}, {"count", 0}};
  std::sort(seconds.begin(), seconds.end());
  const auto at = [&](double q) { return seconds[static_cast<std::size_t>(q * static_cast<double>(seconds.size() - 1))]; };
  return {{"min", seconds.front()}, {"median", at(0.5)}, {"p90", at(0.9)}, {"max", seconds.back()},
          {"count", seconds.size()}};
}

std::string timing_table(const std::string& app, const nlohmann::json& timers, double run_seconds, int ranks) {
  std::ostringstream out;
  char line[160];
  std::snprintf(line, sizeof line, "[%s] timing over %d rank%s (seconds; phases exclusive):\n", app.c_str(), ranks,
                ranks == 1 ? "" : "s");
  out << line;
  std::snprintf(line, sizeof line, "  %-8s %11s %11s %11s %9s\n", "phase", "min", "avg", "max", "max/wall");
  out << line;
  for (const char* phase : {"compute", "halo", "reduce", "io", "other"}) {
    if (!timers.contains(phase)) continue;
    const nlohmann::json& t = timers.at(phase);
    const double most = t.at("max").get<double>();
    std::snprintf(line, sizeof line, "  %-8s %11.4g %11.4g %11.4g %8.1f%%\n", phase, t.at("min").get<double>(),
                  t.at("avg").get<double>(), most, run_seconds > 0 ? 100.0 * most / run_seconds : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line, "  %-8s %11s %11s %11.4g %8.1f%%", "wall", "", "", run_seconds, 100.0);
  out << line;
  return out.str();
}

}  // namespace tessera
