#include "aip/catalog/site.hpp"

#include <aip/core/markup.hpp>

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/paths.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <unistd.h>

namespace aip::catalog {

namespace fs = std::filesystem;

std::string script_json(const nlohmann::ordered_json &j) {
  // ASCII only (U+2028/2029 and every other non-ASCII character as \uXXXX), and no '<',
  // '>' or '&', so no "</script>" or "<!--" can end or bend the element.
  const std::string s = j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

std::string safe_href(const std::string &url) {
  std::string lower;
  for (char c : url) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.rfind("https://", 0) != 0 && lower.rfind("http://", 0) != 0) return "";
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '\\' ||
        c == '`')
      return "";
  return url;
}

std::string page_name(const std::string &id) {
  std::string out;
  for (char c : id)
    out +=
        (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (out.empty() || out[0] == '.') out = "m" + out;
  if (out.size() > 100) out.resize(100);
  return out + ".html";
}

namespace {

std::string join(const std::vector<std::string> &v, const char *sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A link when the URL is http(s); the escaped text otherwise (javascript:, data:, ...).
std::string link(const std::string &url, const std::string &text) {
  auto href = safe_href(url);
  if (href.empty()) return "<span class=\"nolink\">" + escape_markup(text) + "</span>";
  return "<a href=\"" + escape_markup(href) + "\" rel=\"noopener noreferrer nofollow\">" +
         escape_markup(text) + "</a>";
}

bool bare_doi(const std::string &doi) {
  return doi.rfind("10.", 0) == 0 && doi.find('/') != std::string::npos;
}

std::string doi_url(const std::string &doi) {
  if (bare_doi(doi)) return "https://doi.org/" + doi;
  return doi;
}

// Docker Hub page of a plain Docker Hub image name (owner/name[:tag]).
std::string docker_url(const std::string &image) {
  if (!safe_href(image).empty()) return image;
  std::string name = image.substr(0, image.find_first_of(":@"));
  auto slash = name.find('/');
  if (slash == std::string::npos || name.find('/', slash + 1) != std::string::npos ||
      name.find('.') < slash)
    return "";
  for (char c : name)
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '_' ||
          c == '.'))
      return "";
  return "https://hub.docker.com/r/" + name;
}

std::string resources_text(const records::Module &m) {
  std::vector<std::string> parts;
  auto num = [&](const char *k) -> double {
    return m.resources.is_object() && m.resources.contains(k) && m.resources[k].is_number()
               ? m.resources[k].get<double>()
               : -1;
  };
  char b[64];
  if (num("cpus") >= 0)
    parts.push_back(std::to_string(static_cast<long long>(num("cpus"))) + " CPU");
  if (num("gpus") > 0)
    parts.push_back(std::to_string(static_cast<long long>(num("gpus"))) + " GPU");
  if (num("memory_bytes") >= 0) {
    std::snprintf(b, sizeof b, "%.1f GiB memory", num("memory_bytes") / 1073741824.0);
    parts.push_back(b);
  }
  if (num("gpu_memory_bytes") > 0) {
    std::snprintf(b, sizeof b, "%.1f GiB GPU memory", num("gpu_memory_bytes") / 1073741824.0);
    parts.push_back(b);
  }
  return join(parts, ", ");
}

bool needs_gpu(const records::Module &m) {
  auto has = [](const nlohmann::ordered_json &o) {
    return o.is_object() && o.contains("gpus") && o["gpus"].is_number() &&
           o["gpus"].get<double>() > 0;
  };
  return has(m.resources) || (m.resources.is_object() && m.resources.contains("training") &&
                              has(m.resources["training"]));
}

std::string chips(const std::vector<std::string> &values, const char *cls) {
  std::string out;
  for (const auto &v : values)
    out += "<li class=\"" + std::string(cls) + "\">" + escape_markup(v) + "</li>";
  return out.empty() ? "" : "<ul class=\"chips\">" + out + "</ul>";
}

nlohmann::ordered_json json_ld(const records::Module &m, const std::string &page) {
  nlohmann::ordered_json j;
  j["@context"] = "https://schema.org";
  j["@type"] = "SoftwareApplication";
  j["@id"] = page;
  j["identifier"] = m.id;
  j["name"] = m.title.empty() ? m.id : m.title;
  if (!m.summary.empty()) j["description"] = m.summary;
  j["applicationCategory"] = "Machine learning module";
  if (!m.tags.empty()) j["keywords"] = join(m.tags, ", ");
  if (!m.libraries.empty()) j["softwareRequirements"] = m.libraries;
  if (!m.tasks.empty()) j["featureList"] = m.tasks;
  if (auto it = m.links.find("source_code"); it != m.links.end() && !safe_href(it->second).empty())
    j["url"] = it->second;
  if (auto it = m.links.find("documentation");
      it != m.links.end() && !safe_href(it->second).empty())
    j["softwareHelp"] = it->second;
  if (!m.license.empty()) j["license"] = m.license;
  if (!m.doi.empty()) {
    nlohmann::ordered_json id;
    id["@type"] = "PropertyValue";
    id["propertyID"] = "DOI";
    std::string bare = m.doi;
    for (const char *prefix :
         {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"})
      if (bare.rfind(prefix, 0) == 0) bare = bare.substr(std::strlen(prefix));
    id["value"] = bare;
    j["sameAs"] = doi_url(m.doi);
    j["identifier"] = nlohmann::ordered_json::array({m.id, id});
  }
  if (auto it = m.links.find("docker_image"); it != m.links.end())
    j["installUrl"] = docker_url(it->second);
  if (j.contains("installUrl") && j["installUrl"] == "") j.erase("installUrl");
  return j;
}

const char *kStyle =
    R"css(:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--chip:#eef2f6;--bad:#b42318;--ok:#067647;--bg:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--chip:#21262d;--bg:#0d1117;--bad:#ff7b72;--ok:#3fb950}}
*{box-sizing:border-box}body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
header,main,footer{max-width:1200px;margin:0 auto;padding:1rem}h1{margin:.2rem 0 1rem;font-size:1.6rem}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}.filters input,.filters select{font:inherit;padding:.35rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg)}
.filters input{flex:1 1 18rem}#count{color:var(--muted);margin:.5rem 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:1rem;padding:0;list-style:none}
.card{border:1px solid var(--line);border-radius:10px;padding:1rem;display:flex;flex-direction:column;gap:.4rem;overflow-wrap:anywhere;min-width:0}
.card[hidden]{display:none}.card h2{font-size:1.1rem;margin:0}.card p{margin:0;color:var(--muted)}
.chips{display:flex;flex-wrap:wrap;gap:.3rem;padding:0;margin:0;list-style:none}.chips li{background:var(--chip);border-radius:999px;padding:0 .6rem;font-size:.8rem}
.chips li.category{border:1px solid var(--line);background:none}.meta{font-size:.85rem;color:var(--muted)}
.invalid{color:var(--bad);font-weight:600}.valid{color:var(--ok)}a{color:inherit}.links a,.links .nolink{margin-right:.6rem;font-size:.9rem}
pre.description{white-space:pre-wrap;font:inherit}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{color:var(--muted)}dd{margin:0}
)css";

