#include "test_util.hpp"

#include <aip/core/error.hpp>
#include <aip/core/paths.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace aip;

TEST(Paths, StateDirFollowsOptionEnvironmentXdgHome) {
  ::setenv("HOME", "/home/alice", 1);
  ::unsetenv("AIP_STATE_DIR");
  ::unsetenv("XDG_STATE_HOME");
  EXPECT_EQ(state_dir(), "/home/alice/.local/state/aip");
  ::setenv("XDG_STATE_HOME", "/srv/state", 1);
  EXPECT_EQ(state_dir(), "/srv/state/aip");
  ::setenv("XDG_STATE_HOME", "relative", 1); // the XDG spec says to ignore relative paths
  EXPECT_EQ(state_dir(), "/home/alice/.local/state/aip");
  ::setenv("AIP_STATE_DIR", "/var/lib/aip", 1);
  EXPECT_EQ(state_dir(), "/var/lib/aip");
  EXPECT_EQ(state_dir("/tmp/q"), "/tmp/q");
  ::unsetenv("AIP_STATE_DIR");
  ::unsetenv("XDG_STATE_HOME");
}

TEST(Paths, MakeDirsCreatesParentsAndRefusesFiles) {
  test::TempDir dir;
  auto deep = dir.file("a/b/c");
  make_dirs(deep);
  EXPECT_TRUE(std::filesystem::is_directory(deep));
  make_dirs(deep); // again: fine
  auto file = dir.write("f", "x");
  EXPECT_THROW(make_dirs(file + "/sub"), Error);
}
