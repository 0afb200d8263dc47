#include "aip/catalog/schema.hpp"

#include <aip/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <regex>
#include <set>

namespace aip::catalog {

namespace {

enum TypeBit : unsigned {
  t_null = 1,
  t_boolean = 2,
  t_integer = 4,
  t_number = 8,
  t_string = 16,
  t_array = 32,
  t_object = 64,
};

struct Pattern {
  std::string source;
  std::regex regex;
};

struct Node;

struct Node {
  std::string path; // schema pointer of this node
  bool boolean_schema = false, boolean_value = true;
  const Node *ref = nullptr;
  std::string ref_text;
  bool ref_only = false; // draft-07: siblings of $ref are ignored
  unsigned types = 0;
  std::vector<std::string> type_names;
  std::optional<std::vector<Value>> enum_values;
  std::optional<Value> const_value;
  std::vector<std::pair<std::string, const Node *>> properties;
  bool has_properties = false;
  std::vector<std::pair<Pattern, const Node *>> pattern_properties;
  const Node *additional_properties = nullptr;
  const Node *property_names = nullptr;
  std::vector<std::string> required;
  bool has_required = false;
  std::optional<double> min_properties, max_properties;
  std::vector<std::pair<std::string, std::vector<std::string>>> dependent_required;
  std::vector<std::pair<std::string, const Node *>> dependent_schemas;
  const Node *items = nullptr;            // applies to every item (after prefix)
  std::vector<const Node *> prefix_items; // 2020-12 prefixItems, draft-07 items array
  const Node *contains = nullptr;
  std::optional<double> min_contains, max_contains;
  std::optional<double> min_items, max_items;
  bool unique_items = false;
  std::optional<double> min_length, max_length;
  std::optional<Pattern> pattern;
  std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;
  std::vector<const Node *> all_of, any_of, one_of;
  const Node *not_ = nullptr;
  const Node *if_ = nullptr, *then_ = nullptr, *else_ = nullptr;
  std::optional<std::string> format;
};

const std::set<std::string> &annotations() {
  static const std::set<std::string> a = {
      "$schema",   "$id",         "$comment",         "$anchor",         "$vocabulary", "id",
      "title",     "description", "default",          "examples",        "example",     "readOnly",
      "writeOnly", "deprecated",  "contentMediaType", "contentEncoding", "definitions", "$defs"};
  return a;
}

const std::set<std::string> &refused() {
  static const std::set<std::string> r = {
      "unevaluatedProperties", "unevaluatedItems", "$dynamicRef",  "$dynamicAnchor",
      "$recursiveRef",         "$recursiveAnchor", "contentSchema"};
  return r;
}

std::string quote(const std::string &s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  if (out.size() > 81) out = out.substr(0, 78) + "...";
  return out + "'";
}

std::string show(const Value &v) {
  switch (v.type) {
  case Type::string: return quote(v.text);
  case Type::timestamp: return v.text;
  case Type::null: return "null";
  case Type::boolean: return v.boolean ? "true" : "false";
  case Type::integer:
  case Type::number: return v.to_json().dump();
  case Type::array: return "a list";
  case Type::object: return "a mapping";
  }
  return "?";
}

std::string fmt_number(double d) {
  if (std::floor(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
  char b[32];
  std::snprintf(b, sizeof b, "%g", d);
  return b;
}

bool integral(const Value &v) {
  return v.type == Type::integer ||
         (v.type == Type::number && std::isfinite(v.number) && std::floor(v.number) == v.number);
}

bool has_type(const Value &v, unsigned types) {
  switch (v.type) {
  case Type::null: return types & t_null;
  case Type::boolean: return types & t_boolean;
  case Type::integer: return types & (t_integer | t_number);
  case Type::number: return (types & t_number) || ((types & t_integer) && integral(v));
  case Type::string: return types & t_string;
  case Type::array: return types & t_array;
  case Type::object: return types & t_object;
  case Type::timestamp: return false; // a YAML 1.1 date is no JSON type at all
  }
  return false;
}

// Length in Unicode code points, as JSON Schema counts it.
std::size_t code_points(const std::string &s) {
  std::size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

} // namespace

bool json_equal(const Value &a, const Value &b) {
  if (a.is_number() && b.is_number()) return a.number == b.number;
  if (a.type != b.type) return false;
  switch (a.type) {
  case Type::null: return true;
  case Type::boolean: return a.boolean == b.boolean;
  case Type::string:
  case Type::timestamp: return a.text == b.text;
  case Type::array:
    if (a.items.size() != b.items.size()) return false;
    for (std::size_t i = 0; i < a.items.size(); ++i)
      if (!json_equal(a.items[i], b.items[i])) return false;
    return true;
  case Type::object:
    if (a.members.size() != b.members.size()) return false;
    for (const auto &[k, v] : a.members) {
      const Value *o = b.find(k);
      if (!o || !json_equal(v, *o)) return false;
    }
    return true;
  default: return false;
  }
}

struct Schema::Impl {
  nlohmann::json root;
  std::string where;
  std::string draft; // "draft-07" or "2020-12"
  std::map<std::string, std::unique_ptr<Node>> nodes;
  const Node *top = nullptr;

  [[noreturn]] void bad(const std::string &pointer, const std::string &problem) const {
    data_error(where + ": schema " + (pointer.empty() ? "root" : pointer) + ": " + problem);
  }

  double number(const nlohmann::json &j, const std::string &p) const {
    if (!j.is_number()) bad(p, "expected a number");
    return j.get<double>();
  }

  Pattern pattern(const nlohmann::json &j, const std::string &p) const {
    if (!j.is_string()) bad(p, "expected a regular expression string");
    try {
      return {j.get<std::string>(), std::regex(j.get<std::string>(), std::regex::ECMAScript)};
    } catch (const std::regex_error &e) {
      bad(p, "regular expression not supported: " + std::string(e.what()));
    }
  }

  const Node *resolve(const std::string &ref, const std::string &p) {
    if (ref.empty() || ref[0] != '#')
      bad(p, "only references inside the schema are supported, not '" + ref + "'");
    std::string pointer = ref.substr(1);
    // Percent-decoding of the fragment (RFC 3986) for the characters JSON pointers use.
    std::string decoded;
    for (std::size_t i = 0; i < pointer.size(); ++i) {
      if (pointer[i] == '%' && i + 2 < pointer.size()) {
        decoded += static_cast<char>(std::stoi(pointer.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else
        decoded += pointer[i];
    }
    if (!decoded.empty() && decoded[0] != '/') bad(p, "anchors are not supported: '" + ref + "'");
    const nlohmann::json *target;
    try {
      target = &root.at(nlohmann::json::json_pointer(decoded));
    } catch (const std::exception &) {
      bad(p, "reference '" + ref + "' points at nothing");
    }
    return compile(*target, decoded);
  }

  const Node *compile(const nlohmann::json &j, const std::string &p) {
    auto found = nodes.find(p);
    if (found != nodes.end()) return found->second.get();
    auto owned = std::make_unique<Node>();
    Node *n = owned.get();
    nodes.emplace(p, std::move(owned));
    n->path = p;
    if (j.is_boolean()) {
      n->boolean_schema = true;
      n->boolean_value = j.get<bool>();
      return n;
    }
    if (!j.is_object()) bad(p, "a schema must be an object or a boolean");
    const bool draft7 = draft == "draft-07";
    if (j.contains("$ref")) {
      if (!j["$ref"].is_string()) bad(p + "/$ref", "expected a string");
      n->ref_text = j["$ref"].get<std::string>();
      n->ref = resolve(n->ref_text, p + "/$ref");
      if (draft7) {
        n->ref_only = true;
        return n;
      }
    }
    auto sub = [&](const nlohmann::json &v, const std::string &q) { return compile(v, q); };
    auto list = [&](const nlohmann::json &v, const std::string &q) {
      if (!v.is_array() || v.empty()) bad(q, "expected a non-empty array of schemas");
      std::vector<const Node *> out;
      for (std::size_t i = 0; i < v.size(); ++i)
        out.push_back(sub(v[i], q + "/" + std::to_string(i)));
      return out;
    };
    auto strings = [&](const nlohmann::json &v, const std::string &q) {
      if (!v.is_array()) bad(q, "expected an array of strings");
      std::vector<std::string> out;
      for (const auto &s : v) {
        if (!s.is_string()) bad(q, "expected an array of strings");
        out.push_back(s.get<std::string>());
      }
      return out;
    };
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string &k = it.key();
      const auto &v = it.value();
      const std::string q = p + "/" + pointer_escape(k);
      if (k == "$ref" || annotations().count(k)) continue;
      if (refused().count(k)) bad(q, "keyword '" + k + "' is not supported by this validator");
      if (k == "type") {
        std::vector<std::string> names =
            v.is_string() ? std::vector<std::string>{v.get<std::string>()} : strings(v, q);
        for (const auto &t : names) {
          static const std::map<std::string, unsigned> bits = {
              {"null", t_null},     {"boolean", t_boolean}, {"integer", t_integer},
              {"number", t_number}, {"string", t_string},   {"array", t_array},
              {"object", t_object}};
          auto b = bits.find(t);
          if (b == bits.end()) bad(q, "unknown type '" + t + "'");
          n->types |= b->second;
        }
        n->type_names = names;
      } else if (k == "enum") {
        if (!v.is_array()) bad(q, "expected an array");
        n->enum_values.emplace();
        for (const auto &e : v) n->enum_values->push_back(Value::from_json(e));
      } else if (k == "const") {
        n->const_value = Value::from_json(v);
      } else if (k == "properties") {
        if (!v.is_object()) bad(q, "expected an object");
        n->has_properties = true;
        for (auto p2 = v.begin(); p2 != v.end(); ++p2)
          n->properties.emplace_back(p2.key(), sub(p2.value(), q + "/" + pointer_escape(p2.key())));
      } else if (k == "patternProperties") {
        if (!v.is_object()) bad(q, "expected an object");
        for (auto p2 = v.begin(); p2 != v.end(); ++p2)
          n->pattern_properties.emplace_back(pattern(p2.key(), q),
                                             sub(p2.value(), q + "/" + pointer_escape(p2.key())));
      } else if (k == "additionalProperties") {
        n->additional_properties = sub(v, q);
      } else if (k == "propertyNames") {
        n->property_names = sub(v, q);
      } else if (k == "required") {
        n->required = strings(v, q);
        n->has_required = true;
      } else if (k == "minProperties") {
        n->min_properties = number(v, q);
      } else if (k == "maxProperties") {
        n->max_properties = number(v, q);
      } else if (k == "dependentRequired" || (k == "dependencies" && draft7)) {
        if (!v.is_object()) bad(q, "expected an object");
        for (auto d = v.begin(); d != v.end(); ++d) {
          if (d.value().is_array())
            n->dependent_required.emplace_back(
                d.key(), strings(d.value(), q + "/" + pointer_escape(d.key())));
          else
            n->dependent_schemas.emplace_back(d.key(),
                                              sub(d.value(), q + "/" + pointer_escape(d.key())));
        }
      } else if (k == "dependentSchemas") {
        if (!v.is_object()) bad(q, "expected an object");
        for (auto d = v.begin(); d != v.end(); ++d)
          n->dependent_schemas.emplace_back(d.key(),
                                            sub(d.value(), q + "/" + pointer_escape(d.key())));
      } else if (k == "items") {
        if (v.is_array()) {
          if (!draft7) bad(q, "in 2020-12 'items' is one schema (use prefixItems)");
          for (std::size_t i = 0; i < v.size(); ++i)
            n->prefix_items.push_back(sub(v[i], q + "/" + std::to_string(i)));
        } else
          n->items = sub(v, q);
      } else if (k == "prefixItems" && !draft7) {
        for (std::size_t i = 0; i < v.size(); ++i)
          n->prefix_items.push_back(sub(v[i], q + "/" + std::to_string(i)));
      } else if (k == "additionalItems") {
        if (draft7 && j.contains("items") && j["items"].is_array()) n->items = sub(v, q);
      } else if (k == "contains") {
        n->contains = sub(v, q);
      } else if (k == "minContains" && !draft7) {
        n->min_contains = number(v, q);
      } else if (k == "maxContains" && !draft7) {
        n->max_contains = number(v, q);
      } else if (k == "minItems") {
        n->min_items = number(v, q);
      } else if (k == "maxItems") {
        n->max_items = number(v, q);
      } else if (k == "uniqueItems") {
        if (!v.is_boolean()) bad(q, "expected a boolean");
        n->unique_items = v.get<bool>();
      } else if (k == "minLength") {
        n->min_length = number(v, q);
      } else if (k == "maxLength") {
        n->max_length = number(v, q);
      } else if (k == "pattern") {
        n->pattern = pattern(v, q);
      } else if (k == "minimum") {
        n->minimum = number(v, q);
      } else if (k == "maximum") {
        n->maximum = number(v, q);
      } else if (k == "exclusiveMinimum") {
        n->exclusive_minimum = number(v, q);
      } else if (k == "exclusiveMaximum") {
        n->exclusive_maximum = number(v, q);
      } else if (k == "multipleOf") {
        n->multiple_of = number(v, q);
        if (!(*n->multiple_of > 0)) bad(q, "must be greater than 0");
      } else if (k == "allOf") {
        n->all_of = list(v, q);
      } else if (k == "anyOf") {
        n->any_of = list(v, q);
      } else if (k == "oneOf") {
        n->one_of = list(v, q);
      } else if (k == "not") {
        n->not_ = sub(v, q);
      } else if (k == "if") {
        n->if_ = sub(v, q);
      } else if (k == "then") {
        n->then_ = sub(v, q);
      } else if (k == "else") {
        n->else_ = sub(v, q);
      } else if (k == "format") {
        if (!v.is_string()) bad(q, "expected a string");
        n->format = v.get<std::string>();
      }
      // Anything else is an unknown keyword: an annotation, ignored (2020-12 Core, 4.3.1).
    }
    return n;
  }
};

namespace {

// Where the validator is in the instance: a chain on the stack, spelled out as a JSON
// pointer only when an error is recorded.
struct Ptr {
  const Ptr *parent = nullptr; // null: the root
  const std::string *key = nullptr;
  std::size_t index = 0;
  std::string str() const {
    if (!parent) return "";
    return key ? pointer_append(parent->str(), *key) : pointer_append(parent->str(), index);
  }
};

struct Run {
  const Schema::Options &options;
  std::vector<SchemaError> *errors; // null while only asking "valid or not?"
  int speculative = 0;              // inside not/anyOf/oneOf/if: no unknown-key reports

  bool add(const Node &n, const char *keyword, const Ptr &pointer, const Value &v,
           std::string message) {
    if (errors)
      errors->push_back(
          {pointer.str(), n.path + "/" + keyword, keyword, std::move(message), v.mark});
    return false;
  }

  bool valid(const Node &n, const Value &v) {
    Run quiet{options, nullptr, speculative + 1};
    return quiet.check(n, v, Ptr{});
  }

  bool check(const Node &n, const Value &v, const Ptr &pointer) {
    if (n.boolean_schema) {
      if (!n.boolean_value) return add(n, "false", pointer, v, "no value is allowed here");
      return true;
    }
    bool ok = true;
    if (n.ref) ok &= check(*n.ref, v, pointer);
    if (n.ref_only) return ok;
    if (n.types && !has_type(v, n.types)) {
      std::string want;
      for (std::size_t i = 0; i < n.type_names.size(); ++i)
        want += (i ? (i + 1 == n.type_names.size() ? " or " : ", ") : "") + n.type_names[i];
      std::string got = type_name(v.type);
      std::string msg = "expected " + want + ", got " + got;
      if (v.type == Type::timestamp)
        msg = "expected " + want + ", got the YAML timestamp " + v.text +
              ": an unquoted date is a date, not text, for YAML 1.1 readers such as the upstream "
              "tool; quote it (\"" +
              v.text + "\")";
      else if (v.type != Type::array && v.type != Type::object)
        msg += " " + show(v);
      ok &= add(n, "type", pointer, v, msg);
    }
    if (n.enum_values) {
      bool found = false;
      for (const auto &e : *n.enum_values)
        if (json_equal(e, v)) {
          found = true;
          break;
        }
      if (!found) {
        std::string allowed, hint;
        for (std::size_t i = 0; i < n.enum_values->size(); ++i) {
          const auto &e = (*n.enum_values)[i];
          allowed += (i ? ", " : "") + show(e);
          if (v.type == Type::string && e.type == Type::string && e.text.size() == v.text.size() &&
              std::equal(e.text.begin(), e.text.end(), v.text.begin(),
                         [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            hint = " (did you mean " + show(e) + "?)";
        }
        ok &= add(n, "enum", pointer, v,
                  show(v) + " is not one of the allowed values: " + allowed + hint);
      }
    }
    if (n.const_value && !json_equal(*n.const_value, v))
      ok &= add(n, "const", pointer, v, "expected " + show(*n.const_value) + ", got " + show(v));
    if (v.type == Type::object) ok &= check_object(n, v, pointer);
    if (v.type == Type::array) ok &= check_array(n, v, pointer);
    if (v.type == Type::string) ok &= check_string(n, v, pointer);
    if (v.is_number()) ok &= check_number(n, v, pointer);
    for (const auto *s : n.all_of) ok &= check(*s, v, pointer);
    if (!n.any_of.empty()) {
      bool any = false;
      for (const auto *s : n.any_of)
        if (valid(*s, v)) {
          any = true;
          break;
        }
      if (!any)
        ok &=
            add(n, "anyOf", pointer, v, "matches none of the alternatives in " + n.path + "/anyOf");
    }
    if (!n.one_of.empty()) {
      std::size_t matches = 0;
      for (const auto *s : n.one_of) matches += valid(*s, v) ? 1 : 0;
      if (matches != 1)
        ok &= add(n, "oneOf", pointer, v,
                  matches == 0 ? "matches none of the alternatives in " + n.path + "/oneOf"
                               : "matches " + std::to_string(matches) + " alternatives in " +
                                     n.path + "/oneOf, not exactly one");
    }
    if (n.not_ && valid(*n.not_, v))
      ok &=
          add(n, "not", pointer, v, "must not match " + n.not_->path + describe_match(*n.not_, v));
    if (n.if_) {
      if (valid(*n.if_, v)) {
        if (n.then_) ok &= check(*n.then_, v, pointer);
      } else if (n.else_)
        ok &= check(*n.else_, v, pointer);
    }
    if (n.format && v.type == Type::string && options.formats) {
      std::string why = options.formats(*n.format, v.text);
      if (!why.empty())
        ok &= add(n, "format", pointer, v, show(v) + " is not a valid " + *n.format + ": " + why);
    }
    return ok;
  }

  // For `not`: which part matched, in words, when it is a plain list of required names.
  std::string describe_match(const Node &n, const Value &v) {
    std::vector<std::string> present;
    std::vector<const Node *> parts = n.any_of;
    if (parts.empty()) parts.push_back(&n);
    for (const auto *p : parts)
      if (p->has_required && v.type == Type::object)
        for (const auto &r : p->required)
          if (v.find(r) && std::find(present.begin(), present.end(), r) == present.end())
            present.push_back(r);
    if (present.empty()) return "";
    std::string out = " (has ";
    for (std::size_t i = 0; i < present.size(); ++i) out += (i ? ", " : "") + quote(present[i]);
    return out + ", which this schema forbids)";
  }

  static std::size_t distance(const std::string &a, const std::string &b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j)
        cur[j] =
            std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      std::swap(prev, cur);
    }
    return prev[b.size()];
  }

  bool check_object(const Node &n, const Value &v, const Ptr &pointer) {
    bool ok = true;
    if (n.has_required)
      for (const auto &r : n.required)
        if (!v.find(r))
          ok &= add(n, "required", pointer, v, "missing required property " + quote(r));
    for (const auto &[name, deps] : n.dependent_required)
      if (v.find(name))
        for (const auto &d : deps)
          if (!v.find(d))
            ok &= add(n, "dependentRequired", pointer, v,
                      "missing property " + quote(d) + ", required when " + quote(name) +
                          " is present");
    for (const auto &[name, s] : n.dependent_schemas)
      if (v.find(name)) ok &= check(*s, v, pointer);
    if (n.min_properties && static_cast<double>(v.members.size()) < *n.min_properties)
      ok &= add(n, "minProperties", pointer, v,
                "has " + std::to_string(v.members.size()) + " properties, fewer than " +
                    fmt_number(*n.min_properties));
    if (n.max_properties && static_cast<double>(v.members.size()) > *n.max_properties)
      ok &= add(n, "maxProperties", pointer, v,
                "has " + std::to_string(v.members.size()) + " properties, more than " +
                    fmt_number(*n.max_properties));
    const bool report_unknown = options.unknown_properties && speculative == 0 &&
                                n.has_properties && !n.additional_properties &&
                                n.pattern_properties.empty();
    for (std::size_t m = 0; m < v.members.size(); ++m) {
      const auto &[key, child] = v.members[m];
      const Ptr child_pointer{&pointer, &key, 0};
      bool matched = false;
      for (const auto &[name, s] : n.properties)
        if (name == key) {
          matched = true;
          ok &= check(*s, child, child_pointer);
        }
      for (const auto &[pat, s] : n.pattern_properties)
        if (std::regex_search(key, pat.regex)) {
          matched = true;
          ok &= check(*s, child, child_pointer);
        }
      if (!matched && n.additional_properties) {
        if (n.additional_properties->boolean_schema && !n.additional_properties->boolean_value)
          ok &= add(n, "additionalProperties", child_pointer, child,
                    "property " + quote(key) + " is not allowed here");
        else
          ok &= check(*n.additional_properties, child, child_pointer);
      }
      if (!matched && report_unknown) {
        std::string hint;
        std::size_t best = 3;
        for (const auto &[name, s] : n.properties) {
          auto d = distance(key, name);
          if (d < best) best = d, hint = " (did you mean " + quote(name) + "?)";
        }
        Value at = child;
        if (m < v.key_marks.size() && v.key_marks[m].line > 0) at.mark = v.key_marks[m];
        ok &= add(n, "additionalProperties", child_pointer, at,
                  "unknown property " + quote(key) + hint);
      }
      if (n.property_names) {
        Value name;
        name.type = Type::string;
        name.text = key;
        name.mark = m < v.key_marks.size() ? v.key_marks[m] : child.mark;
        ok &= check(*n.property_names, name, child_pointer);
      }
    }
    return ok;
  }

  bool check_array(const Node &n, const Value &v, const Ptr &pointer) {
    bool ok = true;
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      const Node *s = i < n.prefix_items.size() ? n.prefix_items[i] : n.items;
      if (s) ok &= check(*s, v.items[i], Ptr{&pointer, nullptr, i});
    }
    if (n.min_items && static_cast<double>(v.items.size()) < *n.min_items)
      ok &= add(n, "minItems", pointer, v,
                "has " + std::to_string(v.items.size()) + " items, fewer than " +
                    fmt_number(*n.min_items));
    if (n.max_items && static_cast<double>(v.items.size()) > *n.max_items)
      ok &= add(n, "maxItems", pointer, v,
                "has " + std::to_string(v.items.size()) + " items, more than " +
                    fmt_number(*n.max_items));
    if (n.unique_items)
      for (std::size_t i = 0; i < v.items.size(); ++i)
        for (std::size_t j = i + 1; j < v.items.size(); ++j)
          if (json_equal(v.items[i], v.items[j])) {
            ok &= add(n, "uniqueItems", pointer, v,
                      "items " + std::to_string(i) + " and " + std::to_string(j) + " are equal (" +
                          show(v.items[i]) + "); items must be unique");
            i = j = v.items.size(); // one error per array, as the specification's single assertion
          }
    if (n.contains) {
      std::size_t count = 0;
      for (const auto &item : v.items) count += valid(*n.contains, item) ? 1 : 0;
      double lo = n.min_contains.value_or(1);
      if (static_cast<double>(count) < lo)
        ok &= add(n, "contains", pointer, v,
                  "has " + std::to_string(count) + " items matching " + n.contains->path +
                      ", fewer than " + fmt_number(lo));
      if (n.max_contains && static_cast<double>(count) > *n.max_contains)
        ok &= add(n, "maxContains", pointer, v,
                  "has " + std::to_string(count) + " items matching " + n.contains->path +
                      ", more than " + fmt_number(*n.max_contains));
    }
    return ok;
  }

  bool check_string(const Node &n, const Value &v, const Ptr &pointer) {
    bool ok = true;
    if (n.min_length || n.max_length) {
      auto len = static_cast<double>(code_points(v.text));
      if (n.min_length && len < *n.min_length)
        ok &= add(n, "minLength", pointer, v,
                  show(v) + " is shorter than " + fmt_number(*n.min_length) + " characters");
      if (n.max_length && len > *n.max_length)
        ok &= add(n, "maxLength", pointer, v,
                  show(v) + " is longer than " + fmt_number(*n.max_length) + " characters");
    }
    if (n.pattern && !std::regex_search(v.text, n.pattern->regex))
      ok &= add(n, "pattern", pointer, v,
                show(v) + " does not match the pattern " + quote(n.pattern->source));
    return ok;
  }

  bool check_number(const Node &n, const Value &v, const Ptr &pointer) {
    bool ok = true;
    const double x = v.number;
    if (n.minimum && x < *n.minimum)
      ok &= add(n, "minimum", pointer, v,
                show(v) + " is less than the minimum " + fmt_number(*n.minimum));
    if (n.maximum && x > *n.maximum)
      ok &= add(n, "maximum", pointer, v,
                show(v) + " is greater than the maximum " + fmt_number(*n.maximum));
    if (n.exclusive_minimum && x <= *n.exclusive_minimum)
      ok &= add(n, "exclusiveMinimum", pointer, v,
                show(v) + " must be greater than " + fmt_number(*n.exclusive_minimum));
    if (n.exclusive_maximum && x >= *n.exclusive_maximum)
      ok &= add(n, "exclusiveMaximum", pointer, v,
                show(v) + " must be less than " + fmt_number(*n.exclusive_maximum));
    if (n.multiple_of) {
      double q = x / *n.multiple_of;
      if (!std::isfinite(q) || std::fabs(q - std::round(q)) > 1e-9 * std::max(1.0, std::fabs(q)))
        ok &= add(n, "multipleOf", pointer, v,
                  show(v) + " is not a multiple of " + fmt_number(*n.multiple_of));
    }
    return ok;
  }
};

} // namespace

Schema::Schema(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Schema::Schema(Schema &&) noexcept = default;
Schema &Schema::operator=(Schema &&) noexcept = default;
Schema::~Schema() = default;

Schema Schema::load(const nlohmann::json &schema, const std::string &where) {
  auto impl = std::make_unique<Impl>();
  impl->root = schema;
  impl->where = where;
  std::string declared =
      schema.is_object() && schema.contains("$schema") && schema["$schema"].is_string()
          ? schema["$schema"].get<std::string>()
          : "";
  if (declared.find("draft-07") != std::string::npos)
    impl->draft = "draft-07";
  else if (declared.find("2020-12") != std::string::npos || declared.empty())
    impl->draft = "2020-12";
  else
    data_error(where + ": $schema '" + declared + "': only draft-07 and 2020-12 are supported");
  impl->top = impl->compile(impl->root, "");
  return Schema(std::move(impl));
}

std::vector<SchemaError> Schema::validate(const Value &instance, const Options &options) const {
  std::vector<SchemaError> errors;
  Run run{options, &errors};
  run.check(*impl_->top, instance, Ptr{});
  return errors;
}

const std::string &Schema::draft() const { return impl_->draft; }
const nlohmann::json &Schema::json() const { return impl_->root; }

} // namespace aip::catalog
