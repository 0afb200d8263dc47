#include "aip/sqa/linters.hpp"

#include "aip/core/error.hpp"
#include "aip/core/process.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <sstream>

namespace aip::sqa {

const std::vector<std::string> &known_linters() {
  static const std::vector<std::string> k{"cppcheck", "shellcheck",   "flake8", "bandit",
                                          "yamllint", "licensecheck", "reuse"};
  return k;
}

namespace {

std::vector<std::string> split_lines(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto e = s.find('\n', start);
    if (e == std::string_view::npos) e = s.size();
    auto l = s.substr(start, e - start);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!l.empty()) out.emplace_back(l);
    start = e + 1;
  }
  return out;
}

std::size_t to_line(const std::string &s) {
  try {
    return std::stoul(s);
  } catch (...) {
    return 0;
  }
}

void add(LinterRun &run, std::string path, std::size_t line, std::string rule, std::string level,
         std::string message) {
  if (path.rfind("./", 0) == 0) path.erase(0, 2);
  run.findings.push_back({std::move(path), line, std::move(message)});
  run.rule_ids.push_back(run.name + "/" + rule);
  run.levels.push_back(std::move(level));
}

bool has_ext(const std::string &p, std::initializer_list<const char *> exts) {
  return std::any_of(exts.begin(), exts.end(), [&](const char *e) { return p.ends_with(e); });
}

} // namespace

void read_shellcheck_json1(std::string_view out, LinterRun &run) {
  if (out.find_first_not_of(" \n\r\t") == std::string_view::npos) return;
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception &) {
    data_error("shellcheck: output is not JSON (json1)");
  }
  const auto &comments = j.is_object() && j.contains("comments") ? j["comments"] : j;
  if (!comments.is_array()) data_error("shellcheck: expected an array of comments");
  for (const auto &c : comments) {
    const std::string level = c.value("level", "warning");
    add(run, c.value("file", ""), c.value("line", 0), "SC" + std::to_string(c.value("code", 0)),
        level == "error"     ? "error"
        : level == "warning" ? "warning"
                             : "note",
        c.value("message", ""));
  }
}

void read_cppcheck_template(std::string_view out, LinterRun &run) {
  for (const auto &l : split_lines(out)) {
    std::vector<std::string> f;
    std::stringstream ss(l);
    for (std::string part; std::getline(ss, part, '\t');) f.push_back(part);
    if (f.size() < 5) continue; // progress or checker notes
    const auto &sev = f[2];
    if (sev == "information") continue;
    add(run, f[0], to_line(f[1]), f[3],
        sev == "error"                                                   ? "error"
        : sev == "style" || sev == "performance" || sev == "portability" ? "note"
                                                                         : "warning",
        f[4]);
  }
}

void read_pep8_lines(std::string_view out, LinterRun &run) {
  for (const auto &l : split_lines(out)) {
    // path:line:col: CODE message
    auto a = l.find(':'), b = a == std::string::npos ? a : l.find(':', a + 1),
         c = b == std::string::npos ? b : l.find(':', b + 1);
    if (c == std::string::npos) continue;
    auto rest = l.substr(c + 1);
    if (!rest.empty() && rest.front() == ' ') rest.erase(0, 1);
    auto sp = rest.find(' ');
    const auto code = rest.substr(0, sp);
    add(run, l.substr(0, a), to_line(l.substr(a + 1, b - a - 1)), code,
        !code.empty() && (code[0] == 'E' || code[0] == 'F') ? "warning" : "note",
        sp == std::string::npos ? rest : rest.substr(sp + 1));
  }
}

void read_yamllint_parsable(std::string_view out, LinterRun &run) {
  for (const auto &l : split_lines(out)) {
    // path:line:col: [level] message (rule)
    auto a = l.find(':'), b = a == std::string::npos ? a : l.find(':', a + 1),
         c = b == std::string::npos ? b : l.find(':', b + 1);
    if (c == std::string::npos) continue;
    auto rest = l.substr(c + 1);
    const bool error = rest.find("[error]") != std::string::npos;
    std::string rule = "yaml";
    if (auto open = rest.rfind('('); open != std::string::npos && rest.back() == ')')
      rule = rest.substr(open + 1, rest.size() - open - 2);
    auto msg = rest.substr(rest.find(']') == std::string::npos ? 0 : rest.find(']') + 2);
    add(run, l.substr(0, a), to_line(l.substr(a + 1, b - a - 1)), rule, error ? "error" : "warning",
        msg);
  }
}

void read_bandit_json(std::string_view out, LinterRun &run) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(out);
  } catch (const nlohmann::json::exception &) {
    data_error("bandit: output is not JSON");
  }
  if (!j.contains("results") || !j["results"].is_array()) data_error("bandit: no 'results' array");
  for (const auto &r : j["results"]) {
    const std::string sev = r.value("issue_severity", "LOW");
    add(run, r.value("filename", ""), r.value("line_number", 0), r.value("test_id", "B000"),
        sev == "HIGH"     ? "error"
        : sev == "MEDIUM" ? "warning"
                          : "note",
        r.value("issue_text", ""));
  }
}