const char *kScript =
    R"js(// Filters the cards of the index page in the browser: text, tag, task and category; the
// choice is kept in the address (#q=...&tag=...) so a filtered view can be shared.
(function () {
  'use strict';
  var q = document.getElementById('q');
  var selects = { tag: document.getElementById('tag'), task: document.getElementById('task'), category: document.getElementById('category') };
  var count = document.getElementById('count');
  var cards = Array.prototype.slice.call(document.querySelectorAll('.card'));
  function list(card, name) { var v = card.getAttribute('data-' + name) || ''; return v === '' ? [] : v.split('\n'); }
  function apply() {
    var words = q.value.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
    var shown = 0;
    cards.forEach(function (card) {
      var text = (card.getAttribute('data-text') || '').toLowerCase();
      var ok = words.every(function (w) { return text.indexOf(w) >= 0; });
      Object.keys(selects).forEach(function (name) {
        var want = selects[name].value;
        if (ok && want !== '' && list(card, name + 's').indexOf(want) < 0) ok = false;
      });
      card.hidden = !ok;
      if (ok) shown += 1;
    });
    count.textContent = shown + ' of ' + cards.length + ' modules';
    var params = new URLSearchParams();
    if (q.value) params.set('q', q.value);
    Object.keys(selects).forEach(function (name) { if (selects[name].value) params.set(name, selects[name].value); });
    var hash = params.toString();
    if (window.history && history.replaceState) history.replaceState(null, '', hash ? '#' + hash : window.location.pathname);
  }
  var initial = new URLSearchParams(window.location.hash.replace(/^#/, ''));
  if (initial.get('q')) q.value = initial.get('q');
  Object.keys(selects).forEach(function (name) {
    var v = initial.get(name);
    if (v !== null) selects[name].value = v;
    selects[name].addEventListener('change', apply);
  });
  q.addEventListener('input', apply);
  apply();
})();
)js";

std::string page_head(const std::string &title, const std::string &prefix) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta name=\"generator\" content=\"aip catalog render\">\n"
         "<title>" +
         escape_markup(title) + "</title>\n<link rel=\"stylesheet\" href=\"" + prefix +
         "assets/style.css\">\n";
}

