// ConfigHash: a 64-bit hash of the options that define a run's computed result (not output
// paths or run control), stored in checkpoints so a restart with other physics is refused,
// plus a readable "key=value; ..." text of the same options so the refusal can say which
// option differs.
#pragma once

#include "tessera/base/fnv1a.hpp"

#include <array>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace tessera {

class ConfigHash {
 public:
  ConfigHash& add(std::string_view key, std::int64_t value) {
    note(key, std::to_string(value));
    return mix(key).mix_word(static_cast<std::uint64_t>(value));
  }
  ConfigHash& add(std::string_view key, int value) { return add(key, static_cast<std::int64_t>(value)); }
  ConfigHash& add(std::string_view key, double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.17g", value);
    note(key, text);
    return mix(key).mix_word(std::bit_cast<std::uint64_t>(value));
  }
  ConfigHash& add(std::string_view key, std::string_view value) {
    note(key, std::string(value));
    return mix(key).mix(value);
  }
  template <class T, std::size_t N>
  ConfigHash& add(std::string_view key, const std::array<T, N>& values) {
    std::string list = "[";
    mix(key);
    for (std::size_t i = 0; i < N; ++i) {
      list += (i ? "," : "") + std::to_string(values[i]);
      mix_word(static_cast<std::uint64_t>(values[i]));
    }
    note(key, list + "]");
    return *this;
  }
  /// Adds `key=text` to the readable text only (an explanation, e.g. the order of a list),
  /// leaving the hash as it was.
  ConfigHash& describe(std::string_view key, const std::string& text) {
    note(key, text);
    return *this;
  }
  [[nodiscard]] std::uint64_t value() const { return hash_.get(); }
  /// "key=value; key=value" of everything added, in order.
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  void note(std::string_view key, const std::string& value) {
    text_ += (text_.empty() ? "" : "; ") + std::string(key) + "=" + value;
  }
  ConfigHash& mix(std::string_view text) {
    hash_.text(text);
    return *this;
  }
  ConfigHash& mix_word(std::uint64_t w) {
    hash_.value(w);
    return *this;
  }
  Fnv1a hash_;
  std::string text_;
};

}  // namespace tessera
