#include "aip/sqa/formats.hpp"

#include "aip/core/error.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <set>
#include <unordered_map>

namespace aip::sqa {

double Coverage::percent() const {
  if (lines_valid > 0)
    return 100.0 * static_cast<double>(lines_covered) / static_cast<double>(lines_valid);
  return rate_attribute ? 100.0 * *rate_attribute : 0.0;
}

namespace {

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

[[noreturn]] void bad(const std::string &name, std::size_t line, const std::string &what) {
  data_error(name + ":" + std::to_string(line) + ": " + what);
}

} // namespace

Coverage parse_lcov(std::string_view text, const std::string &name) {
  Coverage c;
  struct FileLines {
    std::set<std::uint64_t> found, hit;
    std::uint64_t lf = 0, lh = 0;
    bool has_da = false;
  };
  std::unordered_map<std::string, FileLines> files;
  FileLines *cur = nullptr;
  std::size_t line_no = 0, start = 0;
  bool any = false;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    auto line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const auto colon = line.find(':');
    const auto key = line.substr(0, colon);
    const auto value =
        colon == std::string_view::npos ? std::string_view{} : line.substr(colon + 1);
    if (key == "SF") {
      cur = &files[std::string(value)];
      any = true;
    } else if (key == "end_of_record") {
      cur = nullptr;
    } else if (key == "DA" || key == "LF" || key == "LH") {
      if (!cur)
        bad(name, line_no,
            key == "DA" ? "DA outside a file record (no SF before it)"
                        : std::string(key) + " outside a file record");
      if (key == "DA") {
        const auto comma = value.find(',');
        if (comma == std::string_view::npos) bad(name, line_no, "DA: expected LINE,COUNT");
        auto rest = value.substr(comma + 1);
        rest = rest.substr(0, rest.find(','));
        const auto ln = to_u64(value.substr(0, comma));
        // gcov writes "-1"-free counts, but some tools write counts as floats ("1.0"); accept
        // their integer part.
        auto count_text = rest.substr(0, rest.find('.'));
        const bool negative = !count_text.empty() && count_text.front() == '-';
        const auto count = to_u64(negative ? count_text.substr(1) : count_text);
        if (!ln || !count)
          bad(name, line_no,
              "DA: expected LINE,COUNT with whole numbers, got '" + std::string(value) + "'");
        cur->has_da = true;
        cur->found.insert(*ln);
        if (!negative && *count > 0) cur->hit.insert(*ln);
      } else {
        const auto n = to_u64(value);
        if (!n)
          bad(name, line_no,
              std::string(key) + ": expected a whole number, got '" + std::string(value) + "'");
        (key == "LF" ? cur->lf : cur->lh) += *n;
      }
    } else if (key == "TN" || key == "FN" || key == "FNDA" || key == "FNF" || key == "FNH" ||
               key == "BRDA" || key == "BRF" || key == "BRH" || key == "VER" || key == "FNL" ||
               key == "FNA") {
      // Function and branch records do not change line coverage.
    } else {
      bad(name, line_no, "not an lcov record: '" + std::string(line.substr(0, 40)) + "'");
    }
  }
  if (!any) data_error(name + ": no SF record: not an lcov tracefile");
  for (const auto &[_, f] : files) {
    if (f.has_da)
      c.lines_valid += f.found.size(), c.lines_covered += f.hit.size();
    else
      c.lines_valid += f.lf, c.lines_covered += std::min(f.lh, f.lf);
  }
  c.files = files.size();
  return c;
}

