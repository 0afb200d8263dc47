#include <aip/core/error.hpp>
#include <aip/core/process.hpp>

#include <gtest/gtest.h>

using namespace aip;

TEST(Process, CapturesOutputAndStatusWithoutAShell) {
  auto r = run_process({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  // Arguments reach the program verbatim: nothing is expanded or split.
  auto q = run_process({"printf", "%s|", "$(id)", "a b", "'; rm -rf /"});
  EXPECT_EQ(q.out, "$(id)|a b|'; rm -rf /|");
}

TEST(Process, FeedsStdinAndSetsEnvironment) {
  std::string big(1 << 20, 'x');
  ProcessOptions feed;
  feed.input = big;
  auto r = run_process({"wc", "-c"}, feed);
  EXPECT_EQ(std::stoul(r.out), big.size());
  ProcessOptions env;
  env.set_env = {"AIP_X=hello"};
  auto e = run_process({"sh", "-c", "printf %s \"$AIP_X\""}, env);
  EXPECT_EQ(e.out, "hello");
  // A child that never reads its input must not kill us with SIGPIPE.
  auto t = run_process({"true"}, feed);
  EXPECT_EQ(t.exit_code, 0);
}

TEST(Process, TimesOutAndReportsSignals) {
  ProcessOptions limit;
  limit.timeout = std::chrono::milliseconds(100);
  auto r = run_process({"sleep", "10"}, limit);
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.exit_code, 128 + 15);
  try {
    run_process({"aip-no-such-program-here"});
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::unavailable);
  }
}
