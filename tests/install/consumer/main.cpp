// Uses the installed library: environment, collectives, a partition.
#include <tessera/comm/collectives.hpp>
#include <tessera/comm/environment.hpp>
#include <tessera/domain/block_partition.hpp>

#include <iostream>

int main(int argc, char** argv) {
  tessera::Environment env(argc, argv);
  const auto& world = env.world();
  const int sum = tessera::allreduce_sum(world, world.rank());
  const tessera::BlockPartition part(10, world.size());
  if (world.is_root()) {
    std::cout << "consumer: " << world.size() << " ranks, sum of ranks " << sum << ", partition "
              << (part.offset(world.size()) == 10 ? "ok" : "wrong") << std::endl;
  }
  return 0;
}
