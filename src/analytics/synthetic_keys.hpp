// Synthetic key data sets for the sort and stats apps (tessera-data generate keys): /keys in
// one of the distributions of kernels/key_distributions.hpp and, beside it, /values = each
// row's input index (int64), so a sorted output shows where every key came from and a stable
// sort is visible (equal keys keep increasing values). Every rank writes its own rows; the
// file's bytes do not depend on the rank count.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/kernels/element_type.hpp"
#include "tessera/kernels/key_distributions.hpp"

#include <cstdint>
#include <filesystem>
#include <string>

namespace tessera {

struct KeysSpec {
  std::int64_t rows = 1000000;
  kernels::KeyDistribution distribution = kernels::KeyDistribution::uniform;
  kernels::ElementType type = kernels::ElementType::i64;
  std::uint64_t seed = 1;
  void validate() const;  ///< throws a UsageError naming the bad value
};

/// Parses a distribution name (kernels::kKeyDistributionNames); throws a UsageError listing them.
kernels::KeyDistribution parse_key_distribution(const std::string& name);

/// Collective: writes `path` with /keys (rows, spec.type) and /values (rows, int64 row index).
void generate_keys(const Communicator& comm, const KeysSpec& spec, const std::filesystem::path& path);

}  // namespace tessera
