// Common options and collective parsing.
#include "tessera/run/app_options.hpp"

#include "tessera/base/error.hpp"
#include "tessera/base/file_kind.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/run/toml_config.hpp"
#include "tessera/version.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

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
// Words as a POSIX shell splits them, without expansions: blanks separate, single quotes keep
// everything, double quotes keep all but a backslash-escaped " or \\.
std::vector<std::string> shell_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote == '\'') {
      if (c == '\'') quote = 0; else word += c;
    } else if (quote == '"') {
      if (c == '"') quote = 0;
      else if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '"' || text[i + 1] == '\\')) word += text[++i];
      else word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote != 0) throw UsageError(std::string("TESSERA_OPTIONS has an unclosed ") + quote + " quote: " + text);
  if (in_word) words.push_back(word);
  return words;
}

}  // namespace

AppOptions::Environment AppOptions::environment_options(const std::string& text, int argc, char** argv) const {
  const std::vector<std::string> words = shell_words(text);
  const auto name_of = [](const std::string& word) { return word.substr(0, word.find('=')); };
  const auto on_command_line = [&](const std::string& name) {
    for (int i = 1; i < argc; ++i) {
      if (name_of(argv[i]) == name) return true;
    }
    return false;
  };
  Environment env;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string name = name_of(words[i]);
    const bool inline_value = words[i].find('=') != std::string::npos;
    const CLI::Option* opt = name.starts_with("--") ? cli_.get_option_no_throw(name) : nullptr;
    if (opt == nullptr && name.starts_with("--")) {
      // Set for every app of a job, as PETSC_OPTIONS is: an option this app does not have is
      // left out (with a warning), and so is the value after it.
      std::string skipped = words[i];
      if (!inline_value && i + 1 < words.size() && !words[i + 1].starts_with("-")) skipped += " " + words[++i];
      env.ignored.push_back(skipped);
      continue;
    }
    // An option that takes a value and has no "=VALUE" owns the next word.
    const bool takes_next = opt != nullptr && opt->get_expected_max() != 0 && !inline_value && i + 1 < words.size();
    const bool drop = opt != nullptr && on_command_line(name);  // the command line wins
    if (!drop) env.added.push_back(words[i]);
    if (takes_next) {
      ++i;
      if (!drop) env.added.push_back(words[i]);
    }
  }
  return env;
}

std::string environment_note(const std::vector<std::string>& words) {
  if (words.empty()) return {};
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return " (TESSERA_OPTIONS added: " + text + ")";
}

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
  cli_.set_version_flag("--version", version_line(),
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
  // Rank 0's environment: a launcher need not pass it to every node (mpirun -x), and ranks
  // that parsed different options would run different problems.
  const char* env_text = comm.is_root() ? std::getenv("TESSERA_OPTIONS") : nullptr;
  const std::string env_options = broadcast(comm, std::string(env_text != nullptr ? env_text : ""), 0);
  Environment environment;
  const std::vector<std::string>& from_environment = environment.added;
  collective_check(comm, [&] {
    // CLI11 reads the config file before any validator sees its name: a FIFO would block it
    // and /dev/urandom would read as an empty file.
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--config" && i + 1 < argc) require_regular_file(argv[i + 1], "--config: config file");
      if (arg.starts_with("--config=")) require_regular_file(arg.substr(9), "--config: config file");
    }
    try {
      // TESSERA_OPTIONS go first, as if typed before the command line's own options.
      std::vector<std::string> args;
      for (int i = argc - 1; i >= 1; --i) args.emplace_back(argv[i]);  // CLI11 takes them reversed
      environment = environment_options(env_options, argc, argv);
      for (auto it = from_environment.rbegin(); it != from_environment.rend(); ++it) args.push_back(*it);
      cli_.parse(args);
      // CLI11 lists unexpected arguments last first ("1 --bogus"): collect them and name them
      // in command-line order.
      if (const auto extra = cli_.remaining(); !extra.empty() && !help) {
        std::string text;
        for (const auto& e : extra) text += (text.empty() ? "" : " ") + e;
        throw UsageError("unknown option or unexpected argument: " + text + environment_note(from_environment) +
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
      throw UsageError(std::string(e.what()) + environment_note(from_environment) +
                       "\nRun with --help to see every option and its default.");
    }
    record_values();
  });
  if (comm.is_root()) {
    for (const auto& ignored : environment.ignored) {
      std::cerr << "warning: TESSERA_OPTIONS: " << ignored << " is not an option of " << cli_.get_name()
                << "; ignored" << std::endl;
    }
  }
  if (help && comm.is_root()) std::cout << cli_.help() << std::flush;
  if (!version.empty() && comm.is_root()) std::cout << version << std::endl;
  return !help && version.empty();
}

void AppOptions::record_values() {
  common_.all.clear();
  for (const CLI::Option* opt : cli_.get_options()) {
    if (opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames().front();
    if (name == "help" || name == "version") continue;
    if (opt->get_expected_max() == 0) {  // a flag
      common_.all[name] = {opt->count() > 0 && opt->as<bool>() ? "true" : "false", OptionValue::Kind::flag};
      continue;
    }
    std::string value;
    for (const auto& r : opt->results()) value += (value.empty() ? "" : " ") + r;
    // CLI11's type name of the bound variable ("INT", "UINT", "FLOAT", "TEXT"), before any
    // validator's ":POSITIVE".
    const std::string type = opt->get_type_name().substr(0, opt->get_type_name().find(':'));
    const OptionValue::Kind kind = type == "INT" || type == "UINT" ? OptionValue::Kind::integer
                                   : type == "FLOAT"                ? OptionValue::Kind::real
                                                                    : OptionValue::Kind::text;
    common_.all[name] = {opt->count() > 0 ? value : opt->get_default_str(), kind};
  }
}

}  // namespace tessera
