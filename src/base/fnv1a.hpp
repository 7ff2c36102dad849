// FNV-1a, the one 64-bit byte hash tessera uses for names, options and checkpoint metadata
// (not for data: array digests use kernels/digest.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessera {

class Fnv1a {
 public:
  Fnv1a& bytes(const void* data, std::size_t n) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < n; ++i) h_ = (h_ ^ p[i]) * 0x100000001B3ULL;
    return *this;
  }
  template <class T>
  Fnv1a& value(const T& v) {
    return bytes(&v, sizeof v);
  }
  /// Length-prefixed, so ("ab", "c") and ("a", "bc") differ.
  Fnv1a& text(std::string_view s) { return value(s.size()).bytes(s.data(), s.size()); }
  [[nodiscard]] std::uint64_t get() const { return h_; }

 private:
  std::uint64_t h_ = 0xCBF29CE484222325ULL;
};

}  // namespace tessera
