// Rank-local block digests summed across ranks (wrap-around unsigned addition).
#include "tessera/domain/digest.hpp"

#include "tessera/base/fnv1a.hpp"
#include "tessera/comm/collectives.hpp"
#include "tessera/kernels/digest.hpp"

#include <cstdio>

namespace tessera {

namespace {
std::uint64_t name_hash(const std::string& name) { return Fnv1a().text(name).get(); }
}  // namespace

std::uint64_t array_digest(const Communicator& comm, const ArrayView& view) {
  const std::uint64_t local =
      view.block_size() == 0 ? 0 : kernels::block_digest(view.first(), view.type, view.strided_block());
  // Every rank holds a replicated array whole: its digest is the local one (summing over
  // ranks would count it P times, and differ between rank counts).
  if (view.distribution == Distribution::replicated) return local;
  return allreduce_sum(comm, static_cast<unsigned long long>(local));
}

std::uint64_t state_digest(const Communicator& comm, std::span<const ArrayView> views) {
  std::uint64_t total = 0;
  for (const auto& v : views) total += kernels::mix64(array_digest(comm, v) ^ name_hash(v.name));
  return total;
}

std::string digest_hex(std::uint64_t digest) {
  char text[19];
  std::snprintf(text, sizeof text, "0x%016llx", static_cast<unsigned long long>(digest));
  return text;
}

}  // namespace tessera
