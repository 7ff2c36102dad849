// ConfigHash: a 64-bit hash of the options that define a run's computed result (not output
// paths or run control), stored in checkpoints so a restart with other physics is refused.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string_view>

namespace tessera {

class ConfigHash {
 public:
  ConfigHash& add(std::string_view key, std::int64_t value) { return mix(key).mix_word(static_cast<std::uint64_t>(value)); }
  ConfigHash& add(std::string_view key, int value) { return add(key, static_cast<std::int64_t>(value)); }
  ConfigHash& add(std::string_view key, double value) { return mix(key).mix_word(std::bit_cast<std::uint64_t>(value)); }
  ConfigHash& add(std::string_view key, std::string_view value) { return mix(key).mix(value); }
  template <class T, std::size_t N>
  ConfigHash& add(std::string_view key, const std::array<T, N>& values) {
    mix(key);
    for (const auto& v : values) add("", v);
    return *this;
  }
  [[nodiscard]] std::uint64_t value() const { return h_; }

 private:
  ConfigHash& mix(std::string_view text) {
    for (unsigned char c : text) mix_byte(c);
    mix_byte(0);
    return *this;
  }
  ConfigHash& mix_word(std::uint64_t w) {
    for (int i = 0; i < 8; ++i) mix_byte(static_cast<unsigned char>(w >> (8 * i)));
    return *this;
  }
  void mix_byte(unsigned char c) {
    h_ ^= c;
    h_ *= 0x100000001B3ULL;  // FNV-1a
  }
  std::uint64_t h_ = 0xCBF29CE484222325ULL;
};

}  // namespace tessera
