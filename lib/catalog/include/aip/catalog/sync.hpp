// `aip catalog sync`: read a module list (a .gitmodules as the AI4OS modules catalog keeps
// it, a MODULES.yml as the DEEP Open Catalog keeps it, or lines of repository URLs), fetch
// each module's metadata with libcurl (raw file URLs built from repository and branch;
// file:// too), concurrently with a limit, timeouts and retries, with an
// ETag/Last-Modified cache, and build the index. A module that is invalid or cannot be
// fetched stays in the index with its errors.
#pragma once

#include "aip/catalog/document.hpp"
#include "aip/catalog/index.hpp"

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace aip::catalog {

struct ModuleSource {
  std::string id;     // the repository's name
  std::string url;    // repository URL (or a direct metadata file URL)
  std::string branch; // empty: the default branch (HEAD)
  int line = 0;       // where in the list
};

enum class ListFormat { automatic, gitmodules, modules_yml, lines };

// Reads a module list; errors name the list, the line and the problem (65): an entry
// without a URL, a URL aip cannot fetch, an entry that is the list itself.
std::vector<ModuleSource> parse_module_list(const std::string &text, const std::string &name,
                                            ListFormat format = ListFormat::automatic);
std::vector<ModuleSource> read_module_list(const std::string &path,
                                           ListFormat format = ListFormat::automatic);

struct SyncOptions {
  std::size_t jobs = 8;  // concurrent downloads
  double timeout_s = 30; // per request, whole transfer
  double connect_timeout_s = 10;
  int retries = 2;            // after the first try, for timeouts, 5xx and 429
  double retry_delay_s = 0.5; // doubled at each retry
  std::string cache_dir;      // ETag/Last-Modified cache ("" = none)
  std::string raw_url;        // template with {owner} {repo} {branch} {file} {url}; "" = by host
  std::vector<std::string> files = {"ai4-metadata.yml", "ai4-metadata.yaml", "ai4-metadata.json",
                                    "metadata.json"};
  bool strict = false;
  Limits limits;
  std::function<void(std::size_t done)> progress; // called (one thread at a time) as modules finish
};

struct SyncStats {
  std::size_t modules = 0, downloaded = 0, not_modified = 0, from_files = 0, unreachable = 0,
              invalid = 0, requests = 0;
};

// The metadata URLs to try for a module, in order.
std::vector<std::string> candidate_urls(const ModuleSource &m, const SyncOptions &o);
Index sync(const std::vector<ModuleSource> &modules, const SyncOptions &options, SyncStats &stats);

} // namespace aip::catalog
