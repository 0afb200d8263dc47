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
inline bool fixed_utc_timestamp(std::string_view s, double &out) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return false;
  int v[6];
  static constexpr int at[6] = {0, 5, 8, 11, 14, 17}, len[6] = {4, 2, 2, 2, 2, 2};
  for (int k = 0; k < 6; ++k) {
    int n = 0;
    for (int i = at[k]; i < at[k] + len[k]; ++i) {
      const char c = s[static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      n = n * 10 + (c - '0');
    }
    v[k] = n;
  }
  static constexpr int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  // 29 February and leap seconds go the long way.
  if (v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > mdays[v[1] - 1] || v[3] > 23 || v[4] > 59 ||
      v[5] > 59)
    return false;
  const double days = static_cast<double>(
      days_from_civil(v[0], static_cast<unsigned>(v[1]), static_cast<unsigned>(v[2])));
  out = days * 86400 + v[3] * 3600 + v[4] * 60 + v[5];
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
