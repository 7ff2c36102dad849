// A labelled data set split over ranks: each rank's rows of a table of samples (images as
// rows of pixels, any element type tessera reads) converted to the compute type and scaled,
// and their integer class labels, read collectively with the library's reader. Everything a
// user can get wrong about such a pair of datasets is refused here with one message.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/row_partition.hpp"
#include "tessera/io/dataset_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace tessera {

template <class T>
struct LabelledRows {
  RowPartition part = RowPartition::uniform(0, 1);
  std::int64_t columns = 0;
  std::vector<T> x;            ///< this rank's rows, part.count(rank) x columns, scaled
  std::vector<std::int32_t> y;  ///< their labels
  [[nodiscard]] std::int64_t rows() const { return part.rows(); }
  [[nodiscard]] std::int64_t local_rows() const { return static_cast<std::int64_t>(y.size()); }
};

/// The default input scale: 1/255 for uint8 pixels, 1 for anything else.
double default_input_scale(const DatasetInfo& images);

/// Collective: reads this rank's rows of `images` (2D or more: all but the first dimension
/// make a row) and `labels` (1D integers, one per image), scaled by `scale`. `what` names the
/// set in messages ("--train"). Throws a collective UsageError for datasets of the wrong
/// shape or type, different row counts, NaN or infinite pixels, negative labels, and data too
/// large for the rank's memory.
template <class T>
LabelledRows<T> read_labelled_rows(const Communicator& comm, const DatasetInfo& images, const DatasetInfo& labels,
                                   double scale, const std::string& what);

/// Collective: the largest label over all ranks (-1 when there are no rows).
template <class T>
std::int32_t largest_label(const Communicator& comm, const LabelledRows<T>& data);

/// Collective: throws a collective UsageError when a label is >= classes, naming the first.
template <class T>
void require_labels_below(const Communicator& comm, const LabelledRows<T>& data, std::int32_t classes,
                          const std::string& what, const std::string& fix);

}  // namespace tessera
