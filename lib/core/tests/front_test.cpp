#include "test_util.hpp"

#include <aip/core/front.hpp>

#include <gtest/gtest.h>

#include <filesystem>

using namespace aip;

TEST(Front, EditDistanceByHand) {
  EXPECT_EQ(front::edit_distance("", ""), 0U);
  EXPECT_EQ(front::edit_distance("drift", "drift"), 0U);
  EXPECT_EQ(front::edit_distance("drfit", "drift"), 1U);    // one transposition
  EXPECT_EQ(front::edit_distance("kitten", "sitting"), 3U); // k->s, e->i, +g
  EXPECT_EQ(front::edit_distance("ca", "abc"), 3U);         // OSA, not full Damerau (2)
}

TEST(Front, SuggestsLikelyTyposOnly) {
  const auto &known = front::known_tools();
  EXPECT_EQ(front::suggest("drfit", known), "drift");
  EXPECT_EQ(front::suggest("acount", known), "account");
  EXPECT_EQ(front::suggest("sqa", known), "sqa-check");
  EXPECT_EQ(front::suggest("metre", known), "meter");
  EXPECT_EQ(front::suggest("kubernetes", known), std::nullopt);
  EXPECT_EQ(front::suggest("x", known), std::nullopt);
}

TEST(Front, FindsToolsBesideThenOnPath) {
  test::TempDir a, b;
  auto make = [](const test::TempDir &d, const std::string &name, bool exec) {
    auto p = d.write(name, "#!/bin/sh\necho " + name + "\n");
    std::filesystem::permissions(p, exec ? std::filesystem::perms::owner_all
                                         : std::filesystem::perms::owner_read);
    return p;
  };
  auto first = make(a, "aip-hello", true);
  make(b, "aip-hello", true);
  make(b, "aip-other", true);
  make(b, "aip-noexec", false);
  make(b, "not-aip", true);
  auto dirs = front::search_path(a.path().string(),
                                 "/nonexistent:" + b.path().string() + ":" + a.path().string());
  EXPECT_EQ(dirs.size(), 3U); // duplicates removed
  EXPECT_EQ(front::find_tool("hello", dirs), first);
  EXPECT_EQ(front::find_tool("noexec", dirs), std::nullopt);
  EXPECT_EQ(front::find_tool("../bin/sh", dirs), std::nullopt);
  EXPECT_EQ(front::installed_tools(dirs), (std::vector<std::string>{"hello", "other"}));
}
