// Module metadata as a tree of values that remember where they were written (line and
// column), read from YAML or JSON. YAML is read the way the upstream tool reads it (PyYAML's
// safe loader, YAML 1.1): an unquoted `2024-12-13` is a timestamp, not a string, and `yes`
// is a boolean. Duplicate keys keep the last value, as PyYAML does, and are recorded so
// that --strict can reject them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <aip/core/error.hpp>

#include <nlohmann/json.hpp>

namespace aip::catalog {

struct Mark {
  int line = 0, column = 0; // 1-based; 0 when unknown
};

// Bad input (65) with the place and the problem apart, so reports can carry both.
class ParseError : public Error {
public:
  ParseError(const std::string &name, Mark mark, const std::string &problem);
  Mark mark;
  std::string problem;
};

enum class Type { null, boolean, integer, number, string, timestamp, array, object };
const char *type_name(Type t);

struct Member;

struct Value {
  Type type = Type::null;
  bool boolean = false;
  double number = 0; // integer and number
  std::string text;  // string; timestamp and numbers: the text as written
  std::vector<Value> items;
  std::vector<Member> members; // unique keys, in first-seen order
  std::vector<Mark> key_marks; // where each member's key is
  Mark mark;

  const Value *find(std::string_view key) const;
  Value *find(std::string_view key);
  bool is_number() const { return type == Type::integer || type == Type::number; }
  // Plain JSON (a timestamp becomes its text): for records, migration and output.
  nlohmann::ordered_json to_json() const;
  static Value from_json(const nlohmann::json &j);
};

// One key of a mapping (a pair that can hold a Value before Value is complete).
struct Member {
  std::string first;
  Value second;
  Member() = default;
  Member(std::string key, Value value) : first(std::move(key)), second(std::move(value)) {}
};

// A key written twice in one mapping.
struct Duplicate {
  std::string pointer; // JSON pointer of the key
  Mark first, second;
};

struct Limits {
  std::size_t max_bytes = 4u << 20; // larger files are refused (65)
  std::size_t max_depth = 64;       // nesting
  std::size_t max_nodes = 1u << 20; // after aliases are expanded (billion laughs)
};

struct Document {
  std::string name; // file name for messages
  bool yaml = false;
  Value root;
  std::vector<Duplicate> duplicates;
};

// Reads bytes as YAML or JSON (`json` true) or, with `sniff`, JSON when the first
// non-blank byte is '{' or '[' and YAML otherwise. Errors throw aip::Error (65) as
// "NAME:LINE:COLUMN: problem": syntax, non-UTF-8, too large, too deep, recursive aliases,
// unknown tags, impossible dates.
enum class Syntax { sniff, yaml, json };
Document parse_document(std::string_view bytes, const std::string &name,
                        Syntax syntax = Syntax::sniff, const Limits &limits = {});
// Reads a file ("-" for stdin); a missing file is 66; otherwise as parse_document.
Document load_document(const std::string &path, Syntax syntax = Syntax::sniff,
                       const Limits &limits = {});

// Valid UTF-8 (no overlongs, no surrogates); on failure `offset` is the first bad byte.
bool valid_utf8(std::string_view bytes, std::size_t &offset);

// JSON pointer helpers (RFC 6901).
std::string pointer_escape(std::string_view token);
std::string pointer_append(const std::string &pointer, std::string_view token);
std::string pointer_append(const std::string &pointer, std::size_t index);

// Writes a value as YAML (block style, strings quoted where YAML 1.1 would read them as
// something else) or JSON.
std::string to_yaml(const Value &v);

} // namespace aip::catalog
