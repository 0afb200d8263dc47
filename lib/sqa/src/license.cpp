#include "aip/sqa/license.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>

namespace aip::sqa {

namespace {

// Debian's file names in /usr/share/common-licenses and the SPDX ids of their texts. The
// GPL family texts do not say "only" or "or later": that is in each file's notice.
constexpr std::array<std::pair<const char *, const char *>, 14> kDebian{{
    {"Apache-2.0", "Apache-2.0"},
    {"GPL-3", "GPL-3.0-or-later"},
    {"GPL-2", "GPL-2.0-or-later"},
    {"GPL-1", "GPL-1.0-or-later"},
    {"LGPL-3", "LGPL-3.0-or-later"},
    {"LGPL-2.1", "LGPL-2.1-or-later"},
    {"LGPL-2", "LGPL-2.0-or-later"},
    {"MPL-2.0", "MPL-2.0"},
    {"MPL-1.1", "MPL-1.1"},
    {"CC0-1.0", "CC0-1.0"},
    {"Artistic", "Artistic-1.0-Perl"},
    {"BSD", "BSD-3-Clause"},
    {"GFDL-1.3", "GFDL-1.3-or-later"},
    {"GFDL-1.2", "GFDL-1.2-or-later"},
}};

// Phrases that identify a licence when no reference text is at hand; all must occur, and
// `none` must not. Words are compared after license_words(), so punctuation does not matter.
struct Phrases {
  const char *spdx;
  std::vector<const char *> all;
  std::vector<const char *> none;
};
const std::vector<Phrases> &phrases() {
  static const std::vector<Phrases> p{
      {"Apache-2.0", {"apache license", "version 2 0"}, {}},
      {"AGPL-3.0-or-later", {"gnu affero general public license", "version 3"}, {}},
      {"LGPL-3.0-or-later", {"gnu lesser general public license", "version 3"}, {}},
      {"LGPL-2.1-or-later", {"gnu lesser general public license", "version 2 1"}, {}},
      {"GPL-3.0-or-later", {"gnu general public license", "version 3"}, {"lesser", "affero"}},
      {"GPL-2.0-or-later",
       {"gnu general public license", "version 2"},
       {"lesser", "library general", "affero"}},
      {"MPL-2.0", {"mozilla public license", "version 2 0"}, {}},
      {"EPL-2.0", {"eclipse public license", "v 2 0"}, {}},
      {"EUPL-1.2", {"european union public licence", "v 1 2"}, {}},
      {"BSL-1.0", {"boost software license", "version 1 0"}, {}},
      {"Unlicense", {"free and unencumbered software released into the public domain"}, {}},
      {"ISC",
       {"permission to use copy modify and or distribute this software for any purpose with or "
        "without fee is hereby granted"},
       {}},
      {"MIT",
       {"permission is hereby granted free of charge to any person obtaining a copy",
        "the above copyright notice and this permission notice shall be included"},
       {}},
      {"BSD-3-Clause",
       {"redistribution and use in source and binary forms with or without modification are "
        "permitted",
        "neither the name of"},
       {}},
      {"BSD-2-Clause",
       {"redistribution and use in source and binary forms with or without modification are "
        "permitted",
        "this list of conditions and the following disclaimer in the documentation"},
       {"neither the name", "endorse or promote"}},
      {"Zlib",
       {"altered source versions must be plainly marked as such",
        "this notice may not be removed or altered"},
       {}},
      {"CC0-1.0", {"creative commons", "cc0 1 0 universal"}, {}},
      {"CC-BY-SA-4.0", {"creative commons attribution sharealike 4 0 international"}, {}},
      {"CC-BY-SA-4.0", {"creative commons attribution share alike 4 0 international"}, {}},
      {"CC-BY-4.0",
       {"creative commons attribution 4 0 international"},
       {"sharealike", "share alike", "noncommercial", "noderivatives"}},
  };
  return p;
}

// The SPDX ids the Open Source Initiative lists as approved (opensource.org/licenses),
// with their -only/-or-later forms.
constexpr std::array<const char *, 44> kOsi{"0BSD",
                                            "AFL-3.0",
                                            "AGPL-3.0-only",
                                            "AGPL-3.0-or-later",
                                            "Apache-1.1",
                                            "Apache-2.0",
                                            "APSL-2.0",
                                            "Artistic-1.0",
                                            "Artistic-1.0-Perl",
                                            "Artistic-2.0",
                                            "BSD-1-Clause",
                                            "BSD-2-Clause",
                                            "BSD-2-Clause-Patent",
                                            "BSD-3-Clause",
                                            "BSL-1.0",
                                            "CDDL-1.0",
                                            "CECILL-2.1",
                                            "ECL-2.0",
                                            "EPL-1.0",
                                            "EPL-2.0",
                                            "EUPL-1.1",
                                            "EUPL-1.2",
                                            "GPL-2.0-only",
                                            "GPL-2.0-or-later",
                                            "GPL-3.0-only",
                                            "GPL-3.0-or-later",
                                            "ISC",
                                            "LGPL-2.0-only",
                                            "LGPL-2.0-or-later",
                                            "LGPL-2.1-only",
                                            "LGPL-2.1-or-later",
                                            "LGPL-3.0-only",
                                            "LGPL-3.0-or-later",
                                            "LPPL-1.3c",
                                            "MIT",
                                            "MIT-0",
                                            "MPL-1.1",
                                            "MPL-2.0",
                                            "MS-PL",
                                            "NCSA",
                                            "OSL-3.0",
                                            "PostgreSQL",
                                            "UPL-1.0",
                                            "Zlib"};

std::string joined(const std::vector<std::string> &words) {
  std::string s = " ";
  for (const auto &w : words) s += w + " ";
  return s;
}

std::uint64_t fnv(std::string_view a, std::string_view b, std::string_view c) {
  std::uint64_t h = 1469598103934665603ULL;
  for (auto part : {a, b, c}) {
    for (unsigned char ch : part) h = (h ^ ch) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
  }
  return h;
}

} // namespace

std::vector<std::string> license_words(std::string_view text) {
  std::vector<std::string> words;
  std::string cur;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      cur += static_cast<char>(c);
    else if (c >= 'A' && c <= 'Z')
      cur += static_cast<char>(c - 'A' + 'a');
    else if (!cur.empty())
      words.push_back(std::move(cur)), cur.clear();
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

std::vector<std::uint64_t> trigram_set(const std::vector<std::string> &w) {
  std::vector<std::uint64_t> s;
  for (std::size_t i = 0; i + 2 < w.size(); ++i) s.push_back(fnv(w[i], w[i + 1], w[i + 2]));
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return s;
}

double dice(const std::vector<std::uint64_t> &a, const std::vector<std::uint64_t> &b) {
  if (a.empty() && b.empty()) return 0;
  std::size_t common = 0;
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j])
      ++common, ++i, ++j;
    else if (a[i] < b[j])
      ++i;
    else
      ++j;
  }
  return 2.0 * static_cast<double>(common) / static_cast<double>(a.size() + b.size());
}

