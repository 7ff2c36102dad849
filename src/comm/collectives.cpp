// Non-template collectives.
#include "src/comm/collectives.hpp"

namespace tessera {

std::string broadcast(const Communicator& comm, std::string text, int root) {
  auto length = static_cast<long long>(text.size());
  length = broadcast(comm, length, root);
  text.resize(static_cast<std::size_t>(length));
  broadcast(comm, std::span<char>(text.data(), text.size()), root);
  return text;
}

}  // namespace tessera
