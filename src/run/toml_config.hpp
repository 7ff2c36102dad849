// CLI11 reads `--config FILE` through this adapter, which parses the file with toml11: real
// TOML (with its error messages and line numbers), and the command line still wins because
// CLI11 only applies config values to options the command line did not set.
#pragma once

#include <CLI/CLI.hpp>

namespace tessera {

class TomlConfig : public CLI::Config {
 public:
  std::string to_config(const CLI::App* app, bool default_also, bool write_description,
                        std::string prefix) const override;
  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override;
};

}  // namespace tessera
