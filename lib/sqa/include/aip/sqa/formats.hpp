// Readers of the files sqa-check takes evidence from: coverage reports (lcov tracefiles,
// Cobertura XML), citation metadata (CITATION.cff, codemeta.json) and version tags (SemVer).
// Bad input raises aip::Error (65) naming the file and line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::sqa {

struct Coverage {
  std::uint64_t lines_valid = 0, lines_covered = 0;
  std::size_t files = 0;
  std::optional<double> rate_attribute; // Cobertura's line-rate where counts are absent
  double percent() const;               // 0..100
};

// lcov tracefile (geninfo(1)): SF/DA/LF/LH/end_of_record. Lines hit in any record of a file
// count once; LF/LH are used for files without DA lines.
Coverage parse_lcov(std::string_view text, const std::string &name);
// Cobertura XML: the attributes lines-covered and lines-valid (or line-rate) of <coverage>.
Coverage parse_cobertura(std::string_view text, const std::string &name);

struct Citation {
  std::string cff_version;
  std::optional<std::string> version, license, date_released, doi;
  std::vector<std::string> problems; // empty: valid for its cff-version
};
// CITATION.cff checked against the required keys and value shapes of CFF 1.0.3, 1.1.0 and 1.2.0.
Citation parse_citation(std::string_view text, const std::string &name);

struct CodeMeta {
  std::optional<std::string> version, license;
  std::vector<std::string> problems;
};
CodeMeta parse_codemeta(std::string_view text, const std::string &name);

// SemVer 2.0.0 (semver.org): MAJOR.MINOR.PATCH[-pre][+build], no leading zeros.
struct SemVer {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> pre;
  std::string build;
};
std::optional<SemVer> parse_semver(std::string_view text, bool allow_v_prefix = true);
// Precedence as semver.org section 11: <0, 0, >0.
int compare(const SemVer &a, const SemVer &b);

} // namespace aip::sqa
