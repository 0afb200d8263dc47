#include "aip/dispatch/engine.hpp"

#include <aip/core/cli.hpp>
#include <aip/core/error.hpp>
#include <aip/core/units.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace aip::dispatch {
namespace {

using cli::trim;

} // namespace

void EngineSettings::parse(std::string_view text, const std::string &name,
                           const std::set<std::string> &known) {
  cli::read_ini(text, name, nullptr, [&](const cli::IniEntry &e) {
    if (e.section != section) return;
    if (known.count(e.key) == 0U) {
      std::string list;
      for (const auto &k : known) list += (list.empty() ? "" : ", ") + k;
      usage_error(e.where + ": unknown key '" + e.key + "' in [" + section + "] (known: " + list +
                  ")");
    }
    values[e.key] = Setting{e.key, e.value, e.where};
  });
}

EngineSettings EngineSettings::load(const std::vector<std::string> &files,
                                    const std::string &section,
                                    const std::set<std::string> &known) {
  EngineSettings e;
  e.section = section;
  for (const auto &f : files) {
    std::ifstream in(f);
    if (!in) continue;
    std::stringstream buf;
    buf << in.rdbuf();
    e.parse(buf.str(), f, known);
  }
  return e;
}

std::string EngineSettings::get(const std::string &key, const std::string &fallback) const {
  auto it = values.find(key);
  return it == values.end() ? fallback : it->second.value;
}

std::string EngineSettings::where(const std::string &key) const {
  auto it = values.find(key);
  return it == values.end() ? "[" + section + "] " + key : it->second.where + ": " + key;
}

std::map<std::string, std::string> EngineSettings::mapping(const std::string &key) const {
  std::map<std::string, std::string> out;
  std::istringstream in(get(key));
  std::string item;
  while (std::getline(in, item, ',')) {
    std::string t = trim(item);
    if (t.empty()) continue;
    auto eq = t.find('=');
    if (eq == std::string::npos || trim(t.substr(0, eq)).empty())
      usage_error(where(key) + ": expected NAME=VALUE, ..., got '" + t + "'");
    out[trim(t.substr(0, eq))] = trim(t.substr(eq + 1));
  }
  return out;
}

double EngineSettings::duration(const std::string &key, double fallback) const {
  if (!has(key)) return fallback;
  try {
    return parse_duration(get(key));
  } catch (const Error &e) {
    usage_error(where(key) + ": " + e.what());
  }
}

long EngineSettings::integer(const std::string &key, long fallback) const {
  if (!has(key)) return fallback;
  const std::string v = get(key);
  std::size_t used = 0;
  long n = 0;
  try {
    n = std::stol(v, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used != v.size() || v.empty() || n < 0)
    usage_error(where(key) + ": expected a whole number >= 0, got '" + v + "'");
  return n;
}

std::vector<std::string> engine_config_files(const BackendOptions &options) {
  return options.config_files.empty() ? cli::default_config_files() : options.config_files;
}

std::string read_secret_file(const std::string &path, const std::string &what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(Exit::no_input, path + ": cannot read " + what);
  // Tokens are short; a bound keeps a wrong path (/dev/zero) from reading forever.
  std::string s(65537, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  s.resize(static_cast<std::size_t>(in.gcount()));
  if (s.size() > 65536) usage_error(path + ": " + what + " is larger than 64 KiB");
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  if (s.empty()) usage_error(path + ": " + what + " is empty");
  if (s.find_first_of("\r\n") != std::string::npos)
    usage_error(path + ": " + what + " holds more than one line");
  return s;
}

std::string env_or(const char *name, const std::string &fallback) {
  const char *v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

void check_class_mapping(const std::map<std::string, std::string> &mapping,
                         const std::string &where) {
  for (const auto &[k, v] : mapping) try {
      (void)records::parse_priority_class(k);
    } catch (const Error &e) {
      usage_error(where + ": " + e.what());
    }
}

} // namespace aip::dispatch
