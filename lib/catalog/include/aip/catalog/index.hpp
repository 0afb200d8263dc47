// The catalog index: aip.module/v1 records of every module of a list, valid or not, as
// `aip catalog sync` writes them ({"kind":"aip.catalog-index/v1","modules":[...]}), or
// plain JSON Lines of module records. Filters and text search for list/search/show.
#pragma once

#include <aip/records/module.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aip::catalog {

inline constexpr const char *kIndexKind = "aip.catalog-index/v1";

struct Index {
  std::string generated_at; // RFC 3339
  std::string list;         // the module list it came from
  std::vector<records::Module> modules;
};

// Reads an index file or JSON Lines of module records ("-": stdin). Errors name the file,
// the line or the module and the field (65); a missing file is 66.
Index read_index(const std::string &path);
Index parse_index(const std::string &text, const std::string &name);
std::string index_to_json(const Index &index); // pretty JSON, modules sorted by id

enum class Validity { any, valid, invalid };

struct Filter {
  std::vector<std::string> words; // search: every word in id, title, summary, description or tags
  std::vector<std::string> tags, tasks, libraries,
      categories;                          // each given value must be present (case-insensitive)
  bool gpu = false;                        // needs a GPU (inference or training)
  bool no_gpu = false;                     // runs inference without a GPU
  std::optional<std::uint64_t> max_memory; // inference memory at most this (unstated passes)
  Validity validity = Validity::any;
};

bool matches(const records::Module &m, const Filter &f);
// Relevance for a text search: title hits count most, then tags, summary, description.
double relevance(const records::Module &m, const std::vector<std::string> &words);
// The matching modules; ranked by relevance when words are given, else by id.
std::vector<const records::Module *> select(const Index &index, const Filter &f);
// A fixed-width table: ID, TITLE, LIBRARIES, TASKS, GPU, MEMORY, VALID.
std::string render_table(const std::vector<const records::Module *> &modules);
// A module in words, for `show`.
std::string render_details(const records::Module &m);

} // namespace aip::catalog
