#include <aip/core/flat_json.hpp>
#include <aip/core/units.hpp>

#include <gtest/gtest.h>

#include <cstdio>

#include <simdjson.h>

#include <string>
#include <vector>

using namespace aip::jsonl::flat;

namespace {

struct Scan {
  bool accepted = false;
  std::vector<std::pair<std::string, Value>> members;
  std::string storage; // the padded line the values point into
};

Scan scan(std::string text) {
  Scan s;
  s.storage = std::move(text);
  const std::size_t n = s.storage.size();
  s.storage.append(simdjson::SIMDJSON_PADDING, '"'); // padding that must never be read as text
  s.accepted = scan_object(std::string_view(s.storage.data(), n), [&](auto key, const auto &v) {
    s.members.emplace_back(std::string(key), v);
  });
  return s;
}

} // namespace

TEST(FlatJson, ReadsEveryKindOfFlatMember) {
  auto s = scan(R"( {"s":"text", "i":-42,"f":-3.25,"e":1e3,"t":true,"n":null,"x":false,"z":0} )");
  ASSERT_TRUE(s.accepted);
  ASSERT_EQ(s.members.size(), 8U);
  EXPECT_EQ(s.members[0].first, "s");
  EXPECT_EQ(s.members[0].second.type, Type::string);
  EXPECT_EQ(s.members[0].second.text, "text");
  EXPECT_EQ(s.members[1].second.type, Type::integer);
  EXPECT_EQ(s.members[1].second.integer, -42);
  EXPECT_EQ(s.members[2].second.type, Type::number);
  EXPECT_EQ(s.members[2].second.number, -3.25); // exact in binary
  EXPECT_EQ(s.members[3].second.as_double(), 1000.0);
  EXPECT_TRUE(s.members[4].second.boolean);
  EXPECT_EQ(s.members[5].second.type, Type::null);
  EXPECT_EQ(s.members[6].second.type, Type::boolean);
  EXPECT_FALSE(s.members[6].second.boolean);
  EXPECT_EQ(s.members[7].second.integer, 0);
  EXPECT_TRUE(scan("{}").accepted);
}

// Decimals are the correctly rounded doubles: the compiler's reading of the same literal
// (and strtod's) is the reference.
TEST(FlatJson, DecimalsRoundCorrectly) {
  const std::vector<std::pair<const char *, double>> cases = {
      {"0.1", 0.1},
      {"3030905.73", 3030905.73},
      {"42.8", 42.8},
      {"-0.000001", -0.000001},
      {"123456789.123456", 123456789.123456},     // 15 digits: the fast path
      {"1234567890.1234567", 1234567890.1234567}, // 17 digits: from_chars
      {"2.5e-3", 2.5e-3},
      {"9007199254740993.0", 9007199254740992.0}, // 2^53 + 1 rounds to even
  };
  for (auto [text, expected] : cases) {
    auto s = scan(std::string("{\"v\":") + text + "}");
    ASSERT_TRUE(s.accepted) << text;
    EXPECT_EQ(s.members[0].second.as_double(), expected) << text;
    EXPECT_EQ(s.members[0].second.as_double(), std::strtod(text, nullptr)) << text;
  }
}

// Outside the fast subset, or not JSON: the scanner gives up and leaves it to simdjson.
TEST(FlatJson, GivesUpOnWhatItDoesNotHandle) {
  for (const char *text :
       {R"({"a":"with \" escape"})", R"({"a":"caf\u00e9"})", "{\"a\":\"caf\xc3\xa9\"}",
        R"({"a":[1]})", R"({"a":{"b":1}})", R"({"a":-0})", R"({"a":1234567890123456789})",
        R"({"a":1e999})",
        // and not JSON at all
        R"({"a":1,})", R"({"a" 1})", R"({"a":01})", R"({"a":1.})", R"({"a":.5})", R"({"a":+1})",
        R"({"a":tru})", R"({"a":nul})", R"({"a":"open)", R"({"a":1)", R"({"a":1}})", R"({"a":1} x)",
        R"(["a"])", R"({a:1})", R"({"a":1e})", "{\"a\":\"\t\"}", "", "   "}) {
    EXPECT_FALSE(scan(text).accepted) << text;
  }
}

