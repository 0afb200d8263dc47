// `aip catalog render`: a static marketplace from an index. An index page of cards (title,
// summary, tags, categories, resources, links, licence, DOI) filtered in the browser (text,
// tag, task, category) by a small script shipped beside it, and a page per module with its
// schema.org JSON-LD. No server, no CDN, nothing fetched from elsewhere. Every metadata
// value is escaped for where it goes (HTML text, attribute, JSON in a script element),
// and only http(s) links become links, so a module cannot inject script.
#pragma once

#include "aip/catalog/index.hpp"

#include <map>
#include <string>

namespace aip::catalog {

struct SiteOptions {
  std::string title = "ML modules";
  std::string generated_at; // shown in the footer ("" = none)
};

// The site's files: relative path -> content.
std::map<std::string, std::string> render_site(const Index &index, const SiteOptions &options);
// Writes the site into `dir`: built beside it and swapped in, so readers see the old site or
// the new one. An existing non-empty folder that aip did not write is refused (73).
void write_site(const std::map<std::string, std::string> &files, const std::string &dir);

std::string script_json(const nlohmann::ordered_json &j); // safe inside <script>
std::string safe_href(const std::string &url);            // "" unless http(s)
std::string page_name(const std::string &id);             // a file name for a module's page

} // namespace aip::catalog
