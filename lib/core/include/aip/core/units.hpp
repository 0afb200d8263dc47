// Human units on flags, plain numbers in records (ARCHITECTURE.md, "Records").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "aip/core/error.hpp"

namespace aip {

// Each parser throws aip::Error with `on_error` as its status: flags are usage errors (64),
// values read from records are data errors (65).

// Sizes: a plain number is bytes; K, M, G, T, P and KiB ... PiB are powers of 1024, as in
// Slurm's --mem and Docker's --memory ("16G" = 16 GiB); KB ... PB are powers of 1000 (SI).
// Case-insensitive suffix, optional "B" after a binary letter ("16GB" is SI, "16Gb" too).
std::uint64_t parse_size(std::string_view text, Exit on_error = Exit::usage);

// Durations in seconds: a plain number ("90"), unit groups ("90s", "2h30m", "1d12h",
// "1.5h", "500ms"; fractions are kept), or Slurm's
// time forms "MM:SS", "HH:MM:SS", "D-HH", "D-HH:MM", "D-HH:MM:SS".
double parse_duration(std::string_view text, Exit on_error = Exit::usage);

// Timestamps: RFC 3339 ("2026-11-22T10:00:00Z", "+01:00" offsets, fractional seconds, a
// space instead of 'T'), or epoch seconds (integer or decimal, optionally prefixed '@').
// Returns seconds since the Unix epoch, in UTC.
double parse_timestamp(std::string_view text, Exit on_error = Exit::data);

// RFC 3339 in UTC with a 'Z'; fractional seconds only when the value has them (millisecond
// precision).
std::string format_timestamp(double epoch_seconds);

// Days since 1970-01-01 for a proleptic Gregorian date, and back (Hinnant's civil-date
// algorithms, http://howardhinnant.github.io/date_algorithms.html).
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
void civil_from_days(std::int64_t days, std::int64_t &y, unsigned &m, unsigned &d);

namespace detail {
// YYYY-MM-DDTHH:MM:SSZ, the form aip writes, read without the general parser; false for
// anything else (the general parser then decides).
[[gnu::always_inline]] inline bool fixed_utc_timestamp(std::string_view s, double &out) {
  if (s.size() != 20) return false;
  const auto *c = reinterpret_cast<const unsigned char *>(s.data());
  // Digits as 0..9, anything else as a larger unsigned value; checked all at once, so that
  // the only branch is the one that gives up.
  auto d = [&](int i) { return static_cast<unsigned>(c[i]) - '0'; };
  const unsigned y0 = d(0), y1 = d(1), y2 = d(2), y3 = d(3), mo0 = d(5), mo1 = d(6), d0 = d(8),
                 d1 = d(9), h0 = d(11), h1 = d(12), mi0 = d(14), mi1 = d(15), s0 = d(17),
                 s1 = d(18);
  const bool digits = (y0 <= 9) & (y1 <= 9) & (y2 <= 9) & (y3 <= 9) & (mo0 <= 9) & (mo1 <= 9) &
                      (d0 <= 9) & (d1 <= 9) & (h0 <= 9) & (h1 <= 9) & (mi0 <= 9) & (mi1 <= 9) &
                      (s0 <= 9) & (s1 <= 9);
  const bool punctuation = (c[4] == '-') & (c[7] == '-') & (c[10] == 'T') & (c[13] == ':') &
                           (c[16] == ':') & (c[19] == 'Z');
  const unsigned year = ((y0 * 10 + y1) * 10 + y2) * 10 + y3, month = mo0 * 10 + mo1,
                 day = d0 * 10 + d1, hour = h0 * 10 + h1, minute = mi0 * 10 + mi1,
                 second = s0 * 10 + s1;
  static constexpr unsigned char mdays[16] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  // 29 February and leap seconds go the long way.
  if (!punctuation || !digits || month - 1 > 11 || day - 1 >= mdays[month & 15] ||
      hour > 23 || minute > 59 || second > 59)
    return false;
  const double days = static_cast<double>(days_from_civil(year, month, day));
  out = days * 86400 + static_cast<double>(hour * 3600 + minute * 60 + second);
  return true;
}
} // namespace detail

// parse_timestamp without an error: false where it would fail. Inline and fast for the form
// records use, YYYY-MM-DDTHH:MM:SSZ.
bool parse_timestamp_slowly(std::string_view text, double &out);
inline bool parse_timestamp_quietly(std::string_view text, double &out) {
  return detail::fixed_utc_timestamp(text, out) || parse_timestamp_slowly(text, out);
}

} // namespace aip
