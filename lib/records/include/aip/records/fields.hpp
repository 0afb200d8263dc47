// Reading record fields from parsed JSON with messages that name the file, line and field:
// "usage.jsonl:12: field 'owner.user': expected a string".
#pragma once

#include <aip/core/error.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aip::records {

class FieldReader {
public:
  // `where` is "file:line" (or any prefix for messages); `path` prefixes nested field names.
  FieldReader(const nlohmann::json &object, std::string where, std::string path = "");

  bool has(const char *name) const; // present and not null
  std::string string(const char *name) const;
  std::string string_or(const char *name, std::string fallback) const;
  std::optional<std::string> optional_string(const char *name) const; // null or absent: none
  double number(const char *name) const;
  std::optional<double> optional_number(const char *name) const;
  std::int64_t integer(const char *name) const;
  std::optional<std::int64_t> optional_integer(const char *name) const;
  std::optional<int> optional_int(const char *name) const; // within int's range
  std::uint64_t count(const char *name) const;             // a non-negative integer
  std::optional<std::uint64_t> optional_count(const char *name) const;
  bool boolean(const char *name) const;
  std::optional<bool> optional_boolean(const char *name) const;
  double timestamp(const char *name) const; // RFC 3339 string or epoch number
  std::optional<double> optional_timestamp(const char *name) const;
  std::vector<std::string> strings(const char *name, bool required = false) const;
  std::map<std::string, std::string> string_map(const char *name) const;
  FieldReader object(const char *name) const; // required
  std::optional<FieldReader> optional_object(const char *name) const;
  const nlohmann::json &raw(const char *name) const; // required, any type
  void require_kind(const char *kind) const;

  [[noreturn]] void fail(const char *name, const std::string &problem) const;
  std::string field_name(const char *name) const { return path_ + name; }
  const nlohmann::json &json() const { return object_; }
  const std::string &where() const { return where_; }

private:
  const nlohmann::json *find(const char *name) const;
  const nlohmann::json &require(const char *name) const;
  const nlohmann::json &object_;
  std::string where_, path_;
};

// The value, or JSON null when absent: how writers put "unknown" into a record.
template <class T> nlohmann::ordered_json value_or_null(const std::optional<T> &v) {
  return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
}

} // namespace aip::records
