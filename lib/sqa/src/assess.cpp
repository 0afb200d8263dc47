#include "aip/sqa/assess.hpp"

#include "aip/core/error.hpp"
#include "aip/sqa/formats.hpp"
#include "aip/sqa/hash.hpp"
#include "aip/sqa/license.hpp"
#include "aip/sqa/linters.hpp"
#include "aip/sqa/workflow.hpp"
#include "scan.hpp"

#include <tbb/parallel_for.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <unistd.h>

namespace aip::sqa {

std::string to_string(Level l) {
  return l == Level::must ? "MUST" : l == Level::should ? "SHOULD" : "MAY";
}
std::string to_string(Status s) {
  switch (s) {
  case Status::pass: return "pass";
  case Status::fail: return "fail";
  case Status::not_assessable: return "not-assessable";
  case Status::not_applicable: return "not-applicable";
  case Status::waived: return "waived";
  }
  return "?";
}

const std::vector<std::pair<std::string, std::string>> &criteria_names() {
  static const std::vector<std::pair<std::string, std::string>> names{
      {"QC.Acc", "Code Accessibility"},  {"QC.Wor", "Code Workflow"},
      {"QC.Man", "Code Management"},     {"QC.Rev", "Code Review"},
      {"QC.Ver", "Semantic Versioning"}, {"QC.Lic", "Licensing"},
      {"QC.Met", "Code Metadata"},       {"QC.Doc", "Documentation"},
      {"QC.Sty", "Code Style"},          {"QC.Uni", "Unit Testing"},
      {"QC.Har", "Test Harness"},        {"QC.Sec", "Security"},
      {"QC.Del", "Automated Delivery"},  {"QC.Dep", "Automated Deployment"}};
  return names;
}

const CriterionResult *Report::criterion(const std::string &id) const {
  for (const auto &c : criteria)
    if (c.id == id) return &c;
  return nullptr;
}
const Check *Report::check(const std::string &id) const {
  for (const auto &c : checks)
    if (c.id == id) return &c;
  return nullptr;
}

int badge_rank(const std::string &b) {
  if (b == "none") return 0;
  if (b == "bronze") return 1;
  if (b == "silver") return 2;
  if (b == "gold") return 3;
  return -1;
}

double score(const std::vector<Check> &checks) {
  double got = 0, total = 0;
  for (const auto &c : checks) {
    if (c.status != Status::pass && c.status != Status::fail) continue;
    const double w = c.level == Level::must ? 3 : c.level == Level::should ? 2 : 1;
    total += w;
    if (c.status == Status::pass) got += w;
  }
  return total > 0 ? std::round(100.0 * got / total) / 10.0 : 0.0;
}

void award(Report &r) {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> levels{
      {"bronze", {"QC.Acc", "QC.Lic", "QC.Met", "QC.Doc"}},
      {"silver", {"QC.Sty", "QC.Sec", "QC.Ver"}},
      {"gold", {"QC.Uni", "QC.Wor", "QC.Man", "QC.Del"}}};
  r.badge = "none";
  r.next_badge.clear();
  r.missing_for_next.clear();
  for (const auto &[badge, needs] : levels) {
    std::vector<std::string> missing;
    for (const auto &id : needs)
      if (auto c = r.criterion(id); !c || !c->valid) missing.push_back(id);
    if (!missing.empty()) {
      r.next_badge = badge;
      r.missing_for_next = missing;
      break;
    }
    r.badge = badge;
  }
  r.score = score(r.checks);
}

// ---------------------------------------------------------------------------------------
// The assessment

namespace {

using namespace detail;

class Assessor {
public:
  Assessor(const std::string &root, const Options &o) : root_(root), o_(o) {}

  Report run() {
    r_.root = root_;
    r_.git = git_facts(root_);
    auto w = walk(root_, r_.git, o_.ignore);
    r_.warnings = w.warnings;
    if (!w.gitignore_honoured)
      r_.warnings.push_back(r_.git.repository ? "git is not available: .gitignore is not honoured"
                                              : "not a git repository: every file is assessed");
    files_ = std::move(w.files);
    r_.files = files_.size();
    for (std::size_t i = 0; i < files_.size(); ++i) index_[files_[i].path] = i;
    scan();
    load_ci();
    access();
    workflow();
    management();
    review();
    versioning();
    licensing();
    metadata();
    documentation();
    style();
    unit_tests();
    harness();
    security();
    delivery();
    deployment();
    if (o_.run_linters) {
      r_.linters = run_linters(root_, files_, o_.linters);
      linter_evidence();
    }
    waive();
    for (const auto &[id, name] : criteria_names()) {
      CriterionResult c{id, name, false, false};
      bool failed = false, passed = false;
      for (const auto &k : r_.checks) {
        if (k.criterion != id) continue;
        if (k.status == Status::pass || k.status == Status::waived || k.status == Status::fail)
          c.assessed = true;
        if (k.status == Status::pass || k.status == Status::waived) passed = true;
        if (k.status == Status::fail && k.level != Level::may) failed = true;
      }
      c.valid = c.assessed && passed && !failed;
      r_.criteria.push_back(c);
    }
    award(r_);
    return std::move(r_);
  }

private:
  // -- helpers -------------------------------------------------------------------------
  Check &add(std::string id, std::string criterion, std::string sub, Level level, std::string title,
             std::string scorecard = {}) {
    r_.checks.push_back(Check{std::move(id),
                              std::move(criterion),
                              std::move(sub),
                              level,
                              std::move(title),
                              std::move(scorecard),
                              Status::not_assessable,
                              {},
                              {},
                              {}});
    return r_.checks.back();
  }
  static void decide(Check &c, bool ok, std::string evidence) {
    c.status = ok ? Status::pass : Status::fail;
    if (!evidence.empty()) c.evidence.push_back(std::move(evidence));
  }
  bool has(const std::string &path) const { return index_.count(path) != 0; }
  bool has_under(const std::string &dir) const {
    auto it = index_.lower_bound(dir + "/");
    return it != index_.end() && starts_with(it->first, dir + "/");
  }
  // The first file in `dirs` (root is "") whose name, case-insensitively and without its
  // extension, is one of `stems`.
  std::optional<std::string> find_doc(const std::vector<std::string> &stems,
                                      const std::vector<std::string> &dirs = {""}) const {
    // Exact names first; then LICENSE-MIT, LICENSE-APACHE and the like (dual licensing).
    for (const bool exact : {true, false}) {
      for (const auto &d : dirs) {
        for (const auto &f : files_) {
          const auto slash = f.path.rfind('/');
          const std::string dir = slash == std::string::npos ? "" : f.path.substr(0, slash);
          if (dir != d || !f.regular) continue;
          auto b = lower(base_name(f.path));
          const auto dot = b.find('.');
          const auto stem = dot == std::string::npos ? b : b.substr(0, dot);
          for (const auto &s : stems)
            if (exact ? stem == s
                      : (stem.size() > s.size() && stem.compare(0, s.size(), s) == 0 &&
                         stem[s.size()] == '-'))
              return f.path;
        }
      }
    }
    return std::nullopt;
  }
  std::optional<std::string> read(const std::string &rel) const {
    return read_bytes(root_ + "/" + rel, o_.max_file_bytes);
  }
  // Where in the CI configuration (or the build files it runs) one of `tools` appears.
  std::vector<std::string> in_ci(const std::vector<std::string> &tools) const {
    std::vector<std::string> found;
    for (const auto &t : tools)
      for (const auto &[path, text] : automation_)
        if (has_word(text, t)) {
          found.push_back(t + " (" + path + ")");
          break;
        }
    return found;
  }
  static std::string list(const std::vector<std::string> &v, std::size_t max = 6) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < max; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > max) s += ", ... (" + std::to_string(v.size()) + " in all)";
    return s;
  }

