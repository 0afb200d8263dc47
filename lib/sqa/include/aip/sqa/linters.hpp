// --run-linters: the installed linters that fit the languages found, run without a shell on
// the checkout's files, their findings turned into locations (SARIF results). A linter that is
// not installed is reported as not run.
#pragma once

#include "aip/sqa/assess.hpp"

#include <string>
#include <vector>

namespace aip::sqa {

// Known linters: cppcheck, shellcheck, flake8 (or pycodestyle), bandit, yamllint,
// licensecheck, reuse. `only` empty: all that fit.
std::vector<LinterRun> run_linters(const std::string &root, const std::vector<FileEntry> &files,
                                   const std::vector<std::string> &only);

const std::vector<std::string> &known_linters();

// Output readers, one per linter's documented machine format (tests feed them saved output).
void read_shellcheck_json1(std::string_view out, LinterRun &run); // shellcheck -f json1
void read_cppcheck_template(
    std::string_view out,
    LinterRun &run); // --template='{file}\t{line}\t{severity}\t{id}\t{message}'
void read_pep8_lines(std::string_view out,
                     LinterRun &run); // flake8 / pycodestyle: path:line:col: CODE message
void read_yamllint_parsable(std::string_view out, LinterRun &run); // yamllint -f parsable
void read_bandit_json(std::string_view out, LinterRun &run);       // bandit -f json
void read_reuse_lint(std::string_view out, LinterRun &run);        // reuse lint (plain text)
void read_licensecheck(std::string_view out, LinterRun &run);      // licensecheck: "path: LICENCE"

} // namespace aip::sqa
