// The project file .sqa-check.yml: thresholds, ignored paths and waivers with reasons.
#include "aip/core/error.hpp"
#include "aip/sqa/assess.hpp"

#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <unistd.h>

namespace aip::sqa {

// ---------------------------------------------------------------------------------------
// Project configuration

ProjectConfig parse_project_config(std::string_view text, const std::string &name) {
  ProjectConfig c;
  c.found = true;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception &e) {
    data_error(name + ":" + std::to_string(e.mark.line + 1) + ": malformed YAML: " + e.msg);
  }
  if (root.IsNull()) return c;
  auto at = [&](const YAML::Node &n) { return name + ":" + std::to_string(n.Mark().line + 1); };
  if (!root.IsMap()) data_error(name + ":1: expected a mapping of settings");
  for (const auto &kv : root) {
    const auto key = kv.first.Scalar();
    const auto &v = kv.second;
    try {
      if (key == "require") {
        c.require = v.as<std::string>();
        if (badge_rank(*c.require) < 1)
          data_error(at(v) + ": require: expected bronze, silver or gold, got '" + *c.require +
                     "'");
      } else if (key == "min-score") {
        c.min_score = v.as<double>();
        if (!(*c.min_score >= 0 && *c.min_score <= 10))
          data_error(at(v) + ": min-score: expected 0..10");
      } else if (key == "coverage-threshold") {
        c.coverage_threshold = v.as<double>();
        if (!(*c.coverage_threshold >= 0 && *c.coverage_threshold <= 100))
          data_error(at(v) + ": coverage-threshold: expected 0..100");
      } else if (key == "ignore") {
        if (!v.IsSequence()) data_error(at(v) + ": ignore: expected a list of path patterns");
        for (const auto &p : v) c.ignore.push_back(p.as<std::string>());
      } else if (key == "waive") {
        // A list of {id, reason} (as Scorecard's annotations carry a reason), or a map id: reason.
        if (v.IsMap()) {
          for (const auto &w : v) c.waive[w.first.Scalar()] = w.second.as<std::string>();
        } else if (v.IsSequence()) {
          for (const auto &w : v) {
            if (!w.IsMap() || !w["id"] || !w["reason"])
              data_error(at(w) + ": waive: each entry needs 'id' and 'reason'");
            c.waive[w["id"].as<std::string>()] = w["reason"].as<std::string>();
          }
        } else {
          data_error(at(v) + ": waive: expected a list of {id, reason} or a map of id: reason");
        }
        for (const auto &[id, reason] : c.waive)
          if (reason.empty()) data_error(at(v) + ": waive: '" + id + "' needs a reason");
      } else {
        data_error(at(kv.first) + ": unknown setting '" + key +
                   "' (require, min-score, coverage-threshold, ignore, waive)");
      }
    } catch (const YAML::BadConversion &e) {
      data_error(at(v) + ": " + key + ": wrong type of value");
    }
  }
  return c;
}

ProjectConfig load_project_config(const std::string &root) {
  for (const char *n : {".sqa-check.yml", ".sqa-check.yaml"}) {
    const auto path = root + "/" + n;
    if (::access(path.c_str(), F_OK) != 0) continue;
    std::string text;
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(Exit::no_input, path + ": cannot open");
    char buf[65536];
    for (ssize_t k; (k = ::read(fd, buf, sizeof buf)) > 0;)
      text.append(buf, static_cast<std::size_t>(k));
    ::close(fd);
    return parse_project_config(text, path);
  }
  return {};
}

} // namespace aip::sqa
