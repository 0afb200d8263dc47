// What the engine backends (kubernetes, nomad, htcondor, slurmrestd) share: their section of
// the configuration files ([kubernetes], [nomad], [htcondor], [slurmrestd], read from the
// same files as every option; see aip-dispatch(1), BACKENDS), secrets read from files, and
// the mapping of aip priority classes to the engine's names.
#pragma once

#include "aip/dispatch/backend.hpp"
#include "aip/dispatch/site.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

namespace aip::dispatch {

struct EngineSettings {
  std::string section;
  std::map<std::string, Setting> values; // the last setting of a key wins
  // The section from `files` (missing files are skipped). Keys outside `known` are a usage
  // error naming file and line.
  static EngineSettings load(const std::vector<std::string> &files, const std::string &section,
                             const std::set<std::string> &known);
  // The same from text (tests).
  void parse(std::string_view text, const std::string &name, const std::set<std::string> &known);
  bool has(const std::string &key) const { return values.count(key) != 0U; }
  std::string get(const std::string &key, const std::string &fallback = "") const;
  // "file:line: key" for messages, or "[section] key" when the default was used.
  std::string where(const std::string &key) const;
  // "a=b, c=d" as a map; a usage error names the setting.
  std::map<std::string, std::string> mapping(const std::string &key) const;
  double duration(const std::string &key, double fallback) const;
  long integer(const std::string &key, long fallback) const;
};

// The config files a backend reads: options.config_files, or the standard list.
std::vector<std::string> engine_config_files(const BackendOptions &options);

// A secret from a file: its content without the trailing line break. The error names the
// file, never the content (66 when it cannot be read, 64 when it is empty).
std::string read_secret_file(const std::string &path, const std::string &what);

// $NAME or empty.
std::string env_or(const char *name, const std::string &fallback = "");

// "interactive=high, batch=normal": every key must be an aip priority class.
void check_class_mapping(const std::map<std::string, std::string> &mapping,
                         const std::string &where);

} // namespace aip::dispatch
