// Helpers shared by the MPI tests.
#pragma once

#include "tessera/comm/collectives.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace tessera::test {

/// A fresh directory, the same path on every rank (rank 0 creates it). Collective.
inline std::filesystem::path shared_temp_dir(const Communicator& comm, const std::string& name) {
  std::string path;
  if (comm.is_root()) {
    path = (std::filesystem::path(testing::TempDir()) / ("tessera_" + name + "_" + std::to_string(::getpid()))).string();
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  return broadcast(comm, path, 0);
}

}  // namespace tessera::test
