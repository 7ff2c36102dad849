// Common options and collective parsing.
#include "src/run/app_options.hpp"

#include "src/base/error.hpp"
#include "src/base/version.hpp"
#include "src/base/file_kind.hpp"
#include "src/comm/agreement.hpp"
#include "src/run/toml_config.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace tessera {

namespace {
CLI::Validator number_check(bool allow_zero) {
  return CLI::Validator(
      [allow_zero](std::string& text) -> std::string {
        // strtod, not stod: stod refuses subnormals such as 5e-324, which are numbers.
        errno = 0;
        char* end = nullptr;
        const double value = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || std::isnan(value)) {
          return "'" + text + "' is not a number";
        }
        if (std::isinf(value)) {
          return "'" + text + "' is " + (errno == ERANGE ? "too large for a double" : "not a finite number");
        }
        if (allow_zero ? value < 0.0 : value <= 0.0) {
          return std::string("must be ") + (allow_zero ? "0 or more" : "greater than 0") + ", got " + text;
        }
        return {};
      },
      allow_zero ? "NONNEGATIVE" : "POSITIVE");
}
}  // namespace

CLI::Validator regular_file(const std::string& role) {
  return CLI::Validator(
      [role](std::string& text) -> std::string {
        const std::string kind = non_regular_kind(text);
        if (kind.empty()) return {};
        if (kind == "missing") return role + " " + text + " does not exist; check the path";
        return role + " " + text + " is " + kind + ", not a regular file";
      },
      "");  // no ":FILE" after the option's type in --help
}

std::string unknown_subcommand(const CLI::App& cli, int argc, char** argv) {
  const CLI::App* level = &cli;
  std::string path = cli.get_name();
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const auto subs = level->get_subcommands([](const CLI::App*) { return true; });
    if (subs.empty() || word.starts_with("-")) return {};
    const CLI::App* next = nullptr;
    std::string names;
    for (const auto* sub : subs) {
      if (sub->get_name() == word) next = sub;
      names += (names.empty() ? "" : ", ") + sub->get_name();
    }
    if (next == nullptr) {
      return "unknown subcommand '" + word + "' of " + path + "; use " + names + " (" + path + " --help)";
    }
    level = next;
    path += " " + word;
  }
  return {};
}

CLI::Validator positive_number() { return number_check(false); }
CLI::Validator non_negative_number() { return number_check(true); }

AppOptions::AppOptions(const std::string& app_name, const std::string& description)
    : cli_(description, app_name) {
  cli_.option_defaults()->always_capture_default();
  cli_.config_formatter(std::make_shared<TomlConfig>());
  cli_.allow_config_extras(CLI::config_extras_mode::error);
  cli_.allow_extras();  // reported by parse(), in command-line order
  cli_.set_config("--config", "", "TOML file with option values (keys are option names; the command line wins)")
      ->type_name("FILE")
      ->check(regular_file("config file"));
  cli_.set_version_flag("--version", std::string("tessera ") + kVersion + " (git " + kGitRevision + ")",
                        "Print the version and git revision and exit");
  cli_.add_option("--output", common_.output, "Directory for output files")->group("Run control");
  cli_.add_option("--checkpoint-every", common_.checkpoint_every,
                  "Write a checkpoint every N steps (0 = none, except one when stopped by SIGTERM/SIGUSR1)")
      ->check(non_negative_number())
      ->group("Run control");
  cli_.add_option("--checkpoint-dir", common_.checkpoint_dir, "Checkpoint directory (default OUTPUT/checkpoints)")
      ->group("Run control");
  cli_.add_option("--keep", common_.keep, "Number of newest checkpoints to keep")
      ->check(CLI::Range(1, 1000000))
      ->group("Run control");
  cli_.add_flag("--restart", common_.restart,
                "Resume from the newest valid checkpoint in the checkpoint directory (start fresh if none)")
      ->group("Run control");
  cli_.add_option("--record", common_.record, "Append a JSON run record to this file")->group("Run control");
  cli_.add_flag("--quiet", common_.quiet, "No progress lines")->group("Run control");
  cli_.add_flag("--reproducible", common_.reproducible,
                "Global sums by exact accumulation: results bitwise identical on any number of ranks and threads")
      ->group("Parallel");
  cli_.add_option("--watchdog-timeout", common_.watchdog_timeout,
                  "End the job (exit 76) when a rank makes no progress for this many seconds (0 = off)")
      ->check(non_negative_number())
      ->group("Failures");
  cli_.add_option("--on-checkpoint-error", common_.on_checkpoint_error,
                  "When a checkpoint cannot be written: stop (exit 3) or continue without it")
      ->check(CLI::IsMember({"stop", "continue"}))
      ->group("Failures");
  cli_.add_option("--inject-fault", common_.inject_fault,
                  "Rehearse a failure: ACTION[-SITE]:RANK@STEP, ACTION kill|exit|hang, SITE "
                  "step|halo|allreduce|checkpoint (also TESSERA_INJECT_FAULT)")
      ->envname("TESSERA_INJECT_FAULT")
      ->group("Failures");
}

bool AppOptions::parse(const Communicator& comm, int argc, char** argv) {
  bool help = false;
  std::string version;
  collective_check(comm, [&] {
    // CLI11 reads the config file before any validator sees its name: a FIFO would block it
    // and /dev/urandom would read as an empty file.
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--config" && i + 1 < argc) require_regular_file(argv[i + 1], "--config: config file");
      if (arg.starts_with("--config=")) require_regular_file(arg.substr(9), "--config: config file");
    }
    try {
      cli_.parse(argc, argv);
      // CLI11 lists unexpected arguments last first ("1 --bogus"): collect them and name them
      // in command-line order.
      if (const auto extra = cli_.remaining(); !extra.empty() && !help) {
        std::string text;
        for (const auto& e : extra) text += (text.empty() ? "" : " ") + e;
        throw UsageError("unknown option or unexpected argument: " + text +
                         "\nRun with --help to see every option and its default.");
      }
    } catch (const CLI::CallForHelp&) {
      help = true;
    } catch (const CLI::CallForAllHelp&) {
      help = true;
    } catch (const CLI::CallForVersion& e) {
      version = e.what();
    } catch (const CLI::ConfigError& e) {
      // CLI11 says "INI was not able to parse KEY" for a key no option has.
      std::string what = e.what();
      const std::string marker = "INI was not able to parse ";
      if (const auto at = what.find(marker); at != std::string::npos) {
        what = "unknown key '" + what.substr(at + marker.size()) + "' in config file " +
               cli_.get_config_ptr()->as<std::string>() +
               "; keys are the long option names without dashes, e.g. checkpoint-every";
      }
      throw UsageError(what + "\nRun with --help to see every option and its default.");
    } catch (const CLI::ArgumentMismatch& e) {
      // "--n: At Most 1 required but received 2" means the option was given twice.
      std::string what = e.what();
      const std::string marker = ": At Most 1 required but received ";
      if (const auto at = what.find(marker); at != std::string::npos) {
        what = what.substr(0, at) + " was given " + what.substr(at + marker.size()) +
               " times; give it once (each option takes one value)";
      }
      throw UsageError(what + "\nRun with --help to see every option and its default.");
    } catch (const CLI::ParseError& e) {
      throw UsageError(std::string(e.what()) + "\nRun with --help to see every option and its default.");
    }
  });
  if (help && comm.is_root()) std::cout << cli_.help() << std::flush;
  if (!version.empty() && comm.is_root()) std::cout << version << std::endl;
  return !help && version.empty();
}

}  // namespace tessera
