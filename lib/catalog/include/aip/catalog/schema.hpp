// A small JSON Schema validator for the drafts the ai4-metadata schemas declare (draft-07
// and 2020-12), written from the specifications (json-schema.org, "Validation" and "Core").
// Assertion keywords: type, enum, const, properties, required, additionalProperties,
// patternProperties, propertyNames, minProperties, maxProperties, dependentRequired, items
// (a schema; draft-07 also an array, with additionalItems), prefixItems, contains, minItems,
// maxItems, uniqueItems, minLength, maxLength, pattern, minimum, maximum, exclusiveMinimum,
// exclusiveMaximum, multipleOf, allOf, anyOf, oneOf, not, if/then/else, $ref to a JSON
// pointer inside the same schema ("#", "#/definitions/x", "#/$defs/x"), and format (only
// when asked: the upstream tool does not check formats). A schema that uses an assertion
// keyword outside this list is refused when loaded, rather than half-checked.
#pragma once

#include "aip/catalog/document.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace aip::catalog {

struct SchemaError {
  std::string pointer;        // where in the instance (JSON pointer)
  std::string schema_pointer; // which keyword of the schema, e.g. /properties/tags/type
  std::string keyword;        // required, enum, type, pattern, ...
  std::string message;        // in the schema's terms
  Mark mark;                  // where in the file
};

// Checks a `format` value; returns an empty string when fine, or why not.
using FormatChecker =
    std::function<std::string(const std::string &format, const std::string &value)>;

class Schema {
public:
  // `where` names the schema in messages. Throws aip::Error (65) for a schema it cannot
  // check faithfully.
  static Schema load(const nlohmann::json &schema, const std::string &where);
  Schema(Schema &&) noexcept;
  Schema &operator=(Schema &&) noexcept;
  ~Schema();

  struct Options {
    FormatChecker formats;           // check `format` with this (none: formats are annotations)
    bool unknown_properties = false; // report members an object's `properties` do not declare
  };
  // Every error; keywords are independent, as the specification has them.
  std::vector<SchemaError> validate(const Value &instance, const Options &options) const;
  std::vector<SchemaError> validate(const Value &instance) const {
    return validate(instance, Options{});
  }
  const std::string &draft() const;
  const nlohmann::json &json() const;

  struct Impl;

private:
  explicit Schema(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Structural equality as JSON Schema defines it for enum, const and uniqueItems: numbers by
// value (1 == 1.0), booleans apart from numbers, objects regardless of key order.
bool json_equal(const Value &a, const Value &b);

} // namespace aip::catalog
