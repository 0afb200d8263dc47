#include "aip/sqa/report.hpp"

#include <aip/core/markup.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace aip::sqa {

namespace {

std::string fmt1(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}

int severity(Status s) {
  return s == Status::fail             ? 4
         : s == Status::waived         ? 3
         : s == Status::not_assessable ? 2
         : s == Status::pass           ? 1
                                       : 0;
}
int strength(Level l) { return l == Level::must ? 3 : l == Level::should ? 2 : 1; }

std::string sarif_level(const Check &c) {
  return c.level == Level::must ? "error" : c.level == Level::should ? "warning" : "note";
}

std::string first_evidence(const Check &c) {
  return c.evidence.empty() ? std::string() : c.evidence.front();
}

} // namespace

std::vector<records::SqaCriterion> to_records(const Report &r) {
  std::vector<records::SqaCriterion> out;
  for (const auto &crit : r.criteria) {
    records::SqaCriterion c;
    c.id = crit.id;
    c.name = crit.name;
    c.valid = crit.valid;
    c.assessed = crit.assessed;
    c.badge = r.badge;
    c.score = std::round(r.score * 100) / 10; // percent, as the record kind counts it
    if (!r.next_badge.empty()) c.next_badge = r.next_badge;
    c.missing = r.missing_for_next;
    // Checks that share a sub-criterion merge: the strongest level, the worst status.
    std::map<std::string, std::pair<int, int>> ranks;
    for (const auto &k : r.checks) {
      if (k.criterion != crit.id) continue;
      auto &s = c.subcriteria[k.sub];
      auto &[sev, str] = ranks[k.sub];
      std::string line = k.id + ": " + to_string(k.status);
      for (const auto &e : k.evidence) line += "; " + e;
      if (!k.waiver.empty()) line += "; waived: " + k.waiver;
      s.evidence.push_back(line);
      if (severity(k.status) > sev) sev = severity(k.status), s.status = to_string(k.status);
      if (strength(k.level) > str) str = strength(k.level), s.level = to_string(k.level);
      if (!k.scorecard.empty() &&
          std::find(s.scorecard.begin(), s.scorecard.end(), k.scorecard) == s.scorecard.end())
        s.scorecard.push_back(k.scorecard);
    }
    for (auto &[id, s] : c.subcriteria) s.valid = s.status == "pass" || s.status == "waived";
    out.push_back(std::move(c));
  }
  return out;
}

std::string render_table(const Report &r, bool color) {
  auto paint = [&](const std::string &s, const char *code) {
    return color ? std::string("\033[") + code + "m" + s + "\033[0m" : s;
  };
  std::string out;
  out += "Repository " + r.root + ": " + std::to_string(r.files) + " files" +
         (r.git.head.empty() ? std::string(", not a git checkout")
                             : ", HEAD " + r.git.head.substr(0, 12)) +
         "\n";
  if (!r.swhid_rev.empty()) out += "SWHID " + r.swhid_rev + "\n";
  for (const auto &crit : r.criteria) {
    const auto verdict = !crit.assessed ? paint("not assessable", "2")
                         : crit.valid   ? paint("valid", "32")
                                        : paint("not valid", "31");
    out += "\n" + crit.id + "  " + crit.name + ": " + verdict + "\n";
    for (const auto &k : r.checks) {
      if (k.criterion != crit.id) continue;
      const auto st = to_string(k.status);
      const char *code = k.status == Status::pass     ? "32"
                         : k.status == Status::fail   ? "31"
                         : k.status == Status::waived ? "33"
                                                      : "2";
      char head[96];
      std::snprintf(head, sizeof head, "  %-14s %-6s %-11s %-22s ", st.c_str(),
                    to_string(k.level).c_str(), k.sub.c_str(), k.id.c_str());
      std::string h = head;
      if (color) h.replace(2, st.size(), paint(st, code));
      auto ev = first_evidence(k);
      if (!k.waiver.empty()) ev = "waived: " + k.waiver + (ev.empty() ? "" : "; " + ev);
      if (ev.size() > 110) ev = ev.substr(0, 107) + "...";
      out += h + ev + "\n";
    }
  }
  out += "\nBadge: " +
         paint(r.badge, r.badge == "gold"   ? "33;1"
                        : r.badge == "none" ? "31"
                                            : "1") +
         "   score " + fmt1(r.score) + "/10";
  if (!r.next_badge.empty()) {
    out += "   " + r.next_badge + " needs ";
    for (std::size_t i = 0; i < r.missing_for_next.size(); ++i)
      out += (i ? ", " : "") + r.missing_for_next[i];
  }
  out += "\n";
  return out;
}