Coverage parse_cobertura(std::string_view text, const std::string &name) {
  // Finds the start tag <coverage ...> outside comments, processing instructions and DOCTYPE.
  std::size_t at = 0;
  auto line_of = [&](std::size_t pos) {
    return 1 + static_cast<std::size_t>(
                   std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
  };
  for (;;) {
    at = text.find('<', at);
    if (at == std::string_view::npos)
      data_error(name + ": no <coverage> element: not a Cobertura report");
    if (text.substr(at, 4) == "<!--") {
      auto e = text.find("-->", at + 4);
      if (e == std::string_view::npos) bad(name, line_of(at), "unterminated comment");
      at = e + 3;
    } else if (text.substr(at, 2) == "<?" || text.substr(at, 2) == "<!") {
      auto e = text.find('>', at);
      if (e == std::string_view::npos) bad(name, line_of(at), "unterminated declaration");
      at = e + 1;
    } else if (text.substr(at, 9) == "<coverage" && at + 9 < text.size() &&
               (text[at + 9] == ' ' || text[at + 9] == '>' || text[at + 9] == '\n' ||
                text[at + 9] == '\t' || text[at + 9] == '\r' || text[at + 9] == '/')) {
      break;
    } else {
      bad(name, line_of(at), "the root element is not <coverage>: not a Cobertura report");
    }
  }
  const auto tag_end = text.find('>', at);
  if (tag_end == std::string_view::npos) bad(name, line_of(at), "unterminated <coverage> tag");
  std::map<std::string, std::string> attrs;
  std::size_t i = at + 9;
  while (i < tag_end) {
    while (i < tag_end && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' ||
                           text[i] == '\r' || text[i] == '/'))
      ++i;
    if (i >= tag_end) break;
    const auto eq = text.find('=', i);
    if (eq == std::string_view::npos || eq > tag_end)
      bad(name, line_of(i), "attribute without a value in <coverage>");
    std::string key(text.substr(i, eq - i));
    while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.pop_back();
    auto q = eq + 1;
    while (q < tag_end && (text[q] == ' ' || text[q] == '\t')) ++q;
    if (q >= tag_end || (text[q] != '"' && text[q] != '\''))
      bad(name, line_of(q), "attribute '" + key + "': expected a quoted value");
    const auto close = text.find(text[q], q + 1);
    if (close == std::string_view::npos || close > tag_end)
      bad(name, line_of(q), "attribute '" + key + "': unterminated value");
    attrs[key] = std::string(text.substr(q + 1, close - q - 1));
    i = close + 1;
  }
  Coverage c;
  const auto line = line_of(at);
  if (attrs.count("lines-valid") && attrs.count("lines-covered")) {
    auto v = to_u64(attrs["lines-valid"]), k = to_u64(attrs["lines-covered"]);
    if (!v)
      bad(name, line,
          "attribute 'lines-valid': expected a whole number, got '" + attrs["lines-valid"] + "'");
    if (!k)
      bad(name, line,
          "attribute 'lines-covered': expected a whole number, got '" + attrs["lines-covered"] +
              "'");
    if (*k > *v) bad(name, line, "lines-covered exceeds lines-valid");
    c.lines_valid = *v, c.lines_covered = *k;
  }
  if (attrs.count("line-rate")) {
    const auto &s = attrs["line-rate"];
    double r = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), r);
    if (ec != std::errc() || p != s.data() + s.size() || !(r >= 0 && r <= 1))
      bad(name, line, "attribute 'line-rate': expected a number in [0, 1], got '" + s + "'");
    c.rate_attribute = r;
  }
  if (c.lines_valid == 0 && !c.rate_attribute &&
      !(attrs.count("lines-valid") && attrs.count("lines-covered")))
    bad(name, line, "<coverage> has neither lines-valid/lines-covered nor line-rate");
  return c;
}

