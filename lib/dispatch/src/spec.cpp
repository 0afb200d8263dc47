#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/units.hpp>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <pwd.h>
#include <sys/random.h>
#include <unistd.h>

namespace aip::dispatch {
namespace {

bool has_nul(const std::string &s) { return s.find('\0') != std::string::npos; }

[[noreturn]] void bad(const std::string &where, const std::string &field,
                      const std::string &problem) {
  data_error(where + ": field '" + field + "': " + problem);
}

bool is_env_name(std::string_view s) {
  if (s.empty() || (std::isdigit(static_cast<unsigned char>(s[0])) != 0)) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_')) return false;
  return true;
}

void set_default(nlohmann::json &obj, const char *key, const nlohmann::json &value) {
  if (!obj.contains(key) || obj[key].is_null()) obj[key] = value;
}

} // namespace

bool is_safe_token(std::string_view s) {
  if (s.empty() || s.size() > 128 || s[0] == '.' || s[0] == '-') return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-'))
      return false;
  return true;
}

std::string new_job_id(double now) {
  std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
  std::uint32_t r = 0;
  if (::getrandom(&r, sizeof r, 0) != static_cast<ssize_t>(sizeof r))
    fail(Exit::internal, std::string("getrandom: ") + std::strerror(errno));
  char buf[64];
  std::snprintf(buf, sizeof buf, "j%s-%08x", stamp, r);
  return buf;
}

std::string current_user() {
  if (const passwd *pw = ::getpwuid(::geteuid());
      pw != nullptr && pw->pw_name != nullptr && *pw->pw_name != '\0')
    return pw->pw_name;
  if (const char *u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  return "uid" + std::to_string(::geteuid());
}

void check_job(const records::Job &job, const std::string &where) {
  if (!is_safe_token(job.id))
    bad(where, "id",
        "'" + job.id +
            "' is not a safe name ([A-Za-z0-9._-], at most 128, not starting with '.' or '-')");
  auto token = [&](const std::string &value, const char *field) {
    if (!value.empty() && !is_safe_token(value))
      bad(where, field, "'" + value + "' is not a safe name ([A-Za-z0-9._-])");
  };
  token(job.queue, "queue");
  token(job.owner.project, "owner.project");
  token(job.owner.vo, "owner.vo");
  token(job.owner.user, "owner.user");
  token(job.site, "site");
  token(job.resources.gpu_model, "resources.gpu_model");
  token(job.resources.mig_profile, "resources.mig_profile");
  if (job.owner.user.empty()) bad(where, "owner.user", "must not be empty");
  for (std::size_t i = 0; i < job.command.size(); ++i)
    if (has_nul(job.command[i]))
      bad(where, "command[" + std::to_string(i) + "]", "contains a NUL byte");
  if (job.command[0].empty()) bad(where, "command[0]", "the program must not be empty");
  for (const auto &[k, v] : job.env) {
    if (!is_env_name(k)) bad(where, "env." + k, "not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
    if (has_nul(v)) bad(where, "env." + k, "contains a NUL byte");
  }
  for (const auto &[k, v] : job.labels)
    if (has_nul(k) || has_nul(v)) bad(where, "labels." + k, "contains a NUL byte");
  if (has_nul(job.workdir)) bad(where, "workdir", "contains a NUL byte");
  if (!job.workdir.empty() && job.workdir[0] != '/')
    bad(where, "workdir", "must be an absolute path");
  if (has_nul(job.image) || has_nul(job.name))
    bad(where, has_nul(job.image) ? "image" : "name", "contains a NUL byte");
  for (std::size_t i = 0; i < job.mounts.size(); ++i)
    if (has_nul(job.mounts[i].source) || has_nul(job.mounts[i].target))
      bad(where, "mounts[" + std::to_string(i) + "]", "contains a NUL byte");
  if (job.resources.cpus > 1e6 || !(job.resources.cpus > 0))
    bad(where, "resources.cpus", "out of range");
  if (job.walltime_s > 100LL * 365 * 86400) bad(where, "walltime_s", "more than 100 years");
}

records::Job complete_job(nlohmann::json spec, const std::string &where, double now,
                          const std::string &user) {
  if (!spec.is_object()) data_error(where + ": expected a JSON object (a job)");
  set_default(spec, "kind", records::kJobKind);
  set_default(spec, "id", new_job_id(now));
  set_default(spec, "owner", nlohmann::json::object());
  if (!spec["owner"].is_object()) bad(where, "owner", "expected an object");
  set_default(spec["owner"], "user", user);
  set_default(spec, "resources", nlohmann::json::object());
  if (!spec["resources"].is_object()) bad(where, "resources", "expected an object");
  set_default(spec["resources"], "cpus", 1);
  set_default(spec["resources"], "memory_bytes", 0);
  set_default(spec, "walltime_s", 3600);
  set_default(spec, "priority_class", "batch");
  set_default(spec, "submitted_at", format_timestamp(now));
  if (!spec.contains("command") || (spec["command"].is_array() && spec["command"].empty()))
    bad(where, "command", "no command: give it after -- or in the job file");
  records::Job job = records::job_from_json(spec, where);
  check_job(job, where);
  return job;
}

nlohmann::json read_job_file(const std::string &path) {
  std::string text = read_file(path);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) data_error(display_name(path) + ": not valid JSON");
  if (!j.is_object()) data_error(display_name(path) + ": expected one JSON object (a job)");
  return j;
}

const std::vector<std::string> &default_session_keep() {
  static const std::vector<std::string> keep{
      "PATH",       "LANG",        "LC_*",           "TZ",
      "PYTHONPATH", "VIRTUAL_ENV", "CONDA_PREFIX",   "CONDA_DEFAULT_ENV",
      "HF_HOME",    "TORCH_HOME",  "OMP_NUM_THREADS"};
  return keep;
}

nlohmann::json session_spec(const std::vector<std::string> &environment,
                            const std::vector<std::string> &keep, const std::string &cwd,
                            const std::string &containerenv_path) {
  nlohmann::json spec = nlohmann::json::object();
  spec["workdir"] = cwd;
  nlohmann::json env = nlohmann::json::object();
  std::map<std::string, std::string> all;
  for (const auto &entry : environment) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    all[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  auto kept = [&](const std::string &name) {
    for (const auto &k : keep) {
      if (!k.empty() && k.back() == '*') {
        if (name.compare(0, k.size() - 1, k, 0, k.size() - 1) == 0) return true;
      } else if (k == name)
        return true;
    }
    return false;
  };
  for (const auto &[k, v] : all)
    if (kept(k)) env[k] = v;
  // The conda environment the user activated: its bin folder first on PATH, as `conda
  // activate` does, so the batch job finds the same python.
  if (auto c = all.find("CONDA_PREFIX"); c != all.end() && !c->second.empty()) {
    env["CONDA_PREFIX"] = c->second;
    if (auto d = all.find("CONDA_DEFAULT_ENV"); d != all.end())
      env["CONDA_DEFAULT_ENV"] = d->second;
    std::string path = env.contains("PATH") ? env["PATH"].get<std::string>() : "";
    std::string bin = c->second + "/bin";
    if (path.rfind(bin + ":", 0) != 0 && path != bin)
      env["PATH"] = path.empty() ? bin : bin + ":" + path;
    spec["labels"]["conda_env"] =
        all.count("CONDA_DEFAULT_ENV") != 0U ? all["CONDA_DEFAULT_ENV"] : c->second;
  }
  if (!env.empty()) spec["env"] = env;
  // The container the session runs in. podman writes image="..." into /run/.containerenv;
  // Apptainer exports the image path.
  std::string image;
  if (std::ifstream in(containerenv_path); in) {
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("image=\"", 0) == 0 && line.size() > 8 && line.back() == '"')
        image = line.substr(7, line.size() - 8);
  }
  for (const char *var : {"APPTAINER_CONTAINER", "SINGULARITY_CONTAINER"})
    if (image.empty())
      if (auto it = all.find(var); it != all.end()) image = it->second;
  if (!image.empty()) spec["image"] = image;
  return spec;
}

} // namespace aip::dispatch