nlohmann::ordered_json render_json(const Report &r) {
  nlohmann::ordered_json j;
  j["tool"] = "aip-sqa-check";
  j["baseline"] = "indigo-dc/sqa-baseline v4.1";
  j["repository"] = {{"root", r.root},         {"git", r.git.repository},  {"head", r.git.head},
                     {"branch", r.git.branch}, {"shallow", r.git.shallow}, {"origin", r.git.origin},
                     {"files", r.files}};
  if (!r.swhid_rev.empty()) j["repository"]["swhid"] = r.swhid_rev;
  if (!r.swhid_dir.empty()) j["repository"]["swhid_dir"] = r.swhid_dir;
  if (!r.swhid_worktree.empty()) j["repository"]["swhid_worktree"] = r.swhid_worktree;
  j["badge"] = {{"awarded", r.badge},
                {"next", r.next_badge.empty() ? nlohmann::ordered_json(nullptr)
                                              : nlohmann::ordered_json(r.next_badge)},
                {"missing", r.missing_for_next}};
  j["score"] = r.score;
  auto &crits = j["criteria"] = nlohmann::ordered_json::object();
  for (const auto &c : to_records(r)) crits[c.id] = records::to_json(c);
  auto &checks = j["checks"] = nlohmann::ordered_json::array();
  for (const auto &k : r.checks) {
    nlohmann::ordered_json c{{"id", k.id},
                             {"criterion", k.criterion},
                             {"subcriterion", k.sub},
                             {"level", to_string(k.level)},
                             {"title", k.title},
                             {"status", to_string(k.status)},
                             {"evidence", k.evidence}};
    if (!k.scorecard.empty()) c["scorecard"] = k.scorecard;
    if (!k.waiver.empty()) c["waiver"] = k.waiver;
    if (!k.locations.empty()) {
      auto &locs = c["locations"] = nlohmann::ordered_json::array();
      for (const auto &l : k.locations)
        locs.push_back({{"path", l.path}, {"line", l.line}, {"message", l.message}});
    }
    checks.push_back(c);
  }
  if (!r.linters.empty()) {
    auto &ls = j["linters"] = nlohmann::ordered_json::array();
    for (const auto &l : r.linters)
      ls.push_back({{"name", l.name},
                    {"installed", l.installed},
                    {"ran", l.ran},
                    {"findings", l.findings.size()},
                    {"note", l.note}});
  }
  j["warnings"] = r.warnings;
  return j;
}

