#include "aip/metering/sampler.hpp"

#include <aip/core/diag.hpp>
#include <aip/core/error.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <map>
#include <pwd.h>
#include <unistd.h>
#include <unordered_set>

namespace aip::metering {

Sampler::Sampler(SampleOptions options, std::unique_ptr<GpuSource> gpu)
    : options_(std::move(options)), gpu_(std::move(gpu)) {
  if (options_.host.empty()) {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    options_.host = name;
  }
  if (options_.source == "cgroup") {
    if (!is_cgroup2(options_.cgroup_root))
      fail(Exit::unavailable,
           options_.cgroup_root + ": not a cgroup v2 hierarchy (no cgroup.controllers)");
    use_cgroup_ = true;
  } else if (options_.source == "auto") {
    use_cgroup_ = is_cgroup2(options_.cgroup_root);
  } else if (options_.source != "proc") {
    usage_error("--source: expected auto, cgroup or proc, got '" + options_.source + "'");
  }
}

namespace {

struct Pending {
  JobSample js;
  std::vector<std::string> groups;    // cgroup jobs: "/path" of each group
  std::vector<int> pids;              // /proc jobs
  std::vector<std::string> allocated; // GPUs named in the job's environment
};

// The first PID in a group or below it, breadth first, leaving Slurm's step_extern (its
// `sleep` lacks the job's environment) for last.
std::optional<int> first_pid(const std::string &dir) {
  std::vector<std::string> queue{dir}, later;
  std::string text;
  for (std::size_t i = 0, visited = 0; visited < 256; ++i, ++visited) {
    if (i == queue.size()) {
      if (later.empty()) break;
      queue.insert(queue.end(), later.begin(), later.end());
      later.clear();
    }
    const std::string &d = queue[i];
    if (read_small_file(AT_FDCWD, (d + "/cgroup.procs").c_str(), text) == 0) {
      int pid = 0;
      auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
      if (ec == std::errc() && pid > 0) return pid;
    }
    if (DIR *dp = ::opendir(d.c_str())) {
      while (auto *e = ::readdir(dp))
        if (e->d_type == DT_DIR && e->d_name[0] != '.')
          (std::strcmp(e->d_name, "step_extern") == 0 ? later : queue)
              .push_back(d + "/" + e->d_name);
      ::closedir(dp);
    }
  }
  return std::nullopt;
}

} // namespace

std::vector<JobSample> Sampler::sample(double at) {
  std::vector<Pending> found;
  auto wanted = [&](const std::string &id) {
    return options_.only_jobs.empty() ||
           std::find(options_.only_jobs.begin(), options_.only_jobs.end(), id) !=
               options_.only_jobs.end();
  };
  auto base = [&](const std::string &id) {
    Pending p;
    p.js.sample.at = at;
    p.js.sample.job_id = id;
    p.js.sample.host = options_.host;
    return p;
  };
  if (use_cgroup_) {
    for (const auto &job : discover_cgroup_jobs(options_.cgroup_root)) {
      if (!wanted(job.job_id)) continue;
      auto r = read_cgroup_job(options_.cgroup_root, job, warn_);
      if (!r) continue; // ended while we looked
      auto p = base(job.job_id);
      p.js.source = "cgroup:" + to_string(job.layout);
      p.js.sample.cpu_s = r->cpu_s;
      p.js.sample.mem_bytes = r->mem_bytes;
      p.js.sample.mem_peak_bytes = r->mem_peak_bytes;
      p.js.sample.io_read_bytes = r->io_read_bytes;
      p.js.sample.io_write_bytes = r->io_write_bytes;
      for (const auto &g : job.groups) p.groups.push_back("/" + g);
      if (gpu_) {
        // The environment of a job does not change: read it once per job. A job whose
        // group has no process yet, or whose process just ended, is tried again on the next
        // passes, three times at most.
        auto &a = cgroup_alloc_[job.job_id];
        if (!a.known) {
          std::string env;
          int e = ENOENT;
          if (auto pid = first_pid(options_.cgroup_root + "/" + job.groups.front()))
            e = read_small_file(
                AT_FDCWD, (options_.proc_root + "/" + std::to_string(*pid) + "/environ").c_str(),
                env);
          if (e == 0) a.gpus = allocated_gpus(env);
          // Unreadable (another user's job, and we are not root): nothing, not asked again.
          a.known = e == 0 || !is_vanished(e) || ++a.misses >= 3;
        }
        p.allocated = a.gpus;
      }
      found.push_back(std::move(p));
    }
  }
  // /proc: where there is no cgroup v2, for --pgid/--session jobs, and with --source auto
  // also for jobs of aip's local backend (AIP_JOB_ID) that run outside aip.slice.
  const bool discover = options_.source != "cgroup";
  if (!use_cgroup_ || discover || !options_.proc_jobs.empty()) {
    std::unordered_set<std::string> in_cgroups; // a job in a cgroup is measured there
    for (const auto &p : found) in_cgroups.insert(p.js.sample.job_id);
    auto scan = scan_proc(options_.proc_root, options_.proc_jobs, discover, warn_,
                          options_.proc_memory, &proc_cache_);
    for (auto &[job, r] : scan.jobs) {
      if (!wanted(job.job_id) || in_cgroups.count(job.job_id) != 0U) continue;
      auto p = base(job.job_id);
      p.js.source = "proc";
      p.js.sample.cpu_s = r.cpu_s;
      p.js.sample.mem_bytes = r.mem_bytes;
      p.js.sample.io_read_bytes = r.io_read_bytes;
      p.js.sample.io_write_bytes = r.io_write_bytes;
      p.pids = std::move(r.pids);
      p.allocated = std::move(r.allocated_gpus);
      if (r.uid) {
        auto it = users_.find(*r.uid);
        if (it == users_.end()) {
          // getpwuid_r: the login name, or the number where the account database has none.
          std::string name = std::to_string(*r.uid);
          char buf[4096];
          passwd pw{}, *found = nullptr;
          if (::getpwuid_r(*r.uid, &pw, buf, sizeof buf, &found) == 0 && found != nullptr)
            name = pw.pw_name;
          it = users_.emplace(*r.uid, name).first;
        }
        p.js.sample.user = it->second;
      }
      found.push_back(std::move(p));
    }
  }
  if (gpu_ && !found.empty()) {
    GpuSnapshot snap;
    try {
      snap = gpu_->read();
    } catch (const Error &e) {
      // A malformed or failing GPU query loses this round's GPU fields, not the samples.
      warn_.warn("gpu-error", std::string(e.what()) + " (further GPU errors are not repeated)");
    }
    // Which job each GPU process belongs to: by PID for /proc jobs, by the process's
    // cgroup (from /proc/PID/cgroup) for cgroup jobs.
    std::map<std::size_t, std::map<std::string, std::optional<std::uint64_t>>>
        used; // job -> uuid -> bytes
    for (const auto &gp : snap.processes) {
      std::optional<std::string> cg;
      bool cg_read = false;
      for (std::size_t j = 0; j < found.size(); ++j) {
        bool mine =
            std::find(found[j].pids.begin(), found[j].pids.end(), gp.pid) != found[j].pids.end();
        if (!mine && !found[j].groups.empty()) {
          if (!cg_read) cg = process_cgroup(options_.proc_root, gp.pid), cg_read = true;
          if (cg)
            for (const auto &g : found[j].groups)
              mine = mine || *cg == g || cg->rfind(g + "/", 0) == 0;
        }
        if (!mine) continue;
        auto &slot = used[j][gp.gpu_uuid];
        if (gp.used_bytes)
          slot = slot.value_or(0) + *gp.used_bytes;
        else if (!slot)
          slot = std::nullopt;
      }
    }
    // GPUs the job holds without running on them: the idle allocations. Its memory on
    // them is nothing.
    for (std::size_t j = 0; j < found.size(); ++j) {
      for (const auto &a : found[j].allocated) {
        const bool by_index = a.find_first_not_of("0123456789") == std::string::npos;
        for (const auto &d : snap.devices) {
          const bool match =
              by_index ? d.parent_uuid.empty() && d.index >= 0 && std::to_string(d.index) == a
                       : d.uuid == a;
          if (match) used[j].try_emplace(d.uuid, std::optional<std::uint64_t>(0));
        }
      }
    }
    for (auto &[j, per_gpu] : used) {
      for (const auto &[uuid, bytes] : per_gpu) {
        const GpuDevice *dev = nullptr;
        for (const auto &d : snap.devices)
          if (d.uuid == uuid) dev = &d;
        records::GpuSample g;
        g.uuid = uuid;
        if (dev != nullptr) {
          g.index = std::max(dev->index, 0);
          g.model = dev->name;
          g.util_pct = dev->util_pct;
          g.power_w = dev->power_w;
          g.mem_used_bytes = bytes ? bytes : dev->mem_used_bytes;
        } else {
          g.mem_used_bytes = bytes;
        }
        found[j].js.sample.gpus.push_back(std::move(g));
      }
    }
  }
  if (!cgroup_alloc_.empty()) { // forget jobs that ended
    std::map<std::string, Allocation> still;
    for (const auto &p : found)
      if (auto it = cgroup_alloc_.find(p.js.sample.job_id); it != cgroup_alloc_.end())
        still.insert(*it);
    cgroup_alloc_ = std::move(still);
  }
  std::vector<JobSample> out;
  out.reserve(found.size());
  for (auto &p : found) out.push_back(std::move(p.js));
  std::sort(out.begin(), out.end(), [](const JobSample &a, const JobSample &b) {
    return a.sample.job_id < b.sample.job_id;
  });
  return out;
}

double next_aligned(double now, double interval) {
  if (!(interval > 0)) usage_error("--interval must be positive");
  return (std::floor(now / interval) + 1) * interval;
}

} // namespace aip::metering