std::string options_for(const std::set<std::string> &values, const char *all) {
  std::string out = "<option value=\"\">" + std::string(all) + "</option>";
  for (const auto &v : values)
    out += "<option value=\"" + escape_markup(v) + "\">" + escape_markup(v) + "</option>";
  return out;
}

std::string links_html(const records::Module &m) {
  std::string out;
  static const std::vector<std::pair<std::string, std::string>> names = {{"source_code", "Source"},
                                                                         {"documentation", "Docs"},
                                                                         {"dataset", "Dataset"},
                                                                         {"weights", "Weights"},
                                                                         {"citation", "Citation"}};
  for (const auto &[key, label] : names)
    if (auto it = m.links.find(key); it != m.links.end()) out += link(it->second, label);
  if (auto it = m.links.find("docker_image"); it != m.links.end()) {
    auto url = docker_url(it->second);
    out += url.empty() ? "<span class=\"nolink\">" + escape_markup(it->second) + "</span>"
                       : link(url, "Docker");
  }
  return out;
}

} // namespace

std::map<std::string, std::string> render_site(const Index &index, const SiteOptions &options) {
  std::map<std::string, std::string> files;
  files["assets/style.css"] = kStyle;
  files["assets/app.js"] = kScript;
  files[".aip-catalog-site"] = "A static marketplace written by aip catalog render; the folder is "
                               "replaced on the next render.\n";
  std::vector<const records::Module *> modules;
  for (const auto &m : index.modules) modules.push_back(&m);
  std::stable_sort(modules.begin(), modules.end(), [](auto *a, auto *b) {
    auto ta = lower(a->title.empty() ? a->id : a->title),
         tb = lower(b->title.empty() ? b->id : b->title);
    return ta != tb ? ta < tb : a->id < b->id;
  });
  std::set<std::string> tags, tasks, categories, used_pages;
  std::map<const records::Module *, std::string> pages;
  for (const auto *m : modules) {
    tags.insert(m->tags.begin(), m->tags.end());
    tasks.insert(m->tasks.begin(), m->tasks.end());
    categories.insert(m->categories.begin(), m->categories.end());
    std::string page = page_name(m->id);
    for (int k = 2; used_pages.count(page); ++k) page = page_name(m->id + "-" + std::to_string(k));
    used_pages.insert(page);
    pages[m] = "modules/" + page;
  }
  std::string cards;
  auto item_list = nlohmann::ordered_json::object();
  item_list["@context"] = "https://schema.org";
  item_list["@type"] = "ItemList";
  item_list["name"] = options.title;
  item_list["numberOfItems"] = modules.size();
  item_list["itemListElement"] = nlohmann::ordered_json::array();
  std::size_t position = 0;
  for (const auto *m : modules) {
    const std::string &page = pages[m];
    const std::string title = m->title.empty() ? m->id : m->title;
    std::string text = m->id + " " + title + " " + m->summary + " " + join(m->tags, " ") + " " +
                       join(m->tasks, " ") + " " + join(m->libraries, " ");
    cards += "<li class=\"card\" data-tags=\"" + escape_markup(join(m->tags, "\n")) +
             "\" data-tasks=\"" + escape_markup(join(m->tasks, "\n")) + "\" data-categorys=\"" +
             escape_markup(join(m->categories, "\n")) + "\" data-text=\"" + escape_markup(text) +
             "\">\n";
    cards += "<h2><a href=\"" + escape_markup(page) + "\">" + escape_markup(title) + "</a></h2>\n";
    if (!m->summary.empty()) cards += "<p>" + escape_markup(m->summary) + "</p>\n";
    cards += chips(m->tags, "tag") + chips(m->categories, "category");
    std::string meta;
    if (!m->tasks.empty()) meta += escape_markup(join(m->tasks, ", "));
    if (!m->libraries.empty())
      meta += (meta.empty() ? "" : " &middot; ") + escape_markup(join(m->libraries, ", "));
    if (auto r = resources_text(*m); !r.empty())
      meta += (meta.empty() ? "" : " &middot; ") + escape_markup(r);
    else if (needs_gpu(*m))
      meta += (meta.empty() ? "" : " &middot; ") + std::string("GPU for training");
    if (!m->license.empty())
      meta +=
          (meta.empty() ? "" : " &middot; ") + std::string("Licence ") + escape_markup(m->license);
    if (!meta.empty()) cards += "<div class=\"meta\">" + meta + "</div>\n";
    std::string links = links_html(*m);
    if (!m->doi.empty()) links += link(doi_url(m->doi), "DOI " + m->doi);
    if (!links.empty()) cards += "<div class=\"links\">" + links + "</div>\n";
    if (m->valid == false)
      cards += "<div class=\"invalid\">Metadata invalid (" + std::to_string(m->errors.size()) +
               " error" + (m->errors.size() == 1 ? "" : "s") + ")</div>\n";
    cards += "</li>\n";
    nlohmann::ordered_json element;
    element["@type"] = "ListItem";
    element["position"] = ++position;
    element["url"] = page;
    element["name"] = title;
    item_list["itemListElement"].push_back(element);

    // The module's own page.
    std::string body = page_head(title + " - " + options.title, "../");
    body += "<script type=\"application/ld+json\">" + script_json(json_ld(*m, page_name(m->id))) +
            "</script>\n</head>\n<body>\n";
    body += "<header><p><a href=\"../index.html\">&larr; " + escape_markup(options.title) +
            "</a></p><h1>" + escape_markup(title) + "</h1>";
    if (!m->summary.empty()) body += "<p>" + escape_markup(m->summary) + "</p>";
    body += "</header>\n<main>\n" + chips(m->tags, "tag") + chips(m->categories, "category") +
            "\n<dl>\n";
    auto row = [&](const char *k, const std::string &v_html) {
      if (!v_html.empty()) body += "<dt>" + std::string(k) + "</dt><dd>" + v_html + "</dd>\n";
    };
    row("Identifier", escape_markup(m->id));
    row("Tasks", escape_markup(join(m->tasks, ", ")));
    row("Libraries", escape_markup(join(m->libraries, ", ")));
    row("Resources", escape_markup(resources_text(*m)));
    row("Licence", escape_markup(m->license));
    row("DOI", m->doi.empty() ? "" : link(doi_url(m->doi), m->doi));
    for (const auto &[k, v] : m->links) row(escape_markup(k).c_str(), link(v, v));
    row("Metadata", link(m->source, m->source) +
                        (m->metadata_version.empty()
                             ? ""
                             : " (ai4-metadata " + escape_markup(m->metadata_version) + ")"));
    if (m->valid)
      row("Valid",
          *m->valid ? "<span class=\"valid\">yes</span>" : "<span class=\"invalid\">no</span>");
    body += "</dl>\n";
    if (!m->errors.empty()) {
      body += "<h2>Metadata errors</h2>\n<ul>";
      for (const auto &e : m->errors) body += "<li>" + escape_markup(e) + "</li>";
      body += "</ul>\n";
    }
    if (!m->description.empty())
      body += "<h2>Description</h2>\n<pre class=\"description\">" + escape_markup(m->description) +
              "</pre>\n";
    body += "</main>\n</body>\n</html>\n";
    files[page] = body;
  }
  std::string html = page_head(options.title, "");
  html += "<script type=\"application/ld+json\">" + script_json(item_list) +
          "</script>\n</head>\n<body>\n";
  html += "<header><h1>" + escape_markup(options.title) +
          "</h1>\n<div class=\"filters\" role=\"search\">"
          "<input id=\"q\" type=\"search\" placeholder=\"Search modules\" aria-label=\"Search "
          "modules\">"
          "<select id=\"tag\" aria-label=\"Tag\">" +
          options_for(tags, "All tags") +
          "</select>"
          "<select id=\"task\" aria-label=\"Task\">" +
          options_for(tasks, "All tasks") +
          "</select>"
          "<select id=\"category\" aria-label=\"Category\">" +
          options_for(categories, "All categories") +
          "</select></div>\n"
          "<p id=\"count\">" +
          std::to_string(modules.size()) + " modules</p></header>\n";
  html += "<main>\n<ul class=\"grid\">\n" + cards + "</ul>\n</main>\n";
  html += "<footer class=\"meta\">Generated by aip catalog render" +
          (options.generated_at.empty() ? std::string()
                                        : " at " + escape_markup(options.generated_at)) +
          (index.list.empty() ? std::string() : " from " + escape_markup(index.list)) +
          ".</footer>\n";
  html += "<script src=\"assets/app.js\"></script>\n</body>\n</html>\n";
  files["index.html"] = html;
  return files;
}

