#include "aip/metering/procfs.hpp"
#include "aip/metering/gpu.hpp"

#include <aip/core/error.hpp>

#include <charconv>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

namespace aip::metering {
namespace {

bool parse_u64(std::string_view s, std::uint64_t &v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}
bool parse_int(std::string_view s, int &v) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && p == s.data() + s.size();
}

} // namespace

ProcStat parse_proc_stat(std::string_view text, std::string_view where) {
  // "pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  //  utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss ..."
  // (proc(5), fields 1..24). comm may contain ") ", so the last ')' ends it.
  auto fail = [&](const char *field) {
    data_error(std::string(where) + ": field '" + field + "': not a /proc/PID/stat line");
  };
  ProcStat st;
  const auto open = text.find(" (");
  const auto close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    fail("comm");
  if (!parse_int(text.substr(0, open), st.pid)) fail("pid");
  std::string_view rest = text.substr(close + 1);
  // Fields from 3 (state) on, split by single spaces.
  std::string_view f[22];
  std::size_t n = 0;
  while (n < 22) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty() || rest.front() == '\n') break;
    auto sp = rest.find_first_of(" \n");
    f[n++] = rest.substr(0, sp);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
  }
  if (n < 22) fail("rss");
  // f[k] is field k+3.
  if (f[0].size() != 1) fail("state");
  st.state = f[0][0];
  if (!parse_int(f[1], st.ppid)) fail("ppid");
  if (!parse_int(f[2], st.pgrp)) fail("pgrp");
  if (!parse_int(f[3], st.session)) fail("session");
  if (!parse_u64(f[11], st.utime)) fail("utime");
  if (!parse_u64(f[12], st.stime)) fail("stime");
  // cutime and cstime are signed "long" in the kernel's format; a negative one is nonsense.
  if (!parse_u64(f[13], st.cutime)) fail("cutime");
  if (!parse_u64(f[14], st.cstime)) fail("cstime");
  if (!parse_u64(f[19], st.starttime)) fail("starttime");
  std::int64_t rss = 0;
  {
    auto s = f[21];
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), rss);
    if (ec != std::errc() || p != s.data() + s.size()) fail("rss");
  }
  st.rss_pages = rss < 0 ? 0 : static_cast<std::uint64_t>(rss);
  return st;
}

std::optional<std::uint64_t> parse_kb_field(std::string_view text, std::string_view key) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.size() <= key.size() || line.substr(0, key.size()) != key || line[key.size()] != ':')
      continue;
    line.remove_prefix(key.size() + 1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    auto sp = line.find(' ');
    std::uint64_t v = 0;
    if (!parse_u64(line.substr(0, sp), v)) return std::nullopt;
    std::string_view unit = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    if (unit == "kB") {
      if (v > UINT64_MAX / 1024) return std::nullopt;
      return v * 1024;
    }
    return unit.empty() ? std::optional<std::uint64_t>(v) : std::nullopt;
  }
  return std::nullopt;
}

std::optional<ProcIo> parse_proc_io(std::string_view text) {
  ProcIo io;
  bool r = false, w = false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    std::string_view line =
        text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    auto colon = line.find(": ");
    if (colon == std::string_view::npos) continue;
    auto key = line.substr(0, colon);
    std::uint64_t v = 0;
    if (!parse_u64(line.substr(colon + 2), v)) continue;
    if (key == "read_bytes")
      io.read_bytes = v, r = true;
    else if (key == "write_bytes")
      io.write_bytes = v, w = true;
  }
  if (!r || !w) return std::nullopt;
  return io;
}

ProcJob parse_proc_job(std::string_view text, ProcJob::By by) {
  const char *flag = by == ProcJob::By::pgid ? "--pgid" : "--session";
  auto eq = text.rfind('=');
  ProcJob j;
  j.by = by;
  if (eq == std::string_view::npos || eq == 0 || !parse_int(text.substr(eq + 1), j.id) || j.id <= 0)
    usage_error(std::string(flag) + ": expected JOB=ID with a positive process " +
                (by == ProcJob::By::pgid ? "group" : "session") + " id, got '" + std::string(text) +
                "'");
  j.job_id = std::string(text.substr(0, eq));
  return j;
}

