// Row fetching by one allgatherv of the rows each rank owns.
#include "tessera/domain/row_exchange.hpp"

#include "tessera/comm/collectives.hpp"

#include <algorithm>
#include <map>

namespace tessera {

template <class T>
std::vector<double> fetch_rows(const Communicator& comm, const RowPartition& part, std::span<const T> local,
                               std::int64_t columns, std::span<const std::int64_t> indices) {
  const std::int64_t first = part.offset(comm.rank());
  const std::int64_t count = part.count(comm.rank());
  // This rank's rows among those asked for, each once, in increasing global index.
  std::map<std::int64_t, std::size_t> mine;
  for (std::int64_t index : indices) {
    if (index >= first && index < first + count) mine.emplace(index, 0);
  }
  std::vector<double> sent;
  std::vector<std::int64_t> sent_index;
  sent.reserve(mine.size() * static_cast<std::size_t>(columns));
  for (const auto& [index, unused] : mine) {
    sent_index.push_back(index);
    const T* row = local.data() + (index - first) * columns;
    for (std::int64_t c = 0; c < columns; ++c) sent.push_back(static_cast<double>(row[c]));
  }
  const std::vector<double> rows = allgatherv(comm, std::span<const double>(sent));
  const std::vector<std::int64_t> order = allgatherv(comm, std::span<const std::int64_t>(sent_index));
  std::map<std::int64_t, std::size_t> where;
  for (std::size_t i = 0; i < order.size(); ++i) where.emplace(order[i], i);
  std::vector<double> out(indices.size() * static_cast<std::size_t>(columns));
  for (std::size_t i = 0; i < indices.size(); ++i) {
    const std::size_t from = where.at(indices[i]) * static_cast<std::size_t>(columns);
    std::copy(rows.begin() + static_cast<std::ptrdiff_t>(from),
              rows.begin() + static_cast<std::ptrdiff_t>(from + static_cast<std::size_t>(columns)),
              out.begin() + static_cast<std::ptrdiff_t>(i * static_cast<std::size_t>(columns)));
  }
  return out;
}

Redistribution rows_to_partition(const Communicator& comm, std::int64_t first_row, std::int64_t rows,
                                 const RowPartition& target, std::int64_t message_limit) {
  if (target.parts() != comm.size()) {
    throw RuntimeError("rows_to_partition: a partition into " + std::to_string(target.parts()) + " parts for " +
                       std::to_string(comm.size()) + " ranks");
  }
  std::vector<std::int64_t> counts(static_cast<std::size_t>(comm.size()), 0);
  const std::int64_t end = first_row + rows;
  for (int r = 0; r < comm.size(); ++r) {
    const std::int64_t lo = std::max(first_row, target.offset(r));
    const std::int64_t hi = std::min(end, target.offset(r) + target.count(r));
    counts[static_cast<std::size_t>(r)] = std::max<std::int64_t>(0, hi - lo);
  }
  return Redistribution::from_send_counts(comm, std::move(counts), message_limit);
}

template std::vector<double> fetch_rows<float>(const Communicator&, const RowPartition&, std::span<const float>,
                                               std::int64_t, std::span<const std::int64_t>);
template std::vector<double> fetch_rows<double>(const Communicator&, const RowPartition&, std::span<const double>,
                                                std::int64_t, std::span<const std::int64_t>);

}  // namespace tessera
