// The parsing of an app's full option set (its own and the common ones, src/run/common_options.hpp)
// on every rank, with agreement, so a bad option ends all ranks together with one message and
// exit status 2. Only app mains include this header (it brings in CLI11).
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/run/common_options.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tessera {

/// Validators with messages that name the value: "must be greater than 0, got -3".
CLI::Validator positive_number();
CLI::Validator non_negative_number();
/// For tools with subcommands: "" when argv names known subcommands, else a message naming the
/// unknown word and the choices (CLI11 itself only says "A subcommand is required").
std::string unknown_subcommand(const CLI::App& cli, int argc, char** argv);
/// " (TESSERA_OPTIONS added: ...)" for messages about options, or "" when it added none.
std::string environment_note(const std::vector<std::string>& words);
/// A path that names a regular file (not a directory, FIFO or device): "config file X is a FIFO".
CLI::Validator regular_file(const std::string& role);

class AppOptions {
 public:
  AppOptions(const std::string& app_name, const std::string& description);

  /// Add app-specific options here before parse().
  CLI::App& cli() { return cli_; }
  [[nodiscard]] const CommonOptions& common() const { return common_; }

  /// Collective: parses on every rank. Returns false when --help or --version was given (rank 0
  /// printed it). Throws a collective UsageError on bad options or an unreadable config file.
  /// Precedence: the command line, then TESSERA_OPTIONS (options in the environment, as
  /// PETSC_OPTIONS; rank 0's, broadcast), then the --config file, then the defaults. Fills
  /// common().all.
  bool parse(const Communicator& comm, int argc, char** argv);

  /// TESSERA_OPTIONS (`text`, as a shell splits it) against this app's options: `added` go
  /// before the command line, less the options it gives too; `ignored` are options this app
  /// does not have (with their values). Throws a UsageError for an unclosed quote.
  struct Environment {
    std::vector<std::string> added;
    std::vector<std::string> ignored;
  };
  [[nodiscard]] Environment environment_options(const std::string& text, int argc, char** argv) const;

 private:
  void record_values();

  CLI::App cli_;
  CommonOptions common_;
};

}  // namespace tessera
