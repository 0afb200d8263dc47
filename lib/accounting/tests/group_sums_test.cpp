// The report engine's tables: every key keeps its own sums whatever the growth and however
// the keys are spread (ids with period 0, one id with many periods, negative periods), and a
// key's probe stays short (a table that piles keys up is correct but slow; this test would
// catch the hash that once sent every key of a period-less report to one slot).
#include "../src/group_sums.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <set>
#include <string>

using namespace aip::accounting;
using namespace aip::accounting::detail;

TEST(GroupSums, NamesAreNumberedOnceInOrderOfArrival) {
  Names names;
  for (int round = 0; round < 2; ++round)
    for (int i = 0; i < 5000; ++i)
      ASSERT_EQ(names.intern("project" + std::to_string(i) + "\x1f"), static_cast<unsigned>(i));
  EXPECT_EQ(names.size(), 5000U);
  EXPECT_EQ(names.name(42), "project42\x1f");
  EXPECT_EQ(names.intern(""), 5000U);
  EXPECT_EQ(names.name(5000), "");
  EXPECT_EQ(names.intern(std::string("a\0b", 3)), 5001U); // bytes, not C strings
  EXPECT_EQ(names.intern(std::string("a\0c", 3)), 5002U);
}

TEST(GroupSums, InlineCompareAgreesWithMemcmp) {
  // Every length up to 40 and every position of a difference, against memcmp; the bytes
  // around each string differ, so a compare that reads past n fails.
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string a(n + 16, 'x'), b(n + 16, 'y');
    for (std::size_t i = 0; i < n; ++i) a[8 + i] = b[8 + i] = static_cast<char>('a' + i % 26);
    EXPECT_TRUE(same_bytes(a.data() + 8, b.data() + 8, n)) << n;
    for (std::size_t at = 0; at < n; ++at) {
      std::string c = b;
      c[8 + at] = static_cast<char>(c[8 + at] ^ 0x80);
      EXPECT_EQ(same_bytes(a.data() + 8, c.data() + 8, n),
                std::memcmp(a.data() + 8, c.data() + 8, n) == 0)
          << n << " " << at;
      EXPECT_FALSE(same_bytes(a.data() + 8, c.data() + 8, n)) << n << " " << at;
    }
  }
  // Names of each length that differ in one byte are told apart, and found again.
  Names names;
  std::map<std::string, std::uint32_t> ids;
  for (std::size_t n = 1; n <= 40; ++n)
    for (std::size_t at = 0; at < n; ++at) {
      std::string s(n, 'p');
      s[at] = 'q';
      ids.emplace(s, names.intern(s));
    }
  EXPECT_EQ(names.size(), ids.size());
  for (const auto &[s, id] : ids) {
    EXPECT_EQ(names.intern(s), id);
    EXPECT_EQ(names.name(id), s);
  }
}

TEST(GroupSums, EveryKeyKeepsItsOwnSums) {
  SumTable table;
  std::map<std::uint64_t, double> expected;
  auto add = [&](std::uint32_t name, std::int64_t period, double v) {
    const std::uint64_t key = group_key(name, period);
    ASSERT_EQ(key_name(key), name);
    ASSERT_EQ(key_period(key), period);
    table.at(key).wall_s += v;
    expected[key] += v;
    const std::size_t e = table.entry(key); // found again, with the sums just added
    ASSERT_EQ(table.key(e), key);
    ASSERT_EQ(table.totals(e).wall_s, expected[key]);
  };
  for (int pass = 0; pass < 3; ++pass) {
    for (std::uint32_t id = 0; id < 3000; ++id) add(id, 0, id + pass);           // period-less
    for (std::int64_t p = -500; p < 3000; ++p) add(7, p * 31, 1.0 / (pass + 1)); // one name
  }
  ASSERT_EQ(table.size(), expected.size());
  for (std::size_t i = 0; i < table.size(); ++i)
    EXPECT_EQ(table.totals(i).wall_s, expected.at(table.key(i)));
  EXPECT_EQ(table.key(0), group_key(0, 0)); // entries in the order first seen
  table.clear();
  EXPECT_EQ(table.size(), 0U);
  EXPECT_EQ(table.at(group_key(1, 1)).wall_s, 0.0);
}

TEST(GroupSums, PeriodLessKeysSpreadOverTheSlots) {
  // The slots of 64 consecutive names with period 0, in a table of 128: a spread hash puts
  // them in more than half as many distinct slots as names.
  std::set<std::size_t> slots;
  for (std::uint32_t id = 0; id < 64; ++id) slots.insert(SumTable::slot_of(group_key(id, 0), 127));
  EXPECT_GT(slots.size(), 32U);
  slots.clear();
  for (std::int64_t p = 0; p < 64; ++p) slots.insert(SumTable::slot_of(group_key(3, p), 127));
  EXPECT_GT(slots.size(), 32U);
}
