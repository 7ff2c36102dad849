// The element types tessera stores and reads: the columns of users' data sets (float32 and
// float64 features, int32/int64/uint64 ids and labels, uint8 pixels). One enum names them
// everywhere (array views, HDF5 I/O, checkpoints, digests), and ElementTypeOf<T> maps a C++
// type to it at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

namespace tessera::kernels {

enum class ElementType { f32, f64, i32, i64, u8, u64 };

inline constexpr ElementType kAllElementTypes[] = {ElementType::f32, ElementType::f64, ElementType::i32,
                                                   ElementType::i64, ElementType::u8,  ElementType::u64};

constexpr std::size_t size_of(ElementType t) {
  switch (t) {
    case ElementType::u8: return 1;
    case ElementType::f32:
    case ElementType::i32: return 4;
    case ElementType::f64:
    case ElementType::i64:
    case ElementType::u64: return 8;
  }
  return 0;
}

/// The names users see and type in: "float32", "float64", "int32", "int64", "uint8", "uint64".
constexpr std::string_view type_name(ElementType t) {
  switch (t) {
    case ElementType::f32: return "float32";
    case ElementType::f64: return "float64";
    case ElementType::i32: return "int32";
    case ElementType::i64: return "int64";
    case ElementType::u8: return "uint8";
    case ElementType::u64: return "uint64";
  }
  return "?";
}

constexpr bool is_floating(ElementType t) { return t == ElementType::f32 || t == ElementType::f64; }

template <class T>
constexpr ElementType element_type_of() {
  using U = std::remove_cv_t<T>;
  if constexpr (std::is_same_v<U, float>) return ElementType::f32;
  else if constexpr (std::is_same_v<U, double>) return ElementType::f64;
  else if constexpr (std::is_same_v<U, std::int32_t>) return ElementType::i32;
  else if constexpr (std::is_same_v<U, std::int64_t>) return ElementType::i64;
  else if constexpr (std::is_same_v<U, std::uint8_t>) return ElementType::u8;
  else if constexpr (std::is_same_v<U, std::uint64_t>) return ElementType::u64;
  else static_assert(sizeof(T) == 0, "tessera: no ElementType for this type");
}

/// Calls f(T{}) with the C++ type of `t`: one switch instead of one per caller.
template <class F>
decltype(auto) visit_type(ElementType t, F&& f) {
  switch (t) {
    case ElementType::f32: return f(float{});
    case ElementType::f64: return f(double{});
    case ElementType::i32: return f(std::int32_t{});
    case ElementType::i64: return f(std::int64_t{});
    case ElementType::u8: return f(std::uint8_t{});
    case ElementType::u64: break;
  }
  return f(std::uint64_t{});
}

}  // namespace tessera::kernels
