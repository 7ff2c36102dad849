// GoogleTest main for MPI tests: every rank runs every test; rank 0 prints the usual output
// and, at the end, each failure tagged "[rank r/N]" with its message, so a failure on rank 3
// is not lost. The exit status is non-zero if any rank failed.
#include "tessera/comm/collectives.hpp"
#include "tessera/comm/environment.hpp"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

namespace {

class FailureCollector : public testing::EmptyTestEventListener {
 public:
  // The test name is taken here: asking gtest for it inside OnTestPartResult would deadlock.
  void OnTestStart(const testing::TestInfo& info) override {
    current_ = std::string(info.test_suite_name()) + "." + info.name();
  }
  void OnTestEnd(const testing::TestInfo&) override { current_ = "(outside a test)"; }
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    log_ << current_ << " at "
         << (result.file_name() ? result.file_name() : "?") << ':' << result.line_number() << ": " << result.summary()
         << '\n';
  }
  [[nodiscard]] std::string text() const { return log_.str(); }

 private:
  std::string current_ = "(outside a test)";
  std::ostringstream log_;
};

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  tessera::Environment environment(argc, argv);
  const tessera::Communicator& world = environment.world();
  auto& listeners = testing::UnitTest::GetInstance()->listeners();
  if (!world.is_root()) delete listeners.Release(listeners.default_result_printer());
  auto* collector = new FailureCollector;
  listeners.Append(collector);

  const int local = RUN_ALL_TESTS();
  const std::string mine = collector->text();
  // Gather every rank's failure log on rank 0, in rank order.
  const auto all = tessera::gatherv<char>(world, std::span<const char>(mine.data(), mine.size()), 0);
  const auto sizes = tessera::gather(world, static_cast<int>(mine.size()), 0);
  if (world.is_root()) {
    std::size_t at = 0;
    for (int r = 0; r < world.size(); ++r) {
      std::istringstream lines(std::string(all.data() + at, static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)])));
      at += static_cast<std::size_t>(sizes[static_cast<std::size_t>(r)]);
      for (std::string line; std::getline(lines, line);) {
        std::cout << "[rank " << r << '/' << world.size() << "] FAILED " << line << '\n';
      }
    }
    std::cout << std::flush;
  }
  return tessera::allreduce_max(world, local);
}
