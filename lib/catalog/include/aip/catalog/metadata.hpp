// ai4-metadata: the module description format of the DEEP Open Catalog (v1, JSON) and the
// AI4OS marketplace (v2.0 to v2.3, YAML or JSON). Checking a file against the upstream JSON
// Schema of its version, the stricter checks of --strict, migration from v1 to the latest
// v2, and the normalised aip.module/v1 record.
#pragma once

#include "aip/catalog/document.hpp"
#include "aip/catalog/schema.hpp"

#include <aip/records/module.hpp>

#include <string>
#include <vector>

namespace aip::catalog {

// The schema versions aip knows, oldest first ("1.0.0", "2.0.0", ... "2.3.0").
const std::vector<std::string> &known_versions();
const std::string &latest_version();
// The upstream schema text of a known version (compiled into aip; see lib/catalog/schemata).
const std::string &schema_text(const std::string &version);
// The compiled upstream schema of a known version (built once, shared).
const Schema &upstream_schema(const std::string &version);

// Which schema version a document asks for, as the upstream tool decides: v1 when
// metadata_version is absent or 1.x, else the 2.x schema of the same minor version.
// Throws aip::Error (65) for a version aip does not know.
std::string schema_version_for(const Value &root);

struct Finding {
  std::string pointer;        // JSON pointer in the metadata
  std::string schema_pointer; // keyword of the schema, or "strict/..." for aip's own checks
  std::string keyword;
  std::string message;
  Mark mark;
};

struct ValidateOptions {
  std::string metadata_version;   // force a version ("" = from the file)
  const Schema *schema = nullptr; // a schema given with --schema (overrides the version's)
  bool strict = false;
};

struct Report {
  std::string file;
  std::string metadata_version; // as declared ("" when absent)
  std::string schema_version;   // the schema applied ("" when the file did not parse)
  bool parsed = true;           // false: syntax or encoding error (exit 65)
  bool valid = true;
  std::vector<Finding> errors;
  std::vector<Finding> warnings; // not errors unless --strict (duplicate keys)
};

// Validates a parsed document.
Report validate(const Document &doc, const ValidateOptions &options);
// Reads, parses and validates; a file that does not parse gives a report with parsed=false
// and one error at its line and column. A missing file throws (66).
Report validate_file(const std::string &path, const ValidateOptions &options,
                     const Limits &limits = {});

// The checks of --strict beyond the schema, for tests: URLs, dates, DOIs, Docker image
// names; returns "" when `value` is fine for `format`, else why not.
std::string check_format(const std::string &format, const std::string &value);

// Any known version -> the latest v2: v1 through migrate_v1; v2.x (also v2 content that
// declares 1.0.0) only gets the latest metadata_version, since v2.1 to v2.3 only added
// optional fields.
Value migrate(const Value &root, std::vector<std::string> &notes);

// v1 (DEEP Open Catalog) -> the latest v2. `notes` says what was guessed or dropped.
Value migrate_v1(const Value &v1, std::vector<std::string> &notes);

// The aip.module/v1 record of a (parsed) metadata document. `id` names the module.
records::Module to_module(const Value &root, const std::string &schema_version,
                          const std::string &id, const std::string &source);

} // namespace aip::catalog
