// CITATION.cff and codemeta.json readers, SemVer tags and SPDX-License-Identifier lines:
// any bytes give a result or aip::Error (data); a parsed version compares equal to itself.
#include <aip/core/error.hpp>
#include <aip/sqa/formats.hpp>
#include <aip/sqa/license.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    auto c = aip::sqa::parse_citation(text, "CITATION.cff");
    if (c.version) {
      if (auto v = aip::sqa::parse_semver(*c.version); v && aip::sqa::compare(*v, *v) != 0)
        std::abort();
    }
  } catch (const aip::Error &e) {
    if (e.status() != aip::Exit::data) std::abort();
  }
  try {
    (void)aip::sqa::parse_codemeta(text, "codemeta.json");
  } catch (const aip::Error &e) {
    if (e.status() != aip::Exit::data) std::abort();
  }
  if (auto v = aip::sqa::parse_semver(text.substr(0, 64))) {
    if (aip::sqa::compare(*v, *v) != 0) std::abort();
  }
  for (const auto &id : aip::sqa::spdx_identifiers(text))
    if (id.empty()) std::abort();
  (void)aip::sqa::identify_license(text, {});
  return 0;
}