void write_site(const std::map<std::string, std::string> &files, const std::string &dir) {
  std::error_code ec;
  fs::path target(dir);
  if (fs::exists(target, ec)) {
    if (!fs::is_directory(target, ec))
      fail(Exit::cant_create, dir + ": exists and is not a folder");
    if (!fs::is_empty(target, ec) && !fs::exists(target / ".aip-catalog-site", ec))
      fail(Exit::cant_create,
           dir +
               ": a non-empty folder that aip catalog render did not write; choose another --out");
  }
  fs::path parent = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (target.filename().empty()) parent = target.parent_path().parent_path();
  make_dirs(parent.empty() ? "." : parent.string());
  const std::string stem = fs::path(dir).lexically_normal().filename().string().empty()
                               ? "site"
                               : fs::path(dir).lexically_normal().filename().string();
  fs::path fresh = parent / ("." + stem + ".new-" + std::to_string(::getpid()));
  fs::path old = parent / ("." + stem + ".old-" + std::to_string(::getpid()));
  fs::remove_all(fresh, ec);
  try {
    for (const auto &[rel, content] : files) {
      fs::path p = fresh / rel;
      fs::create_directories(p.parent_path());
      AtomicFile f(p.string());
      f.write(content);
      f.commit();
    }
  } catch (...) {
    fs::remove_all(fresh, ec);
    throw;
  }
  fs::permissions(fresh,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  const bool had = fs::exists(target, ec);
  if (had) {
    fs::rename(target, old, ec);
    if (ec) fail(Exit::cant_create, dir + ": cannot move the old site aside: " + ec.message());
  }
  fs::rename(fresh, target, ec);
  if (ec) {
    if (had) fs::rename(old, target, ec);
    fail(Exit::cant_create, dir + ": cannot put the new site in place");
  }
  if (had) fs::remove_all(old, ec);
}

} // namespace aip::catalog
