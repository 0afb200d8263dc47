#include "aip/metering/cgroup.hpp"

#include <aip/core/error.hpp>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <functional>
#include <sys/stat.h>
#include <unistd.h>

namespace aip::metering {
namespace {

[[noreturn]] void bad(std::string_view where, std::size_t line, const std::string &what) {
  data_error(std::string(where) + ":" + std::to_string(line) + ": " + what);
}

bool parse_u64(std::string_view s, std::uint64_t &v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

// Calls fn(line, number) for each line without its '\n'; a missing final newline is fine.
template <class Fn> void for_each_line(std::string_view text, Fn fn) {
  std::size_t no = 0;
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    ++no;
    fn(line, no);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

} // namespace

CpuStat parse_cpu_stat(std::string_view text, std::string_view where) {
  CpuStat st;
  bool have_usage = false;
  for_each_line(text, [&](std::string_view line, std::size_t no) {
    if (line.empty()) return;
    auto sp = line.find(' ');
    if (sp == std::string_view::npos)
      bad(where, no, "expected 'key value', got '" + printable(line) + "'");
    auto key = line.substr(0, sp);
    std::uint64_t v = 0;
    if (!parse_u64(line.substr(sp + 1), v))
      bad(where, no, "key '" + printable(key) + "': expected a non-negative integer");
    if (key == "usage_usec")
      st.usage_usec = v, have_usage = true;
    else if (key == "user_usec")
      st.user_usec = v;
    else if (key == "system_usec")
      st.system_usec = v;
  });
  if (!have_usage) data_error(std::string(where) + ": no usage_usec line");
  return st;
}

IoStat parse_io_stat(std::string_view text, std::string_view where) {
  IoStat st;
  for_each_line(text, [&](std::string_view line, std::size_t no) {
    if (line.empty()) return;
    auto sp = line.find(' ');
    auto dev = line.substr(0, sp);
    auto colon = dev.find(':');
    std::uint64_t major = 0, minor = 0;
    if (colon == std::string_view::npos || !parse_u64(dev.substr(0, colon), major) ||
        !parse_u64(dev.substr(colon + 1), minor))
      bad(where, no, "expected a device 'MAJOR:MINOR', got '" + printable(dev) + "'");
    if (sp == std::string_view::npos) return; // a device with no keys
    std::string_view rest = line.substr(sp + 1);
    while (!rest.empty()) {
      auto end = rest.find(' ');
      auto kv = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
      if (kv.empty()) continue;
      auto eq = kv.find('=');
      if (eq == std::string_view::npos)
        bad(where, no, "expected key=value, got '" + printable(kv) + "'");
      std::uint64_t v = 0;
      if (!parse_u64(kv.substr(eq + 1), v))
        bad(where, no,
            "key '" + printable(kv.substr(0, eq)) + "': expected a non-negative integer");
      auto key = kv.substr(0, eq);
      // Sums may wrap only after 2^64 bytes; saturate rather than wrap on hostile input.
      auto add = [](std::uint64_t &acc, std::uint64_t x) {
        acc = acc > UINT64_MAX - x ? UINT64_MAX : acc + x;
      };
      if (key == "rbytes")
        add(st.rbytes, v);
      else if (key == "wbytes")
        add(st.wbytes, v);
    }
  });
  return st;
}

std::optional<std::uint64_t> parse_single_value(std::string_view text, std::string_view where) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  if (text == "max") return std::nullopt;
  std::uint64_t v = 0;
  if (!parse_u64(text, v))
    bad(where, 1, "expected a non-negative integer or 'max', got '" + printable(text) + "'");
  return v;
}

std::string to_string(Layout layout) {
  switch (layout) {
  case Layout::aip: return "aip";
  case Layout::slurm: return "slurm";
  case Layout::kubernetes: return "kubernetes";
  case Layout::nomad: return "nomad";
  }
  return "?";
}

bool is_cgroup2(const std::string &root) {
  struct stat st {};
  return ::stat((root + "/cgroup.controllers").c_str(), &st) == 0;
}

namespace {

// Sub-folders of `path` (names only); an absent folder has none.
std::vector<std::string> subdirs(const std::string &path) {
  std::vector<std::string> out;
  DIR *d = ::opendir(path.c_str());
  if (d == nullptr) return out;
  while (auto *e = ::readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (e->d_type == DT_DIR)
      out.emplace_back(e->d_name);
    else if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      if (::stat((path + "/" + e->d_name).c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        out.emplace_back(e->d_name);
    }
  }
  ::closedir(d);
  return out;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void slurm_jobs(const std::string &root, const std::string &rel, std::vector<CgroupJob> &out) {
  for (const auto &scope : subdirs(root + "/" + rel)) {
    if (scope != "slurmstepd.scope" && !ends_with(scope, "_slurmstepd.scope")) continue;
    const std::string srel = rel.empty() ? scope : rel + "/" + scope;
    for (const auto &job : subdirs(root + "/" + srel))
      if (starts_with(job, "job_") && all_digits(std::string_view(job).substr(4)))
        out.push_back({job.substr(4), Layout::slurm, {srel + "/" + job}});
  }
}

// A pod folder name to the pod's uid: "kubepods-burstable-pod12ab_34cd.slice" (systemd
// driver, '-' written '_') or "pod12ab-34cd" (cgroupfs driver).
std::optional<std::string> pod_uid(std::string_view name, bool systemd) {
  if (systemd) {
    if (!ends_with(name, ".slice")) return std::nullopt;
    name.remove_suffix(6);
    auto p = name.rfind("-pod");
    if (p == std::string_view::npos) return std::nullopt;
    std::string uid(name.substr(p + 4));
    for (char &c : uid)
      if (c == '_') c = '-';
    if (uid.empty()) return std::nullopt;
    return uid;
  }
  if (!starts_with(name, "pod") || name.size() == 3) return std::nullopt;
  return std::string(name.substr(3));
}

void kube_jobs(const std::string &root, std::vector<CgroupJob> &out) {
  // systemd driver
  for (const auto &a : subdirs(root + "/kubepods.slice")) {
    const std::string arel = "kubepods.slice/" + a;
    if (auto uid = pod_uid(a, true)) {
      out.push_back({*uid, Layout::kubernetes, {arel}});
      continue;
    }
    if (a == "kubepods-burstable.slice" || a == "kubepods-besteffort.slice")
      for (const auto &b : subdirs(root + "/" + arel))
        if (auto uid = pod_uid(b, true))
          out.push_back({*uid, Layout::kubernetes, {arel + "/" + b}});
  }
  // cgroupfs driver
  for (const auto &a : subdirs(root + "/kubepods")) {
    const std::string arel = "kubepods/" + a;
    if (auto uid = pod_uid(a, false)) {
      out.push_back({*uid, Layout::kubernetes, {arel}});
      continue;
    }
    if (a == "burstable" || a == "besteffort")
      for (const auto &b : subdirs(root + "/" + arel))
        if (auto uid = pod_uid(b, false))
          out.push_back({*uid, Layout::kubernetes, {arel + "/" + b}});
  }
}

void nomad_scopes(const std::string &root, const std::string &rel, std::vector<CgroupJob> &out) {
  for (const auto &s : subdirs(root + "/" + rel)) {
    if (s == "share.slice" || s == "reserve.slice") {
      nomad_scopes(root, rel + "/" + s, out);
      continue;
    }
    if (!ends_with(s, ".scope")) continue;
    std::string_view name(s);
    name.remove_suffix(6);
    // <alloc id: a 36-character UUID>.<task name, which may itself hold dots>
    const auto dot = name.size() > 36 && name[36] == '.' ? 36 : name.find('.');
    if (dot == std::string_view::npos || dot == 0) continue;
    std::string alloc(name.substr(0, dot));
    const std::string path = rel + "/" + s;
    bool merged = false;
    for (auto &j : out)
      if (j.layout == Layout::nomad && j.job_id == alloc) j.groups.push_back(path), merged = true;
    if (!merged) out.push_back({alloc, Layout::nomad, {path}});
  }
}

} // namespace

std::vector<CgroupJob> discover_cgroup_jobs(const std::string &root) {
  std::vector<CgroupJob> out;
  for (const auto &s : subdirs(root + "/aip.slice"))
    if (starts_with(s, "aip-") && ends_with(s, ".scope") && s.size() > 10)
      out.push_back({s.substr(4, s.size() - 10), Layout::aip, {"aip.slice/" + s}});
  slurm_jobs(root, "system.slice", out);
  slurm_jobs(root, "", out);
  kube_jobs(root, out);
  nomad_scopes(root, "nomad.slice", out);
  return out;
}

std::optional<CgroupReading> read_cgroup_job(const std::string &root, const CgroupJob &job,
                                             WarnOnce &warn) {
  CgroupReading r;
  std::uint64_t usage_usec = 0;
  bool peak_everywhere = true, io_anywhere = false;
  std::uint64_t peak = 0, rb = 0, wb = 0;
  std::string text;
  for (const auto &g : job.groups) {
    const std::string dir = root + "/" + g;
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0) {
      if (!is_vanished(errno))
        warn.warn("open:" + std::string(std::strerror(errno)), dir + ": " + std::strerror(errno));
      return std::nullopt;
    }
    struct Closer {
      int fd;
      ~Closer() { ::close(fd); }
    } closer{dfd};
    // Reads one file; false when the group went away (quietly) or the file is unreadable
    // (one warning per file name and errno).
    auto get = [&](const char *name, bool optional) -> int {
      const int e = read_small_file(dfd, name, text);
      if (e == 0) return 1;
      if (e == ENOENT && optional) {
        // memory.peak or io.stat missing from a group that still exists: older kernel or
        // controller not enabled. If the folder itself is gone, the job ended.
        struct stat st {};
        return ::fstatat(dfd, "cgroup.procs", &st, 0) == 0 ? 0 : -1;
      }
      if (!is_vanished(e))
        warn.warn(std::string(name) + ":" + std::strerror(e),
                  dir + "/" + name + ": " + std::strerror(e) +
                      " (further such files are skipped quietly)");
      return -1;
    };
    try {
      if (get("cpu.stat", false) < 0) return std::nullopt;
      usage_usec += parse_cpu_stat(text, dir + "/cpu.stat").usage_usec;
      if (get("memory.current", false) < 0) return std::nullopt;
      r.mem_bytes += parse_single_value(text, dir + "/memory.current").value_or(0);
      int p = get("memory.peak", true);
      if (p < 0) return std::nullopt;
      if (p > 0)
        peak += parse_single_value(text, dir + "/memory.peak").value_or(0);
      else
        peak_everywhere = false;
      int io = get("io.stat", true);
      if (io < 0) return std::nullopt;
      if (io > 0) {
        auto st = parse_io_stat(text, dir + "/io.stat");
        rb += st.rbytes, wb += st.wbytes, io_anywhere = true;
      }
    } catch (const Error &e) {
      warn.warn("malformed",
                std::string(e.what()) + " (further malformed files are skipped quietly)");
      return std::nullopt;
    }
  }
  r.cpu_s = static_cast<double>(usage_usec) / 1e6;
  if (peak_everywhere) r.mem_peak_bytes = peak;
  if (io_anywhere) r.io_read_bytes = rb, r.io_write_bytes = wb;
  return r;
}

std::optional<std::string> process_cgroup(const std::string &proc_root, int pid) {
  std::string text;
  const std::string path = proc_root + "/" + std::to_string(pid) + "/cgroup";
  if (read_small_file(AT_FDCWD, path.c_str(), text) != 0) return std::nullopt;
  std::optional<std::string> out;
  for_each_line(text, [&](std::string_view line, std::size_t) {
    if (starts_with(line, "0::")) out = std::string(line.substr(3));
  });
  return out;
}

} // namespace aip::metering
