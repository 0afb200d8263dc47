#include <aip/core/cli.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/error.hpp>

#include <gtest/gtest.h>

#include <cstdlib>

using namespace aip;

TEST(Diag, FormatsWithAndWithoutColour) {
  diag::set_program("aip-test");
  EXPECT_EQ(diag::format("error", "bad.jsonl:3: field 'x': missing", false),
            "aip-test: error: bad.jsonl:3: field 'x': missing\n");
  std::string coloured = diag::format("warning", "w", true);
  EXPECT_NE(coloured.find("\033["), std::string::npos);
  EXPECT_NE(coloured.find("warning:"), std::string::npos);
}

TEST(Diag, NoColorAndPipesTurnColourOff) {
  diag::set_color(diag::Color::automatic);
  ::setenv("NO_COLOR", "1", 1);
  EXPECT_FALSE(diag::color_enabled());
  ::unsetenv("NO_COLOR");
  // Under ctest stderr is not a terminal.
  if (::isatty(2) == 0) {
    EXPECT_FALSE(diag::color_enabled());
  }
  diag::set_color(diag::Color::always);
  EXPECT_TRUE(diag::color_enabled());
  diag::set_color(diag::Color::automatic);
}

TEST(Diag, RunTurnsErrorsIntoExitStatusesAndMessages) {
  testing::internal::CaptureStderr();
  int code = cli::run("aip-test", []() -> int { data_error("in.jsonl:2: field 'kind': missing"); });
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 65);
  EXPECT_EQ(err, "aip-test: error: in.jsonl:2: field 'kind': missing\n");
  testing::internal::CaptureStderr();
  code = cli::run("aip-test", []() -> int { throw std::logic_error("oops"); });
  err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 70);
  EXPECT_EQ(err, "aip-test: error: internal error: oops\n");
  EXPECT_EQ(cli::run("aip-test", [] { return 1; }), 1);
}
