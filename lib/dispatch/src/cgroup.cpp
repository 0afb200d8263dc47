#include "aip/dispatch/cgroup.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace aip::dispatch {
namespace {

std::optional<std::string> slurp(const std::string &path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has_word(const std::string &text, const std::string &word) {
  std::istringstream in(text);
  for (std::string w; in >> w;)
    if (w == word) return true;
  return false;
}

bool write_file(const std::string &path, const std::string &value) {
  std::ofstream out(path);
  if (!out) return false;
  out << value;
  out.flush();
  return static_cast<bool>(out);
}

} // namespace

CgroupFiles cgroup_files(const records::Job &job, long pids_max) {
  CgroupFiles f;
  f.memory_max =
      job.resources.memory_bytes > 0 ? std::to_string(job.resources.memory_bytes) : "max";
  constexpr long long period = 100000;
  auto quota = static_cast<long long>(std::ceil(job.resources.cpus * period - 1e-6));
  if (quota < 1000) quota = 1000; // the kernel's smallest quota: 1 ms
  f.cpu_max = std::to_string(quota) + " " + std::to_string(period);
  f.pids_max = pids_max > 0 ? std::to_string(pids_max) : "max";
  return f;
}

CgroupSupport detect_cgroup_v2(const std::string &root, const std::string &self) {
  CgroupSupport s;
  if (::access((root + "/cgroup.controllers").c_str(), F_OK) != 0) {
    s.reason = "no cgroup v2 at " + root + " (no cgroup.controllers: cgroup v1 or hybrid)";
    return s;
  }
  auto own = slurp(self);
  std::string path;
  if (own) {
    std::istringstream in(*own);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("0::", 0) == 0) path = line.substr(3);
  }
  if (path.empty()) {
    s.reason = self + ": no cgroup v2 entry (0::PATH)";
    return s;
  }
  const std::string parent = root + (path == "/" ? "" : path);
  if (::access(parent.c_str(), W_OK) != 0) {
    s.reason = parent + ": not writable (not a delegated subtree)";
    return s;
  }
  auto control = slurp(parent + "/cgroup.subtree_control");
  for (const char *c : {"memory", "cpu", "pids"})
    if (!control || !has_word(*control, c)) {
      s.reason = parent + "/cgroup.subtree_control: the " + c + " controller is not enabled";
      return s;
    }
  s.available = true;
  s.parent = parent;
  return s;
}

bool make_job_cgroup(const std::string &group, const CgroupFiles &files, std::string &why) {
  if (::mkdir(group.c_str(), 0755) != 0 && errno != EEXIST) {
    why = group + ": " + std::strerror(errno);
    return false;
  }
  for (const auto &[name, value] :
       {std::pair<const char *, const std::string &>{"memory.max", files.memory_max},
        {"cpu.max", files.cpu_max},
        {"pids.max", files.pids_max}})
    if (!write_file(group + "/" + name, value)) {
      why = group + "/" + name + ": cannot write '" + value + "'";
      ::rmdir(group.c_str());
      return false;
    }
  return true;
}

CgroupUsage read_cgroup_usage(const std::string &group) {
  CgroupUsage u;
  if (auto peak = slurp(group + "/memory.peak")) try {
      u.memory_peak_bytes = std::stoull(*peak);
    } catch (const std::exception &) {
    }
  if (auto stat = slurp(group + "/cpu.stat")) {
    std::istringstream in(*stat);
    std::string key;
    unsigned long long v = 0;
    while (in >> key >> v)
      if (key == "usage_usec") u.cpu_s = static_cast<double>(v) / 1e6;
  }
  return u;
}

} // namespace aip::dispatch
