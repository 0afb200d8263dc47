// Licence identification by text: a licence file is compared with reference texts (Debian's
// /usr/share/common-licenses where present) by the overlap of word trigrams, and otherwise
// recognised by phrases each licence is built on. SPDX-License-Identifier lines win over both.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::sqa {

struct LicenseMatch {
  std::string spdx;      // SPDX licence id, e.g. "Apache-2.0"; empty when unknown
  std::string method;    // "SPDX-License-Identifier", "text", "phrase"
  double similarity = 0; // text matches: Dice coefficient of word trigrams (0..1)
  std::string reference; // the reference file or phrase set
};

// Reference texts by SPDX id. `folder` is Debian's common-licenses (or a copy); absent files
// are skipped.
struct LicenseTexts {
  static LicenseTexts load(const std::string &folder = "/usr/share/common-licenses");
  struct Text {
    std::string spdx, file;
    std::vector<std::uint64_t> trigrams; // sorted, unique hashes
  };
  std::vector<Text> texts;
};

LicenseMatch identify_license(std::string_view text, const LicenseTexts &refs);

// Whether the Open Source Initiative approved the licence (a built-in list of SPDX ids).
bool osi_approved(std::string_view spdx);

// The ids on SPDX-License-Identifier lines of a text (expressions are split on AND/OR/WITH).
std::vector<std::string> spdx_identifiers(std::string_view text);

// Lower-case words of letters and digits: what licence comparison works on.
std::vector<std::string> license_words(std::string_view text);
std::vector<std::uint64_t> trigram_set(const std::vector<std::string> &words);
double dice(const std::vector<std::uint64_t> &a, const std::vector<std::uint64_t> &b);

} // namespace aip::sqa
