// Run records: one JSON object per run, appended as one line to the --record file (JSON Lines),
// so scaling sweeps collect every run in one file. Keys: app, version, git_revision, ranks,
// threads, proc_grid, problem, steps, timers, metrics, verified, state_digest, time_utc, and
// whatever else the app adds.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

namespace tessera {

/// A record with the fields every app shares already filled in (app, version, git revision,
/// ranks, threads, UTC time).
nlohmann::json make_run_record(const std::string& app, int ranks, int threads);

/// Appends `record` as one line to `path` (creating parent directories). Call on one rank.
void append_run_record(const std::filesystem::path& path, const nlohmann::json& record);

}  // namespace tessera
