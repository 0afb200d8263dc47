#include "test_util.hpp"

#include <aip/core/csv.hpp>
#include <aip/core/error.hpp>

#include <gtest/gtest.h>

using namespace aip;

namespace {
std::vector<std::vector<std::string>> read_all(std::string_view text) {
  csv::Reader r(text, "t.csv");
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> f;
  while (r.next(f)) rows.push_back(f);
  return rows;
}
} // namespace

// The examples of RFC 4180, section 2.
TEST(Csv, ReadsRfc4180Examples) {
  using Rows = std::vector<std::vector<std::string>>;
  EXPECT_EQ(read_all("aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n"),
            (Rows{{"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
  EXPECT_EQ(read_all("aaa,bbb,ccc\nzzz,yyy,xxx"),
            (Rows{{"aaa", "bbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
  EXPECT_EQ(read_all("\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx"),
            (Rows{{"aaa", "b\r\nbb", "ccc"}, {"zzz", "yyy", "xxx"}}));
  EXPECT_EQ(read_all("\"aaa\",\"b\"\"bb\",\"ccc\""), (Rows{{"aaa", "b\"bb", "ccc"}}));
  EXPECT_EQ(read_all("a,,c\n,\n"), (Rows{{"a", "", "c"}, {"", ""}}));
  EXPECT_EQ(read_all("\xEF\xBB\xBFx,y\n1,2\n"), (Rows{{"x", "y"}, {"1", "2"}}));
}

TEST(Csv, LinesOfRecordsCountEmbeddedLineBreaks) {
  csv::Reader r("h\n\"a\nb\"\nc\n", "t.csv");
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 1U);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 2U);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(r.line(), 4U);
  EXPECT_EQ(r.where(2), "t.csv:4, column 2");
}

TEST(Csv, ErrorsNameLineAndColumn) {
  auto msg = [](std::string_view text) {
    try {
      read_all(text);
    } catch (const Error &e) {
      EXPECT_EQ(e.status(), Exit::data);
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(msg("a,b\n1,\"2\n"), "t.csv:2, column 2: unterminated quoted field");
  EXPECT_EQ(msg("a,b\n1,\"2\"x\n"),
            "t.csv:2, column 2: unexpected character after a closing quote");
  EXPECT_EQ(msg("a,b\n1,2\"3\n"), "t.csv:2, column 2: a quote inside an unquoted field");
}

TEST(Csv, WriterQuotesOnlyWhatNeedsIt) {
  test::TempDir dir;
  auto p = dir.file("w.csv");
  {
    Output out(p);
    csv::Writer w(out);
    w.write_row({"plain", "with,comma", "with \"quote\"", "line\nbreak", "", " pad"});
    out.commit();
  }
  std::string text = test::slurp(p);
  EXPECT_EQ(text, "plain,\"with,comma\",\"with \"\"quote\"\"\",\"line\nbreak\",,\" pad\"\n");
  auto rows = read_all(text);
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"plain", "with,comma", "with \"quote\"",
                                               "line\nbreak", "", " pad"}));
}
