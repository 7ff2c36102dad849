// Run records: one JSON object per run, appended as one line to the --record file (JSON Lines),
// so scaling sweeps collect every run in one file. Keys: app, version, git_revision, ranks,
// threads, options (every option of the run), proc_grid, problem, steps, run_seconds, timers,
// step_time, load, metrics, verified, state_digest, time_utc, and whatever else the app adds.
// Values that look like numbers but are not (digests, revisions) carry a prefix ("0x", "g"),
// so pandas.read_json keeps them as strings.
#pragma once

#include "tessera/run/common_options.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

/// A record with the fields every app shares already filled in (app, version, git revision as
/// "g<hash>", ranks, threads, UTC time in ISO 8601 with its zone).
nlohmann::json make_run_record(const std::string& app, int ranks, int threads);

/// Appends `record` as one line to `path` (creating parent directories). Call on one rank.
void append_run_record(const std::filesystem::path& path, const nlohmann::json& record);

/// Options (name -> value) as JSON values of their kind: flags as booleans, integer and real
/// options as numbers (text when the value does not parse, e.g. an empty default), the rest
/// as strings.
nlohmann::json typed_options(const std::map<std::string, OptionValue>& options);

/// The 1, 5 and 15 minute load averages of this node (/proc/loadavg), or nothing.
std::optional<std::vector<double>> load_average();

/// {"min", "median", "p90", "max", "count"} of `seconds` (this rank's); all 0 when empty.
nlohmann::json spread(std::vector<double> seconds);

/// The end-of-run timing table: one line per phase of `timers` (PhaseTimers::reduce) with
/// min / avg / max over ranks and the max as a share of `run_seconds`.
std::string timing_table(const std::string& app, const nlohmann::json& timers, double run_seconds, int ranks);

}  // namespace tessera
