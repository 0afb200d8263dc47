// aip.module/v1: normalised metadata of one ML module in the catalog.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aip::records {

inline constexpr const char *kModuleKind = "aip.module/v1";

struct Module {
  std::string id, title, summary;
  std::vector<std::string> tags, tasks, libraries;
  std::map<std::string, std::string> links;
  nlohmann::ordered_json resources = nlohmann::ordered_json::object();
  std::string license, doi, metadata_version, source;
  // Added for `aip catalog`: platform categories, and whether the module's own metadata
  // passed its schema (absent when not checked) with the errors that say why not, so an
  // index keeps invalid and unreachable modules instead of dropping them.
  std::vector<std::string> categories;
  std::string description; // the long description (Markdown as written)
  std::optional<bool> valid;
  std::vector<std::string> errors;
  bool operator==(const Module &) const = default;
};

nlohmann::ordered_json to_json(const Module &m);
Module module_from_json(const nlohmann::json &j, const std::string &where);

} // namespace aip::records