LicenseTexts LicenseTexts::load(const std::string &folder) {
  LicenseTexts t;
  for (const auto &[file, spdx] : kDebian) {
    std::ifstream in(folder + "/" + file, std::ios::binary);
    if (!in) continue;
    std::stringstream ss;
    ss << in.rdbuf();
    t.texts.push_back({spdx, folder + "/" + file, trigram_set(license_words(ss.str()))});
  }
  return t;
}

std::vector<std::string> spdx_identifiers(std::string_view text) {
  std::vector<std::string> ids;
  constexpr std::string_view key = "SPDX-License-Identifier:";
  for (std::size_t at = text.find(key); at != std::string_view::npos;
       at = text.find(key, at + key.size())) {
    auto end = text.find('\n', at);
    auto expr = text.substr(at + key.size(), end == std::string_view::npos ? std::string_view::npos
                                                                           : end - at - key.size());
    std::string word;
    auto flush = [&] {
      // Comment closers and brackets around an expression are not part of an id.
      for (bool trimmed = true; trimmed && !word.empty();) {
        trimmed = false;
        for (std::string_view tail : {"*/", "-->", ")", "*", "#", "\""})
          if (word.size() >= tail.size() &&
              word.compare(word.size() - tail.size(), tail.size(), tail) == 0)
            word.resize(word.size() - tail.size()), trimmed = true;
      }
      while (!word.empty() && word.front() == '(') word.erase(0, 1);
      if (!word.empty() && word != "AND" && word != "OR" && word != "WITH" && word != "and" &&
          word != "or")
        if (std::find(ids.begin(), ids.end(), word) == ids.end()) ids.push_back(word);
      word.clear();
    };
    bool after_with = false;
    for (char c : expr) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '"' || c == '\'') {
        // The word after WITH names an exception, not a licence.
        if (after_with && !word.empty()) word.clear(), after_with = false;
        if (word == "WITH") after_with = true;
        flush();
      } else {
        word += c;
      }
    }
    if (after_with) word.clear();
    flush();
  }
  return ids;
}

LicenseMatch identify_license(std::string_view text, const LicenseTexts &refs) {
  LicenseMatch m;
  // Only a licence file that declares itself: a header line in its first lines.
  if (auto ids = spdx_identifiers(text.substr(0, 2000)); ids.size() == 1) {
    m.spdx = ids.front();
    m.method = "SPDX-License-Identifier";
    m.similarity = 1;
    return m;
  }
  const auto words = license_words(text);
  const auto grams = trigram_set(words);
  for (const auto &r : refs.texts) {
    const double d = dice(grams, r.trigrams);
    if (d > m.similarity) m.similarity = d, m.spdx = r.spdx, m.reference = r.file;
  }
  // Measured on Debian's texts: a licence with a preamble and copyright line added scores
  // above 0.9 against its own text; different licences score up to 0.93 (GFDL-1.2 against
  // GFDL-1.3) and 0.59 (GPL-2 against LGPL-2.1), so the best match wins, and below 0.8
  // nothing is claimed from the text.
  if (m.similarity >= 0.8) {
    m.method = "text";
    return m;
  }
  m = LicenseMatch{};
  const auto flat = joined(words);
  for (const auto &p : phrases()) {
    auto has = [&](const char *phrase) {
      return flat.find(std::string(" ") + phrase + " ") != std::string::npos;
    };
    if (std::all_of(p.all.begin(), p.all.end(), has) &&
        std::none_of(p.none.begin(), p.none.end(), has)) {
      m.spdx = p.spdx;
      m.method = "phrase";
      m.reference = "built-in phrases";
      return m;
    }
  }
  return m;
}

bool osi_approved(std::string_view spdx) {
  return std::find(kOsi.begin(), kOsi.end(), spdx) != kOsi.end();
}

} // namespace aip::sqa
