#include "aip/catalog/document.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>

#include <yaml.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sys/stat.h>

namespace aip::catalog {

namespace {
std::string where_of(const std::string &name, Mark m);
}

ParseError::ParseError(const std::string &name, Mark m, const std::string &p)
    : Error(Exit::data, where_of(name, m) + ": " + p), mark(m), problem(p) {}

const char *type_name(Type t) {
  switch (t) {
  case Type::null: return "null";
  case Type::boolean: return "boolean";
  case Type::integer: return "integer";
  case Type::number: return "number";
  case Type::string: return "string";
  case Type::timestamp: return "timestamp";
  case Type::array: return "array";
  case Type::object: return "object";
  }
  return "?";
}

const Value *Value::find(std::string_view key) const {
  for (const auto &m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

Value *Value::find(std::string_view key) {
  for (auto &m : members)
    if (m.first == key) return &m.second;
  return nullptr;
}

nlohmann::ordered_json Value::to_json() const {
  switch (type) {
  case Type::null: return nullptr;
  case Type::boolean: return boolean;
  case Type::integer:
    if (std::fabs(number) < 9.2e18) return static_cast<std::int64_t>(number);
    return number;
  case Type::number: return number;
  case Type::string:
  case Type::timestamp: return text;
  case Type::array: {
    auto a = nlohmann::ordered_json::array();
    for (const auto &i : items) a.push_back(i.to_json());
    return a;
  }
  case Type::object: {
    auto o = nlohmann::ordered_json::object();
    for (const auto &m : members) o[m.first] = m.second.to_json();
    return o;
  }
  }
  return nullptr;
}

Value Value::from_json(const nlohmann::json &j) {
  Value v;
  if (j.is_null()) {
    v.type = Type::null;
  } else if (j.is_boolean()) {
    v.type = Type::boolean;
    v.boolean = j.get<bool>();
  } else if (j.is_number_integer()) {
    v.type = Type::integer;
    v.number = j.is_number_unsigned() ? static_cast<double>(j.get<std::uint64_t>())
                                      : static_cast<double>(j.get<std::int64_t>());
  } else if (j.is_number()) {
    v.type = Type::number;
    v.number = j.get<double>();
  } else if (j.is_string()) {
    v.type = Type::string;
    v.text = j.get<std::string>();
  } else if (j.is_array()) {
    v.type = Type::array;
    for (const auto &i : j) v.items.push_back(from_json(i));
  } else {
    v.type = Type::object;
    for (auto it = j.begin(); it != j.end(); ++it) {
      v.members.emplace_back(it.key(), from_json(it.value()));
      v.key_marks.emplace_back();
    }
  }
  return v;
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string pointer_append(const std::string &pointer, std::string_view token) {
  return pointer + "/" + pointer_escape(token);
}

std::string pointer_append(const std::string &pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

bool valid_utf8(std::string_view s, std::size_t &offset) {
  const auto *p = reinterpret_cast<const unsigned char *>(s.data());
  std::size_t n = s.size(), i = 0;
  while (i < n) {
    unsigned c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    unsigned min;
    unsigned cp;
    if ((c & 0xE0) == 0xC0)
      len = 2, min = 0x80, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
      len = 3, min = 0x800, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
      len = 4, min = 0x10000, cp = c & 0x07;
    else {
      offset = i;
      return false;
    }
    if (i + len > n) {
      offset = i;
      return false;
    }
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) {
        offset = i;
        return false;
      }
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

namespace {

std::string where_of(const std::string &name, Mark m) {
  std::string where = name;
  if (m.line > 0) where += ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
  return where;
}

[[noreturn]] void fail_at(const std::string &name, Mark m, const std::string &problem) {
  throw ParseError(name, m, problem);
}

// Line and column (1-based) of a byte offset.
Mark mark_of(std::string_view bytes, std::size_t offset) {
  Mark m{1, 1};
  for (std::size_t i = 0; i < offset && i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ++m.line;
      m.column = 1;
    } else if ((static_cast<unsigned char>(bytes[i]) & 0xC0) != 0x80) {
      ++m.column;
    }
  }
  return m;
}

// Where the reader is, as a JSON pointer built only when needed (for duplicate keys).
struct PathStack {
  std::vector<std::pair<const std::string *, std::size_t>> parts; // key, or index when key is null
  std::string pointer() const {
    std::string out;
    for (const auto &[key, index] : parts)
      out = key ? pointer_append(out, *key) : pointer_append(out, index);
    return out;
  }
};

// ---- YAML 1.1 implicit types, as PyYAML's resolver decides them (resolver.py's regular
// expressions, written out by hand). ----

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_of(std::string_view s, std::size_t from, bool (*ok)(char)) {
  if (from >= s.size()) return false;
  for (std::size_t i = from; i < s.size(); ++i)
    if (!ok(s[i])) return false;
  return true;
}

bool yaml_bool(std::string_view s, bool &value) {
  static const char *truthy[] = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  static const char *falsy[] = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (const char *t : truthy)
    if (s == t) return value = true, true;
  for (const char *f : falsy)
    if (s == f) return value = false, true;
  return false;
}

bool yaml_null(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// `(?::[0-5]?[0-9])+` starting at i; returns the end or npos.
std::size_t sexagesimal_tail(std::string_view s, std::size_t i) {
  std::size_t groups = 0;
  while (i < s.size() && s[i] == ':') {
    std::size_t j = i + 1, d = 0;
    while (j < s.size() && is_digit(s[j]) && d < 2) ++j, ++d;
    if (d == 0) return std::string_view::npos;
    if (d == 2 && s[i + 1] > '5') return std::string_view::npos;
    i = j;
    ++groups;
  }
  return groups > 0 ? i : std::string_view::npos;
}

std::size_t skip_sign(std::string_view s) {
  return !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
}

bool yaml_int(std::string_view s, double &value) {
  std::size_t i = skip_sign(s);
  double sign = (!s.empty() && s[0] == '-') ? -1 : 1;
  std::string_view r = s.substr(i);
  auto digits_in = [](std::string_view t, const char *set) {
    if (t.empty()) return false;
    for (char c : t)
      if (c != '_' && !std::strchr(set, c)) return false;
    return true;
  };
  auto parse_base = [&](std::string_view t, int base) {
    double v = 0;
    for (char c : t) {
      if (c == '_') continue;
      int d = is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
      v = v * base + d;
    }
    return v;
  };
  if (r.size() > 2 && r[0] == '0' && r[1] == 'b' && digits_in(r.substr(2), "01"))
    return value = sign * parse_base(r.substr(2), 2), true;
  if (r.size() > 2 && r[0] == '0' && r[1] == 'x' &&
      digits_in(r.substr(2), "0123456789abcdefABCDEF"))
    return value = sign * parse_base(r.substr(2), 16), true;
  if (r.size() > 1 && r[0] == '0' && digits_in(r.substr(1), "01234567"))
    return value = sign * parse_base(r.substr(1), 8), true;
  if (r == "0") return value = 0, true;
  if (!r.empty() && r[0] >= '1' && r[0] <= '9') {
    std::size_t j = 1;
    while (j < r.size() && (is_digit(r[j]) || r[j] == '_')) ++j;
    if (j == r.size()) return value = sign * parse_base(r, 10), true;
    if (sexagesimal_tail(r, j) == r.size()) {
      double v = 0;
      std::size_t start = 0;
      while (start <= r.size()) {
        auto colon = r.find(':', start);
        auto part = r.substr(start, colon == std::string_view::npos ? std::string_view::npos
                                                                    : colon - start);
        v = v * 60 + parse_base(part, 10);
        if (colon == std::string_view::npos) break;
        start = colon + 1;
      }
      return value = sign * v, true;
    }
  }
  return false;
}

bool yaml_float(std::string_view s, double &value) {
  std::size_t i = skip_sign(s);
  const bool signed_ = i == 1;
  std::string_view r = s.substr(i);
  const double sign = (!s.empty() && s[0] == '-') ? -1 : 1;
  if (r == ".inf" || r == ".Inf" || r == ".INF") return value = sign * HUGE_VAL, true;
  if (!signed_ && (r == ".nan" || r == ".NaN" || r == ".NAN")) return value = std::nan(""), true;
  auto exponent_ok = [](std::string_view t, std::size_t j) {
    // (?:[eE][-+][0-9]+)?$
    if (j == t.size()) return true;
    if (t[j] != 'e' && t[j] != 'E') return false;
    if (j + 1 >= t.size() || (t[j + 1] != '-' && t[j + 1] != '+')) return false;
    return all_of(t, j + 2, is_digit);
  };
  auto convert = [&](std::string_view t) {
    std::string clean;
    for (char c : t)
      if (c != '_') clean += c;
    return sign * std::strtod(clean.c_str(), nullptr);
  };
  if (!r.empty() && is_digit(r[0])) {
    std::size_t j = 1;
    while (j < r.size() && (is_digit(r[j]) || r[j] == '_')) ++j;
    if (j < r.size() && r[j] == '.') {
      std::size_t k = j + 1;
      while (k < r.size() && (is_digit(r[k]) || r[k] == '_')) ++k;
      if (exponent_ok(r, k)) return value = convert(r), true;
      return false;
    }
    auto end = sexagesimal_tail(r, j);
    if (end != std::string_view::npos && end < r.size() && r[end] == '.') {
      std::size_t k = end + 1;
      while (k < r.size() && (is_digit(r[k]) || r[k] == '_')) ++k;
      if (k != r.size()) return false;
      double v = 0;
      std::string clean;
      for (char c : r)
        if (c != '_') clean += c;
      std::size_t start = 0;
      auto last = clean.rfind(':');
      while (start < last) {
        auto colon = clean.find(':', start);
        v = v * 60 + std::strtod(clean.substr(start, colon - start).c_str(), nullptr);
        start = colon + 1;
      }
      v = v * 60 + std::strtod(clean.substr(last + 1).c_str(), nullptr);
      return value = sign * v, true;
    }
    return false;
  }
  if (!signed_ && r.size() >= 2 && r[0] == '.' && is_digit(r[1])) {
    std::size_t k = 2;
    while (k < r.size() && (is_digit(r[k]) || r[k] == '_')) ++k;
    if (exponent_ok(r, k)) return value = convert(r), true;
  }
  return false;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}

// PyYAML's timestamp pattern. Returns 0 no match, 1 a valid timestamp, -1 a match that is
// not a date (PyYAML then fails with ValueError).
int yaml_timestamp(std::string_view s) {
  auto digits = [&](std::size_t &i, std::size_t lo, std::size_t hi, int &out) {
    std::size_t n = 0;
    out = 0;
    while (i < s.size() && is_digit(s[i]) && n < hi) out = out * 10 + (s[i++] - '0'), ++n;
    return n >= lo;
  };
  std::size_t i = 0;
  int y, mo, d;
  if (!digits(i, 4, 4, y) || i >= s.size() || s[i++] != '-') return 0;
  std::size_t before = i;
  if (!digits(i, 1, 2, mo) || i >= s.size() || s[i++] != '-') return 0;
  const bool short_month = i - before - 1 == 1;
  before = i;
  if (!digits(i, 1, 2, d)) return 0;
  const bool short_day = i - before == 1;
  if (i == s.size()) {
    if (short_month || short_day) return 0; // the date-only form needs two digits each
  } else {
    // (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[
    // \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
    if (s[i] == 'T' || s[i] == 't')
      ++i;
    else if (s[i] == ' ' || s[i] == '\t') {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    } else
      return 0;
    int h, mi, se;
    if (!digits(i, 1, 2, h) || i >= s.size() || s[i++] != ':') return 0;
    if (!digits(i, 2, 2, mi) || i >= s.size() || s[i++] != ':') return 0;
    if (!digits(i, 2, 2, se)) return 0;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    if (i < s.size()) {
      if (s[i] == 'Z')
        ++i;
      else if (s[i] == '-' || s[i] == '+') {
        ++i;
        int tz;
        if (!digits(i, 1, 2, tz)) return 0;
        if (i < s.size() && s[i] == ':') {
          ++i;
          if (!digits(i, 2, 2, tz)) return 0;
        }
      } else
        return 0;
    }
    if (i != s.size()) return 0;
    if (h > 23 || mi > 59 || se > 59) return -1;
  }
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return -1;
  return 1;
}

// ---- YAML through libyaml ----
// libyaml is the C scanner and parser of PyYAML itself (its CSafeLoader), so what does not
// parse upstream does not parse here, with the same line and column. The composing (anchors,
// aliases, merge keys, duplicate keys) and the YAML 1.1 typing follow PyYAML's composer,
// constructor and resolver.

class Events {
public:
  Events(std::string_view bytes, const std::string &name) : name_(name) {
    yaml_parser_initialize(&parser_);
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char *>(bytes.data()),
                                 bytes.size());
    yaml_parser_set_encoding(&parser_, YAML_UTF8_ENCODING);
  }
  ~Events() {
    if (has_) yaml_event_delete(&event_);
    yaml_parser_delete(&parser_);
  }
  Events(const Events &) = delete;
  Events &operator=(const Events &) = delete;

  // The next event; the previous one is released.
  yaml_event_t &next() {
    if (has_) yaml_event_delete(&event_);
    has_ = false;
    if (!yaml_parser_parse(&parser_, &event_)) {
      Mark m{static_cast<int>(parser_.problem_mark.line) + 1,
             static_cast<int>(parser_.problem_mark.column) + 1};
      std::string problem = parser_.problem ? parser_.problem : "syntax error";
      if (parser_.context) problem = std::string(parser_.context) + ": " + problem;
      fail_at(name_, m, "YAML syntax: " + problem);
    }
    has_ = true;
    return event_;
  }

private:
  yaml_parser_t parser_{};
  yaml_event_t event_{};
  bool has_ = false;
  const std::string &name_;
};

Mark mark_of_event(const yaml_event_t &e) {
  return {static_cast<int>(e.start_mark.line) + 1, static_cast<int>(e.start_mark.column) + 1};
}

std::string str_of(const yaml_char_t *s) { return s ? reinterpret_cast<const char *>(s) : ""; }

struct YamlBuilder {
  Events &events;
  const std::string &name;
  const Limits &limits;
  Document &doc;
  std::size_t nodes = 0, depth = 0;
  std::map<std::string, Value> anchors; // completed anchored nodes
  std::set<std::string> open_anchors;   // anchored nodes still being read
  PathStack path;

  void count(Mark m, std::size_t n = 1) {
    nodes += n;
    if (nodes > limits.max_nodes)
      fail_at(name, m,
              "more than " + std::to_string(limits.max_nodes) +
                  " values (aliases expanding too far?)");
  }

  static std::size_t size_of(const Value &v) {
    std::size_t n = 1;
    for (const auto &i : v.items) n += size_of(i);
    for (const auto &m : v.members) n += size_of(m.second);
    return n;
  }

  void scalar(const yaml_event_t &e, Value &v) {
    const std::string tag = str_of(e.data.scalar.tag);
    const std::string s(reinterpret_cast<const char *>(e.data.scalar.value), e.data.scalar.length);
    v.text = s;
    const std::string std_prefix = "tag:yaml.org,2002:";
    const bool plain = e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (tag == std_prefix + "str" || ((tag.empty() || tag == "!") && !plain) || tag == "!") {
      v.type = Type::string;
      return;
    }
    std::string explicit_type;
    if (!tag.empty()) {
      if (tag.rfind(std_prefix, 0) != 0)
        fail_at(name, v.mark, "tag '" + tag + "' is not allowed (safe loading)");
      explicit_type = tag.substr(std_prefix.size());
    }
    bool b;
    double d;
    auto is = [&](const char *t) { return explicit_type.empty() || explicit_type == t; };
    if (is("bool") && yaml_bool(s, b)) {
      v.type = Type::boolean;
      v.boolean = b;
    } else if (is("float") && yaml_float(s, d)) {
      v.type = Type::number;
      v.number = d;
    } else if (is("int") && yaml_int(s, d)) {
      v.type = Type::integer;
      v.number = d;
    } else if (explicit_type.empty() && s == "<<") {
      fail_at(name, v.mark, "a plain '<<' is the YAML merge key and cannot be a value; quote it");
    } else if (is("null") && yaml_null(s)) {
      v.type = Type::null;
    } else if (is("timestamp") && yaml_timestamp(s) != 0) {
      if (yaml_timestamp(s) < 0)
        fail_at(name, v.mark,
                "'" + s + "' looks like a YAML timestamp but is not a valid date or time");
      v.type = Type::timestamp;
    } else if (explicit_type.empty() && s == "=") {
      fail_at(name, v.mark,
              "a plain '=' is the YAML 1.1 value key, which safe loading refuses; quote it");
    } else if (!explicit_type.empty()) {
      fail_at(name, v.mark, "'" + s + "' is not a valid !!" + explicit_type);
    } else {
      v.type = Type::string;
    }
  }

  // Reads the node that starts with the current event `e` into `v`.
  void node(yaml_event_t &e, Value &v) {
    v.mark = mark_of_event(e);
    count(v.mark);
    if (e.type == YAML_ALIAS_EVENT) {
      const std::string anchor = str_of(e.data.alias.anchor);
      if (open_anchors.count(anchor))
        fail_at(name, v.mark, "an alias refers to a node that contains it (a recursive structure)");
      auto it = anchors.find(anchor);
      if (it == anchors.end()) fail_at(name, v.mark, "found undefined alias '" + anchor + "'");
      count(v.mark, size_of(it->second));
      Mark at = v.mark;
      v = it->second;
      v.mark = at;
      return;
    }
    std::string anchor;
    if (e.type == YAML_SCALAR_EVENT)
      anchor = str_of(e.data.scalar.anchor);
    else if (e.type == YAML_SEQUENCE_START_EVENT)
      anchor = str_of(e.data.sequence_start.anchor);
    else if (e.type == YAML_MAPPING_START_EVENT)
      anchor = str_of(e.data.mapping_start.anchor);
    if (!anchor.empty()) {
      if (anchors.count(anchor) || open_anchors.count(anchor))
        fail_at(name, v.mark, "found duplicate anchor '" + anchor + "'");
      open_anchors.insert(anchor);
    }
    if (e.type == YAML_SCALAR_EVENT) {
      scalar(e, v);
    } else if (e.type == YAML_SEQUENCE_START_EVENT) {
      const std::string tag = str_of(e.data.sequence_start.tag);
      if (!tag.empty() && tag != "!" && tag != "tag:yaml.org,2002:seq")
        fail_at(name, v.mark, "tag '" + tag + "' is not allowed on a sequence (safe loading)");
      if (++depth > limits.max_depth)
        fail_at(name, v.mark, "nested deeper than " + std::to_string(limits.max_depth));
      v.type = Type::array;
      while (true) {
        yaml_event_t &c = events.next();
        if (c.type == YAML_SEQUENCE_END_EVENT) break;
        v.items.emplace_back();
        path.parts.push_back({nullptr, v.items.size() - 1});
        node(c, v.items.back());
        path.parts.pop_back();
      }
      --depth;
    } else if (e.type == YAML_MAPPING_START_EVENT) {
      const std::string tag = str_of(e.data.mapping_start.tag);
      if (!tag.empty() && tag != "!" && tag != "tag:yaml.org,2002:map")
        fail_at(name, v.mark, "tag '" + tag + "' is not allowed on a mapping (safe loading)");
      if (++depth > limits.max_depth)
        fail_at(name, v.mark, "nested deeper than " + std::to_string(limits.max_depth));
      v.type = Type::object;
      std::vector<Value> merges;
      while (true) {
        yaml_event_t &k = events.next();
        if (k.type == YAML_MAPPING_END_EVENT) break;
        const Mark key_mark = mark_of_event(k);
        if (k.type != YAML_SCALAR_EVENT && k.type != YAML_ALIAS_EVENT)
          fail_at(name, key_mark,
                  std::string("a mapping key must be a scalar, not a ") +
                      (k.type == YAML_MAPPING_START_EVENT ? "mapping" : "sequence"));
        const bool merge = k.type == YAML_SCALAR_EVENT &&
                           k.data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !k.data.scalar.tag &&
                           k.data.scalar.length == 2 &&
                           std::memcmp(k.data.scalar.value, "<<", 2) == 0 && !k.data.scalar.anchor;
        Value key;
        if (!merge) node(k, key);
        if (key.type == Type::array || key.type == Type::object)
          fail_at(name, key_mark, "a mapping key must be a scalar");
        Value child;
        yaml_event_t &ce = events.next();
        if (merge) {
          node(ce, child);
          merges.push_back(std::move(child));
          continue;
        }
        path.parts.push_back({&key.text, 0});
        node(ce, child);
        const std::string child_pointer = v.find(key.text) ? path.pointer() : std::string();
        path.parts.pop_back();
        if (Value *old = v.find(key.text)) {
          for (std::size_t m = 0; m < v.members.size(); ++m)
            if (&v.members[m].second == old) {
              doc.duplicates.push_back({child_pointer, v.key_marks[m], key_mark});
              break;
            }
          *old = std::move(child); // the last one wins, as in PyYAML
        } else {
          v.members.emplace_back(std::move(key.text), std::move(child));
          v.key_marks.push_back(key_mark);
        }
      }
      // Merge keys (<<): keys of the merged mappings that the mapping does not set itself.
      for (auto &mv : merges) {
        std::vector<Value *> sources;
        if (mv.type == Type::object)
          sources.push_back(&mv);
        else if (mv.type == Type::array) {
          for (auto &item : mv.items) {
            if (item.type != Type::object)
              fail_at(name, item.mark, "a merge key (<<) takes mappings");
            sources.push_back(&item);
          }
        } else
          fail_at(name, mv.mark, "a merge key (<<) takes a mapping or a list of mappings");
        for (auto *src : sources)
          for (std::size_t m = 0; m < src->members.size(); ++m)
            if (!v.find(src->members[m].first)) {
              v.members.push_back(src->members[m]);
              v.key_marks.push_back(src->key_marks[m]);
            }
      }
      --depth;
    } else {
      fail_at(name, v.mark, "unexpected YAML event");
    }
    if (!anchor.empty()) {
      open_anchors.erase(anchor);
      anchors[anchor] = v;
    }
  }
};

Document parse_yaml(std::string_view bytes, const std::string &name, const Limits &limits) {
  Document doc;
  doc.name = name;
  doc.yaml = true;
  Events events(bytes, name);
  YamlBuilder b{events, name, limits, doc, 0, 0, {}, {}, {}};
  if (events.next().type != YAML_STREAM_START_EVENT) fail_at(name, {}, "YAML: no stream start");
  yaml_event_t &first = events.next();
  if (first.type == YAML_STREAM_END_EVENT) return doc; // empty: null, as PyYAML gives
  yaml_event_t &root = events.next();
  b.node(root, doc.root);
  if (events.next().type != YAML_DOCUMENT_END_EVENT) fail_at(name, {}, "YAML: no document end");
  yaml_event_t &after = events.next();
  if (after.type == YAML_DOCUMENT_START_EVENT)
    fail_at(name, mark_of_event(after),
            "expected a single document in the stream, but found another document");
  return doc;
}

// ---- JSON (RFC 8259), with positions ----

struct JsonParser {
  std::string_view s;
  const std::string &name;
  const Limits &limits;
  Document &doc;
  std::size_t i = 0, depth = 0, nodes = 0;

  [[noreturn]] void fail(const std::string &problem, std::size_t at) {
    fail_at(name, mark_of(s, at), "JSON syntax: " + problem);
  }
  [[noreturn]] void fail(const std::string &problem) { fail(problem, i); }

  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  }

  // Positions only move forward while parsing: advance a cursor instead of counting from
  // the start each time (which made large files quadratic).
  std::size_t cursor = 0;
  Mark cursor_mark{1, 1};
  Mark here() {
    for (; cursor < i && cursor < s.size(); ++cursor) {
      if (s[cursor] == '\n') {
        ++cursor_mark.line;
        cursor_mark.column = 1;
      } else if ((static_cast<unsigned char>(s[cursor]) & 0xC0) != 0x80) {
        ++cursor_mark.column;
      }
    }
    return cursor_mark;
  }

  static void put_utf8(std::string &out, unsigned cp) {
    if (cp < 0x80)
      out += static_cast<char>(cp);
    else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  unsigned hex4() {
    if (i + 4 > s.size()) fail("truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      char c = s[i++];
      v <<= 4;
      if (is_digit(c))
        v |= static_cast<unsigned>(c - '0');
      else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
        v |= static_cast<unsigned>((c | 0x20) - 'a' + 10);
      else
        fail("bad hex digit in \\u escape", i - 1);
    }
    return v;
  }

  std::string string() {
    std::size_t start = i;
    ++i; // opening quote
    std::string out;
    while (true) {
      if (i >= s.size()) fail("unterminated string", start);
      char c = s[i];
      if (c == '"') {
        ++i;
        return out;
      }
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string (escape it)");
      if (c != '\\') {
        out += c;
        ++i;
        continue;
      }
      if (++i >= s.size()) fail("unterminated escape");
      char e = s[i++];
      switch (e) {
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'u': {
        unsigned cp = hex4();
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          if (i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            i += 2;
            unsigned lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("unpaired surrogate in \\u escape", i - 6);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else
            fail("unpaired surrogate in \\u escape", i - 6);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF)
          fail("unpaired surrogate in \\u escape", i - 6);
        put_utf8(out, cp);
        break;
      }
      default: fail(std::string("unknown escape \\") + e, i - 2);
      }
    }
  }

  void number(Value &v) {
    std::size_t start = i;
    if (s[i] == '-') ++i;
    if (i >= s.size() || !is_digit(s[i])) fail("bad number", start);
    if (s[i] == '0')
      ++i;
    else
      while (i < s.size() && is_digit(s[i])) ++i;
    bool integral = true;
    if (i < s.size() && s[i] == '.') {
      integral = false;
      ++i;
      if (i >= s.size() || !is_digit(s[i])) fail("bad number: a digit must follow '.'", start);
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
      integral = false;
      ++i;
      if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
      if (i >= s.size() || !is_digit(s[i]))
        fail("bad number: a digit must follow the exponent", start);
      while (i < s.size() && is_digit(s[i])) ++i;
    }
    v.text = std::string(s.substr(start, i - start));
    v.type = integral ? Type::integer : Type::number;
    v.number = std::strtod(v.text.c_str(), nullptr);
  }

  PathStack path;

  void value(Value &v) {
    ws();
    if (i >= s.size()) fail("unexpected end of input");
    if (++nodes > limits.max_nodes) fail("too many values");
    v.mark = here();
    char c = s[i];
    if (c == '{') {
      if (++depth > limits.max_depth)
        fail("nested deeper than " + std::to_string(limits.max_depth));
      v.type = Type::object;
      ++i;
      ws();
      if (i < s.size() && s[i] == '}') {
        ++i;
        --depth;
        return;
      }
      while (true) {
        ws();
        if (i >= s.size() || s[i] != '"') fail("expected a string key");
        Mark km = here();
        std::string key = string();
        ws();
        if (i >= s.size() || s[i] != ':') fail("expected ':' after a key");
        ++i;
        Value child;
        path.parts.push_back({&key, 0});
        value(child);
        bool dup = false;
        for (std::size_t m = 0; m < v.members.size(); ++m)
          if (v.members[m].first == key) {
            doc.duplicates.push_back({path.pointer(), v.key_marks[m], km});
            v.members[m].second = std::move(child); // the last one wins, as in Python's json
            dup = true;
            break;
          }
        path.parts.pop_back();
        if (!dup) {
          // cppcheck-suppress accessMoved ; moved from only when dup is true
          v.members.emplace_back(std::move(key), std::move(child));
          v.key_marks.push_back(km);
        }
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == '}') {
          ++i;
          break;
        }
        fail("expected ',' or '}'");
      }
      --depth;
    } else if (c == '[') {
      if (++depth > limits.max_depth)
        fail("nested deeper than " + std::to_string(limits.max_depth));
      v.type = Type::array;
      ++i;
      ws();
      if (i < s.size() && s[i] == ']') {
        ++i;
        --depth;
        return;
      }
      while (true) {
        v.items.emplace_back();
        path.parts.push_back({nullptr, v.items.size() - 1});
        value(v.items.back());
        path.parts.pop_back();
        ws();
        if (i < s.size() && s[i] == ',') {
          ++i;
          continue;
        }
        if (i < s.size() && s[i] == ']') {
          ++i;
          break;
        }
        fail("expected ',' or ']'");
      }
      --depth;
    } else if (c == '"') {
      v.type = Type::string;
      v.text = string();
    } else if (c == '-' || is_digit(c)) {
      number(v);
    } else if (s.substr(i, 4) == "true") {
      v.type = Type::boolean;
      v.boolean = true;
      i += 4;
    } else if (s.substr(i, 5) == "false") {
      v.type = Type::boolean;
      i += 5;
    } else if (s.substr(i, 4) == "null") {
      v.type = Type::null;
      i += 4;
    } else {
      fail(std::string("unexpected character '") + c + "'");
    }
  }
};

Document parse_json(std::string_view bytes, const std::string &name, const Limits &limits) {
  Document doc;
  doc.name = name;
  JsonParser p{bytes, name, limits, doc, 0, 0, 0, 0, {1, 1}, {}};
  p.value(doc.root);
  p.ws();
  if (p.i != bytes.size()) p.fail("unexpected data after the value");
  return doc;
}

} // namespace

Document parse_document(std::string_view bytes, const std::string &name, Syntax syntax,
                        const Limits &limits) {
  if (bytes.size() > limits.max_bytes)
    fail_at(name, {},
            std::to_string(bytes.size()) + " bytes, over the limit of " +
                std::to_string(limits.max_bytes));
  std::size_t bad = 0;
  if (!valid_utf8(bytes, bad)) {
    Mark m = mark_of(bytes, bad);
    fail_at(name, m, "not UTF-8 (byte " + std::to_string(bad) + ")");
  }
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (bytes.find('\0') != std::string_view::npos)
    fail_at(name, mark_of(bytes, bytes.find('\0')), "NUL byte in text");
  if (syntax == Syntax::sniff) {
    std::size_t k = 0;
    while (k < bytes.size() &&
           (bytes[k] == ' ' || bytes[k] == '\t' || bytes[k] == '\n' || bytes[k] == '\r'))
      ++k;
    syntax =
        (k < bytes.size() && (bytes[k] == '{' || bytes[k] == '[')) ? Syntax::json : Syntax::yaml;
  }
  return syntax == Syntax::json ? parse_json(bytes, name, limits) : parse_yaml(bytes, name, limits);
}

Document load_document(const std::string &path, Syntax syntax, const Limits &limits) {
  if (!is_stdio(path)) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail(Exit::no_input, path + ": " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) fail(Exit::no_input, path + ": is a folder");
    if (S_ISREG(st.st_mode) && static_cast<std::size_t>(st.st_size) > limits.max_bytes)
      fail_at(path, {},
              std::to_string(st.st_size) + " bytes, over the limit of " +
                  std::to_string(limits.max_bytes));
  }
  const std::string bytes = read_file(path); // one read: cheaper than a mapping for small files
  return parse_document(bytes, display_name(path), syntax, limits);
}

// ---- YAML output ----

namespace {

bool plain_safe(const std::string &s) {
  if (s.empty()) return false;
  bool b;
  double d;
  if (yaml_bool(s, b) || yaml_null(s) || yaml_int(s, d) || yaml_float(s, d) ||
      yaml_timestamp(s) != 0 || s == "<<" || s == "=")
    return false;
  if (std::strchr("-?:,[]{}#&*!|>'\"%@`~ ", s[0])) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    if (c == ':' && i + 1 < s.size() && s[i + 1] == ' ') return false;
    if (c == '#' && i > 0 && s[i - 1] == ' ') return false;
  }
  // Non-ASCII and unusual punctuation are fine in plain scalars, but keep output boring.
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    default:
      if (c < 0x20 || c == 0x7F) {
        char b[8];
        std::snprintf(b, sizeof b, "\\x%02X", c);
        out += b;
      } else
        out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// A multi-line string as a literal block when it survives the trip unchanged.
bool literal_ok(const std::string &s) {
  if (s.find('\n') == std::string::npos) return false;
  if (s[0] == ' ' || s[0] == '\n' || s[0] == '\t') return false;
  for (unsigned char c : s)
    if ((c < 0x20 && c != '\n') || c == 0x7F) return false;
  std::size_t start = 0;
  while (start < s.size()) {
    auto nl = s.find('\n', start);
    auto line = s.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (!line.empty() && line.back() == ' ') return false; // keep trailing spaces visible
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return true;
}

void write_scalar(std::string &out, const Value &v, int indent) {
  switch (v.type) {
  case Type::null: out += "null"; break;
  case Type::boolean: out += v.boolean ? "true" : "false"; break;
  case Type::integer:
  case Type::number: out += v.to_json().dump(); break;
  case Type::string:
  case Type::timestamp:
    if (plain_safe(v.text))
      out += v.text;
    else if (literal_ok(v.text)) {
      std::size_t trailing = 0;
      while (trailing < v.text.size() && v.text[v.text.size() - 1 - trailing] == '\n') ++trailing;
      out += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
      std::string pad(static_cast<std::size_t>(indent + 2), ' ');
      std::size_t start = 0;
      std::string body = v.text.substr(0, v.text.size() - trailing);
      while (start <= body.size()) {
        auto nl = body.find('\n', start);
        auto line = body.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        out += "\n";
        if (!line.empty()) out += pad + line;
        if (nl == std::string::npos) break;
        start = nl + 1;
      }
      for (std::size_t k = 1; k < trailing; ++k) out += "\n";
    } else
      out += quoted(v.text);
    break;
  default: break;
  }
}

void write_yaml(std::string &out, const Value &v, int indent) {
  std::string pad(static_cast<std::size_t>(indent), ' ');
  if (v.type == Type::object) {
    for (const auto &[k, child] : v.members) {
      out += pad + (plain_safe(k) ? k : quoted(k)) + ":";
      if ((child.type == Type::object && !child.members.empty()) ||
          (child.type == Type::array && !child.items.empty())) {
        out += "\n";
        write_yaml(out, child, child.type == Type::array ? indent : indent + 2);
      } else if (child.type == Type::object)
        out += " {}\n";
      else if (child.type == Type::array)
        out += " []\n";
      else {
        out += " ";
        write_scalar(out, child, indent);
        out += "\n";
      }
    }
  } else if (v.type == Type::array) {
    for (const auto &item : v.items) {
      out += pad + "-";
      if (item.type == Type::object && !item.members.empty()) {
        std::string inner;
        write_yaml(inner, item, indent + 2);
        out += " " + inner.substr(static_cast<std::size_t>(indent + 2));
      } else if (item.type == Type::array && !item.items.empty()) {
        out += "\n";
        write_yaml(out, item, indent + 2);
      } else if (item.type == Type::object)
        out += " {}\n";
      else if (item.type == Type::array)
        out += " []\n";
      else {
        out += " ";
        write_scalar(out, item, indent);
        out += "\n";
      }
    }
  } else {
    write_scalar(out, v, indent);
    out += "\n";
  }
}

} // namespace

std::string to_yaml(const Value &v) {
  // An empty mapping or list at the top is written in flow style: block style has no way
  // to say "empty" (found by fuzzing: `{}` came back as null).
  if (v.type == Type::object && v.members.empty()) return "{}\n";
  if (v.type == Type::array && v.items.empty()) return "[]\n";
  std::string out;
  write_yaml(out, v, 0);
  return out;
}

} // namespace aip::catalog
