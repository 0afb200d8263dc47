#include <aip/core/error.hpp>
#include <aip/core/units.hpp>

#include <gtest/gtest.h>

using namespace aip;

// Expected epoch values come from GNU date: `date -u -d '2026-11-22T10:00:00Z' +%s`.
TEST(Units, TimestampsMatchGnuDate) {
  EXPECT_DOUBLE_EQ(parse_timestamp("2026-11-22T10:00:00Z"), 1795341600);
  EXPECT_DOUBLE_EQ(parse_timestamp("2000-02-29T23:59:59Z"), 951868799);
  EXPECT_DOUBLE_EQ(parse_timestamp("1969-12-31T23:59:59Z"), -1);
  EXPECT_DOUBLE_EQ(parse_timestamp("2026-11-22T11:30:00+01:00"), 1795343400);
  EXPECT_DOUBLE_EQ(parse_timestamp("2026-11-22 10:00:00z"), 1795341600);
  EXPECT_DOUBLE_EQ(parse_timestamp("2026-11-22T10:00:00.25Z"), 1795341600.25);
  EXPECT_DOUBLE_EQ(parse_timestamp("1795341600"), 1795341600);
  EXPECT_DOUBLE_EQ(parse_timestamp("@1795341600.5"), 1795341600.5);
}

TEST(Units, FormatsUtcRfc3339) {
  EXPECT_EQ(format_timestamp(1795341600), "2026-11-22T10:00:00Z");
  EXPECT_EQ(format_timestamp(1700000000.5), "2023-11-14T22:13:20.500Z"); // GNU date
  EXPECT_EQ(format_timestamp(-1), "1969-12-31T23:59:59Z");
  EXPECT_EQ(format_timestamp(1709251200), "2024-03-01T00:00:00Z");
  for (double t : {0.0, 951868799.0, 1795341600.0, 4102444800.0, -86400.0 * 365})
    EXPECT_DOUBLE_EQ(parse_timestamp(format_timestamp(t)), t);
}

TEST(Units, RejectsBadTimestamps) {
  for (const char *bad : {"", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-22T10:00:00",
                          "2026-11-22", "2026-11-22T25:00:00Z", "2026-11-22T10:00:00Zjunk",
                          "2026-11-22T10:00:00+1:00", "yesterday", "12abc"}) {
    try {
      parse_timestamp(bad);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const Error &e) {
      EXPECT_EQ(e.status(), Exit::data) << bad;
      EXPECT_NE(std::string(e.what()).find("invalid timestamp"), std::string::npos);
    }
  }
}

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("1048576"), 1048576U);
  EXPECT_EQ(parse_size("16G"), 16ULL << 30); // Slurm's --mem=16G is 16 GiB
  EXPECT_EQ(parse_size("16GiB"), 16ULL << 30);
  EXPECT_EQ(parse_size("16gib"), 16ULL << 30);
  EXPECT_EQ(parse_size("16GB"), 16'000'000'000ULL);
  EXPECT_EQ(parse_size("512M"), 512ULL << 20);
  EXPECT_EQ(parse_size("1.5K"), 1536U);
  EXPECT_EQ(parse_size("2T"), 2ULL << 40);
  EXPECT_EQ(parse_size("1P"), 1ULL << 50);
  EXPECT_EQ(parse_size("10kB"), 10000U);
  EXPECT_EQ(parse_size("7B"), 7U);
  for (const char *bad : {"", "G", "-1G", "16X", "16 G", "16GiBs", "1e3", "99999999999P"})
    EXPECT_THROW(parse_size(bad), Error) << bad;
  try {
    parse_size("12Q");
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::usage);
  }
}

TEST(Units, Durations) {
  EXPECT_DOUBLE_EQ(parse_duration("90"), 90);
  EXPECT_DOUBLE_EQ(parse_duration("90s"), 90);
  EXPECT_DOUBLE_EQ(parse_duration("2h30m"), 2 * 3600 + 30 * 60);
  EXPECT_DOUBLE_EQ(parse_duration("1d12h"), 36 * 3600);
  EXPECT_DOUBLE_EQ(parse_duration("1.5h"), 5400);
  EXPECT_DOUBLE_EQ(parse_duration("500ms"), 0.5);
  EXPECT_DOUBLE_EQ(parse_duration("1w"), 7 * 86400);
  // Slurm's forms (sbatch --time): MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
  EXPECT_DOUBLE_EQ(parse_duration("05:30"), 330);
  EXPECT_DOUBLE_EQ(parse_duration("06:00:00"), 21600);
  EXPECT_DOUBLE_EQ(parse_duration("2-00"), 2 * 86400);
  EXPECT_DOUBLE_EQ(parse_duration("1-02:03"), 86400 + 2 * 3600 + 3 * 60);
  EXPECT_DOUBLE_EQ(parse_duration("1-02:03:04"), 86400 + 2 * 3600 + 3 * 60 + 4);
  EXPECT_DOUBLE_EQ(parse_duration("00:01.500"), 1.5); // sacct's TotalCPU MM:SS.mmm
  for (const char *bad : {"", "h", "2x", "1:2:3:4", "-5s", "5s5", "1-", "a-01:00"})
    EXPECT_THROW(parse_duration(bad), Error) << bad;
}

TEST(Units, CivilDaysRoundTrip) {
  // 2024-03-01 is day 19783 since 1970-01-01 (1709251200 / 86400 from GNU date).
  EXPECT_EQ(days_from_civil(2024, 3, 1), 19783);
  for (std::int64_t d = -800000; d <= 800000; d += 997) {
    std::int64_t y;
    unsigned m, day;
    civil_from_days(d, y, m, day);
    EXPECT_EQ(days_from_civil(y, m, day), d);
  }
}

// The table behind the fixed-form times gives the formula's day for every date of the years
// it covers, and the formula's beyond them.
TEST(Units, DateTableEqualsTheFormula) {
  for (unsigned y = 1960; y < 2240; ++y)
    for (unsigned m = 1; m <= 12; ++m)
      for (unsigned d : {1U, 15U, 28U})
        ASSERT_EQ(aip::detail::days_of_date(y, m, d), aip::days_from_civil(y, m, d))
            << y << "-" << m << "-" << d;
  EXPECT_EQ(aip::detail::days_of_date(1970, 1, 1), 0);
  EXPECT_EQ(aip::detail::days_of_date(2024, 3, 1), 19783); // date -d 2024-03-01 +%s / 86400
}
