#include "aip/records/fields.hpp"

#include <aip/core/units.hpp>

#include <cmath>
#include <limits>

namespace aip::records {
namespace {
const char *type_name(const nlohmann::json &v) {
  switch (v.type()) {
  case nlohmann::json::value_t::null: return "null";
  case nlohmann::json::value_t::boolean: return "a boolean";
  case nlohmann::json::value_t::string: return "a string";
  case nlohmann::json::value_t::array: return "an array";
  case nlohmann::json::value_t::object: return "an object";
  default: return "a number";
  }
}
} // namespace

FieldReader::FieldReader(const nlohmann::json &object, std::string where, std::string path)
    : object_(object), where_(std::move(where)), path_(std::move(path)) {
  if (!object_.is_object())
    data_error(where_ + ": " +
               (path_.empty() ? std::string("record")
                              : "field '" + path_.substr(0, path_.size() - 1) + "'") +
               ": expected an object");
}

void FieldReader::fail(const char *name, const std::string &problem) const {
  data_error(where_ + ": field '" + field_name(name) + "': " + problem);
}

const nlohmann::json *FieldReader::find(const char *name) const {
  auto it = object_.find(name);
  if (it == object_.end() || it->is_null()) return nullptr;
  return &*it;
}

const nlohmann::json &FieldReader::require(const char *name) const {
  const auto *v = find(name);
  if (v == nullptr) fail(name, "missing");
  return *v;
}

bool FieldReader::has(const char *name) const { return find(name) != nullptr; }

std::string FieldReader::string(const char *name) const {
  const auto &v = require(name);
  if (!v.is_string()) fail(name, std::string("expected a string, got ") + type_name(v));
  return v.get<std::string>();
}

std::string FieldReader::string_or(const char *name, std::string fallback) const {
  return has(name) ? string(name) : std::move(fallback);
}

std::optional<std::string> FieldReader::optional_string(const char *name) const {
  if (!has(name)) return std::nullopt;
  return string(name);
}

double FieldReader::number(const char *name) const {
  const auto &v = require(name);
  if (!v.is_number()) fail(name, std::string("expected a number, got ") + type_name(v));
  double d = v.get<double>();
  if (!std::isfinite(d)) fail(name, "expected a finite number");
  return d;
}

std::optional<double> FieldReader::optional_number(const char *name) const {
  if (!has(name)) return std::nullopt;
  return number(name);
}

std::int64_t FieldReader::integer(const char *name) const {
  const auto &v = require(name);
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18)
      return static_cast<std::int64_t>(d);
  }
  fail(name,
       std::string("expected an integer, got ") + (v.is_number() ? "a fraction" : type_name(v)));
}

std::optional<std::int64_t> FieldReader::optional_integer(const char *name) const {
  if (!has(name)) return std::nullopt;
  return integer(name);
}

std::optional<int> FieldReader::optional_int(const char *name) const {
  auto v = optional_integer(name);
  if (v && (*v < std::numeric_limits<int>::min() || *v > std::numeric_limits<int>::max()))
    fail(name, "out of range");
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::uint64_t FieldReader::count(const char *name) const {
  const auto &v = require(name);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  std::int64_t i = integer(name);
  if (i < 0) fail(name, "expected a non-negative integer, got " + std::to_string(i));
  return static_cast<std::uint64_t>(i);
}

std::optional<std::uint64_t> FieldReader::optional_count(const char *name) const {
  if (!has(name)) return std::nullopt;
  return count(name);
}

bool FieldReader::boolean(const char *name) const {
  const auto &v = require(name);
  if (!v.is_boolean()) fail(name, std::string("expected true or false, got ") + type_name(v));
  return v.get<bool>();
}

std::optional<bool> FieldReader::optional_boolean(const char *name) const {
  if (!has(name)) return std::nullopt;
  return boolean(name);
}

double FieldReader::timestamp(const char *name) const {
  const auto &v = require(name);
  if (v.is_number()) return number(name);
  if (!v.is_string())
    fail(name, std::string("expected an RFC 3339 time or epoch seconds, got ") + type_name(v));
  try {
    return parse_timestamp(v.get_ref<const std::string &>());
  } catch (const Error &e) {
    fail(name, e.what());
  }
}

std::optional<double> FieldReader::optional_timestamp(const char *name) const {
  if (!has(name)) return std::nullopt;
  return timestamp(name);
}

std::vector<std::string> FieldReader::strings(const char *name, bool required) const {
  std::vector<std::string> out;
  const auto *v = required ? &require(name) : find(name);
  if (v == nullptr) return out;
  if (!v->is_array()) fail(name, std::string("expected an array of strings, got ") + type_name(*v));
  for (std::size_t i = 0; i < v->size(); ++i) {
    const auto &e = (*v)[i];
    if (!e.is_string())
      fail(name, "item " + std::to_string(i) + ": expected a string, got " + type_name(e));
    out.push_back(e.get<std::string>());
  }
  return out;
}

std::map<std::string, std::string> FieldReader::string_map(const char *name) const {
  std::map<std::string, std::string> out;
  const auto *v = find(name);
  if (v == nullptr) return out;
  if (!v->is_object())
    fail(name, std::string("expected an object of strings, got ") + type_name(*v));
  for (const auto &[k, e] : v->items()) {
    if (!e.is_string()) fail(name, "key '" + k + "': expected a string, got " + type_name(e));
    out.emplace(k, e.get<std::string>());
  }
  return out;
}

FieldReader FieldReader::object(const char *name) const {
  const auto &v = require(name);
  if (!v.is_object()) fail(name, std::string("expected an object, got ") + type_name(v));
  return FieldReader(v, where_, path_ + name + ".");
}

std::optional<FieldReader> FieldReader::optional_object(const char *name) const {
  if (!has(name)) return std::nullopt;
  return object(name);
}

const nlohmann::json &FieldReader::raw(const char *name) const { return require(name); }

void FieldReader::require_kind(const char *kind) const {
  std::string got = string("kind");
  if (got != kind) fail("kind", "expected '" + std::string(kind) + "', got '" + got + "'");
}

} // namespace aip::records
