#include "aip/sqa/workflow.hpp"

#include "aip/sqa/hash.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>

namespace aip::sqa {

namespace {

std::size_t line_of(const YAML::Node &n) { return static_cast<std::size_t>(n.Mark().line + 1); }

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void check_uses(const YAML::Node &n, WorkflowFacts &f) {
  if (!n || !n.IsScalar()) return;
  const auto ref = n.Scalar();
  f.uses.push_back(ref);
  if (ref.rfind("./", 0) == 0) return; // an action of the same repository
  if (ref.rfind("docker://", 0) == 0) {
    if (ref.find("@sha256:") == std::string::npos)
      f.issues.push_back({WorkflowIssue::Kind::unpinned, line_of(n),
                          "container '" + ref + "' is not pinned by digest"});
    return;
  }
  const auto at = ref.rfind('@');
  if (at == std::string::npos || !is_hex_id(ref.substr(at + 1)))
    f.issues.push_back({WorkflowIssue::Kind::unpinned, line_of(n),
                        "action '" + ref + "' is not pinned by a full commit SHA"});
}

void check_permissions(const YAML::Node &p, WorkflowFacts &f, bool top) {
  if (p.IsScalar()) {
    if (p.Scalar() == "write-all")
      f.issues.push_back(
          {WorkflowIssue::Kind::permissions, line_of(p),
           std::string(top ? "workflow" : "job") + " token has write-all permissions"});
    return;
  }
  if (!top || !p.IsMap()) return;
  for (const auto &kv : p)
    if (kv.second.IsScalar() && kv.second.Scalar() == "write")
      f.issues.push_back({WorkflowIssue::Kind::permissions, line_of(kv.second),
                          "top-level permission '" + kv.first.Scalar() +
                              ": write' (grant writes per job instead)"});
}

} // namespace

bool untrusted_expression(std::string_view expr) {
  const auto e = lower(expr);
  if (e.find("github.head_ref") != std::string::npos) return true;
  if (e.find("github.event.") == std::string::npos) return false;
  // Fields of event payloads that anyone who opens an issue or pull request can set.
  static constexpr std::array<const char *, 14> kUntrusted{
      ".title",          ".body",         ".head_ref",     ".head.ref",    ".head.label",
      ".default_branch", ".message",      ".author.email", ".author.name", ".page_name",
      ".head_branch",    ".comment.body", ".review.body",  ".label"};
  return std::any_of(kUntrusted.begin(), kUntrusted.end(),
                     [&](const char *s) { return e.find(s) != std::string::npos; });
}

WorkflowFacts analyse_workflow(std::string_view text, const std::string &name) {
  WorkflowFacts f;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception &e) {
    f.issues.push_back({WorkflowIssue::Kind::malformed, static_cast<std::size_t>(e.mark.line + 1),
                        name + ": malformed YAML: " + e.msg});
    return f;
  }
  if (!root.IsMap()) {
    f.issues.push_back({WorkflowIssue::Kind::malformed, 1, name + ": a workflow is a mapping"});
    return f;
  }
  try {
    // `on` is a plain string key in YAML 1.2, but YAML 1.1 parsers read it as true; accept both.
    YAML::Node on = root["on"] ? root["on"] : root["true"];
    if (on) {
      if (on.IsScalar())
        f.triggers.push_back(on.Scalar());
      else if (on.IsSequence())
        for (const auto &t : on) f.triggers.push_back(t.Scalar());
      else if (on.IsMap())
        for (const auto &kv : on) f.triggers.push_back(kv.first.Scalar());
    }
    const bool privileged_trigger =
        std::any_of(f.triggers.begin(), f.triggers.end(), [](const std::string &t) {
          return t == "pull_request_target" || t == "workflow_run";
        });
    if (auto p = root["permissions"]) {
      f.top_level_permissions = true;
      check_permissions(p, f, true);
    } else {
      f.issues.push_back(
          {WorkflowIssue::Kind::permissions, 1,
           "no top-level 'permissions:': the token gets the repository's default (often write)"});
    }
    auto jobs = root["jobs"];
    if (jobs && jobs.IsMap()) {
      for (const auto &job : jobs) {
        const auto &j = job.second;
        if (!j.IsMap()) continue;
        if (auto p = j["permissions"]) check_permissions(p, f, false);
        check_uses(j["uses"], f); // reusable workflow
        auto steps = j["steps"];
        if (!steps || !steps.IsSequence()) continue;
        for (const auto &s : steps) {
          if (!s.IsMap()) continue;
          check_uses(s["uses"], f);
          if (privileged_trigger && s["uses"] && s["uses"].IsScalar() &&
              s["uses"].Scalar().rfind("actions/checkout", 0) == 0) {
            auto with = s["with"];
            if (with && with.IsMap() && with["ref"] && with["ref"].IsScalar()) {
              const auto ref = lower(with["ref"].Scalar());
              if (ref.find("pull_request.head") != std::string::npos ||
                  ref.find("head_ref") != std::string::npos ||
                  ref.find("refs/pull/") != std::string::npos ||
                  ref.find("workflow_run.head") != std::string::npos)
                f.issues.push_back({WorkflowIssue::Kind::dangerous_trigger, line_of(with["ref"]),
                                    "pull_request_target/workflow_run checks out the pull "
                                    "request's code with the base repository's token and secrets"});
            }
          }
          if (auto run = s["run"]; run && run.IsScalar()) {
            const auto &script = run.Scalar();
            f.run_text.push_back(script);
            for (auto open = script.find("${{"); open != std::string::npos;
                 open = script.find("${{", open + 3)) {
              auto close = script.find("}}", open);
              auto expr = std::string_view(script).substr(
                  open + 3, close == std::string::npos ? std::string::npos : close - open - 3);
              if (untrusted_expression(expr)) {
                // A block scalar ('run: |') starts on the line after its indicator; count lines
                // into it.
                const auto offset = static_cast<std::size_t>(std::count(
                    script.begin(), script.begin() + static_cast<std::ptrdiff_t>(open), '\n'));
                const bool block = script.find('\n') != std::string::npos;
                f.issues.push_back({WorkflowIssue::Kind::untrusted_input,
                                    line_of(run) + offset + (block ? 1 : 0),
                                    "run: expands untrusted '${{" + std::string(expr) +
                                        "}}' into a shell script (pass it through env: instead)"});
              }
            }
          }
        }
      }
    }
  } catch (const YAML::Exception &e) {
    f.issues.push_back({WorkflowIssue::Kind::malformed, static_cast<std::size_t>(e.mark.line + 1),
                        name + ": unexpected structure: " + e.msg});
  }
  return f;
}

} // namespace aip::sqa
