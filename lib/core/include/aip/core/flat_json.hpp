// A scanner for the common shape of a record line: one flat JSON object whose members are
// strings without escapes, numbers, true, false and null, in ASCII. It reads such a line in a
// single pass with no tape and no copies, several times faster than a full parse.
//
// It is a fast path only. Whenever a line is outside that subset (an escape, a byte >= 0x80,
// a nested object or array, an integer of more than 18 digits, a number that does not round
// trip, "-0") or is not valid JSON at all, scan_object gives up and the caller parses the line
// with simdjson, which accepts it or reports the error exactly as it always did. So the scanner
// never decides that input is bad; it only needs to be right about what it accepts, and the
// differential fuzz target (fuzz/fuzz_flat_json.cpp) checks that against simdjson.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace aip::jsonl::flat {

enum class Type : std::uint8_t { string, integer, number, boolean, null };

struct Value {
  Type type = Type::null;
  // string: the contents between the quotes (no escapes in the fast subset); integer and
  // number: the token as written.
  std::string_view text;
  std::int64_t integer = 0; // Type::integer
  double number = 0;        // Type::number, rounded correctly (as simdjson does)
  bool boolean = false;     // Type::boolean

  // An integer or number as simdjson's get_double gives it.
  [[gnu::always_inline]] double as_double() const {
    return type == Type::integer ? static_cast<double>(integer) : number;
  }
  bool is_number() const { return type == Type::integer || type == Type::number; }
};

// Thrown by a visitor to give up on a line (a value of an unexpected type, say); the caller
// catches it and parses the line in full.
struct GiveUp {};

namespace detail {

inline bool space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline bool digit(char c) { return c >= '0' && c <= '9'; }

// p points at the opening quote. On success p is just past the closing quote. Reads up to 15
// bytes past `end` (the caller guarantees they are readable) but never uses them.
[[gnu::always_inline]] inline bool string_body(const char *&p, const char *end,
                                               std::string_view &out) {
  const char *s = p + 1;
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'),
                control = _mm_set1_epi8(0x20);
  while (s < end) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s));
    // Signed compare: bytes 0x80..0xff are negative, so "< 0x20" also catches non-ASCII.
    const auto quotes = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(b, quote)));
    const auto others = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(b, backslash), _mm_cmplt_epi8(b, control))));
    if ((quotes | others) != 0) {
      // The first of them must be the closing quote (told by the masks, not by loading it).
      const unsigned first = static_cast<unsigned>(__builtin_ctz(quotes | others));
      const char *q = s + first;
      if (q >= end || ((others >> first) & 1U) != 0) return false;
      out = std::string_view(p + 1, static_cast<std::size_t>(q - p - 1));
      p = q + 1;
      return true;
    }
    s += 16;
  }
  return false;
#else
  for (; s < end; ++s) {
    const auto c = static_cast<unsigned char>(*s);
    if (c == '"') {
      out = std::string_view(p + 1, static_cast<std::size_t>(s - p - 1));
      p = s + 1;
      return true;
    }
    if (c == '\\' || c < 0x20 || c >= 0x80) return false;
  }
  return false;
#endif
}

// The number of ASCII digits at p (p..end, and 15 readable bytes past end).
[[gnu::always_inline]] inline std::size_t digits(const char *p, const char *end) {
  const char *s = p;
#if defined(__SSE2__)
  const __m128i below = _mm_set1_epi8('0'), above = _mm_set1_epi8('9');
  while (s < end) {
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s));
    // Bytes >= 0x80 compare as negative, below '0': not digits.
    const int other =
        _mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(b, below), _mm_cmpgt_epi8(b, above)));
    if (other != 0) {
      s += __builtin_ctz(static_cast<unsigned>(other));
      break;
    }
    s += 16;
  }
  if (s > end) s = end;
#else
  while (s < end && digit(*s)) ++s;
#endif
  return static_cast<std::size_t>(s - p);
}

// Exact powers of ten in a double (10^22 is the last).
inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

inline constexpr std::uint64_t kPow10Int[] = {1,      10,      100,      1000,     10000,
                                              100000, 1000000, 10000000, 100000000};

// The ASCII digits that start the 8 bytes at p (all readable), as their count (0..8) and, in
// `value`, their number. Branch-free: the bytes are read as one word, the first byte that is not
// a digit found by a carry-free byte test, the digits before it converted by three multiplies
// (the "eight digits at once" method published by Lemire and used by simdjson and fast_float).
[[gnu::always_inline]] inline unsigned leading_digits8(const char *p, std::uint64_t &value) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  // Little-endian: the first byte is the lowest. Each byte minus '0' is 0..9 for a digit; a
  // borrow only ever runs from a non-digit byte to the later ones, which are discarded.
  const std::uint64_t x = w - 0x3030303030303030ULL;
  const std::uint64_t other = (x | (x + 0x7676767676767676ULL)) & 0x8080808080808080ULL;
  const unsigned k = other == 0 ? 8 : static_cast<unsigned>(__builtin_ctzll(other)) / 8;
  if (k == 0) {
    value = 0;
    return 0;
  }
  std::uint64_t v = x << (8 * (8 - k)); // the k digits last, zeros (leading digits) before
  v = v * 10 + (v >> 8);
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  value = v & 0xFFFFFFFFULL;
  return k;
}

