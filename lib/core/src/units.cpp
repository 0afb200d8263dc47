#include "aip/core/units.hpp"

#include "aip/core/error.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

namespace aip {
namespace {

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Reads an unsigned decimal number with an optional fraction at s[pos]; advances pos.
bool read_number(std::string_view s, std::size_t &pos, double &out) {
  const char *begin = s.data() + pos;
  const char *end = s.data() + s.size();
  if (pos >= s.size() || !(is_digit(*begin) || *begin == '.')) return false;
  auto [ptr, ec] = std::from_chars(begin, end, out, std::chars_format::fixed);
  if (ec != std::errc() || !std::isfinite(out)) return false;
  pos += static_cast<std::size_t>(ptr - begin);
  return true;
}

bool read_int(std::string_view s, std::size_t &pos, std::size_t digits, int &out) {
  if (pos + digits > s.size()) return false;
  int v = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  pos += digits;
  return true;
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto &c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

} // namespace

std::uint64_t parse_size(std::string_view text, Exit on_error) {
  auto bad = [&](const char *why) -> std::uint64_t {
    fail(on_error, "invalid size " + quoted(text) + ": " + why +
                       " (examples: 512M, 16G, 16GiB, 16GB, 1048576)");
  };
  std::size_t pos = 0;
  double value = 0;
  if (!read_number(text, pos, value)) return bad("expected a number");
  std::string suffix = lower(text.substr(pos));
  double factor = 1;
  if (!suffix.empty()) {
    static constexpr std::string_view letters = "kmgtp";
    auto at = letters.find(suffix[0]);
    if (suffix == "b") {
      factor = 1;
    } else if (at == std::string_view::npos) {
      return bad("unknown unit");
    } else {
      std::string rest = suffix.substr(1);
      double base;
      if (rest.empty() || rest == "i" || rest == "ib")
        base = 1024;
      else if (rest == "b")
        base = 1000;
      else
        return bad("unknown unit");
      factor = std::pow(base, static_cast<double>(at + 1));
    }
  }
  double bytes = std::round(value * factor);
  if (bytes >= 18446744073709551616.0) return bad("too large");
  return static_cast<std::uint64_t>(bytes);
}

double parse_duration(std::string_view text, Exit on_error) {
  auto bad = [&](const char *why) -> double {
    fail(on_error, "invalid duration " + quoted(text) + ": " + why +
                       " (examples: 90s, 2h30m, 1d12h, 06:00:00, 2-00:00:00)");
  };
  if (text.empty()) return bad("empty");
  // Slurm's forms: [D-]HH[:MM[:SS]] with a day part, or MM:SS / HH:MM:SS without one.
  if (text.find(':') != std::string_view::npos || text.find('-') != std::string_view::npos) {
    std::size_t pos = 0;
    double days = 0;
    auto dash = text.find('-');
    if (dash != std::string_view::npos) {
      double d;
      std::size_t p = 0;
      if (!read_number(text.substr(0, dash), p, d) || p != dash) return bad("bad day count");
      days = d;
      pos = dash + 1;
    }
    std::array<double, 3> parts{};
    int n = 0;
    while (true) {
      if (n == 3) return bad("too many ':' fields");
      double v;
      if (!read_number(text, pos, v)) return bad("expected a number");
      parts[n++] = v;
      if (pos == text.size()) break;
      if (text[pos] != ':') return bad("unexpected character");
      ++pos;
    }
    double secs;
    if (dash != std::string_view::npos) {
      // D-HH, D-HH:MM, D-HH:MM:SS
      secs = parts[0] * 3600 + (n > 1 ? parts[1] * 60 : 0) + (n > 2 ? parts[2] : 0);
    } else if (n == 2) {
      secs = parts[0] * 60 + parts[1]; // MM:SS
    } else if (n == 3) {
      secs = parts[0] * 3600 + parts[1] * 60 + parts[2];
    } else {
      return bad("expected MM:SS or HH:MM:SS");
    }
    return days * 86400 + secs;
  }
  std::size_t pos = 0;
  double total = 0;
  int groups = 0;
  std::string last_unit;
  while (pos < text.size()) {
    double v;
    if (!read_number(text, pos, v)) return bad("expected a number");
    std::size_t start = pos;
    while (pos < text.size() && std::isalpha(static_cast<unsigned char>(text[pos]))) ++pos;
    std::string unit = lower(text.substr(start, pos - start));
    double f;
    if (unit.empty()) {
      if (groups > 0 || pos != text.size()) return bad("a number without a unit");
      f = 1;
    } else if (unit == "ms")
      f = 0.001;
    else if (unit == "s" || unit == "sec" || unit == "secs")
      f = 1;
    else if (unit == "m" || unit == "min" || unit == "mins")
      f = 60;
    else if (unit == "h" || unit == "hr" || unit == "hrs")
      f = 3600;
    else if (unit == "d" || unit == "day" || unit == "days")
      f = 86400;
    else if (unit == "w" || unit == "week" || unit == "weeks")
      f = 7 * 86400;
    else
      return bad("unknown unit");
    total += v * f;
    ++groups;
  }
  return total;
}

bool parse_timestamp_slowly(std::string_view text, double &out) {
  try {
    out = detail::parse_timestamp_general(text);
    return true;
  } catch (const Error &) {
    return false;
  }
}

double parse_timestamp(std::string_view text, Exit on_error) {
  if (double fast; detail::fixed_utc_timestamp(text, fast)) return fast;
  return detail::parse_timestamp_general(text, on_error);
}

double detail::parse_timestamp_general(std::string_view text, Exit on_error) {
  auto bad = [&](const char *why) -> double {
    fail(on_error, "invalid timestamp " + quoted(text) + ": " + why +
                       " (expected RFC 3339 such as 2026-11-22T10:00:00Z, or epoch seconds)");
  };
  std::string_view s = text;
  if (!s.empty() && s[0] == '@') s.remove_prefix(1);
  // Epoch seconds: digits with an optional fraction and sign, nothing else.
  bool epoch = !s.empty();
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!(is_digit(c) || c == '.' || (i == 0 && c == '-'))) {
      epoch = false;
      break;
    }
  }
  if (epoch) {
    double v;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v))
      return bad("not a number");
    return v;
  }
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!read_int(s, pos, 4, year) || pos >= s.size() || s[pos++] != '-' ||
      !read_int(s, pos, 2, month) || pos >= s.size() || s[pos++] != '-' ||
      !read_int(s, pos, 2, day))
    return bad("expected YYYY-MM-DD");
  if (month < 1 || month > 12) return bad("month out of range");
  static constexpr std::array<int, 12> mdays{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day < 1 || day > mdays[month - 1] || (month == 2 && day == 29 && !leap))
    return bad("day out of range");
  if (pos == s.size()) return bad("missing time (RFC 3339 needs THH:MM:SS and a zone)");
  char sep = s[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return bad("expected 'T' between date and time");
  if (!read_int(s, pos, 2, hour) || pos >= s.size() || s[pos++] != ':' ||
      !read_int(s, pos, 2, minute) || pos >= s.size() || s[pos++] != ':' ||
      !read_int(s, pos, 2, second))
    return bad("expected HH:MM:SS");
  // Second 60 is a leap second; POSIX time folds it into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
  double frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    double scale = 0.1;
    std::size_t start = pos;
    while (pos < s.size() && is_digit(s[pos])) {
      frac += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return bad("empty fraction of a second");
  }
  if (pos >= s.size()) return bad("missing time zone (use Z or +HH:MM)");
  int offset = 0;
  char z = s[pos++];
  if (z == 'Z' || z == 'z') {
    offset = 0;
  } else if (z == '+' || z == '-') {
    int oh, om;
    if (!read_int(s, pos, 2, oh) || pos >= s.size() || s[pos++] != ':' ||
        !read_int(s, pos, 2, om) || oh > 23 || om > 59)
      return bad("bad zone offset");
    offset = (oh * 60 + om) * 60 * (z == '-' ? -1 : 1);
  } else {
    return bad("bad time zone");
  }
  if (pos != s.size()) return bad("trailing characters");
  double days = static_cast<double>(
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)));
  return days * 86400 + hour * 3600 + minute * 60 + second + frac - offset;
}

std::string format_timestamp(double epoch_seconds) {
  if (!std::isfinite(epoch_seconds)) fail(Exit::internal, "cannot format a non-finite timestamp");
  double whole = std::floor(epoch_seconds);
  long long ms = std::llround((epoch_seconds - whole) * 1000);
  auto secs = static_cast<std::int64_t>(whole);
  if (ms == 1000) {
    ++secs;
    ms = 0;
  }
  std::int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  std::int64_t rem = secs - days * 86400;
  std::int64_t y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[96]; // room for any value the format could print, so that nothing is cut
  int h = static_cast<int>(rem / 3600), mi = static_cast<int>(rem % 3600 / 60),
      s = static_cast<int>(rem % 60);
  if (ms != 0)
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02d.%03lldZ",
                  static_cast<long long>(y), m, d, h, mi, s, ms);
  else
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m,
                  d, h, mi, s);
  return buf;
}

} // namespace aip
