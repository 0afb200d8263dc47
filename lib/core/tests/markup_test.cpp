#include <aip/core/markup.hpp>

#include <gtest/gtest.h>

using aip::escape_markup;

TEST(Markup, EscapesForContentAndAttributes) {
  EXPECT_EQ(escape_markup("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(escape_markup("two\nlines\r\ttab"), "two&#10;lines&#13;\ttab");
  // XML 1.0 forbids these control characters even as references: a space; NUL: U+FFFD.
  EXPECT_EQ(escape_markup(std::string_view("a\x01"
                                           "b\0c",
                                           5)),
            "a b&#65533;c");
  EXPECT_EQ(escape_markup("caf\xc3\xa9"), "caf\xc3\xa9"); // UTF-8 passes through
}