// The padding after the line is never taken for part of it: a string or number that runs
// to the end of the line is unfinished, whatever follows.
TEST(FlatJson, NeverReadsPastTheLine) {
  EXPECT_FALSE(scan(R"({"a":"abc)").accepted); // the padding is '"'
  auto s = scan(R"({"a":12)");
  EXPECT_FALSE(s.accepted);
}

TEST(FlatJson, FixedTimestampsEqualTheGeneralParser) {
  double t = 0;
  // Hand values: calendar.timegm((2026, 11, 22, 10, 0, 0)) and ((2024, 2, 29, 0, 0, 0)).
  ASSERT_TRUE(aip::detail::fixed_utc_timestamp("2026-11-22T10:00:00Z", t));
  EXPECT_EQ(t, 1795341600.0);
  EXPECT_EQ(t, aip::parse_timestamp("2026-11-22T10:00:00Z"));
  // 29 February, leap seconds, offsets and fractions take the general path.
  EXPECT_FALSE(aip::detail::fixed_utc_timestamp("2024-02-29T00:00:00Z", t));
  ASSERT_TRUE(aip::parse_timestamp_quietly("2024-02-29T00:00:00Z", t));
  EXPECT_EQ(t, 1709164800.0);
  EXPECT_FALSE(aip::detail::fixed_utc_timestamp("2026-11-22T10:00:60Z", t));
  EXPECT_FALSE(aip::detail::fixed_utc_timestamp("2026-11-22T10:00:00+01:00", t));
  EXPECT_FALSE(aip::parse_timestamp_quietly("2023-02-29T00:00:00Z", t));
  EXPECT_FALSE(aip::parse_timestamp_quietly("2026-13-01T00:00:00Z", t));
  EXPECT_FALSE(aip::parse_timestamp_quietly("2026-11-31T00:00:00Z", t));
}

// Hints change the speed only: with or without them, and whatever the order of the keys,
// the same members come out, and the same lines are given up.
TEST(FlatJson, KeyHintsChangeNothingButSpeed) {
  const KeyHints hints{"kind", "a", "bb", "a_key_of_twenty_nine_chars_xx", "c"};
  for (const char *text :
       {R"({"kind":"x","a":1,"bb":"y","a_key_of_twenty_nine_chars_xx":2,"c":null})",
        R"({"c":1,"kind":"x","a":2})",                    // out of order
        R"({"kind":"x","bb":3})",                         // one missing
        R"({"kinds":"x","a":1})",                         // a longer key, same start
        R"({"kind" :"x", "a" : 1})",                      // white space
        R"({"kind":"x","a":1,"kind":"again"})",           // a repeat
        R"({"kind":)",                                    // cut after a hinted key
        R"({"kind")",                                     //
        R"({"a_key_of_twenty_nine_chars_xx":"long"})",    //
        R"({"a_key_of_twenty_nine_chars_xy":"long"})"}) { // differs in the last byte
    auto plain = scan(text);
    Scan hinted;
    hinted.storage = text;
    const std::size_t n = hinted.storage.size();
    hinted.storage.append(simdjson::SIMDJSON_PADDING, '"');
    hinted.accepted = scan_object(
        std::string_view(hinted.storage.data(), n),
        [&](auto key, const auto &v) { hinted.members.emplace_back(std::string(key), v); }, &hints);
    ASSERT_EQ(hinted.accepted, plain.accepted) << text;
    ASSERT_EQ(hinted.members.size(), plain.members.size()) << text;
    for (std::size_t i = 0; i < plain.members.size(); ++i) {
      EXPECT_EQ(hinted.members[i].first, plain.members[i].first) << text;
      EXPECT_EQ(hinted.members[i].second.type, plain.members[i].second.type) << text;
      EXPECT_EQ(hinted.members[i].second.text, plain.members[i].second.text) << text;
    }
  }
}

// The loop-free reader of plain numbers (up to 15 digits, no sign, no exponent) gives what the
// C library gives for every length of integer and fraction, and gives up beyond its subset so
// that the careful reader (checked above) decides.
TEST(FlatJson, PlainNumbersAgreeWithTheCLibrary) {
  const std::string digits = "98765432109876543210";
  int plain = 0;
  for (std::size_t whole = 1; whole <= 18; ++whole) {
    for (std::size_t fraction = 0; fraction <= 9; ++fraction) {
      std::string token = digits.substr(0, whole);
      if (fraction > 0) token += "." + digits.substr(3, fraction);
      for (const std::string &t : {token, "1" + token.substr(1), "0" + token.substr(whole)}) {
        std::string line = "{\"v\":" + t + ",\"w\":1}";
        auto s = scan(line);
        ASSERT_TRUE(s.accepted) << t;
        const Value &v = s.members[0].second;
        EXPECT_EQ(v.text, t);
        if (t.find('.') == std::string::npos) {
          ASSERT_EQ(v.type, Type::integer) << t;
          EXPECT_EQ(v.integer, std::strtoll(t.c_str(), nullptr, 10)) << t;
        } else {
          ASSERT_EQ(v.type, Type::number) << t;
          EXPECT_EQ(v.number, std::strtod(t.c_str(), nullptr)) << t;
        }
        // Which path read it: the plain one exactly for its subset.
        const std::size_t n = t.size();
        std::string padded = t + ",";
        padded.append(simdjson::SIMDJSON_PADDING, '7');
        const char *p = padded.data();
        Value direct;
        const std::size_t int_digits = t.find('.') == std::string::npos ? n : t.find('.');
        const std::size_t frac_digits = n - int_digits - (int_digits < n ? 1 : 0);
        const bool subset =
            int_digits + frac_digits <= 15 && frac_digits < 8 && !(t[0] == '0' && int_digits > 1);
        EXPECT_EQ(detail::plain_number(p, padded.data() + n + 1, direct), subset) << t;
        if (subset) {
          ++plain;
          EXPECT_EQ(p, padded.data() + n) << t;
          EXPECT_EQ(direct.as_double(), v.as_double()) << t;
        }
      }
    }
  }
  EXPECT_GT(plain, 200); // the plain path is live
  // Bytes around the digits' range, and non-ASCII, end the digits; so do the line's end and
  // whatever lies past it (digits in the padding are never read as the number's).
  std::uint64_t value = 0;
  for (const char *stop : {"/", ":", "\x80", "\xff", " ", "e", "."}) {
    std::string text = std::string("1234") + stop + "5678";
    EXPECT_EQ(detail::leading_digits8(text.c_str(), value), 4U) << stop;
    EXPECT_EQ(value, 1234U);
  }
  EXPECT_EQ(detail::leading_digits8("12345678", value), 8U);
  EXPECT_EQ(value, 12345678U);
  EXPECT_EQ(detail::leading_digits8("x2345678", value), 0U);
  std::string cut = "1234";
  cut.append(simdjson::SIMDJSON_PADDING, '9');
  const char *p = cut.data();
  Value v;
  EXPECT_FALSE(detail::plain_number(p, cut.data() + 4, v));
  EXPECT_FALSE(scan("{\"a\":1e5").accepted);
  EXPECT_EQ(scan("{\"a\":1e5}").members.at(0).second.as_double(), 1e5);
  EXPECT_EQ(scan("{\"a\":1.5E2}").members.at(0).second.as_double(), 150.0);
}

// The fixed-form reader of times agrees with the general parser wherever it answers: every
// position of a valid time replaced by characters around the digits and separators.
TEST(FlatJson, FixedTimestampsAnswerOnlyWhatTheGeneralParserAgreesWith) {
  // Both fast readers (the target runs one of them) against the general parser alone: every
  // position of a time replaced by 20 characters, and whatever a fast reader accepts must be
  // what the general parser reads.
  using Reader = bool (*)(std::string_view, double &);
  std::vector<std::pair<const char *, Reader>> readers = {
      {"words",
       [](std::string_view s, double &t) { return aip::detail::fixed_utc_timestamp_words(s, t); }}};
#if defined(__SSE2__)
  readers.emplace_back("sse2", [](std::string_view s, double &t) {
    return aip::detail::fixed_utc_timestamp_sse2(s, t);
  });
#endif
  const std::string base = "2026-11-22T10:05:09Z";
  for (const auto &[name, fast_reader] : readers) {
    double fast = 0, general = 0;
    ASSERT_TRUE(fast_reader(base, fast)) << name;
    EXPECT_EQ(fast, 1795341909.0) << name; // calendar.timegm((2026, 11, 22, 10, 5, 9))
    int answered = 0, refused = 0;
    for (std::size_t at = 0; at < base.size(); ++at) {
      for (char c : std::string("/0123456789:-TtZz +\x7f")) {
        std::string t = base;
        t[at] = c;
        if (!fast_reader(t, fast)) {
          ++refused;
          continue;
        }
        ++answered;
        ASSERT_NO_THROW(general = aip::detail::parse_timestamp_general(t)) << name << " " << t;
        EXPECT_EQ(fast, general) << name << " " << t;
      }
    }
    EXPECT_GT(answered, 60) << name;
    EXPECT_GT(refused, 200) << name;
    for (const char *bad : {"2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z", "2026-11-22T24:00:00Z",
                            "2026-11-22T23:60:00Z", "2026-04-31T00:00:00Z", "2026-11-22T10:05:09",
                            "2026-13-01T00:00:00Z", "2024-02-29T00:00:00Z"})
      EXPECT_FALSE(fast_reader(bad, fast)) << name << " " << bad;
    // Every month's last days and the day after, and the clock at and past its edges.
    for (unsigned month = 1; month <= 12; ++month)
      for (unsigned day : {1U, 28U, 29U, 30U, 31U})
        for (const char *clock :
             {"00:00:00", "23:59:59", "12:34:56", "23:59:60", "24:00:00", "23:60:00"}) {
          char t[32];
          std::snprintf(t, sizeof t, "2025-%02u-%02uT%sZ", month, day, clock);
          const bool ok = fast_reader(t, fast);
          double expect = 0;
          bool valid = true;
          try {
            expect = aip::detail::parse_timestamp_general(t);
          } catch (const aip::Error &) {
            valid = false;
          }
          if (ok) {
            EXPECT_EQ(fast, expect) << name << " " << t;
          }
          // 2025 is not a leap year; a leap second is left to the general parser.
          const bool leap_second = std::string_view(clock) == "23:59:60";
          EXPECT_EQ(ok, valid && !leap_second) << name << " " << t;
        }
  }
}
