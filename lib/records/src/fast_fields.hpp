// Reading record fields from simdjson DOM values on the hot paths (decode_usage,
// decode_sample), with the same messages as FieldReader: "file:line: field 'x': problem".
// Internal to lib/records.
#pragma once

#include <aip/core/flat_json.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>

#include <cmath>
#include <string>
#include <string_view>

namespace aip::records::detail {

struct FastFields {
  const jsonl::Location &where;
  using Element = simdjson::dom::element;
  [[noreturn]] void fail(std::string_view field, const std::string &problem) const {
    jsonl::bad_record(where, "field '" + std::string(field) + "': " + problem);
  }
  static const char *type_name(Element v) {
    switch (v.type()) {
    case simdjson::dom::element_type::NULL_VALUE: return "null";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    default: return "a number";
    }
  }
  void string(Element v, std::string_view field, std::string &out) const {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS)
      fail(field, std::string("expected a string, got ") + type_name(v));
    out.assign(s);
  }
  // null means "unknown", like an absent field; the caller resets optionals before decoding.
  static bool null(Element v) { return v.is_null(); }
  double number(Element v, std::string_view field) const {
    double d;
    if (v.get_double().get(d) != simdjson::SUCCESS)
      fail(field, std::string("expected a number, got ") + type_name(v));
    return d;
  }
  std::int64_t integer(Element v, std::string_view field) const {
    std::int64_t i;
    if (v.get_int64().get(i) == simdjson::SUCCESS) return i;
    double d = number(v, field);
    if (d != std::trunc(d) || std::fabs(d) >= 9.2e18)
      fail(field, "expected an integer, got a fraction");
    return static_cast<std::int64_t>(d);
  }
  std::uint64_t count(Element v, std::string_view field) const {
    std::uint64_t u;
    if (v.get_uint64().get(u) == simdjson::SUCCESS) return u;
    std::int64_t i = integer(v, field);
    if (i < 0) fail(field, "expected a non-negative integer, got " + std::to_string(i));
    return static_cast<std::uint64_t>(i);
  }
  double timestamp(Element v, std::string_view field) const {
    if (v.is_number()) return number(v, field);
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS)
      fail(field, std::string("expected an RFC 3339 time or epoch seconds, got ") + type_name(v));
    try {
      return parse_timestamp(s);
    } catch (const Error &e) {
      fail(field, e.what());
    }
  }
};

// The same reads over the flat scanner's values (decode_usage_line). Anything the DOM reader
// would question, it does not answer: it gives up (GiveUp), and the caller parses the line
// with simdjson, whose reader then accepts it or names the problem.
struct FlatFields {
  using Value = jsonl::flat::Value;
  using Type = jsonl::flat::Type;
  [[noreturn]] static void fail(std::string_view, const std::string &) {
    throw jsonl::flat::GiveUp{};
  }
  static void string(const Value &v, std::string_view, std::string_view &out) {
    if (v.type != Type::string) throw jsonl::flat::GiveUp{};
    out = v.text;
  }
  static bool null(const Value &v) { return v.type == Type::null; }
  static double number(const Value &v, std::string_view) {
    if (!v.is_number()) throw jsonl::flat::GiveUp{};
    return v.as_double();
  }
  static std::int64_t integer(const Value &v, std::string_view) {
    if (v.type != Type::integer) throw jsonl::flat::GiveUp{};
    return v.integer;
  }
  static std::uint64_t count(const Value &v, std::string_view) {
    if (v.type != Type::integer || v.integer < 0) throw jsonl::flat::GiveUp{};
    return static_cast<std::uint64_t>(v.integer);
  }
  static double timestamp(const Value &v, std::string_view) {
    if (v.is_number()) return v.as_double();
    double t;
    if (v.type != Type::string || !parse_timestamp_quietly(v.text, t)) throw jsonl::flat::GiveUp{};
    return t;
  }
};

} // namespace aip::records::detail
