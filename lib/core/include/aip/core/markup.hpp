// Text for HTML, SVG and XML (the catalog site, drift's report, account's charts, SQA's
// JUnit XML): one escaping that is safe in element content and in quoted attributes.
#pragma once

#include <string>
#include <string_view>

namespace aip {

// & < > " ' as entities; line ends as character references (kept inside attributes); NUL
// as U+FFFD; the other control characters XML 1.0 forbids as a space.
std::string escape_markup(std::string_view text);

} // namespace aip