// The common number, non-negative with up to 15 digits and no exponent, read without a loop;
// false (p unmoved) for anything else, which careful_number reads.
[[gnu::always_inline]] inline bool plain_number(const char *&p, const char *end, Value &v) {
  std::uint64_t whole, low;
  unsigned k = leading_digits8(p, whole);
  if (k == 8) {
    const unsigned more = leading_digits8(p + 8, low);
    if (more == 8) return false;
    whole = whole * kPow10Int[more] + low;
    k += more;
  }
  const char *q = p + k;
  // No digits, a leading zero, or digits up to the end of the line (or past it, into padding).
  if (k == 0 || (*p == '0' && k > 1) || q >= end) return false;
  if (*q == '.') {
    std::uint64_t fraction;
    const unsigned f = leading_digits8(q + 1, fraction);
    const char *after = q + 1 + f;
    if (f == 0 || f == 8 || k + f > 15 || after >= end || (*after | 0x20) == 'e') return false;
    // Clinger's fast path, as in careful_number.
    v.type = Type::number;
    v.number = static_cast<double>(whole * kPow10Int[f] + fraction) / kPow10[f];
    v.text = std::string_view(p, static_cast<std::size_t>(after - p));
    p = after;
    return true;
  }
  if ((*q | 0x20) == 'e') return false;
  v.type = Type::integer;
  v.integer = static_cast<std::int64_t>(whole);
  v.text = std::string_view(p, k);
  p = q;
  return true;
}

// p points at '-' or a digit. Follows JSON's number grammar exactly. Out of line: the
// common numbers take plain_number, and this code, inlined at each of a record reader's
// numbers, made up a third of the reader's code (4039 instructions against 2640; the same
// speed either way).
[[gnu::noinline]] inline bool careful_number(const char *&p, const char *end, Value &v) {
  const char *start = p;
  const bool negative = *p == '-';
  if (negative) ++p;
  const char *int_start = p;
  const std::size_t int_digits = digits(p, end);
  if (int_digits == 0 || (*p == '0' && int_digits > 1)) return false; // no leading zeros
  p += int_digits;
  std::size_t frac_digits = 0;
  const char *frac_start = nullptr;
  bool integer = true;
  if (p < end && *p == '.') {
    integer = false;
    frac_start = ++p;
    frac_digits = digits(p, end);
    if (frac_digits == 0) return false;
    p += frac_digits;
  }
  bool exponent = false;
  if (p < end && (*p == 'e' || *p == 'E')) {
    integer = false;
    exponent = true;
    ++p;
    if (p < end && (*p == '+' || *p == '-')) ++p;
    const std::size_t e = digits(p, end);
    if (e == 0) return false;
    p += e;
  }
  v.text = std::string_view(start, static_cast<std::size_t>(p - start));
  if (integer) {
    if (int_digits > 18) return false;
    std::int64_t n = 0;
    for (const char *d = int_start; d < p; ++d) n = n * 10 + (*d - '0');
    if (negative && n == 0) return false; // "-0": leave simdjson's reading of it to simdjson
    v.type = Type::integer;
    v.integer = negative ? -n : n;
    return true;
  }
  v.type = Type::number;
  if (!exponent && int_digits + frac_digits <= 15) {
    // Clinger's fast path: both operands are exact doubles and IEEE division rounds
    // correctly, so this is the correctly rounded value, as simdjson and from_chars give.
    std::int64_t m = 0;
    for (const char *d = int_start; d < int_start + int_digits; ++d) m = m * 10 + (*d - '0');
    for (const char *d = frac_start; d < frac_start + frac_digits; ++d) m = m * 10 + (*d - '0');
    const double x = static_cast<double>(m) / kPow10[frac_digits];
    v.number = negative ? -x : x;
    return true;
  }
  // Out of range either way (1e999, 1e-999): simdjson has the last word on those.
  auto [ptr, ec] = std::from_chars(start, p, v.number);
  return ec == std::errc() && ptr == p;
}

// p points at '-' or a digit. Follows JSON's number grammar exactly.
[[gnu::always_inline]] inline bool number(const char *&p, const char *end, Value &v) {
  return plain_number(p, end, v) || careful_number(p, end, v);
}

} // namespace detail

