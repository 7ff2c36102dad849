// Option handling shared by every app: TOML config files, command line over config, clear
// errors for bad values, unknown keys and unreadable files, and --help.
#include "tessera/comm/collectives.hpp"
#include "tessera/run/app_options.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace tessera {
namespace {

namespace fs = std::filesystem;

struct Parsed {
  bool ran = false;
  int n = 8;
  double alpha = 1.0;
  std::string name = "none";
  CommonOptions common;
};

// Parses `args` with a small app option set, as an app would.
Parsed parse(std::vector<std::string> args) {
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  AppOptions options("demo", "test app");
  Parsed p;
  options.cli().add_option("--n", p.n, "size")->check(positive_number());
  options.cli().add_option("--alpha", p.alpha, "alpha");
  options.cli().add_option("--name", p.name, "name");
  args.insert(args.begin(), "demo");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  p.ran = options.parse(comm, static_cast<int>(argv.size()), argv.data());
  p.common = options.common();
  return p;
}

std::string write_config(const std::string& name, const std::string& text) {
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  std::string path;
  if (comm.is_root()) {
    path = (fs::path(testing::TempDir()) / (name + std::to_string(::getpid()) + ".toml")).string();
    std::ofstream(path) << text;
  }
  return broadcast(comm, path, 0);
}

std::string usage_error(const std::vector<std::string>& args) {
  try {
    parse(args);
  } catch (const UsageError& e) {
    EXPECT_TRUE(e.collective());
    return e.what();
  }
  ADD_FAILURE() << "no usage error";
  return {};
}

TEST(AppOptions, DefaultsAndCommandLine) {
  const Parsed d = parse({});
  EXPECT_TRUE(d.ran);
  EXPECT_EQ(d.n, 8);
  EXPECT_EQ(d.common.keep, 2);
  EXPECT_EQ(d.common.checkpoint_every, 0);
  EXPECT_FALSE(d.common.restart);
  EXPECT_EQ(d.common.checkpoint_directory(), fs::path("tessera-output") / "checkpoints");
  const Parsed c = parse({"--n", "32", "--restart", "--output", "out", "--keep", "3", "--checkpoint-every", "5"});
  EXPECT_EQ(c.n, 32);
  EXPECT_TRUE(c.common.restart);
  EXPECT_EQ(c.common.keep, 3);
  EXPECT_EQ(c.common.checkpoint_every, 5);
  EXPECT_EQ(c.common.checkpoint_directory(), fs::path("out") / "checkpoints");
}

TEST(AppOptions, ConfigFileAndCommandLineWins) {
  const std::string config = write_config("good", "n = 64\nalpha = 0.25\nname = \"from file\"\ncheckpoint_every = 7\nrestart = true\n");
  const Parsed f = parse({"--config", config});
  EXPECT_EQ(f.n, 64);
  EXPECT_EQ(f.alpha, 0.25);
  EXPECT_EQ(f.name, "from file");
  EXPECT_EQ(f.common.checkpoint_every, 7);
  EXPECT_TRUE(f.common.restart);
  const Parsed both = parse({"--config", config, "--n", "5"});
  EXPECT_EQ(both.n, 5);
  EXPECT_EQ(both.alpha, 0.25);
}

TEST(AppOptions, BadInputsGiveUsageErrorsNamingTheProblem) {
  EXPECT_NE(usage_error({"--n", "0"}).find("--n: must be greater than 0, got 0"), std::string::npos);
  EXPECT_NE(usage_error({"--n", "abc"}).find("abc"), std::string::npos);
  EXPECT_NE(usage_error({"--no-such-option"}).find("no-such-option"), std::string::npos);
  EXPECT_NE(usage_error({"--config", "/no/such/file.toml"}).find("/no/such/file.toml"), std::string::npos);
  EXPECT_NE(usage_error({"--keep", "0"}).find("keep"), std::string::npos);
  const std::string unknown = write_config("unknown", "n = 4\nbogus_key = 1\n");
  EXPECT_NE(usage_error({"--config", unknown}).find("bogus"), std::string::npos);
  const std::string broken = write_config("broken", "n = = 4\n");
  EXPECT_NE(usage_error({"--config", broken}).find("TOML"), std::string::npos);
  const std::string bad_value = write_config("badvalue", "n = -3\n");
  EXPECT_NE(usage_error({"--config", bad_value}).find("-3"), std::string::npos);
}

// Messages a new user understands: an option given twice, stray arguments in the order typed,
// and config "files" that would block or stream forever.
TEST(AppOptions, RepeatedOptionsStrayArgumentsAndNonRegularConfigs) {
  EXPECT_NE(usage_error({"--n", "16", "--n", "32"}).find("--n was given 2 times; give it once"), std::string::npos);
  EXPECT_NE(usage_error({"--bogus", "1", "--other", "2"}).find("unexpected argument: --bogus 1 --other 2"),
            std::string::npos);
  EXPECT_NE(usage_error({"--config", "/dev/zero"}).find("/dev/zero is a character device, not a regular file"),
            std::string::npos);
  EXPECT_NE(usage_error({"--config=/tmp"}).find("/tmp is a directory"), std::string::npos);
}

TEST(AppOptions, HelpListsEveryOptionWithDefaults) {
  testing::internal::CaptureStdout();
  const Parsed h = parse({"--help"});
  const std::string text = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(h.ran);
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  if (comm.is_root()) {
    for (const char* option : {"--config", "--output", "--checkpoint-every", "--checkpoint-dir", "--keep", "--restart",
                               "--record", "--quiet", "--n", "--alpha"}) {
      EXPECT_NE(text.find(option), std::string::npos) << option << " missing from:\n" << text;
    }
    EXPECT_NE(text.find("tessera-output"), std::string::npos) << "defaults not shown:\n" << text;
    EXPECT_NE(text.find("--config FILE "), std::string::npos) << text;
    EXPECT_EQ(text.find(":FILE"), std::string::npos) << text;
  } else {
    EXPECT_TRUE(text.empty());
  }
}

TEST(AppOptions, VersionPrintsVersionAndRevision) {
  testing::internal::CaptureStdout();
  const Parsed v = parse({"--version"});
  const std::string text = testing::internal::GetCapturedStdout();
  EXPECT_FALSE(v.ran);
  const Communicator comm = Communicator::duplicate(MPI_COMM_WORLD);
  if (comm.is_root()) {
    EXPECT_EQ(text.rfind("tessera 0.", 0), 0U) << text;
    EXPECT_NE(text.find("(git "), std::string::npos) << text;
  } else {
    EXPECT_TRUE(text.empty());
  }
}

}  // namespace
}  // namespace tessera
