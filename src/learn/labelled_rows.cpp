// Reading labelled data sets (see labelled_rows.hpp).
#include "tessera/learn/labelled_rows.hpp"

#include "tessera/base/error.hpp"
#include "tessera/comm/agreement.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/kernels/element_type.hpp"

#include <algorithm>
#include <limits>
#include <optional>

namespace tessera {

namespace {

// Collective: the first global row (and its label) whose label fails `bad`, over all ranks.
struct BadLabel {
  std::int64_t row;
  std::int64_t label;
};
template <class Label, class Bad>
std::optional<BadLabel> first_bad_label(const Communicator& comm, const RowPartition& part, const std::vector<Label>& labels,
                                        Bad bad) {
  constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max();
  std::int64_t row = kNone;
  std::int64_t label = kNone;
  const auto it = std::find_if(labels.begin(), labels.end(), bad);
  if (it != labels.end()) {
    row = part.offset(comm.rank()) + (it - labels.begin());
    label = *it;
  }
  const std::int64_t first = allreduce_min(comm, row);
  if (first == kNone) return std::nullopt;
  return BadLabel{first, allreduce_min(comm, first == row ? label : kNone)};
}

}  // namespace

double default_input_scale(const DatasetInfo& images) { return images.type == ElementType::u8 ? 1.0 / 255.0 : 1.0; }

template <class T>
LabelledRows<T> read_labelled_rows(const Communicator& comm, const DatasetInfo& images, const DatasetInfo& labels,
                                   double scale, const std::string& what) {
  if (images.shape.size() < 2) {
    throw UsageError(what + " " + images.ref.text() + " is " + shape_string(images.shape) +
                         "; it must hold one sample per row (rows x features, or rows x height x width)",
                     true);
  }
  if (labels.shape.size() != 1 || kernels::is_floating(labels.type)) {
    throw UsageError(what + "-labels " + labels.ref.text() + " is " + std::string(kernels::type_name(labels.type)) +
                         " " + shape_string(labels.shape) + "; the labels must be a 1D dataset of integer classes",
                     true);
  }
  if (labels.rows() != images.rows()) {
    throw UsageError(what + " " + images.ref.text() + " holds " + std::to_string(images.rows()) + " samples but " +
                         labels.ref.text() + " holds " + std::to_string(labels.rows()) +
                         " labels; give the labels of these samples (one per row)",
                     true);
  }
  LabelledRows<T> data;
  data.part = RowPartition::uniform(images.rows(), comm.size());
  data.columns = images.columns();
  require_memory_for_rows(comm, images, data.part,
                          static_cast<double>(data.columns) * sizeof(T) + sizeof(std::int32_t) + sizeof(std::int64_t));
  const std::int64_t local = data.part.count(comm.rank());
  data.x.resize(static_cast<std::size_t>(local * data.columns));
  read_rows<T>(comm, images, data.part, data.x);
  require_finite<T>(comm, images, data.x, data.columns, data.part.offset(comm.rank()));
  if (scale != 1.0) {
    const T s = static_cast<T>(scale);
    for (T& v : data.x) v *= s;
  }
  std::vector<std::int64_t> raw(static_cast<std::size_t>(local));
  read_rows<std::int64_t>(comm, labels, data.part, raw);
  const auto bad = first_bad_label(comm, data.part, raw, [](std::int64_t label) {
    return label < 0 || label > std::numeric_limits<std::int32_t>::max() - 1;
  });
  if (bad) {
    throw UsageError(labels.ref.text() + " row " + std::to_string(bad->row) + " holds label " + std::to_string(bad->label) +
                         "; classes are numbered 0, 1, 2, ... (fix the labels, or import them again)",
                     true);
  }
  data.y.assign(raw.begin(), raw.end());
  return data;
}

template <class T>
std::int32_t largest_label(const Communicator& comm, const LabelledRows<T>& data) {
  const std::int32_t local = data.y.empty() ? -1 : *std::max_element(data.y.begin(), data.y.end());
  return allreduce_max(comm, local);
}

template <class T>
void require_labels_below(const Communicator& comm, const LabelledRows<T>& data, std::int32_t classes,
                          const std::string& what, const std::string& fix) {
  const auto bad = first_bad_label(comm, data.part, data.y, [classes](std::int32_t label) { return label >= classes; });
  if (!bad) return;
  throw UsageError(what + " row " + std::to_string(bad->row) + " holds label " + std::to_string(bad->label) + ", but the model has " +
                       std::to_string(classes) + " classes (0 to " + std::to_string(classes - 1) + "); " + fix,
                   true);
}

#define TESSERA_LABELLED_ROWS(T)                                                                                     \
  template LabelledRows<T> read_labelled_rows<T>(const Communicator&, const DatasetInfo&, const DatasetInfo&, double, \
                                                 const std::string&);                                               \
  template std::int32_t largest_label<T>(const Communicator&, const LabelledRows<T>&);                               \
  template void require_labels_below<T>(const Communicator&, const LabelledRows<T>&, std::int32_t,                   \
                                        const std::string&, const std::string&);
TESSERA_LABELLED_ROWS(float)
TESSERA_LABELLED_ROWS(double)
#undef TESSERA_LABELLED_ROWS

}  // namespace tessera
