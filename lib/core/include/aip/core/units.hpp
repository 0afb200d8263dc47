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
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
void civil_from_days(std::int64_t days, std::int64_t &y, unsigned &m, unsigned &d);

} // namespace aip