nlohmann::ordered_json render_sarif(const Report &r, const std::string &tool_version) {
  nlohmann::ordered_json rules = nlohmann::ordered_json::array(),
                         results = nlohmann::ordered_json::array();
  std::map<std::string, std::size_t> rule_index;
  auto fallback = [&]() -> std::string {
    for (const auto &k : r.checks)
      if (k.id == "doc-readme" && k.status == Status::pass && !k.evidence.empty())
        return k.evidence.front();
    return ".";
  };
  const auto anchor = fallback();
  auto location = [](const std::string &path, std::size_t line) {
    nlohmann::ordered_json phys{{"artifactLocation", {{"uri", path}, {"uriBaseId", "SRCROOT"}}}};
    if (line > 0) phys["region"] = {{"startLine", line}};
    return nlohmann::ordered_json{{"physicalLocation", phys}};
  };
  for (const auto &k : r.checks) {
    nlohmann::ordered_json tags = {k.criterion, k.sub, to_string(k.level)};
    if (!k.scorecard.empty()) tags.push_back("scorecard:" + k.scorecard);
    rule_index[k.id] = rules.size();
    rules.push_back(
        {{"id", k.id},
         {"name", k.sub},
         {"shortDescription", {{"text", k.title}}},
         {"fullDescription", {{"text", k.sub + " (" + to_string(k.level) + "): " + k.title}}},
         {"helpUri", "https://indigo-dc.github.io/sqa-baseline/"},
         {"defaultConfiguration", {{"level", sarif_level(k)}}},
         {"properties", {{"tags", tags}}}});
    if (k.status != Status::fail && k.status != Status::waived) continue;
    if (k.id.rfind("lint-", 0) == 0) continue; // linter findings carry their own rules below
    auto add_result = [&](const std::string &message, const std::string &path, std::size_t line) {
      nlohmann::ordered_json res{
          {"ruleId", k.id},
          {"ruleIndex", rule_index[k.id]},
          {"level", sarif_level(k)},
          {"message", {{"text", message}}},
          {"locations", nlohmann::ordered_json::array({location(path, line)})}};
      if (k.status == Status::waived)
        res["suppressions"] =
            nlohmann::ordered_json::array({{{"kind", "external"}, {"justification", k.waiver}}});
      results.push_back(res);
    };
    if (k.locations.empty())
      add_result(k.title + ": " + (k.evidence.empty() ? "failed" : k.evidence.front()), anchor, 0);
    for (const auto &l : k.locations)
      add_result(l.message.empty() ? k.title : l.message, l.path, l.line);
  }
  for (const auto &l : r.linters) {
    for (std::size_t i = 0; i < l.findings.size(); ++i) {
      const auto &rid = l.rule_ids[i];
      if (!rule_index.count(rid)) {
        rule_index[rid] = rules.size();
        rules.push_back(
            {{"id", rid},
             {"shortDescription", {{"text", l.name + " " + rid.substr(l.name.size() + 1)}}},
             {"properties", {{"tags", {"linter", l.name}}}}});
      }
      const auto &f = l.findings[i];
      results.push_back({{"ruleId", rid},
                         {"ruleIndex", rule_index[rid]},
                         {"level", l.levels[i]},
                         {"message", {{"text", f.message.empty() ? rid : f.message}}},
                         {"locations", nlohmann::ordered_json::array(
                                           {location(f.path.empty() ? anchor : f.path, f.line)})}});
    }
  }
  std::string root_uri = "file://" + r.root;
  if (root_uri.back() != '/') root_uri += '/';
  nlohmann::ordered_json run{{"tool",
                              {{"driver",
                                {{"name", "aip-sqa-check"},
                                 {"version", tool_version},
                                 {"informationUri", "https://indigo-dc.github.io/sqa-baseline/"},
                                 {"rules", rules}}}}},
                             {"originalUriBaseIds", {{"SRCROOT", {{"uri", root_uri}}}}},
                             {"results", results},
                             {"properties", {{"badge", r.badge}, {"score", r.score}}}};
  if (!r.git.head.empty()) {
    // SARIF wants a URI; git's scp-like "user@host:path" becomes ssh://user@host/path.
    std::string repo = r.git.origin.empty() ? root_uri : r.git.origin;
    if (repo.find("://") == std::string::npos) {
      const auto colon = repo.find(':');
      repo = colon == std::string::npos
                 ? "file://" + repo
                 : "ssh://" + repo.substr(0, colon) + "/" + repo.substr(colon + 1);
    }
    run["versionControlProvenance"] =
        nlohmann::ordered_json::array({{{"repositoryUri", repo}, {"revisionId", r.git.head}}});
  }
  return {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
          {"version", "2.1.0"},
          {"runs", nlohmann::ordered_json::array({run})}};
}