ProcScan scan_proc(const std::string &proc_root, const std::vector<ProcJob> &wanted, bool discover,
                   WarnOnce &warn, ProcMemory memory, ProcCache *cache) {
  static const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  static const std::uint64_t page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  ProcScan scan;
  const int procfd = ::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (procfd < 0) fail(Exit::unavailable, proc_root + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{procfd};
  DIR *d = ::fdopendir(::dup(procfd));
  if (d == nullptr) fail(Exit::unavailable, proc_root + ": " + std::strerror(errno));
  std::vector<ProcStat> procs;
  std::string text, path;
  while (auto *e = ::readdir(d)) {
    if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
    path.assign(e->d_name).append("/stat");
    if (int err = read_small_file(procfd, path.c_str(), text); err != 0) {
      if (!is_vanished(err))
        warn.warn("stat:" + std::to_string(err),
                  proc_root + "/" + path + ": " + std::strerror(err));
      continue;
    }
    try {
      procs.push_back(parse_proc_stat(text, proc_root + "/" + path));
    } catch (const Error &x) {
      warn.warn("malformed-stat", x.what());
    }
  }
  ::closedir(d);

  std::vector<ProcJob> jobs = wanted;
  // The environments of process-group leaders (with `discover`) and of the leaders of the
  // jobs asked for, read once per process and remembered in the cache.
  static constexpr std::string_view kVar = "AIP_JOB_ID=";
  ProcCache local;
  ProcCache &c = cache != nullptr ? *cache : local;
  std::unordered_map<int, ProcCache::Leader> still;
  std::unordered_map<int, std::vector<std::string>> leader_gpus; // this pass, cached or not
  timespec boot{};
  ::clock_gettime(CLOCK_BOOTTIME, &boot); // the clock of stat's starttime
  const double now_ticks =
      (static_cast<double>(boot.tv_sec) + static_cast<double>(boot.tv_nsec) / 1e9) * ticks;
  auto asked = [&](const ProcStat &p) {
    for (const auto &j : wanted)
      if (j.id == p.pid && ((j.by == ProcJob::By::pgid && p.pgrp == p.pid) ||
                            (j.by == ProcJob::By::session && p.session == p.pid)))
        return true;
    return false;
  };
  for (const auto &p : procs) {
    if (!((discover && p.pid == p.pgrp) || asked(p))) continue;
    ProcCache::Leader leader{p.starttime, {}, {}};
    bool keep = true;
    if (auto it = c.leaders.find(p.pid);
        it != c.leaders.end() && it->second.starttime == p.starttime) {
      leader = it->second;
    } else {
      path.assign(std::to_string(p.pid)).append("/environ");
      // Other users' environments are unreadable (EACCES) unless we run as root: normal.
      if (read_small_file(procfd, path.c_str(), text) == 0) {
        std::string_view env(text);
        std::size_t pos = 0;
        while (pos < env.size()) {
          auto end = env.find('\0', pos);
          auto var =
              env.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
          if (var.substr(0, kVar.size()) == kVar && var.size() > kVar.size()) {
            leader.job_id = std::string(var.substr(kVar.size()));
            break;
          }
          if (end == std::string_view::npos) break;
          pos = end + 1;
        }
        leader.gpus = allocated_gpus(env);
      }
      // A leader seen between fork and exec still has its parent's environment: "not a
      // job" is remembered only for processes older than 10 s.
      keep = !leader.job_id.empty() || now_ticks - static_cast<double>(p.starttime) > 10 * ticks;
    }
    if (discover && !leader.job_id.empty() && p.pid == p.pgrp) {
      bool known = false;
      for (const auto &j : jobs) known = known || j.job_id == leader.job_id;
      if (!known) jobs.push_back({leader.job_id, ProcJob::By::pgid, p.pid});
    }
    if (!leader.gpus.empty()) leader_gpus[p.pid] = leader.gpus;
    if (keep) still.emplace(p.pid, std::move(leader));
  }
  c.leaders = std::move(still); // forget processes that ended
  std::unordered_map<int, std::vector<std::size_t>> by_pgid, by_sid;
  for (std::size_t i = 0; i < jobs.size(); ++i)
    (jobs[i].by == ProcJob::By::pgid ? by_pgid : by_sid)[jobs[i].id].push_back(i);
  std::vector<ProcReading> readings(jobs.size());
  std::vector<bool> seen(jobs.size(), false), io_ok(jobs.size(), true);
  std::vector<ProcIo> io(jobs.size());
  for (const auto &p : procs) {
    std::vector<std::size_t> mine;
    if (auto it = by_pgid.find(p.pgrp); it != by_pgid.end()) mine = it->second;
    if (auto it = by_sid.find(p.session); it != by_sid.end())
      mine.insert(mine.end(), it->second.begin(), it->second.end());
    if (mine.empty() || p.state == 'Z')
      continue; // a zombie's times are already its parent's to reap
    const double cpu = static_cast<double>(p.utime + p.stime + p.cutime + p.cstime) / ticks;
    std::uint64_t mem = p.rss_pages * page;
    if (memory == ProcMemory::pss) {
      path.assign(std::to_string(p.pid)).append("/smaps_rollup");
      if (read_small_file(procfd, path.c_str(), text) == 0)
        if (auto pss = parse_kb_field(text, "Pss")) mem = *pss;
    }
    std::optional<ProcIo> pio;
    path.assign(std::to_string(p.pid)).append("/io");
    if (read_small_file(procfd, path.c_str(), text) == 0) pio = parse_proc_io(text);
    for (auto i : mine) {
      if (!seen[i]) {
        struct stat st {};
        if (::fstatat(procfd, std::to_string(p.pid).c_str(), &st, 0) == 0)
          readings[i].uid = st.st_uid;
      }
      seen[i] = true;
      readings[i].cpu_s += cpu;
      readings[i].mem_bytes += mem;
      readings[i].pids.push_back(p.pid);
      if (pio)
        io[i].read_bytes += pio->read_bytes, io[i].write_bytes += pio->write_bytes;
      else
        io_ok[i] = false;
    }
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!seen[i]) continue;
    if (io_ok[i])
      readings[i].io_read_bytes = io[i].read_bytes, readings[i].io_write_bytes = io[i].write_bytes;
    if (auto it = leader_gpus.find(jobs[i].id); it != leader_gpus.end())
      readings[i].allocated_gpus = it->second;
    scan.jobs.emplace_back(jobs[i], std::move(readings[i]));
  }
  return scan;
}

} // namespace aip::metering
