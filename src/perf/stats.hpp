// Summary of repeated measurements: median, min and max (medians resist the outliers of a
// shared machine; min and max show the spread).
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

namespace tessera {

struct Stats {
  double median = 0.0;
  double min = 0.0;
  double max = 0.0;
};

/// Stats of `samples` (empty: all zero).
Stats summarize(std::vector<double> samples);

inline void to_json(nlohmann::json& j, const Stats& s) { j = {{"median", s.median}, {"min", s.min}, {"max", s.max}}; }

}  // namespace tessera