std::string render_markdown(const Report &r) {
  auto esc = [](std::string s) {
    std::string o;
    for (char c : s) {
      if (c == '|')
        o += "\\|";
      else if (c == '\n')
        o += ' ';
      else
        o += c;
    }
    return o;
  };
  std::string md = "## SQA baseline: " + r.badge + " badge, score " + fmt1(r.score) + "/10\n\n";
  if (!r.next_badge.empty()) {
    md += "Next: **" + r.next_badge + "** needs ";
    for (std::size_t i = 0; i < r.missing_for_next.size(); ++i)
      md += std::string(i ? ", " : "") + "`" + r.missing_for_next[i] + "`";
    md += ".\n\n";
  }
  md += "| criterion | name | verdict | checks passed |\n|---|---|---|---|\n";
  for (const auto &c : r.criteria) {
    std::size_t pass = 0, decided = 0;
    for (const auto &k : r.checks)
      if (k.criterion == c.id &&
          (k.status == Status::pass || k.status == Status::fail || k.status == Status::waived))
        ++decided, pass += k.status != Status::fail;
    md += "| " + c.id + " | " + c.name + " | " +
          (!c.assessed ? "➖ not assessable"
           : c.valid   ? "✅ valid"
                       : "❌ not valid") +
          " | " + std::to_string(pass) + "/" + std::to_string(decided) + " |\n";
  }
  md += "\n### Failed checks\n\n";
  bool any = false;
  for (const auto &k : r.checks) {
    if (k.status != Status::fail) continue;
    any = true;
    md += "- **" + k.id + "** (" + k.sub + ", " + to_string(k.level) +
          (k.scorecard.empty() ? "" : ", Scorecard " + k.scorecard) +
          "): " + esc(k.evidence.empty() ? k.title : k.evidence.front()) + "\n";
  }
  if (!any) md += "None.\n";
  return md;
}

nlohmann::ordered_json render_badge(const Report &r) {
  const std::string color = r.badge == "gold"     ? "d4af37"
                            : r.badge == "silver" ? "c0c0c0"
                            : r.badge == "bronze" ? "cd7f32"
                                                  : "lightgrey";
  return {{"schemaVersion", 1},
          {"label", "SQA"},
          {"message", r.badge + " " + fmt1(r.score) + "/10"},
          {"color", color}};
}

std::string render_junit(const Report &r) {
  std::size_t tests = 0, failures = 0, skipped = 0;
  for (const auto &k : r.checks) {
    ++tests;
    if (k.status == Status::fail)
      ++failures;
    else if (k.status == Status::not_assessable || k.status == Status::not_applicable)
      ++skipped;
  }
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites name=\"aip-sqa-check\" tests=\"" + std::to_string(tests) + "\" failures=\"" +
       std::to_string(failures) + "\" skipped=\"" + std::to_string(skipped) + "\">\n";
  for (const auto &c : r.criteria) {
    std::size_t t = 0, f = 0, s = 0;
    for (const auto &k : r.checks)
      if (k.criterion == c.id)
        ++t, f += k.status == Status::fail,
            s += k.status == Status::not_assessable || k.status == Status::not_applicable;
    x += "  <testsuite name=\"" + c.id + " " + escape_markup(c.name) + "\" tests=\"" +
         std::to_string(t) + "\" failures=\"" + std::to_string(f) + "\" errors=\"0\" skipped=\"" +
         std::to_string(s) + "\">\n";
    for (const auto &k : r.checks) {
      if (k.criterion != c.id) continue;
      std::string ev;
      for (const auto &e : k.evidence) ev += e + "\n";
      x += "    <testcase classname=\"" + c.id + "\" name=\"" +
           escape_markup(k.id + " (" + k.sub + ", " + to_string(k.level) + "): " + k.title) + "\"";
      if (k.status == Status::fail)
        x += ">\n      <failure message=\"" +
             escape_markup(k.evidence.empty() ? k.title : k.evidence.front()) + "\">" +
             escape_markup(ev) + "</failure>\n    </testcase>\n";
      else if (k.status == Status::not_assessable || k.status == Status::not_applicable)
        x += ">\n      <skipped message=\"" +
             escape_markup(to_string(k.status) +
                           (k.evidence.empty() ? "" : ": " + k.evidence.front())) +
             "\"/>\n    </testcase>\n";
      else if (!ev.empty() || !k.waiver.empty())
        x += ">\n      <system-out>" +
             escape_markup((k.waiver.empty() ? "" : "waived: " + k.waiver + "\n") + ev) +
             "</system-out>\n    </testcase>\n";
      else
        x += "/>\n";
    }
    x += "  </testsuite>\n";
  }
  x += "</testsuites>\n";
  return x;
}

} // namespace aip::sqa
