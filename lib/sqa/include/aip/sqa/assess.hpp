// The criteria engine: offline checks of a checkout, each tied to a sub-criterion of the SQA
// baseline (indigo-dc/sqa-baseline v4.1, "A set of Common Software Quality Assurance Baseline
// Criteria for Research Projects") with the requirement level the baseline gives it, and to an
// OpenSSF Scorecard check where one matches. A check that needs a forge API or CI results is
// "not assessable offline", never "failed", unless its evidence is in the tree.
#pragma once

#include "aip/sqa/repo.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aip::sqa {

enum class Level { must, should, may }; // RFC 2119 as the baseline uses it; RECOMMENDED is should
enum class Status { pass, fail, not_assessable, not_applicable, waived };

std::string to_string(Level l);  // "MUST", "SHOULD", "MAY"
std::string to_string(Status s); // "pass", "fail", "not-assessable", "not-applicable", "waived"

struct Location {
  std::string path;
  std::size_t line = 0; // 0: the file as a whole
  std::string message;
};

struct Check {
  std::string id;        // stable rule id, e.g. "lic-file"
  std::string criterion; // "QC.Lic"
  std::string sub;       // "QC.Lic01.1"
  Level level = Level::must;
  std::string title;     // what is checked, in words
  std::string scorecard; // OpenSSF Scorecard check name, or empty
  Status status = Status::not_assessable;
  std::vector<std::string> evidence;
  std::vector<Location> locations; // where a failure is (SARIF results)
  std::string waiver;              // the reason, when waived
};

struct CriterionResult {
  std::string id, name;
  bool valid = false;
  bool assessed = false; // at least one check could be decided offline
};

struct LinterRun {
  std::string name;
  bool installed = false;
  bool ran = false;
  int exit_code = 0;
  std::size_t files = 0;
  std::string note;
  std::vector<Location> findings;
  std::vector<std::string> rule_ids; // parallel to findings
  std::vector<std::string> levels;   // SARIF level per finding: error, warning, note
};

struct Options {
  std::vector<std::string> ignore;          // glob patterns of paths left out
  std::map<std::string, std::string> waive; // check id, sub-criterion or criterion -> reason
  double coverage_threshold = 70;           // QC.Uni01: the baseline's 70%
  bool allow_v_prefix = true;               // release tags like v1.2.3
  bool verify_swhid = false; // hash the working tree (swh:1:dir:) and compare with HEAD's tree
  std::string license_dir = "/usr/share/common-licenses";
  std::size_t max_file_bytes = 4 << 20; // larger files are not read for content checks
  bool run_linters = false;
  std::vector<std::string> linters; // empty: every linter that fits
};

// A project's own settings, from .sqa-check.yml in the checkout's root.
struct ProjectConfig {
  std::optional<std::string> require; // bronze, silver, gold
  std::optional<double> min_score;
  std::optional<double> coverage_threshold;
  std::vector<std::string> ignore;
  std::map<std::string, std::string> waive;
  bool found = false;
};
ProjectConfig load_project_config(const std::string &root); // bad YAML or keys: Exit::data
ProjectConfig parse_project_config(std::string_view text, const std::string &name);

struct Report {
  std::string root;
  GitFacts git;
  std::string swhid_rev;      // swh:1:rev:<HEAD>
  std::string swhid_dir;      // swh:1:dir:<HEAD's tree>
  std::string swhid_worktree; // with verify_swhid
  std::size_t files = 0;
  std::vector<Check> checks;
  std::vector<CriterionResult> criteria;
  std::vector<LinterRun> linters;
  std::string badge = "none";                // none, bronze, silver, gold
  std::string next_badge;                    // empty at gold
  std::vector<std::string> missing_for_next; // criteria that stand between this badge and the next
  double score = 0;                          // 0..10
  std::vector<std::string> warnings;
  const CriterionResult *criterion(const std::string &id) const;
  const Check *check(const std::string &id) const;
};

Report assess(const std::string &root, const Options &options);

// The badge from criterion validity, as SQAaaS awards it (EOSC-synergy/sqaaas-docs, "Badging
// in EOSC-Synergy", software table): bronze needs QC.Acc, QC.Lic, QC.Met and QC.Doc; silver
// adds QC.Sty, QC.Sec and QC.Ver; gold adds QC.Uni, QC.Wor, QC.Man and QC.Del.
void award(Report &r);
int badge_rank(const std::string &badge); // none 0, bronze 1, silver 2, gold 3; -1 unknown

// The score: weighted share of decided checks that pass (MUST 3, SHOULD 2, MAY 1), 0..10.
double score(const std::vector<Check> &checks);

// Criteria in baseline order with their names.
const std::vector<std::pair<std::string, std::string>> &criteria_names();

} // namespace aip::sqa
