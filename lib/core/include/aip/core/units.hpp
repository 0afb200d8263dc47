// Human units on flags, plain numbers in records (ARCHITECTURE.md, "Records").
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
[[gnu::always_inline]] constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m,
                                                              unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
[[gnu::always_inline]] constexpr void civil_from_days(std::int64_t z, std::int64_t &y, unsigned &m,
                                                      unsigned &d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
}

namespace detail {
// The first day (days since 1970) of every month from 1970-01 to 2225-12, and of 2226-01:
// dates and calendar periods in the years records live in, by table instead of formula.
inline constexpr std::int64_t kMonthTableFirstYear = 1970, kMonthTableMonths = 256 * 12;
struct MonthStarts {
  std::int32_t day[kMonthTableMonths + 1];
};
inline constexpr MonthStarts kMonthStarts = [] {
  MonthStarts t{};
  for (std::int64_t i = 0; i <= kMonthTableMonths; ++i)
    t.day[i] = static_cast<std::int32_t>(
        days_from_civil(kMonthTableFirstYear + i / 12, static_cast<unsigned>(i % 12 + 1), 1));
  return t;
}();
// days_from_civil, by the table where it reaches.
[[gnu::always_inline]] inline std::int64_t days_of_date(unsigned year, unsigned month,
                                                        unsigned day) {
  const unsigned i = year - static_cast<unsigned>(kMonthTableFirstYear);
  if (i >= 256 || month - 1 > 11) return days_from_civil(year, month, day);
  return kMonthStarts.day[i * 12 + month - 1] + static_cast<std::int64_t>(day) - 1;
}

// The seconds since 1970 of a valid UTC date and time of day.
[[gnu::always_inline]] inline double utc_seconds(unsigned year, unsigned month, unsigned day,
                                                 unsigned hour, unsigned minute, unsigned second) {
  return static_cast<double>(days_of_date(year, month, day) * 86400 +
                             static_cast<std::int64_t>(hour * 3600 + minute * 60 + second));
}

inline constexpr unsigned char kMonthDays[16] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

// YYYY-MM-DDTHH:MM:SSZ, the form aip writes, read without the general parser; false for
// anything else (the general parser then decides). 29 February and leap seconds go the long
// way. Two ways: portable 64-bit words, and SSE2 where the target has it (x86-64 always
// does); fixed_utc_timestamp is the one the target runs, and the tests and the fuzzer hold
// both to the general parser.
[[gnu::always_inline]] inline bool fixed_utc_timestamp_words(std::string_view s, double &out) {
  if (s.size() != 20) return false;
  // Three little-endian words, "YYYY-MM-", "DDTHH:MM" and ":SSZ" (byte i is bits 8i..8i+7).
  // In each, the punctuation must be exactly as written and the other bytes digits; the
  // punctuation is set to '0' before subtracting '0' from every byte, so that no borrow runs
  // into a digit; then each digit pair is 10 x first + second in the first byte of the pair.
  std::uint64_t w0, w1;
  std::uint32_t w2;
  std::memcpy(&w0, s.data(), 8);
  std::memcpy(&w1, s.data() + 8, 8);
  std::memcpy(&w2, s.data() + 16, 4);
  constexpr std::uint64_t zeros = 0x3030303030303030ULL;
  constexpr std::uint64_t d0 = 0x00FFFF00FFFFFFFFULL, p0 = 0x2D00000000000000ULL | 0x2D00000000ULL;
  constexpr std::uint64_t d1 = 0xFFFF00FFFF00FFFFULL, p1 = (0x3AULL << 40) | (0x54ULL << 16);
  constexpr std::uint64_t d2 = 0x00FFFF00ULL, p2 = (0x5AULL << 24) | 0x3AULL;
  const bool punctuation = ((w0 & ~d0) == p0) & ((w1 & ~d1) == p1) & ((w2 & ~d2) == p2);
  const std::uint64_t x0 = ((w0 & d0) | (zeros & ~d0)) - zeros,
                      x1 = ((w1 & d1) | (zeros & ~d1)) - zeros,
                      x2 = ((w2 & d2) | (zeros & ~d2)) - zeros;
  const std::uint64_t bad = (x0 | (x0 + 0x7676767676767676ULL) | x1 | (x1 + 0x7676767676767676ULL) |
                             x2 | (x2 + 0x7676767676767676ULL)) &
                            0x8080808080808080ULL;
  const std::uint64_t t0 = x0 * 10 + (x0 >> 8), t1 = x1 * 10 + (x1 >> 8), t2 = x2 * 10 + (x2 >> 8);
  const unsigned year = static_cast<unsigned>(t0 & 0xFF) * 100 +
                        static_cast<unsigned>((t0 >> 16) & 0xFF),
                 month = static_cast<unsigned>((t0 >> 40) & 0xFF),
                 day = static_cast<unsigned>(t1 & 0xFF),
                 hour = static_cast<unsigned>((t1 >> 24) & 0xFF),
                 minute = static_cast<unsigned>((t1 >> 48) & 0xFF),
                 second = static_cast<unsigned>((t2 >> 8) & 0xFF);
  if (!punctuation || bad != 0 || month - 1 > 11 || day - 1 >= kMonthDays[month & 15] ||
      hour > 23 || minute > 59 || second > 59)
    return false;
  out = utc_seconds(year, month, day, hour, minute, second);
  return true;
}

#if defined(__SSE2__)
[[gnu::always_inline]] inline bool fixed_utc_timestamp_sse2(std::string_view s, double &out) {
  if (s.size() != 20) return false;
  // Two overlapping loads: v = "YYYY-MM-DDTHH:MM" (bytes 0-15), u = "-MM-DDTHH:MM:SSZ" (4-19).
  // Each digit pair becomes one 16-bit lane, 10 x first + second, after the pairs that start
  // at an odd byte of u are moved one byte down; the lanes are checked against their ranges
  // together.
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s.data()));
  const __m128i u = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s.data() + 4));
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);
  const __m128i dv = _mm_sub_epi8(v, zero), du = _mm_sub_epi8(u, zero);
  // Digits: 0..9 after '0' is subtracted (as unsigned bytes, anything else is larger).
  const auto digits = [&](__m128i d) __attribute__((always_inline)) {
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(d, nine), nine)));
  };
  const auto punctuation = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(
      u, _mm_setr_epi8('-', 0, 0, '-', 0, 0, 'T', 0, 0, ':', 0, 0, ':', 0, 0, 'Z'))));
  // Year digits at bytes 0-3 of v; in u, digits at 1,2 4,5 7,8 10,11 13,14 and the
  // punctuation at 0, 3, 6, 9, 12, 15.
  if ((digits(dv) & 0xF) != 0xF || ((digits(du) & 0x6DB6) | (punctuation & 0x9249)) != 0xFFFF)
    return false;
  // lane i: 10 x byte 2i + byte 2i+1
  const auto pairs = [](__m128i d) __attribute__((always_inline)) {
    return _mm_add_epi16(
        _mm_mullo_epi16(_mm_and_si128(d, _mm_set1_epi16(0xFF)), _mm_set1_epi16(10)),
        _mm_srli_epi16(d, 8));
  };
  // Bytes 0,1 6,7 12,13 from u one byte down (month, hour, second); 4,5 10,11 as they are.
  const __m128i down = _mm_setr_epi8(-1, -1, 0, 0, 0, 0, -1, -1, 0, 0, 0, 0, -1, -1, 0, 0);
  const __m128i lanes =
      pairs(_mm_or_si128(_mm_and_si128(down, _mm_srli_si128(du, 1)), _mm_andnot_si128(down, du)));
  // Lanes: 0 month, 2 day, 3 hour, 5 minute, 6 second; 1, 4 and 7 hold punctuation.
  const __m128i low = _mm_setr_epi16(1, -32768, 1, 0, -32768, 0, 0, -32768);
  const __m128i high = _mm_setr_epi16(12, 32767, 31, 23, 32767, 59, 59, 32767);
  if (_mm_movemask_epi8(_mm_or_si128(_mm_cmpgt_epi16(low, lanes), _mm_cmpgt_epi16(lanes, high))) !=
      0)
    return false;
  const __m128i years = pairs(dv);
  const auto year = static_cast<unsigned>(_mm_extract_epi16(years, 0) * 100 +
                                          _mm_extract_epi16(years, 1)),
             month = static_cast<unsigned>(_mm_extract_epi16(lanes, 0)),
             day = static_cast<unsigned>(_mm_extract_epi16(lanes, 2)),
             hour = static_cast<unsigned>(_mm_extract_epi16(lanes, 3)),
             minute = static_cast<unsigned>(_mm_extract_epi16(lanes, 5)),
             second = static_cast<unsigned>(_mm_extract_epi16(lanes, 6));
  if (day > kMonthDays[month]) return false;
  out = utc_seconds(year, month, day, hour, minute, second);
  return true;
}
#endif

[[gnu::always_inline]] inline bool fixed_utc_timestamp(std::string_view s, double &out) {
#if defined(__SSE2__)
  return fixed_utc_timestamp_sse2(s, out);
#else
  return fixed_utc_timestamp_words(s, out);
#endif
}

// parse_timestamp's general parser alone, without the fast path for the fixed form: the
// tests and the fuzzer compare the two.
double parse_timestamp_general(std::string_view text, Exit on_error = Exit::data);
} // namespace detail

// parse_timestamp without an error: false where it would fail. Inline and fast for the form
// records use, YYYY-MM-DDTHH:MM:SSZ.
bool parse_timestamp_slowly(std::string_view text, double &out);
inline bool parse_timestamp_quietly(std::string_view text, double &out) {
  return detail::fixed_utc_timestamp(text, out) || parse_timestamp_slowly(text, out);
}

} // namespace aip
