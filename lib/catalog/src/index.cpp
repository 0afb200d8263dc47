#include "aip/catalog/index.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/units.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace aip::catalog {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool contains_ci(const std::vector<std::string> &list, const std::string &value) {
  const auto v = lower(value);
  return std::any_of(list.begin(), list.end(), [&](const std::string &x) { return lower(x) == v; });
}

std::optional<double> number_at(const nlohmann::ordered_json &o, const char *key) {
  if (o.is_object() && o.contains(key) && o[key].is_number()) return o[key].get<double>();
  return std::nullopt;
}

bool wants_gpu(const records::Module &m) {
  auto g = number_at(m.resources, "gpus");
  if (g && *g > 0) return true;
  if (m.resources.is_object() && m.resources.contains("training")) {
    auto t = number_at(m.resources["training"], "gpus");
    if (t && *t > 0) return true;
  }
  return false;
}

} // namespace

Index parse_index(const std::string &text, const std::string &name) {
  Index index;
  std::size_t k = 0;
  while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k]))) ++k;
  nlohmann::json whole;
  bool is_index = false;
  if (k < text.size() && text[k] == '{') {
    whole = nlohmann::json::parse(text, nullptr, false);
    is_index = !whole.is_discarded() && whole.is_object() && whole.contains("modules");
  }
  if (is_index) {
    if (whole.contains("kind") && whole["kind"] != kIndexKind)
      data_error(name + ": kind " + whole["kind"].dump() + ", expected \"" + kIndexKind + "\"");
    if (!whole["modules"].is_array()) data_error(name + ": field 'modules': expected an array");
    if (whole.contains("generated_at") && whole["generated_at"].is_string())
      index.generated_at = whole["generated_at"];
    if (whole.contains("list") && whole["list"].is_string()) index.list = whole["list"];
    std::size_t i = 0;
    for (const auto &m : whole["modules"])
      index.modules.push_back(
          records::module_from_json(m, name + ": module " + std::to_string(i++)));
    return index;
  }
  // JSON Lines of module records.
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string line = text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded())
      data_error(name + ":" + std::to_string(line_no) +
                 ": not JSON (expected an index or JSON Lines of aip.module/v1)");
    index.modules.push_back(records::module_from_json(j, name + ":" + std::to_string(line_no)));
  }
  return index;
}

Index read_index(const std::string &path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const Error &) {
    throw;
  }
  return parse_index(text, display_name(path));
}

std::string index_to_json(const Index &index) {
  nlohmann::ordered_json j;
  j["kind"] = kIndexKind;
  j["generated_at"] = index.generated_at;
  j["list"] = index.list;
  std::vector<const records::Module *> sorted;
  for (const auto &m : index.modules) sorted.push_back(&m);
  std::stable_sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->id < b->id; });
  j["modules"] = nlohmann::ordered_json::array();
  for (const auto *m : sorted) j["modules"].push_back(records::to_json(*m));
  return j.dump(1) + "\n";
}

bool matches(const records::Module &m, const Filter &f) {
  for (const auto &t : f.tags)
    if (!contains_ci(m.tags, t)) return false;
  for (const auto &t : f.tasks)
    if (!contains_ci(m.tasks, t)) return false;
  for (const auto &l : f.libraries)
    if (!contains_ci(m.libraries, l)) return false;
  for (const auto &c : f.categories)
    if (!contains_ci(m.categories, c)) return false;
  if (f.gpu && !wants_gpu(m)) return false;
  if (f.no_gpu) {
    auto g = number_at(m.resources, "gpus");
    if (g && *g > 0) return false;
  }
  if (f.max_memory) {
    auto mem = number_at(m.resources, "memory_bytes");
    if (mem && *mem > static_cast<double>(*f.max_memory)) return false;
  }
  if (f.validity == Validity::valid && m.valid != true) return false;
  if (f.validity == Validity::invalid && m.valid != false) return false;
  if (!f.words.empty() && relevance(m, f.words) <= 0) return false;
  return true;
}

double relevance(const records::Module &m, const std::vector<std::string> &words) {
  const std::string id = lower(m.id), title = lower(m.title), summary = lower(m.summary),
                    description = lower(m.description);
  std::string tags;
  for (const auto &t : m.tags) tags += lower(t) + "\n";
  for (const auto &t : m.tasks) tags += lower(t) + "\n";
  for (const auto &t : m.libraries) tags += lower(t) + "\n";
  double score = 0;
  for (const auto &w0 : words) {
    const auto w = lower(w0);
    double s = 0;
    if (title.find(w) != std::string::npos || id.find(w) != std::string::npos) s += 8;
    if (tags.find(w) != std::string::npos) s += 4;
    if (summary.find(w) != std::string::npos) s += 2;
    if (description.find(w) != std::string::npos) s += 1;
    if (s == 0) return 0; // every word must appear somewhere
    score += s;
  }
  return score;
}

