// GitHub Actions workflow hygiene, the practices OpenSSF Scorecard checks as
// Token-Permissions, Pinned-Dependencies and Dangerous-Workflow, read from the YAML offline.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace aip::sqa {

struct WorkflowIssue {
  enum class Kind { permissions, unpinned, dangerous_trigger, untrusted_input, malformed };
  Kind kind;
  std::size_t line = 0; // 1-based; 0 when the whole file is meant
  std::string message;
};

struct WorkflowFacts {
  std::vector<std::string> triggers; // on: events
  std::vector<std::string> run_text; // every run: script (to find linters and tests)
  std::vector<std::string> uses;     // every uses: reference
  std::vector<WorkflowIssue> issues;
  bool top_level_permissions = false;
};

// Never throws for bad YAML: a malformed file gives one `malformed` issue with its line.
WorkflowFacts analyse_workflow(std::string_view text, const std::string &name);

// Whether a `${{ ... }}` expression reads a value an outsider controls (issue and pull
// request titles and bodies, comments, branch names, commit messages and authors).
bool untrusted_expression(std::string_view expression);

} // namespace aip::sqa