// The keys a caller expects, in the order it expects them (the order aip writes them). Where
// the next key of a line is the one after the key matched last, the scanner compares it in
// place, 32 bytes at once, instead of searching for its closing quote; any other key is
// read the ordinary way. Only speed depends on the hints, never what is read.
class KeyHints {
public:
  KeyHints(std::initializer_list<std::string_view> keys) {
    for (auto k : keys) {
      Hint h{};
      const std::string pattern = "\"" + std::string(k) + "\":";
      if (pattern.size() > sizeof h.pattern) continue; // too long to compare at once
      std::memcpy(h.pattern, pattern.data(), pattern.size());
      h.size = static_cast<std::uint8_t>(pattern.size());
      h.key = k;
      hints_.push_back(h);
    }
  }
  struct Hint {
    char pattern[32]; // "key": then zeros
    std::uint8_t size;
    std::string_view key;
  };
  std::size_t size() const { return hints_.size(); }
  const Hint &operator[](std::size_t i) const { return hints_[i]; }
  // The hint for `key`, for resuming after a key read the ordinary way; size() if none.
  std::size_t find(std::string_view key) const {
    for (std::size_t i = 0; i < hints_.size(); ++i)
      if (hints_[i].key == key) return i;
    return hints_.size();
  }

private:
  std::vector<Hint> hints_;
};

namespace detail {
// Whether the bytes at p (32 readable) start with the hint's "key": and it ends by `end`.
inline bool matches(const char *p, const char *end, const KeyHints::Hint &h) {
  if (end - p < h.size) return false;
#if defined(__SSE2__)
  const auto *a = reinterpret_cast<const __m128i *>(p);
  const auto *b = reinterpret_cast<const __m128i *>(h.pattern);
  const unsigned eq =
      static_cast<unsigned>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a), _mm_loadu_si128(b)))) |
      static_cast<unsigned>(
          _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(a + 1), _mm_loadu_si128(b + 1))))
          << 16;
  const unsigned need = h.size == 32 ? ~0U : (1U << h.size) - 1;
  return (eq & need) == need;
#else
  return std::memcmp(p, h.pattern, h.size) == 0;
#endif
}
} // namespace detail

// Calls visit(key, value) for each member of the object on `line`, in order; visit returns
// nothing and may throw GiveUp. Returns false when the line is outside the fast subset or
// not valid JSON (see the top of this file); then any calls already made must be forgotten.
// At least 32 bytes after the line must be readable (simdjson's padding is 64). `hints`, when
// given, make the keys they foresee cheaper to read.
template <class Visit>
bool scan_object(std::string_view line, Visit &&visit, const KeyHints *hints = nullptr) {
  std::size_t next_hint = 0;
  using detail::space;
  const char *p = line.data();
  const char *const end = p + line.size();
  while (p < end && space(*p)) ++p;
  if (p == end || *p != '{') return false;
  ++p;
  while (p < end && space(*p)) ++p;
  if (p < end && *p == '}') {
    ++p;
  } else {
    while (true) {
      std::string_view key;
      if (hints != nullptr && next_hint < hints->size() &&
          detail::matches(p, end, (*hints)[next_hint])) {
        key = (*hints)[next_hint].key;
        p += (*hints)[next_hint].size; // past the colon
        ++next_hint;
      } else {
        if (p == end || *p != '"' || !detail::string_body(p, end, key)) return false;
        while (p < end && space(*p)) ++p;
        if (p == end || *p != ':') return false;
        ++p;
        if (hints != nullptr) next_hint = hints->find(key) + 1;
      }
      while (p < end && space(*p)) ++p;
      if (p == end) return false;
      Value v;
      const char c = *p;
      if (c == '"') {
        if (!detail::string_body(p, end, v.text)) return false;
        v.type = Type::string;
      } else if (c == '-' || detail::digit(c)) {
        if (!detail::number(p, end, v)) return false;
      } else if (c == 't' && end - p >= 4 && std::memcmp(p, "true", 4) == 0) {
        p += 4;
        v.type = Type::boolean;
        v.boolean = true;
      } else if (c == 'f' && end - p >= 5 && std::memcmp(p, "false", 5) == 0) {
        p += 5;
        v.type = Type::boolean;
      } else if (c == 'n' && end - p >= 4 && std::memcmp(p, "null", 4) == 0) {
        p += 4;
        v.type = Type::null;
      } else {
        return false; // a nested object or array, or not JSON
      }
      visit(key, v);
      while (p < end && space(*p)) ++p;
      if (p == end) return false;
      if (*p == '}') {
        ++p;
        break;
      }
      if (*p != ',') return false;
      ++p;
      while (p < end && space(*p)) ++p;
    }
  }
  while (p < end && space(*p)) ++p;
  return p == end;
}

} // namespace aip::jsonl::flat
