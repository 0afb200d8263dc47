// aip.module/v1: normalised metadata of one ML module in the catalog.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
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
  bool operator==(const Module &) const = default;
};

nlohmann::ordered_json to_json(const Module &m);
Module module_from_json(const nlohmann::json &j, const std::string &where);

} // namespace aip::records
