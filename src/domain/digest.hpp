// Global digests of distributed arrays (see kernels/digest.hpp for why they do not depend on
// the decomposition). Used as the run record's state digest and as checkpoint checksums.
#pragma once

#include "tessera/comm/communicator.hpp"
#include "tessera/domain/array_view.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace tessera {

/// Collective: digest of the global array that `view` is this rank's block of (for a
/// replicated view, of the array every rank holds; no communication).
std::uint64_t array_digest(const Communicator& comm, const ArrayView& view);

/// Collective: one digest over several named arrays (names take part).
std::uint64_t state_digest(const Communicator& comm, std::span<const ArrayView> views);

/// "0x" and 16 lower-case hex digits (the prefix keeps tools such as pandas from reading a
/// digest of decimal digits as a number).
std::string digest_hex(std::uint64_t digest);

}  // namespace tessera