namespace {

std::string scalar_text(const YAML::Node &n) { return n.IsScalar() ? n.Scalar() : std::string(); }

bool is_date(const std::string &s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  const int m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

} // namespace

Citation parse_citation(std::string_view text, const std::string &name) {
  Citation c;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception &e) {
    data_error(name + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  auto where = [&](const YAML::Node &n) { return name + ":" + std::to_string(n.Mark().line + 1); };
  if (!root.IsMap()) {
    c.problems.push_back(name + ": the document is not a mapping");
    return c;
  }
  c.cff_version = scalar_text(root["cff-version"]);
  // Required keys and allowed top-level keys per version (the CFF schema guides; 1.2.0 dropped
  // version and date-released from the required set and added type and preferred-citation).
  std::vector<std::string> required{"cff-version", "message", "title", "authors"};
  std::set<std::string> allowed{
      "abstract",        "authors", "cff-version", "commit",     "contact",
      "date-released",   "doi",     "identifiers", "keywords",   "license",
      "license-url",     "message", "references",  "repository", "repository-artifact",
      "repository-code", "title",   "url",         "version"};
  if (c.cff_version == "1.2.0") {
    allowed.insert({"preferred-citation", "type"});
  } else if (c.cff_version == "1.1.0" || c.cff_version == "1.0.3") {
    required.insert(required.end(), {"version", "date-released"});
  } else {
    c.problems.push_back(c.cff_version.empty()
                             ? name + ": cff-version is missing"
                             : where(root["cff-version"]) + ": cff-version '" + c.cff_version +
                                   "' is not one of 1.0.3, 1.1.0, 1.2.0");
    return c;
  }
  for (const auto &k : required)
    if (!root[k] || root[k].IsNull())
      c.problems.push_back(name + ": required key '" + k + "' is missing");
  for (const auto &kv : root) {
    const auto key = kv.first.Scalar();
    if (!allowed.count(key))
      c.problems.push_back(where(kv.first) + ": key '" + key + "' is not part of CFF " +
                           c.cff_version);
  }
  for (const char *k : {"message", "title"})
    if (root[k] && (!root[k].IsScalar() || root[k].Scalar().empty()))
      c.problems.push_back(where(root[k]) + ": '" + k + "' must be a non-empty string");
  if (auto a = root["authors"]) {
    if (!a.IsSequence() || a.size() == 0) {
      c.problems.push_back(where(a) + ": 'authors' must be a non-empty list");
    } else {
      for (std::size_t i = 0; i < a.size(); ++i) {
        const auto &p = a[i];
        if (!p.IsMap()) {
          c.problems.push_back(where(p) + ": authors[" + std::to_string(i) +
                               "] must be a mapping (person or entity)");
          continue;
        }
        const bool person =
            p["family-names"] || p["given-names"] || p["name-particle"] || p["alias"];
        const bool entity = static_cast<bool>(p["name"]);
        if (!person && !entity)
          c.problems.push_back(where(p) + ": authors[" + std::to_string(i) +
                               "] has neither 'name' (entity) nor person names");
      }
    }
  }
  if (auto v = root["version"]) {
    if (!v.IsScalar() || v.Scalar().empty())
      c.problems.push_back(where(v) + ": 'version' must be a string or number");
    else
      c.version = v.Scalar();
  }
  if (auto d = root["date-released"]) {
    c.date_released = scalar_text(d);
    if (!is_date(*c.date_released))
      c.problems.push_back(where(d) + ": 'date-released' must be a date YYYY-MM-DD");
  }
  if (auto l = root["license"]) {
    if (l.IsScalar())
      c.license = l.Scalar();
    else if (l.IsSequence() && l.size() > 0 && l[0].IsScalar())
      c.license = l[0].Scalar();
    else
      c.problems.push_back(where(l) + ": 'license' must be an SPDX id or a list of them");
  }
  if (auto d = root["doi"]) {
    c.doi = scalar_text(d);
    if (c.doi->rfind("10.", 0) != 0 || c.doi->find('/') == std::string::npos)
      c.problems.push_back(where(d) + ": 'doi' must look like 10.NNNN/suffix");
  }
  return c;
}

CodeMeta parse_codemeta(std::string_view text, const std::string &name) {
  CodeMeta m;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error &e) {
    // nlohmann reports a byte offset; turn it into a line.
    const auto upto = std::min<std::size_t>(e.byte, text.size());
    const auto line =
        1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n');
    data_error(name + ":" + std::to_string(line) + ": malformed JSON");
  }
  if (!j.is_object()) {
    m.problems.push_back(name + ": not a JSON object");
    return m;
  }
  if (!j.contains("@context"))
    m.problems.push_back(name + ": '@context' is missing (a codemeta.json is JSON-LD)");
  else {
    const auto ctx = j["@context"].dump();
    if (ctx.find("codemeta") == std::string::npos)
      m.problems.push_back(name + ": '@context' does not name a CodeMeta context");
  }
  if (j.contains("version") && j["version"].is_string())
    m.version = j["version"].get<std::string>();
  if (j.contains("softwareVersion") && j["softwareVersion"].is_string() && !m.version)
    m.version = j["softwareVersion"].get<std::string>();
  if (j.contains("license") && j["license"].is_string())
    m.license = j["license"].get<std::string>();
  if (!j.contains("name")) m.problems.push_back(name + ": 'name' is missing");
  return m;
}

std::optional<SemVer> parse_semver(std::string_view s, bool allow_v) {
  if (allow_v && !s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);
  SemVer v;
  auto num = [](std::string_view part) -> std::optional<std::uint64_t> {
    if (part.empty() || (part.size() > 1 && part.front() == '0')) return std::nullopt;
    return to_u64(part);
  };
  auto ident_ok = [](std::string_view id, bool numeric_rule) {
    if (id.empty()) return false;
    bool digits = true;
    for (char ch : id) {
      if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
            ch == '-'))
        return false;
      if (ch < '0' || ch > '9') digits = false;
    }
    return !(numeric_rule && digits && id.size() > 1 && id.front() == '0');
  };
  const auto plus = s.find('+');
  if (plus != std::string_view::npos) {
    auto build = s.substr(plus + 1);
    for (std::size_t a = 0;;) {
      auto b = build.find('.', a);
      if (!ident_ok(build.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a),
                    false))
        return std::nullopt;
      if (b == std::string_view::npos) break;
      a = b + 1;
    }
    v.build = std::string(build);
    s = s.substr(0, plus);
  }
  const auto dash = s.find('-');
  if (dash != std::string_view::npos) {
    auto pre = s.substr(dash + 1);
    for (std::size_t a = 0;;) {
      auto b = pre.find('.', a);
      auto id = pre.substr(a, b == std::string_view::npos ? std::string_view::npos : b - a);
      if (!ident_ok(id, true)) return std::nullopt;
      v.pre.emplace_back(id);
      if (b == std::string_view::npos) break;
      a = b + 1;
    }
    s = s.substr(0, dash);
  }
  const auto d1 = s.find('.'), d2 = d1 == std::string_view::npos ? d1 : s.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  auto a = num(s.substr(0, d1)), b = num(s.substr(d1 + 1, d2 - d1 - 1)), c = num(s.substr(d2 + 1));
  if (!a || !b || !c) return std::nullopt;
  v.major = *a, v.minor = *b, v.patch = *c;
  return v;
}

int compare(const SemVer &a, const SemVer &b) {
  for (auto [x, y] : {std::pair{a.major, b.major}, {a.minor, b.minor}, {a.patch, b.patch}})
    if (x != y) return x < y ? -1 : 1;
  if (a.pre.empty() != b.pre.empty()) return a.pre.empty() ? 1 : -1;
  for (std::size_t i = 0; i < std::min(a.pre.size(), b.pre.size()); ++i) {
    const auto &x = a.pre[i], &y = b.pre[i];
    const bool xn = std::all_of(x.begin(), x.end(), ::isdigit),
               yn = std::all_of(y.begin(), y.end(), ::isdigit);
    if (xn && yn) {
      if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
      if (x != y) return x < y ? -1 : 1;
    } else if (xn != yn) {
      return xn ? -1 : 1;
    } else if (x != y) {
      return x < y ? -1 : 1;
    }
  }
  if (a.pre.size() != b.pre.size()) return a.pre.size() < b.pre.size() ? -1 : 1;
  return 0;
}

} // namespace aip::sqa
