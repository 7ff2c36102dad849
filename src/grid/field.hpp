// Field: a rank's block of a grid with ghost layers, zero-initialized, laid out as the kernels
// expect, and placed in the global grid by its decomposition.
#pragma once

#include "tessera/domain/array_view.hpp"
#include "tessera/grid/cart_decomposition.hpp"
#include "tessera/kernels/grid_layout.hpp"

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace tessera {

class Field {
 public:
  Field(const CartDecomposition& decomposition, int ghost);

  [[nodiscard]] const kernels::GridLayout& layout() const { return layout_; }
  [[nodiscard]] std::span<double> data() { return {values_.get(), size_}; }
  [[nodiscard]] std::span<const double> data() const { return {values_.get(), size_}; }
  [[nodiscard]] double& at(kernels::Index i, kernels::Index j, kernels::Index k) {
    return values_[static_cast<std::size_t>(layout_.index(i, j, k))];
  }
  [[nodiscard]] double at(kernels::Index i, kernels::Index j, kernels::Index k) const {
    return values_[static_cast<std::size_t>(layout_.index(i, j, k))];
  }
  /// The interior (ghosts excluded) as a named view of the global array.
  [[nodiscard]] ArrayView view(std::string name);
  void swap(Field& other) noexcept { values_.swap(other.values_); }

 private:
  kernels::GridLayout layout_;
  std::array<std::int64_t, 3> offset_;
  std::array<std::int64_t, 3> global_;
  std::size_t size_;
  std::unique_ptr<double[]> values_;  // not std::vector: its zero-fill would touch every page on one thread
};

}  // namespace tessera
