#include <aip/core/progress.hpp>

#include <gtest/gtest.h>

#include <unistd.h>

using namespace aip;

TEST(Progress, RendersPercentOrCountAndRate) {
  Progress known("reading", 1000);
  // 450 of 1000 after 1.5 s: 45.0%, 300 records per second.
  EXPECT_EQ(known.render(450, 1.5), "reading:  45.0% (450/1000, 300/s)");
  Progress unknown("records");
  EXPECT_EQ(unknown.render(42, 2.0), "records: 42 (21/s)");
}

TEST(Progress, DrawsNothingWhenStderrIsNotATerminal) {
  Progress p("x", 10);
  if (::isatty(2) == 0) {
    EXPECT_FALSE(p.active());
  }
  testing::internal::CaptureStderr();
  p.set_active(false);
  p.update(5);
  p.finish();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  testing::internal::CaptureStderr();
  p.set_active(true);
  p.update(5);
  p.finish();
  std::string drawn = testing::internal::GetCapturedStderr();
  EXPECT_NE(drawn.find("x:  50.0% (5/10"), std::string::npos);
  EXPECT_EQ(drawn.substr(drawn.size() - 4), "\r\033[K"); // erased when done
}