void read_reuse_lint(std::string_view out, LinterRun &run) {
  // Plain `reuse lint` lists offending files as "* path" under section headings.
  std::string section;
  for (const auto &l : split_lines(out)) {
    if (l.rfind("# ", 0) == 0)
      section = l.substr(2);
    else if (l.rfind("## ", 0) == 0)
      section = l.substr(3);
    else if (l.rfind("* ", 0) == 0 && !section.empty() && section != "SUMMARY" &&
             l.find(": ") == std::string::npos)
      add(run, l.substr(2), 0, "reuse", "warning", section);
  }
}

void read_licensecheck(std::string_view out, LinterRun &run) {
  for (const auto &l : split_lines(out)) {
    const auto sep = l.rfind(": ");
    if (sep == std::string::npos) continue;
    const auto lic = l.substr(sep + 2);
    if (lic == "UNKNOWN" || lic == "*No copyright* UNKNOWN")
      add(run, l.substr(0, sep), 0, "unknown-license", "note", "no licence detected");
  }
}

std::vector<LinterRun> run_linters(const std::string &root, const std::vector<FileEntry> &files,
                                   const std::vector<std::string> &only) {
  std::vector<LinterRun> runs;
  auto wanted = [&](const std::string &n) {
    return only.empty() || std::find(only.begin(), only.end(), n) != only.end();
  };
  for (const auto &n : only)
    if (std::find(known_linters().begin(), known_linters().end(), n) == known_linters().end())
      usage_error("--linters: unknown linter '" + n +
                  "' (known: cppcheck, shellcheck, flake8, bandit, yamllint, licensecheck, reuse)");
  auto pick = [&](std::initializer_list<const char *> exts) {
    std::vector<std::string> v;
    for (const auto &f : files)
      if (f.regular && has_ext(f.path, exts)) v.push_back(f.path);
    return v;
  };
  ProcessOptions po;
  po.workdir = root;
  po.timeout = std::chrono::minutes(10);
  struct Spec {
    std::string name, program;
    std::vector<std::string> files;
    std::vector<std::string> args;
    void (*reader)(std::string_view, LinterRun &);
    bool per_tree = false; // runs on the whole tree, not a file list
  };
  const auto cpp = pick({".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".hh"});
  const auto sh = pick({".sh", ".bash"});
  const auto py = pick({".py"});
  const auto yml = pick({".yml", ".yaml"});
  std::vector<std::string> text_files;
  for (const auto &f : files)
    if (f.regular && f.size < (1u << 20)) text_files.push_back(f.path);
  std::vector<Spec> specs{
      {"cppcheck",
       "cppcheck",
       cpp,
       {"--quiet", "--enable=warning,portability", "--inline-suppr",
        "--template={file}\t{line}\t{severity}\t{id}\t{message}", "-j", "2"},
       read_cppcheck_template},
      {"shellcheck", "shellcheck", sh, {"-f", "json1"}, read_shellcheck_json1},
      {"flake8", "flake8", py, {}, read_pep8_lines},
      {"bandit", "bandit", py, {"-q", "-f", "json"}, read_bandit_json},
      {"yamllint", "yamllint", yml, {"-f", "parsable"}, read_yamllint_parsable},
      {"licensecheck", "licensecheck", text_files, {}, read_licensecheck},
      {"reuse", "reuse", {}, {"lint"}, read_reuse_lint, true},
  };
  for (auto &s : specs) {
    if (!wanted(s.name)) continue;
    LinterRun run;
    run.name = s.name;
    auto program = find_on_path(s.program);
    if (!program && s.name == "flake8") {
      program = find_on_path("pycodestyle"); // the same output shape
      if (program) run.name = "pycodestyle";
    }
    run.installed = program.has_value();
    if (!run.installed) {
      run.note = s.program + " is not installed";
      runs.push_back(run);
      continue;
    }
    if (!s.per_tree && s.files.empty()) {
      run.note = "no files for " + s.name;
      runs.push_back(run);
      continue;
    }
    if (s.name == "reuse" && std::none_of(files.begin(), files.end(), [](const FileEntry &f) {
          return f.path.rfind("LICENSES/", 0) == 0 || f.path == ".reuse/dep5" ||
                 f.path == "REUSE.toml";
        })) {
      run.note = "the project does not use REUSE";
      runs.push_back(run);
      continue;
    }
    // Files go in batches, so a large tree stays under the kernel's argument size limit.
    constexpr std::size_t kBatch = 1000;
    const std::size_t batches = s.per_tree ? 1 : (s.files.size() + kBatch - 1) / kBatch;
    run.ran = true;
    run.files = s.per_tree ? files.size() : s.files.size();
    for (std::size_t b = 0; b < batches; ++b) {
      std::vector<std::string> argv{*program};
      argv.insert(argv.end(), s.args.begin(), s.args.end());
      if (!s.per_tree) {
        if (s.name != "bandit" && s.name != "licensecheck") argv.push_back("--");
        const auto first = s.files.begin() + static_cast<std::ptrdiff_t>(b * kBatch);
        argv.insert(argv.end(), first,
                    s.files.begin() +
                        static_cast<std::ptrdiff_t>(std::min(s.files.size(), (b + 1) * kBatch)));
      }
      auto r = run_process(argv, po);
      run.exit_code = std::max(run.exit_code, r.exit_code);
      if (r.timed_out) {
        run.note = "timed out";
        break;
      }
      try {
        s.reader(s.name == "cppcheck" ? std::string_view(r.err) : std::string_view(r.out), run);
      } catch (const Error &e) {
        run.note = e.what();
        break;
      }
    }
    runs.push_back(std::move(run));
  }
  return runs;
}

} // namespace aip::sqa
