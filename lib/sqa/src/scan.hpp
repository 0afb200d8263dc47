// Internal to lib/sqa: path and text helpers, and what one pass over a file's bytes finds
// (suppressions, REUSE headers, binaries, fuzz targets, test doubles, permissive modes).
#pragma once

#include "aip/sqa/assess.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::sqa::detail {

std::string lower(std::string_view s);
// `needle` occurs in `hay` not inside a longer word.
bool has_word(std::string_view hay, std::string_view needle);
std::string base_name(std::string_view path);
std::string extension(std::string_view path); // lower-case, with the dot; empty for none
bool starts_with(std::string_view s, std::string_view p);
// Up to a little more than `limit` bytes of a regular file (never through a link); nothing
// when it cannot be opened or read.
std::optional<std::string> read_bytes(const std::string &path, std::size_t limit);
std::string language_of(const std::string &path); // "C/C++", "Python", ...; empty if none

// What one pass over the files' contents finds, per file.
struct Scan {
  std::uint32_t suppressions = 0;
  bool binary = false;  // a NUL byte in the first 8000 bytes (git's test)
  std::string artefact; // a committed executable or library: what it is
  bool spdx_license = false, spdx_copyright = false;
  std::vector<std::string> spdx_ids; // licences named on SPDX-License-Identifier lines
  bool fuzz = false, doubles = false;
  std::vector<Location> permissive; // install rules or scripts opening permissions to everyone
  bool skipped = false;             // too large or unreadable
  bool unreadable = false;
};

void scan_text(std::string_view text, const std::string &path, Scan &s, bool build_file);
// What a committed executable, library or bytecode file is, from its first bytes or name.
std::string artefact_kind(std::string_view head, const std::string &path);
// Build files and scripts, where install rules and chmod calls live.
bool is_build_file(const std::string &path);

} // namespace aip::sqa::detail
