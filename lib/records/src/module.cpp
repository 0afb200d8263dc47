#include "aip/records/module.hpp"

#include "aip/records/fields.hpp"

namespace aip::records {

nlohmann::ordered_json to_json(const Module &m) {
  nlohmann::ordered_json j;
  j["kind"] = kModuleKind;
  j["id"] = m.id;
  j["title"] = m.title;
  if (!m.summary.empty()) j["summary"] = m.summary;
  j["tags"] = m.tags;
  j["tasks"] = m.tasks;
  j["libraries"] = m.libraries;
  j["links"] = m.links;
  j["resources"] = m.resources;
  if (!m.license.empty()) j["license"] = m.license;
  if (!m.doi.empty()) j["doi"] = m.doi;
  if (!m.metadata_version.empty()) j["metadata_version"] = m.metadata_version;
  if (!m.source.empty()) j["source"] = m.source;
  if (!m.categories.empty()) j["categories"] = m.categories;
  if (!m.description.empty()) j["description"] = m.description;
  if (m.valid) j["valid"] = *m.valid;
  if (!m.errors.empty()) j["errors"] = m.errors;
  return j;
}

Module module_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kModuleKind);
  Module m;
  m.id = f.string("id");
  if (m.id.empty()) f.fail("id", "must not be empty");
  m.title = f.string("title");
  m.summary = f.string_or("summary", "");
  m.tags = f.strings("tags");
  m.tasks = f.strings("tasks");
  m.libraries = f.strings("libraries");
  m.links = f.string_map("links");
  if (f.has("resources")) {
    const auto &r = f.raw("resources");
    if (!r.is_object()) f.fail("resources", "expected an object");
    m.resources = nlohmann::ordered_json(r);
  }
  m.license = f.string_or("license", "");
  m.doi = f.string_or("doi", "");
  m.metadata_version = f.string_or("metadata_version", "");
  m.source = f.string_or("source", "");
  m.categories = f.strings("categories");
  m.description = f.string_or("description", "");
  m.valid = f.optional_boolean("valid");
  m.errors = f.strings("errors");
  return m;
}

} // namespace aip::records