  // -- the file scan -------------------------------------------------------------------
  void scan() {
    scans_.resize(files_.size());
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, files_.size(), 64),
                      [&](const tbb::blocked_range<std::size_t> &range) {
                        std::string buf;
                        for (std::size_t i = range.begin(); i != range.end(); ++i) {
                          const auto &f = files_[i];
                          auto &s = scans_[i];
                          if (!f.regular) continue;
                          if (f.size > o_.max_file_bytes) {
                            s.skipped = true;
                            // Still look at its first bytes: a huge committed binary is worth
                            // knowing about.
                            if (auto head = read_bytes(root_ + "/" + f.path, 4096))
                              s.artefact = artefact_kind(*head, f.path);
                            continue;
                          }
                          auto text = read_bytes(root_ + "/" + f.path, o_.max_file_bytes);
                          if (!text) {
                            s.skipped = s.unreadable = true;
                            continue;
                          }
                          const std::string_view v(*text);
                          s.binary = v.substr(0, 8000).find('\0') != std::string_view::npos;
                          s.artefact = artefact_kind(v.substr(0, 16), f.path);
                          if (!s.binary) scan_text(v, f.path, s, is_build_file(f.path));
                        }
                      });
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (scans_[i].unreadable) r_.warnings.push_back(files_[i].path + ": cannot be read");
      if (scans_[i].skipped && !scans_[i].unreadable) ++large_;
    }
    if (large_ > 0)
      r_.warnings.push_back(std::to_string(large_) + " files larger than " +
                            std::to_string(o_.max_file_bytes) +
                            " bytes were not read for content checks");
  }

  // -- CI configuration ----------------------------------------------------------------
  void load_ci() {
    for (const auto &f : files_) {
      const auto &p = f.path;
      const bool gh = starts_with(p, ".github/workflows/") &&
                      (p.ends_with(".yml") || p.ends_with(".yaml")) &&
                      p.find('/', 18) == std::string::npos;
      const bool other = p == ".gitlab-ci.yml" || p == "Jenkinsfile" || p == ".sqa/config.yml" ||
                         p == ".travis.yml" || p == ".circleci/config.yml" ||
                         p == "azure-pipelines.yml" || p == "bitbucket-pipelines.yml" ||
                         p == ".drone.yml" || p == ".woodpecker.yml" ||
                         starts_with(p, ".woodpecker/") || starts_with(p, ".gitlab/ci/");
      if (gh) workflows_.push_back(p);
      if (gh || other) ci_files_.push_back(p);
    }
    for (const auto &p : ci_files_) {
      auto text = read(p);
      if (!text) continue;
      automation_.emplace_back(p, lower(*text));
      if (starts_with(p, ".github/workflows/")) {
        auto facts = analyse_workflow(*text, p);
        for (const auto &t : facts.triggers) triggers_.insert(t);
        workflow_facts_.emplace_back(p, std::move(facts));
      } else if (p == ".sqa/config.yml") {
        jepl(*text, p);
      }
    }
    // Build files and scripts the CI runs: the tools they invoke are invoked by CI too.
    if (!ci_files_.empty()) {
      for (const auto &f : files_) {
        const auto &p = f.path;
        const auto b = base_name(p);
        const bool automation =
            (p.find('/') == std::string::npos &&
             (b == "Makefile" || b == "GNUmakefile" || b == "Makefile.inc" || b == "tox.ini" ||
              b == "noxfile.py" || b == ".pre-commit-config.yaml" || b == "CMakeLists.txt" ||
              b == "package.json" || b == "pyproject.toml" || b == "setup.cfg" || b == "justfile" ||
              b == "Taskfile.yml")) ||
            ((starts_with(p, ".ci/") || starts_with(p, "ci/") || starts_with(p, "scripts/") ||
              starts_with(p, ".github/scripts/")) &&
             f.size < 262144);
        if (!automation || !f.regular) continue;
        if (auto text = read(p)) automation_.emplace_back(p, lower(*text));
      }
    }
  }

  void jepl(const std::string &text, const std::string &path) {
    try {
      auto root = YAML::Load(text);
      if (auto c = root["sqa_criteria"]; c && c.IsMap())
        for (const auto &kv : c) jepl_criteria_.insert(kv.first.Scalar());
    } catch (const YAML::Exception &e) {
      r_.warnings.push_back(path + ":" + std::to_string(e.mark.line + 1) +
                            ": malformed YAML: " + e.msg);
    }
  }

  bool ci_on_change() const {
    if (ci_files_.empty()) return false;
    if (workflows_.empty())
      return true; // GitLab, Jenkins multibranch, JePL, Travis: each push runs
    return triggers_.count("pull_request") || triggers_.count("push") ||
           triggers_.count("pull_request_target") || triggers_.count("merge_group");
  }
  std::string ci_summary() const {
    return ci_files_.empty() ? "no CI configuration in the tree" : "CI: " + list(ci_files_);
  }

  // -- QC.Acc --------------------------------------------------------------------------
  void access() {
    auto &vcs = add("acc-vcs", "QC.Acc", "QC.Acc02", Level::must,
                    "Source code uses a version control system (git)");
    if (!r_.git.repository) {
      decide(vcs, false, r_.git.problem.empty() ? "not a git repository" : r_.git.problem);
    } else if (r_.git.head.empty()) {
      decide(vcs, false, "git repository without a commit: " + r_.git.problem);
    } else {
      decide(vcs, true,
             "git HEAD " + r_.git.head +
                 (r_.git.branch.empty() ? " (detached)" : " on branch " + r_.git.branch));
      r_.swhid_rev = "swh:1:rev:" + r_.git.head;
      vcs.evidence.push_back("SWHID " + r_.swhid_rev);
      if (!r_.git.tree.empty()) {
        r_.swhid_dir = "swh:1:dir:" + r_.git.tree;
        vcs.evidence.push_back("SWHID of HEAD's tree " + r_.swhid_dir);
      }
      if (!r_.git.problem.empty()) vcs.evidence.push_back(r_.git.problem);
    }
    if (o_.verify_swhid) {
      r_.swhid_worktree = "swh:1:dir:" + worktree_tree();
      vcs.evidence.push_back("SWHID of the working tree " + r_.swhid_worktree +
                             (r_.swhid_dir.empty() ? ""
                              : r_.swhid_worktree == r_.swhid_dir
                                  ? " (equals HEAD's tree)"
                                  : " (differs from HEAD's tree: uncommitted changes)"));
    }
    auto &hist =
        add("acc-history", "QC.Acc", "QC.Acc02", Level::may, "Full history: not a shallow clone");
    if (r_.git.repository && r_.git.git_available && !r_.git.head.empty())
      decide(
          hist, !r_.git.shallow,
          r_.git.shallow
              ? "shallow clone: tags and history are incomplete (use fetch-depth: 0 / GIT_DEPTH: 0)"
              : "complete history");
    else
      hist.status = Status::not_applicable;
    auto &pub = add("acc-public", "QC.Acc", "QC.Acc01", Level::must,
                    "Source code is open and publicly available");
    pub.evidence.push_back("not assessable offline: whether the hosting service serves the "
                           "repository publicly needs its API");
    if (!r_.git.origin.empty()) pub.evidence.push_back("origin " + r_.git.origin);
    auto &org = add("acc-organisation", "QC.Acc", "QC.Acc03", Level::should,
                    "Code resides in a common organisation of a hosting service");
    org.evidence.push_back("not assessable offline: needs the hosting service");
  }

  std::string worktree_tree() {
    // Hash every listed file (regular files and links) into git's tree objects, bottom up.
    std::vector<std::string> ids(files_.size());
    tbb::parallel_for(std::size_t(0), files_.size(), [&](std::size_t i) {
      const auto &f = files_[i];
      const auto full = root_ + "/" + f.path;
      if (f.link) {
        char target[4096];
        const auto n = ::readlink(full.c_str(), target, sizeof target);
        if (n >= 0) ids[i] = git_blob_id(std::string_view(target, static_cast<std::size_t>(n)));
      } else if (f.regular) {
        if (auto content = read_bytes(full, std::size_t(1) << 40)) ids[i] = git_blob_id(*content);
      }
    });
    struct Dir {
      std::map<std::string, Dir> dirs;
      std::vector<TreeEntry> files;
    } top;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      if (ids[i].empty()) continue;
      Dir *d = &top;
      std::string_view p = files_[i].path;
      for (auto slash = p.find('/'); slash != std::string_view::npos; slash = p.find('/')) {
        d = &d->dirs[std::string(p.substr(0, slash))];
        p.remove_prefix(slash + 1);
      }
      const auto &f = files_[i];
      d->files.push_back({f.link            ? "120000"
                          : (f.mode & 0100) ? "100755"
                                            : "100644",
                          std::string(p), ids[i]});
    }
    std::function<std::string(const Dir &)> tree = [&](const Dir &d) {
      auto entries = d.files;
      for (const auto &[name, sub] : d.dirs) entries.push_back({"40000", name, tree(sub)});
      return git_tree_id(entries);
    };
    return tree(top);
  }

  // -- QC.Wor --------------------------------------------------------------------------
  void workflow() {
    auto &gate = add("wor-ci-gate", "QC.Wor", "QC.Wor01.2", Level::should,
                     "Changes are tested by CI before they are merged", "CI-Tests");
    decide(gate, ci_on_change(),
           ci_summary() + (triggers_.empty() ? ""
                                             : "; GitHub triggers: " +
                                                   list({triggers_.begin(), triggers_.end()})));
    auto &br = add("wor-branches", "QC.Wor", "QC.Wor02", Level::must,
                   "Changes are made in individual branches");
    if (r_.git.merges > 0 || r_.git.branches.size() > 1) {
      decide(br, true,
             std::to_string(r_.git.merges) + " merge commits in HEAD's history, " +
                 std::to_string(r_.git.branches.size()) + " branches");
    } else {
      br.evidence.push_back("not assessable offline: no merge commits or other branches in this "
                            "clone (the forge may squash or rebase)");
    }
    auto &prot = add("wor-protection", "QC.Wor", "QC.Wor01.1", Level::should,
                     "Main branch protected against force pushes", "Branch-Protection");
    prot.evidence.push_back(
        "not assessable offline: branch protection is a setting of the hosting service");
  }

  // -- QC.Man --------------------------------------------------------------------------
  void management() {
    auto &issues =
        add("man-issue-templates", "QC.Man", "QC.Man01.2", Level::should, "Issue templates");
    std::vector<std::string> found;
    for (const auto &d : {".github/ISSUE_TEMPLATE", ".gitlab/issue_templates"})
      if (has_under(d)) found.push_back(std::string(d) + "/");
    for (const auto &f :
         {".github/ISSUE_TEMPLATE.md", "ISSUE_TEMPLATE.md", "docs/ISSUE_TEMPLATE.md"})
      if (has(f)) found.push_back(f);
    decide(issues, !found.empty(),
           found.empty() ? "no issue template (.github/ISSUE_TEMPLATE/, .gitlab/issue_templates/)"
                         : list(found));
    auto &prs = add("man-pr-template", "QC.Man", "QC.Man02.4", Level::should,
                    "Pull/merge request template");
    found.clear();
    for (const auto &d : {".github/PULL_REQUEST_TEMPLATE", ".gitlab/merge_request_templates"})
      if (has_under(d)) found.push_back(std::string(d) + "/");
    for (const auto &f :
         {".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE.md",
          "pull_request_template.md", "PULL_REQUEST_TEMPLATE.md", "docs/pull_request_template.md"})
      if (has(f)) found.push_back(f);
    decide(prs, !found.empty(),
           found.empty() ? "no pull request template (.github/pull_request_template.md, "
                           ".gitlab/merge_request_templates/)"
                         : list(found));
    auto &tracker = add("man-issue-tracker", "QC.Man", "QC.Man01.1", Level::should,
                        "External users can open issues");
    tracker.evidence.push_back(
        "not assessable offline: the issue tracker is part of the hosting service");
  }

  // -- QC.Rev --------------------------------------------------------------------------
  void review() {
    auto &rev = add("rev-peer-review", "QC.Rev", "QC.Rev01", Level::must,
                    "Changes are reviewed in a peer review tool", "Code-Review");
    rev.evidence.push_back("not assessable offline: reviews are records of the hosting service");
    auto &owners = add("rev-codeowners", "QC.Rev", "QC.Rev02", Level::may,
                       "Reviewers named for the code (CODEOWNERS)");
    std::optional<std::string> f;
    for (const auto &p :
         {"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"})
      if (has(p)) f = p;
    decide(owners, f.has_value(), f ? *f : "no CODEOWNERS file");
  }

  // -- QC.Ver --------------------------------------------------------------------------
  void versioning() {
    auto &sv = add("ver-semver", "QC.Ver", "QC.Ver01", Level::should,
                   "Release tags follow Semantic Versioning");
    if (!r_.git.repository || !r_.git.git_available) {
      sv.evidence.push_back("not assessable: tags need the git repository and the git program");
      return;
    }
    std::vector<std::string> good, bad;
    for (const auto &t : r_.git.tags) {
      if (auto v = parse_semver(t, o_.allow_v_prefix)) {
        good.push_back(t);
        if (!latest_ || compare(*v, *latest_) > 0) latest_ = *v, latest_tag_ = t;
      } else {
        bad.push_back(t);
      }
    }
    if (r_.git.tags.empty()) {
      decide(sv, false,
             r_.git.shallow ? "no tags in this shallow clone (fetch tags to assess)"
                            : "no release tags");
      if (r_.git.shallow) sv.status = Status::not_assessable;
      return;
    }
    decide(sv, !good.empty() && bad.empty(),
           std::to_string(good.size()) + " SemVer tags" +
               (latest_tag_.empty() ? "" : ", latest " + latest_tag_) +
               (bad.empty() ? "" : "; not SemVer: " + list(bad)));
  }

  // -- QC.Lic --------------------------------------------------------------------------
  void licensing() {
    auto &file = add("lic-file", "QC.Lic", "QC.Lic01.1", Level::must,
                     "Licence file in the repository root", "License");
    license_file_ = find_doc({"license", "licence", "copying", "unlicense"});
    decide(file, license_file_.has_value(),
           license_file_ ? *license_file_ : "no LICENSE, LICENCE or COPYING file in the root");
    auto &id = add("lic-spdx", "QC.Lic", "QC.Lic01", Level::must, "Licence identified (SPDX id)");
    auto &osi = add("lic-osi", "QC.Lic", "QC.Lic02", Level::must,
                    "Licence is OSI-approved (Open Source Definition)");
    if (license_file_) {
      auto text = read(*license_file_);
      if (!text) {
        id.evidence.push_back(*license_file_ + ": cannot be read");
      } else {
        const auto refs = LicenseTexts::load(o_.license_dir);
        auto m = identify_license(*text, refs);
        if (m.spdx.empty()) {
          decide(id, false, *license_file_ + ": licence text not recognised");
          osi.evidence.push_back("not assessable: the licence was not identified");
        } else {
          // GPL-family texts are the same for -only and -or-later; the notice decides.
          if (m.spdx.ends_with("-or-later") && m.method != "SPDX-License-Identifier") {
            const auto only = m.spdx.substr(0, m.spdx.size() - 9) + "-only";
            if (declared_license() == only) m.spdx = only;
          }
          char sim[32];
          std::snprintf(sim, sizeof sim, "%.3f", m.similarity);
          spdx_ = m.spdx;
          decide(id, true,
                 *license_file_ + ": " + m.spdx + " (" + m.method +
                     (m.method == "text" ? ", similarity " + std::string(sim) + " to " + m.reference
                                         : "") +
                     ")");
          decide(osi, osi_approved(m.spdx),
                 m.spdx + (osi_approved(m.spdx)
                               ? " is OSI-approved"
                               : " is not on the OSI's list of approved licences"));
        }
      }
    } else {
      decide(id, false, "no licence file");
      decide(osi, false, "no licence file");
    }
    reuse();
  }

  std::string declared_license() {
    if (auto text = read("CITATION.cff")) {
      try {
        auto c = parse_citation(*text, "CITATION.cff");
        if (c.license) return *c.license;
      } catch (const Error &) {
      }
    }
    return {};
  }

  // REUSE (reuse.software, specification 3): every file carries its licence and copyright in
  // a header, a .license sidecar, or an annotation of .reuse/dep5 or REUSE.toml, and every
  // licence used has its text in LICENSES/.
  void reuse() {
    auto &c = add("lic-reuse", "QC.Lic", "QC.Lic01", Level::may,
                  "REUSE compliance (when the project uses REUSE)");
    const bool uses = has_under("LICENSES") || has(".reuse/dep5") || has("REUSE.toml");
    if (!uses) {
      c.status = Status::not_applicable;
      c.evidence.push_back(
          "no LICENSES/, .reuse/dep5 or REUSE.toml: the project does not use REUSE");
      return;
    }
    std::vector<std::string> globs;
    if (auto dep5 = read(".reuse/dep5")) {
      std::istringstream in(*dep5);
      for (std::string l; std::getline(in, l);)
        if (starts_with(l, "Files:")) {
          std::istringstream words(l.substr(6));
          for (std::string w; words >> w;) globs.push_back(w);
        }
    }
    if (auto toml = read("REUSE.toml")) {
      // path = "glob" or path = ["a", "b"] inside [[annotations]].
      std::istringstream in(*toml);
      for (std::string l; std::getline(in, l);) {
        auto k = l.find_first_not_of(" \t");
        if (k == std::string::npos || l.compare(k, 4, "path") != 0) continue;
        for (auto q = l.find('"'); q != std::string::npos;) {
          auto e = l.find('"', q + 1);
          if (e == std::string::npos) break;
          globs.push_back(l.substr(q + 1, e - q - 1));
          q = l.find('"', e + 1);
        }
      }
    }
    std::vector<std::string> missing;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const auto &p = files_[i].path;
      if (starts_with(p, "LICENSES/") || starts_with(p, ".reuse/") || p == "REUSE.toml" ||
          p.ends_with(".license"))
        continue;
      if (base_name(p) == "LICENSE" || base_name(p) == "COPYING" ||
          starts_with(base_name(p), "LICENSE."))
        continue;
      const auto &s = scans_[i];
      bool ok = s.spdx_license && s.spdx_copyright;
      if (!ok && has(p + ".license")) ok = true;
      if (!ok)
        for (const auto &g : globs)
          if (glob_match(g, p)) {
            ok = true;
            break;
          }
      if (!ok) {
        missing.push_back(p);
        c.locations.push_back({p, 0, "no SPDX-License-Identifier and copyright (REUSE)"});
      }
    }
    // Every licence named must have its text in LICENSES/ (REUSE 3.0, section 2).
    std::set<std::string> texts, named;
    for (const auto &f : files_)
      if (starts_with(f.path, "LICENSES/")) {
        auto stem = base_name(f.path);
        texts.insert(stem.substr(0, stem.rfind('.')));
      }
    for (const auto &s : scans_)
      for (const auto &id : s.spdx_ids) named.insert(id);
    std::vector<std::string> no_text;
    for (const auto &id : named)
      if (!texts.count(id))
        no_text.push_back(id),
            c.locations.push_back(
                {"LICENSES", 0, "no licence text LICENSES/" + id + ".txt for " + id});
    const bool ok = missing.empty() && no_text.empty();
    std::string ev = missing.empty()
                         ? "every file has licence and copyright information"
                         : std::to_string(missing.size()) +
                               " files lack licence or copyright information: " + list(missing);
    ev += "; " + std::to_string(texts.size()) + " licence texts in LICENSES/";
    if (!no_text.empty()) ev += "; missing licence texts: " + list(no_text);
    decide(c, ok, ev);
  }

  // -- QC.Met --------------------------------------------------------------------------
  void metadata() {
    auto &file = add("met-file", "QC.Met", "QC.Met01", Level::should,
                     "Citation metadata file (CITATION.cff or codemeta.json)");
    const bool cff = has("CITATION.cff"), cm = has("codemeta.json");
    std::vector<std::string> found;
    if (cff) found.push_back("CITATION.cff");
    if (cm) found.push_back("codemeta.json");
    decide(file, cff || cm, found.empty() ? "neither CITATION.cff nor codemeta.json" : list(found));
    auto &valid = add("met-valid", "QC.Met", "QC.Met01", Level::should, "Metadata files are valid");
    auto &ver = add("met-version", "QC.Met", "QC.Met01", Level::should,
                    "Metadata version matches the latest release tag");
    if (!cff && !cm) {
      valid.status = ver.status = Status::not_applicable;
      return;
    }
    std::vector<std::string> problems, versions;
    if (cff) {
      try {
        auto c = parse_citation(read("CITATION.cff").value_or(""), "CITATION.cff");
        for (const auto &p : c.problems)
          problems.push_back(p), valid.locations.push_back({"CITATION.cff", line_in(p), p});
        if (c.version) versions.push_back("CITATION.cff " + *c.version), cff_version_ = c.version;
        if (c.problems.empty())
          valid.evidence.push_back("CITATION.cff is valid CFF " + c.cff_version);
      } catch (const Error &e) {
        problems.push_back(e.what());
        valid.locations.push_back({"CITATION.cff", line_in(e.what()), e.what()});
      }
    }
    if (cm) {
      try {
        auto m = parse_codemeta(read("codemeta.json").value_or(""), "codemeta.json");
        for (const auto &p : m.problems)
          problems.push_back(p), valid.locations.push_back({"codemeta.json", 0, p});
        if (m.version)
          versions.push_back("codemeta.json " + *m.version), codemeta_version_ = m.version;
        if (m.problems.empty())
          valid.evidence.push_back("codemeta.json is well-formed JSON-LD with a CodeMeta context");
      } catch (const Error &e) {
        problems.push_back(e.what());
        valid.locations.push_back({"codemeta.json", line_in(e.what()), e.what()});
      }
    }
    valid.status = problems.empty() ? Status::pass : Status::fail;
    for (const auto &p : problems) valid.evidence.push_back(p);
    if (!latest_) {
      ver.status = Status::not_applicable;
      ver.evidence.push_back("no SemVer release tag to compare with");
      return;
    }
    if (!cff_version_ && !codemeta_version_) {
      decide(ver, false, "the metadata gives no version (latest tag " + latest_tag_ + ")");
      return;
    }
    // Equal to the latest release, or already bumped for the next one; older is stale.
    std::vector<std::string> wrong;
    bool ahead = false;
    for (const auto &v : {cff_version_, codemeta_version_}) {
      if (!v) continue;
      auto pv = parse_semver(*v, true);
      if (!pv || compare(*pv, *latest_) < 0)
        wrong.push_back(*v);
      else if (compare(*pv, *latest_) > 0)
        ahead = true;
    }
    decide(ver, wrong.empty(),
           list(versions) + "; latest tag " + latest_tag_ +
               (!wrong.empty() ? ": not updated for the release"
                : ahead        ? " (metadata already names the next release)"
                               : ""));
    if (!wrong.empty())
      ver.locations.push_back({cff_version_ ? "CITATION.cff" : "codemeta.json", 0,
                               "version differs from the latest tag " + latest_tag_});
  }
  static std::size_t line_in(const std::string &msg) {
    // "file:LINE: ..." -> LINE
    auto a = msg.find(':');
    if (a == std::string::npos) return 0;
    auto b = msg.find(':', a + 1);
    if (b == std::string::npos) return 0;
    try {
      return std::stoul(msg.substr(a + 1, b - a - 1));
    } catch (...) {
      return 0;
    }
  }

  // -- QC.Doc --------------------------------------------------------------------------
  void documentation() {
    auto &readme = add("doc-readme", "QC.Doc", "QC.Doc06.1", Level::must, "README file");
    readme_ = find_doc({"readme"});
    decide(readme, readme_.has_value(), readme_ ? *readme_ : "no README in the root");
    auto &sections = add("doc-readme-sections", "QC.Doc", "QC.Doc06.1", Level::should,
                         "README covers the recommended content");
    if (readme_)
      readme_sections(sections);
    else
      sections.status = Status::not_applicable;
    auto &contrib =
        add("doc-contributing", "QC.Doc", "QC.Doc06.2", Level::must, "CONTRIBUTING file");
    auto c = find_doc({"contributing"}, {"", "docs", ".github", ".gitlab"});
    decide(contrib, c.has_value(), c ? *c : "no CONTRIBUTING file (root, docs/, .github/)");
    auto &coc = add("doc-code-of-conduct", "QC.Doc", "QC.Doc06.3", Level::must, "Code of conduct");
    auto cc = find_doc({"code_of_conduct", "code-of-conduct", "conduct"},
                       {"", "docs", ".github", ".gitlab"});
    decide(coc, cc.has_value(), cc ? *cc : "no CODE_OF_CONDUCT file (root, docs/, .github/)");
    auto &lic = add("doc-license", "QC.Doc", "QC.Doc06.4", Level::must,
                    "LICENSE file with the licence's full text");
    decide(lic, license_file_.has_value(),
           license_file_ ? *license_file_ : "no licence file in the root");
    auto &markup = add("doc-markup", "QC.Doc", "QC.Doc02", Level::must,
                       "Documentation in a plain-text markup language");
    std::map<std::string, std::size_t> kinds;
    for (const auto &f : files_) {
      const auto e = extension(f.path);
      if (e == ".md" || e == ".markdown")
        ++kinds["Markdown"];
      else if (e == ".rst")
        ++kinds["reStructuredText"];
      else if (e == ".adoc" || e == ".asciidoc")
        ++kinds["AsciiDoc"];
      else if (e == ".org")
        ++kinds["Org"];
      else if (starts_with(f.path, "man/") || (e.size() == 2 && e[1] >= '1' && e[1] <= '9' &&
                                               f.path.find("/man") != std::string::npos))
        ++kinds["man (roff)"];
      else if (e == ".tex")
        ++kinds["LaTeX"];
    }
    std::vector<std::string> k;
    for (const auto &[name, n] : kinds) k.push_back(name + " " + std::to_string(n));
    decide(markup, !kinds.empty(),
           kinds.empty() ? "no documentation in a markup language" : list(k));
    auto &build = add("doc-build", "QC.Doc", "QC.Doc03.1", Level::should,
                      "Documentation sources with a build configuration (rendered automatically)");
    std::vector<std::string> b;
    for (const auto &p :
         {"mkdocs.yml", "mkdocs.yaml", "docs/conf.py", "doc/conf.py", "docs/source/conf.py",
          "Doxyfile", "docs/Doxyfile", ".readthedocs.yml", ".readthedocs.yaml", "book.toml",
          "antora.yml", "docs/antora.yml", "_config.yml", "docs/_config.yml"})
      if (has(p)) b.push_back(p);
    if (kinds.count("man (roff)")) b.push_back("man pages (rendered by man)");
    decide(build, !b.empty(),
           b.empty() ? "no documentation build configuration (mkdocs.yml, Sphinx conf.py, "
                       "Doxyfile, .readthedocs.yaml)"
                     : list(b));
    auto &online =
        add("doc-online", "QC.Doc", "QC.Doc03", Level::must, "Documentation available online");
    online.evidence.push_back("not assessable offline: needs the documentation site");
  }

  void readme_sections(Check &c) {
    auto text = read(*readme_);
    if (!text) {
      c.evidence.push_back(*readme_ + ": cannot be read");
      return;
    }
    // Headings in Markdown (#), reStructuredText/setext (underlined), AsciiDoc (=) and Org (*).
    std::vector<std::string> headings;
    std::string body_text;
    std::istringstream in(*text);
    std::string prev, l;
    std::size_t paragraph_chars = 0;
    bool in_first_paragraph = false, seen_heading = false;
    while (std::getline(in, l)) {
      if (!l.empty() && l.back() == '\r') l.pop_back();
      const bool underline =
          !l.empty() && !prev.empty() && l.find_first_not_of(l[0]) == std::string::npos &&
          std::string("=-~^*+#").find(l[0]) != std::string::npos && l.size() >= 3;
      if (starts_with(l, "#") || starts_with(l, "= ") || starts_with(l, "== ") ||
          (starts_with(l, "* ") && starts_with(*readme_, "README.org"))) {
        headings.push_back(lower(l));
        seen_heading = true;
        in_first_paragraph = false;
      } else if (underline) {
        headings.push_back(lower(prev));
        seen_heading = true;
      } else {
        body_text += lower(l) + "\n";
        if (!l.empty() && seen_heading && headings.size() <= 2 && paragraph_chars < 40)
          in_first_paragraph = true;
        if (in_first_paragraph) paragraph_chars += l.size();
      }
      prev = l;
    }
    if (!seen_heading) paragraph_chars = text->size();
    struct Topic {
      const char *name;
      std::vector<const char *> heading_words;
      std::vector<const char *> body_words;
    };
    // QC.Doc06.1's list, plus the licence and contribution notes the README should point to.
    static const std::vector<Topic> topics{
        {"getting started / installation",
         {"install", "getting started", "quick start", "quickstart", "setup", "build",
          "requirements", "prerequisites", "usage", "commands"},
         {"make install", "pip install", "cmake", "apt install", "apt-get install"}},
        {"running the tests",
         {"test"},
         {"make test", "ctest", "pytest", "tox", "npm test", "go test", "cargo test"}},
        {"links to documentation",
         {"documentation", "docs", "manual", "user guide", "reference"},
         {"readthedocs", "/docs", "man page", "manual"}},
        {"versioning",
         {"version", "release", "changelog"},
         {"semver", "semantic versioning", "changelog"}},
        {"authors and contacts",
         {"author", "contact", "maintainer", "team", "people", "credits", "citation", "cite",
          "support"},
         {"citation.cff", "contact"}},
        {"acknowledgments",
         {"acknowledg", "funding", "thanks"},
         {"acknowledg", "funded by", "grant agreement"}},
        {"contributing", {"contribut"}, {"contributing"}},
        {"licence", {"licen"}, {"license", "licence"}},
    };
    std::vector<std::string> found, missing;
    if (paragraph_chars >= 40)
      found.push_back("description");
    else
      missing.push_back("description");
    for (const auto &t : topics) {
      bool ok = std::any_of(headings.begin(), headings.end(), [&](const std::string &h) {
        return std::any_of(t.heading_words.begin(), t.heading_words.end(),
                           [&](const char *w) { return h.find(w) != std::string::npos; });
      });
      if (!ok)
        ok = std::any_of(t.body_words.begin(), t.body_words.end(),
                         [&](const char *w) { return body_text.find(w) != std::string::npos; });
      (ok ? found : missing).push_back(t.name);
    }
    // Pass when most of the recommended content is there: at least 6 of the 9 topics.
    decide(c, found.size() >= 6,
           std::to_string(found.size()) + " of 9 recommended topics" +
               (missing.empty() ? "" : "; missing: " + list(missing, 9)));
    if (c.status == Status::fail)
      c.locations.push_back({*readme_, 0, "README lacks: " + list(missing, 9)});
  }

  // -- QC.Sty --------------------------------------------------------------------------
  void style() {
    std::map<std::string, std::size_t> langs;
    for (const auto &f : files_)
      if (auto l = language_of(f.path); !l.empty()) ++langs[l];
    std::size_t code_files = 0;
    for (const auto &[_, n] : langs) code_files += n;
    languages_ = langs;
    static const std::map<std::string, std::vector<std::string>> configs{
        {"C/C++", {".clang-format", "_clang-format", ".clang-tidy", ".editorconfig"}},
        {"Python",
         {".flake8", "setup.cfg", "tox.ini", "pyproject.toml", ".pylintrc", "pylintrc", "ruff.toml",
          ".ruff.toml", ".pycodestyle"}},
        {"Shell", {".shellcheckrc", ".editorconfig"}},
        {"JavaScript",
         {".eslintrc", ".eslintrc.js", ".eslintrc.json", ".eslintrc.yml", "eslint.config.js",
          "eslint.config.mjs", ".prettierrc", ".prettierrc.json", "biome.json"}},
        {"Go", {".golangci.yml", ".golangci.yaml", "go.mod"}}, // gofmt is Go's one style
        {"Rust", {"rustfmt.toml", ".rustfmt.toml", "Cargo.toml"}},
        {"Java", {"checkstyle.xml", "config/checkstyle/checkstyle.xml", ".editorconfig"}},
        {"Ruby", {".rubocop.yml"}},
        {"R", {".lintr"}},
        {"Julia", {".JuliaFormatter.toml"}},
        {"Fortran", {".fprettify.rc", ".editorconfig"}}};
    static const std::map<std::string, std::vector<std::string>> linters{
        {"C/C++", {"clang-format", "clang-tidy", "cpplint", "cppcheck"}},
        {"Python", {"flake8", "pycodestyle", "pylint", "black", "ruff", "autopep8", "isort"}},
        {"Shell", {"shellcheck", "shfmt"}},
        {"JavaScript", {"eslint", "prettier", "biome"}},
        {"Go", {"gofmt", "golangci-lint", "go vet"}},
        {"Rust", {"rustfmt", "cargo fmt", "clippy"}},
        {"Java", {"checkstyle", "spotless"}},
        {"Ruby", {"rubocop"}},
        {"R", {"lintr", "styler"}},
        {"Julia", {"juliaformatter"}},
        {"Fortran", {"fprettify", "findent"}}};
    auto &cfg = add("sty-config", "QC.Sty", "QC.Sty01", Level::must,
                    "Style configuration for the languages used");
    auto &ci = add("sty-ci", "QC.Sty", "QC.Sty04", Level::must,
                   "Style compliance checked automatically on each change");
    if (langs.empty()) {
      cfg.status = ci.status = Status::not_applicable;
      cfg.evidence.push_back("no source code in a known language");
      return;
    }
    std::vector<std::string> with, without, ci_found, ci_missing;
    for (const auto &[lang, n] : langs) {
      // Languages with under 5% of the code files are not held to this.
      if (n * 20 < code_files) continue;
      std::vector<std::string> present;
      for (const auto &c : configs.at(lang))
        if (has(c)) present.push_back(c);
      auto run = in_ci(linters.at(lang));
      if (!present.empty())
        with.push_back(lang + ": " + list(present));
      else if (!run.empty())
        with.push_back(lang + ": " + list(run) + " with its default style");
      else
        without.push_back(lang + " (" + std::to_string(n) + " files)");
      if (!run.empty())
        ci_found.push_back(lang + ": " + list(run));
      else
        ci_missing.push_back(lang);
    }
    decide(cfg, without.empty(),
           list(with) + (without.empty()
                             ? ""
                             : (with.empty() ? "" : "; ") +
                                   std::string("no style configuration for ") + list(without)));
    if (jepl_criteria_.count("QC.Sty"))
      ci_found.push_back("JePL .sqa/config.yml runs QC.Sty"), ci_missing.clear();
    if (!ci_on_change()) {
      decide(ci, false, ci_summary());
    } else {
      decide(ci, ci_missing.empty(),
             (ci_found.empty() ? "" : "style tools in CI: " + list(ci_found)) +
                 (ci_missing.empty()
                      ? ""
                      : (ci_found.empty() ? "" : "; ") + std::string("no style check in CI for ") +
                            list(ci_missing)));
    }
    auto &sup = add("sty-suppressions", "QC.Sty", "QC.Sty03", Level::may,
                    "Exceptions to the style are few and tracked (counted suppressions)");
    std::size_t total = 0, in_files = 0;
    for (const auto &s : scans_)
      if (s.suppressions) total += s.suppressions, ++in_files;
    decide(sup, true,
           std::to_string(total) + " linter suppressions (NOLINT, noqa, eslint-disable, ...) in " +
               std::to_string(in_files) + " files");
  }

  // -- QC.Uni / QC.Har -------------------------------------------------------------------
  void unit_tests() {
    auto &dir = add("uni-tests", "QC.Uni", "QC.Uni02", Level::should,
                    "Tests reside in the repository, separated from the main code");
    std::vector<std::string> t;
    for (const auto &d : {"tests", "test", "spec", "__tests__", "src/test", "testing"})
      if (has_under(d)) t.push_back(std::string(d) + "/");
    std::size_t unit_dirs = 0, go_tests = 0;
    for (const auto &f : files_) {
      if (f.path.find("/tests/") != std::string::npos || f.path.find("/test/") != std::string::npos)
        ++unit_dirs;
      if (f.path.ends_with("_test.go") || f.path.ends_with("_test.py") ||
          base_name(f.path).starts_with("test_"))
        ++go_tests;
    }
    if (unit_dirs) t.push_back(std::to_string(unit_dirs) + " files in nested tests/ folders");
    if (go_tests) t.push_back(std::to_string(go_tests) + " test files by name");
    decide(dir, !t.empty(), t.empty() ? "no tests folder or test files" : list(t));
    has_tests_ = !t.empty();

    auto &fw = add("uni-automated", "QC.Uni", "QC.Uni04", Level::must,
                   "Tests run automatically (test framework run by CI)", "CI-Tests");
    std::vector<std::string> frameworks;
    for (const auto &[p, name] :
         std::vector<std::pair<std::string, std::string>>{{"pytest.ini", "pytest"},
                                                          {"conftest.py", "pytest"},
                                                          {"tox.ini", "tox"},
                                                          {"noxfile.py", "nox"},
                                                          {"jest.config.js", "Jest"},
                                                          {"phpunit.xml", "PHPUnit"},
                                                          {"Cargo.toml", "cargo test"},
                                                          {"go.mod", "go test"},
                                                          {"pom.xml", "Maven Surefire"}})
      if (has(p)) frameworks.push_back(name + " (" + p + ")");
    if (auto cm = read("CMakeLists.txt"); cm && (cm->find("enable_testing") != std::string::npos ||
                                                 cm->find("add_test") != std::string::npos))
      frameworks.push_back("CTest (CMakeLists.txt)");
    for (std::size_t i = 0; i < files_.size(); ++i)
      if (scans_[i].doubles) doubles_.push_back(files_[i].path);
    auto run = in_ci({"ctest", "make test", "make check", "pytest", "tox", "nox", "npm test",
                      "yarn test", "go test", "cargo test", "mvn test", "mvn verify", "gradle test",
                      "gradlew test", "meson test", "bats", "unittest", "phpunit"});
    if (jepl_criteria_.count("QC.Uni")) run.push_back("JePL .sqa/config.yml runs QC.Uni");
    if (!ci_on_change())
      decide(fw, false,
             ci_summary() + (frameworks.empty() ? "" : "; test framework: " + list(frameworks)));
    else
      decide(fw, !run.empty(),
             (run.empty() ? "CI runs no test command" : "tests in CI: " + list(run)) +
                 (frameworks.empty() ? "" : "; framework: " + list(frameworks)));
    tests_in_ci_ = fw.status == Status::pass;

    auto &cov = add("uni-coverage", "QC.Uni", "QC.Uni01", Level::should,
                    "Line coverage at least the threshold (70% by default)");
    coverage(cov);
    auto &change = add("uni-change", "QC.Uni", "QC.Uni03", Level::must,
                       "Coverage is measured by CI on each change");
    auto tools =
        in_ci({"gcov", "gcovr", "lcov", "llvm-cov", "coverage", "pytest-cov", "--cov", "codecov",
               "coveralls", "jacoco", "tarpaulin", "c8", "nyc", "kcov", "simplecov"});
    if (!ci_on_change())
      decide(change, false, ci_summary());
    else
      decide(change, !tools.empty(),
             tools.empty() ? "CI measures no coverage (gcovr, lcov, coverage.py, codecov, ...)"
                           : "coverage in CI: " + list(tools));

    auto &fuzz = add("uni-fuzz", "QC.Uni", "QC.Uni01.1", Level::may, "Fuzz targets for the parsers",
                     "Fuzzing");
    std::vector<std::string> targets;
    for (std::size_t i = 0; i < files_.size(); ++i)
      if (scans_[i].fuzz) targets.push_back(files_[i].path);
    decide(fuzz, !targets.empty(),
           targets.empty()
               ? "no fuzz targets (LLVMFuzzerTestOneInput, Go Fuzz functions, atheris, cargo-fuzz)"
               : std::to_string(targets.size()) + " fuzz targets: " + list(targets, 4));
  }

  void coverage(Check &cov) {
    std::vector<std::string> reports;
    for (const auto &f : files_) {
      const auto b = lower(base_name(f.path));
      // Reports kept as test inputs (fuzz corpora, fixtures) are not the project's coverage.
      const auto p = "/" + lower(f.path);
      bool fixture = false;
      for (const char *dir :
           {"/fuzz/", "/corpus/", "/testdata/", "/fixtures/", "/test/", "/tests/", "/examples/"})
        fixture = fixture || p.find(dir) != std::string::npos;
      if (fixture) continue;
      if (b == "lcov.info" || b == "coverage.info" || f.path.ends_with(".lcov") ||
          b == "coverage.xml" || b == "cobertura.xml" || b == "cobertura-coverage.xml" ||
          b == "coverage.cobertura.xml")
        reports.push_back(f.path);
    }
    if (reports.empty()) {
      cov.evidence.push_back("not assessable offline: no coverage report in the tree (lcov.info, "
                             "coverage.xml); coverage is a CI result");
      return;
    }
    Coverage total;
    std::vector<std::string> used;
    for (const auto &p : reports) {
      auto text = read(p);
      if (!text) continue;
      try {
        const bool xml = p.ends_with(".xml");
        auto c = xml ? parse_cobertura(*text, p) : parse_lcov(*text, p);
        char pct[32];
        std::snprintf(pct, sizeof pct, "%.1f%%", c.percent());
        used.push_back(p + " " + pct);
        if (c.lines_valid > 0)
          total.lines_valid += c.lines_valid, total.lines_covered += c.lines_covered;
        else if (c.rate_attribute)
          total.rate_attribute = c.rate_attribute;
      } catch (const Error &e) {
        cov.evidence.push_back(e.what());
        cov.locations.push_back({p, line_in(e.what()), e.what()});
      }
    }
    if (used.empty()) {
      decide(cov, false, "no coverage report could be read");
      return;
    }
    const double pct = total.percent();
    char msg[160];
    std::snprintf(msg, sizeof msg,
                  "line coverage %.1f%% (%llu of %llu lines) against a threshold of %.1f%%", pct,
                  static_cast<unsigned long long>(total.lines_covered),
                  static_cast<unsigned long long>(total.lines_valid), o_.coverage_threshold);
    decide(cov, pct + 1e-9 >= o_.coverage_threshold, std::string(msg) + "; " + list(used));
    if (cov.status == Status::fail) cov.locations.push_back({reports.front(), 0, msg});
  }

  void harness() {
    auto &d = add("har-doubles", "QC.Har", "QC.Har01", Level::should,
                  "Test doubles or fixtures beside the tests");
    std::vector<std::string> ev;
    for (const auto &dir : {"tests/fixtures", "test/fixtures", "tests/mocks", "tests/data",
                            "test/data", "testdata", "tests/fakes", "spec/fixtures"})
      if (has_under(dir)) ev.push_back(std::string(dir) + "/");
    if (!doubles_.empty())
      ev.push_back(std::to_string(doubles_.size()) +
                   " files use mocks or fixtures: " + list(doubles_, 3));
    if (!has_tests_)
      d.status = Status::not_applicable, d.evidence.push_back("no tests");
    else
      decide(d, !ev.empty(),
             ev.empty() ? "no fixtures, mocks or test data beside the tests" : list(ev));
    auto &c = add("har-change", "QC.Har", "QC.Har04", Level::must,
                  "Tests with their doubles run on each change");
    decide(c, tests_in_ci_,
           tests_in_ci_ ? "the test suite runs in CI on each change"
                        : "the tests are not run by CI on each change");
  }

  // -- QC.Sec --------------------------------------------------------------------------
  void security() {
    auto &sast = add("sec-sast", "QC.Sec", "QC.Sec02", Level::must,
                     "Static application security testing in CI", "SAST");
    auto tools = in_ci({"cppcheck", "clang-tidy", "scan-build", "bandit", "semgrep", "codeql",
                        "codeql-action", "gosec", "flawfinder", "spotbugs", "sonar-scanner",
                        "sonarcloud", "brakeman", "horusec", "cmake_cxx_clang_tidy", "-fanalyzer"});
    if (jepl_criteria_.count("QC.Sec")) tools.push_back("JePL .sqa/config.yml runs QC.Sec");
    if (!ci_on_change())
      decide(sast, false, ci_summary());
    else
      decide(sast, !tools.empty(),
             tools.empty()
                 ? "CI runs no static analyser (cppcheck, clang-tidy, bandit, semgrep, CodeQL, ...)"
                 : "static analysis in CI: " + list(tools));

    auto &ww = add("sec-world-writable", "QC.Sec", "QC.Sec04", Level::must,
                   "No world-writable files or permissive modes in install rules");
    std::vector<std::string> bad;
    for (std::size_t i = 0; i < files_.size(); ++i) {
      const auto &f = files_[i];
      if (!f.link && (f.mode & 0002)) {
        char m[16];
        std::snprintf(m, sizeof m, "%04o", f.mode & 07777u);
        bad.push_back(f.path + " is world-writable");
        ww.locations.push_back({f.path, 0, std::string("world-writable file (mode ") + m + ")"});
      }
      for (const auto &loc : scans_[i].permissive)
        bad.push_back(loc.path + ":" + std::to_string(loc.line)), ww.locations.push_back(loc);
    }
    decide(ww, bad.empty(),
           bad.empty()
               ? "no world-writable file; no install rule or script grants write to everyone"
               : list(bad));

    auto &pol = add("sec-policy", "QC.Sec", "QC.Sec01", Level::may,
                    "Security policy (SECURITY file)", "Security-Policy");
    auto s = find_doc({"security"}, {"", "docs", ".github", ".gitlab"});
    decide(pol, s.has_value(), s ? *s : "no SECURITY file (root, docs/, .github/)");

    auto &bin = add("sec-binaries", "QC.Sec", "QC.Sec01", Level::may,
                    "No committed binary artefacts", "Binary-Artifacts");
    std::vector<std::string> bins;
    for (std::size_t i = 0; i < files_.size(); ++i)
      if (!scans_[i].artefact.empty()) {
        bins.push_back(files_[i].path + " (" + scans_[i].artefact + ")");
        bin.locations.push_back({files_[i].path, 0, "committed " + scans_[i].artefact});
      }
    decide(bin, bins.empty(),
           bins.empty() ? "no executables, libraries or bytecode committed" : list(bins));

    // GitHub Actions hygiene.
    auto &dangerous =
        add("sec-dangerous-workflow", "QC.Sec", "QC.Sec01", Level::must,
            "No dangerous workflow patterns (untrusted code or input with privileges)",
            "Dangerous-Workflow");
    auto &perms = add("sec-token-permissions", "QC.Sec", "QC.Sec01", Level::may,
                      "Workflow tokens have least privilege", "Token-Permissions");
    auto &pinned = add("sec-pinned-actions", "QC.Sec", "QC.Sec01", Level::may,
                       "Actions pinned by full commit SHA", "Pinned-Dependencies");
    auto &malformed = add("wor-ci-parse", "QC.Wor", "QC.Wor01.2", Level::should,
                          "CI configuration files parse (a broken file tests nothing)");
    if (workflows_.empty()) {
      for (Check *c : {&dangerous, &perms, &pinned})
        c->status = Status::not_applicable, c->evidence.push_back("no GitHub Actions workflows");
    } else {
      std::size_t n_d = 0, n_p = 0, n_u = 0, n_m = 0;
      for (const auto &[path, facts] : workflow_facts_) {
        for (const auto &i : facts.issues) {
          Check *c = i.kind == WorkflowIssue::Kind::permissions ? &perms
                     : i.kind == WorkflowIssue::Kind::unpinned  ? &pinned
                     : i.kind == WorkflowIssue::Kind::malformed ? &malformed
                                                                : &dangerous;
          c->locations.push_back({path, i.line, i.message});
          (i.kind == WorkflowIssue::Kind::permissions ? n_p
           : i.kind == WorkflowIssue::Kind::unpinned  ? n_u
           : i.kind == WorkflowIssue::Kind::malformed ? n_m
                                                      : n_d)++;
        }
      }
      const auto nw = std::to_string(workflows_.size()) + " workflows";
      decide(dangerous, n_d == 0,
             n_d == 0 ? nw + ": no untrusted checkout under pull_request_target/workflow_run, no "
                             "untrusted ${{ }} in run:"
                      : std::to_string(n_d) + " dangerous patterns in " + nw);
      decide(perms, n_p == 0,
             n_p == 0 ? nw + " declare read-only top-level permissions"
                      : std::to_string(n_p) + " token permission findings in " + nw);
      decide(pinned, n_u == 0,
             n_u == 0 ? nw + ": every action pinned by commit SHA"
                      : std::to_string(n_u) + " actions or containers not pinned in " + nw);
      for (const auto &l : malformed.locations)
        malformed.evidence.push_back(l.path + ":" + std::to_string(l.line) + ": " + l.message);
    }
    // Malformed YAML in any CI file, not only GitHub's.
    for (const auto &p : ci_files_) {
      if (starts_with(p, ".github/workflows/") || p == "Jenkinsfile") continue;
      auto text = read(p);
      if (!text) continue;
      try {
        (void)YAML::Load(*text);
      } catch (const YAML::Exception &e) {
        malformed.locations.push_back(
            {p, static_cast<std::size_t>(e.mark.line + 1), "malformed YAML: " + e.msg});
        malformed.evidence.push_back(p + ":" + std::to_string(e.mark.line + 1) +
                                     ": malformed YAML: " + e.msg);
      }
    }
    if (ci_files_.empty())
      malformed.status = Status::not_applicable,
      malformed.evidence.push_back("no CI configuration");
    else if (malformed.locations.empty())
      decide(malformed, true, std::to_string(ci_files_.size()) + " CI files parse");
    else
      malformed.status = Status::fail;

    auto &deps = add("sec-dependency-updates", "QC.Sec", "QC.Sec01", Level::may,
                     "Dependency update tool configured", "Dependency-Update-Tool");
    std::vector<std::string> d;
    for (const auto &p :
         {".github/dependabot.yml", ".github/dependabot.yaml", "renovate.json", "renovate.json5",
          ".renovaterc", ".renovaterc.json", ".github/renovate.json", ".github/renovate.json5",
          ".gitlab/renovate.json"})
      if (has(p)) d.push_back(p);
    decide(deps, !d.empty(), d.empty() ? "no Dependabot or Renovate configuration" : list(d));
  }

  // -- QC.Del / QC.Dep -------------------------------------------------------------------
  void delivery() {
    auto &art = add("del-artifact", "QC.Del", "QC.Del01", Level::must,
                    "Code is built into a deliverable artefact");
    std::vector<std::string> a;
    for (const auto &f : files_) {
      const auto b = base_name(f.path);
      if (b == "Dockerfile" || b == "Containerfile" || b.ends_with(".Dockerfile") ||
          b.starts_with("Dockerfile."))
        a.push_back(f.path);
    }
    for (const auto &p :
         {"debian/control", "setup.py", "pyproject.toml", "package.json", "Cargo.toml", "pom.xml",
          "build.gradle", "build.gradle.kts", ".goreleaser.yml", ".goreleaser.yaml", "meson.build",
          "snapcraft.yaml", "flake.nix", "conda/meta.yaml", "recipe/meta.yaml", "DESCRIPTION",
          "Project.toml"})
      if (has(p)) a.push_back(p);
    for (const auto &f : files_)
      if (f.path.ends_with(".spec") && f.path.find('/') == std::string::npos) a.push_back(f.path);
    if (auto cm = read("CMakeLists.txt")) {
      if (cm->find("CPack") != std::string::npos) a.push_back("CPack (CMakeLists.txt)");
      if (cm->find("install(") != std::string::npos) a.push_back("CMake install rules");
    }
    if (auto mk = read("Makefile"); mk && (mk->find("\ninstall:") != std::string::npos ||
                                           mk->find("\ninstall ") != std::string::npos))
      a.push_back("make install");
    decide(art, !a.empty(),
           a.empty() ? "no packaging or install configuration (Dockerfile, CPack, debian/, "
                       "pyproject.toml, ...)"
                     : list(a));
    auto &pub = add("del-publish", "QC.Del", "QC.Del02", Level::must,
                    "Artefacts are published to a public repository by CI", "Packaging");
    auto steps = in_ci({"docker push", "docker/build-push-action", "twine upload",
                        "pypa/gh-action-pypi-publish", "npm publish", "cargo publish", "gh release",
                        "softprops/action-gh-release", "goreleaser", "mvn deploy", "gradle publish",
                        "dput", "semantic-release", "anaconda upload", "helm push", "oras push",
                        "podman push", "buildah push", "upload-release-asset"});
    if (jepl_criteria_.count("QC.Del")) steps.push_back("JePL .sqa/config.yml runs QC.Del");
    if (!ci_on_change() && ci_files_.empty())
      decide(pub, false, ci_summary());
    else
      decide(
          pub, !steps.empty(),
          steps.empty()
              ? "CI has no publish step (docker push, twine upload, npm publish, gh release, ...)"
              : "publish step: " + list(steps));
    auto &note =
        add("del-notify", "QC.Del", "QC.Del03", Level::must, "Delivery success is notified");
    note.evidence.push_back("not assessable offline: notifications are CI results");
  }

  void deployment() {
    auto &scm = add("dep-scm", "QC.Dep", "QC.Dep01", Level::must,
                    "Deployment through configuration management (Ansible, Helm, ...)");
    std::vector<std::string> d;
    for (const auto &f : files_) {
      const auto b = base_name(f.path);
      if (b == "Chart.yaml" || b == "kustomization.yaml" || b == "galaxy.yml" ||
          b == "playbook.yml" || b == "site.yml" || b == "docker-compose.yml" ||
          b == "compose.yaml" || f.path.ends_with(".tf") || starts_with(f.path, "roles/") ||
          starts_with(f.path, "ansible/") || b == "Puppetfile")
        d.push_back(f.path);
    }
    if (d.empty())
      scm.evidence.push_back("not assessable offline: no SCM module in the tree, and QC.Dep02.1 "
                             "recommends keeping it in its own repository");
    else
      decide(scm, true, list(d));
  }

  void linter_evidence() {
    for (const auto &l : r_.linters) {
      auto &c = add("lint-" + l.name,
                    l.name == "reuse" || l.name == "licensecheck" ? "QC.Lic"
                    : l.name == "bandit" || l.name == "cppcheck"  ? "QC.Sec"
                                                                  : "QC.Sty",
                    l.name == "reuse" || l.name == "licensecheck" ? "QC.Lic01"
                    : l.name == "bandit" || l.name == "cppcheck"  ? "QC.Sec02"
                                                                  : "QC.Sty01",
                    Level::may, "Linter " + l.name + " run by sqa-check",
                    l.name == "bandit" || l.name == "cppcheck" ? "SAST" : "");
      if (!l.installed) {
        c.status = Status::not_assessable;
        c.evidence.push_back(l.name + " is not installed: not run");
        continue;
      }
      if (!l.ran) {
        c.status = Status::not_applicable;
        c.evidence.push_back(l.note);
        continue;
      }
      c.locations = l.findings;
      decide(c, l.findings.empty(),
             std::to_string(l.findings.size()) + " findings in " + std::to_string(l.files) +
                 " files" + (l.note.empty() ? "" : "; " + l.note));
    }
  }

  void waive() {
    for (auto &c : r_.checks) {
      for (const auto &key : {c.id, c.sub, c.criterion}) {
        auto it = o_.waive.find(key);
        if (it == o_.waive.end()) continue;
        // Only a failure is waived; a check that passes keeps its status and no waiver.
        if (c.status == Status::fail) c.status = Status::waived, c.waiver = it->second;
        break;
      }
    }
  }

  std::string root_;
  const Options &o_;
  Report r_;
  std::vector<FileEntry> files_;
  std::map<std::string, std::size_t> index_;
  std::vector<Scan> scans_;
  std::size_t large_ = 0;
  std::vector<std::string> ci_files_, workflows_;
  std::vector<std::pair<std::string, std::string>> automation_; // path, lower-cased text
  std::vector<std::pair<std::string, WorkflowFacts>> workflow_facts_;
  std::set<std::string> triggers_, jepl_criteria_;
  std::optional<SemVer> latest_;
  std::string latest_tag_, spdx_;
  std::optional<std::string> license_file_, readme_, cff_version_, codemeta_version_;
  std::map<std::string, std::size_t> languages_;
  std::vector<std::string> doubles_;
  bool has_tests_ = false, tests_in_ci_ = false;
};

} // namespace

Report assess(const std::string &root, const Options &options) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) fail(Exit::no_input, root + ": not a folder");
  return Assessor(root, options).run();
}

} // namespace aip::sqa
