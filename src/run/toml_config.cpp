// TOML -> CLI11 config items. Keys are option long names ("checkpoint-every" or
// "checkpoint_every"); arrays become repeated values. Tables are not used by tessera apps.
#include "tessera/run/toml_config.hpp"

#include <toml.hpp>

#include <charconv>
#include <sstream>

namespace tessera {

namespace {

std::string scalar_text(const toml::value& v, const std::string& key) {
  if (v.is_string()) return v.as_string().str;
  if (v.is_boolean()) return v.as_boolean() ? "true" : "false";
  if (v.is_integer()) return std::to_string(v.as_integer());
  if (v.is_floating()) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v.as_floating());
    return std::string(buffer, result.ptr);
  }
  throw CLI::ConversionError("config key '" + key + "' has a value of a type tessera options do not take");
}

}  // namespace

std::string TomlConfig::to_config(const CLI::App* app, bool default_also, bool write_description,
                                  std::string prefix) const {
  return CLI::ConfigTOML().to_config(app, default_also, write_description, std::move(prefix));
}

std::vector<CLI::ConfigItem> TomlConfig::from_config(std::istream& input) const {
  toml::value data;
  try {
    data = toml::parse(input, "config file");
  } catch (const std::exception& e) {
    throw CLI::ConversionError(std::string("the config file is not valid TOML: ") + e.what());
  }
  std::vector<CLI::ConfigItem> parsed;
  for (const auto& [key, value] : data.as_table()) {
    if (value.is_table()) {
      throw CLI::ConversionError("config file: [" + key + "] tables are not used; write options as top-level keys");
    }
    CLI::ConfigItem item;
    item.name = key;
    for (auto& c : item.name) c = c == '_' ? '-' : c;
    if (value.is_array()) {
      for (const auto& element : value.as_array()) item.inputs.push_back(scalar_text(element, key));
    } else {
      item.inputs.push_back(scalar_text(value, key));
    }
    parsed.push_back(std::move(item));
  }
  return parsed;
}

}  // namespace tessera