std::vector<const records::Module *> select(const Index &index, const Filter &f) {
  std::vector<const records::Module *> out;
  for (const auto &m : index.modules)
    if (matches(m, f)) out.push_back(&m);
  if (!f.words.empty()) {
    std::stable_sort(out.begin(), out.end(), [&](auto *a, auto *b) {
      double ra = relevance(*a, f.words), rb = relevance(*b, f.words);
      return ra != rb ? ra > rb : a->id < b->id;
    });
  } else {
    std::stable_sort(out.begin(), out.end(), [](auto *a, auto *b) { return a->id < b->id; });
  }
  return out;
}

namespace {

// Cuts to `width` display characters (UTF-8 aware), with an ellipsis.
std::string fit(const std::string &s, std::size_t width) {
  std::string clean;
  for (char c : s) clean += (c == '\n' || c == '\t' || c == '\r') ? ' ' : c;
  std::size_t chars = 0, i = 0;
  for (; i < clean.size(); ++i) {
    if ((static_cast<unsigned char>(clean[i]) & 0xC0) != 0x80) {
      if (chars == width) break;
      ++chars;
    }
  }
  if (i >= clean.size()) return clean + std::string(width - chars, ' ');
  // Too long: cut one character earlier and add an ellipsis.
  std::size_t cut = 0, seen = 0;
  for (std::size_t k = 0; k < clean.size(); ++k)
    if ((static_cast<unsigned char>(clean[k]) & 0xC0) != 0x80) {
      if (seen == width - 1) {
        cut = k;
        break;
      }
      ++seen;
    }
  return clean.substr(0, cut) + "\xe2\x80\xa6";
}

std::string join(const std::vector<std::string> &v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Binary units, as --max-memory reads them (8G = 8 GiB).
std::string human_size(double bytes) {
  const char *units[] = {"B", "K", "M", "G", "T"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, ++u;
  char b[32];
  std::snprintf(b, sizeof b,
                bytes < 10 && u > 0 && bytes != static_cast<long long>(bytes) ? "%.1f%s" : "%.0f%s",
                bytes, units[u]);
  return b;
}

std::string memory_text(const records::Module &m) {
  auto mem = number_at(m.resources, "memory_bytes");
  return mem ? human_size(*mem) : "-";
}

} // namespace

std::string render_table(const std::vector<const records::Module *> &modules) {
  std::string out = fit("ID", 32) + " " + fit("TITLE", 40) + " " + fit("LIBRARIES", 16) + " " +
                    fit("TASKS", 24) + " GPU   " + fit("MEMORY", 8) + " VALID\n";
  for (const auto *m : modules) {
    auto g = number_at(m->resources, "gpus");
    std::string gpu =
        g ? std::to_string(static_cast<long long>(*g)) : (wants_gpu(*m) ? "train" : "-");
    out += fit(m->id, 32) + " " + fit(m->title, 40) + " " + fit(join(m->libraries), 16) + " " +
           fit(join(m->tasks), 24) + " " + fit(gpu, 5) + " " + fit(memory_text(*m), 8) + " " +
           (m->valid ? (*m->valid ? "yes" : "NO") : "-") + "\n";
  }
  return out;
}

std::string render_details(const records::Module &m) {
  std::string out;
  auto line = [&](const char *k, const std::string &v) {
    if (!v.empty())
      out += std::string(k) + ": " +
             std::string(12 - std::min<std::size_t>(12, std::string(k).size()), ' ') + v + "\n";
  };
  line("id", m.id);
  line("title", m.title);
  line("summary", m.summary);
  line("tags", join(m.tags));
  line("tasks", join(m.tasks));
  line("libraries", join(m.libraries));
  line("categories", join(m.categories));
  line("license", m.license);
  line("doi", m.doi);
  line("version", m.metadata_version);
  line("source", m.source);
  for (const auto &[k, v] : m.links) line(("link " + k).c_str(), v);
  if (m.resources.is_object() && !m.resources.empty()) line("resources", m.resources.dump());
  if (m.valid) line("valid", *m.valid ? "yes" : "no");
  for (const auto &e : m.errors) line("error", e);
  if (!m.description.empty())
    out += "\n" + m.description + (m.description.back() == '\n' ? "" : "\n");
  return out;
}

} // namespace aip::catalog
