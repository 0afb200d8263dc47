// cgroup v2 source: finds the groups of jobs by the layouts batch systems use, and reads
// their counters (Documentation/admin-guide/cgroup-v2.rst: cpu.stat, memory.current,
// memory.peak, io.stat).
#pragma once

#include "aip/metering/files.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::metering {

// ---- Parsers of the files' formats. `where` names the file in messages; malformed text
// throws aip::Error (65) naming the file, line and key.

// cpu.stat: flat keyed "usage_usec 123\nuser_usec 100\n...". usage_usec is required.
struct CpuStat {
  std::uint64_t usage_usec = 0, user_usec = 0, system_usec = 0;
};
CpuStat parse_cpu_stat(std::string_view text, std::string_view where);

// io.stat: one line per device "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N";
// returns the sums over devices.
struct IoStat {
  std::uint64_t rbytes = 0, wbytes = 0;
};
IoStat parse_io_stat(std::string_view text, std::string_view where);

// A single-value file (memory.current, memory.peak): a number, or nothing for "max".
std::optional<std::uint64_t> parse_single_value(std::string_view text, std::string_view where);

// ---- Finding jobs.
enum class Layout { aip, slurm, kubernetes, nomad };
std::string to_string(Layout layout);

struct CgroupJob {
  std::string job_id;
  Layout layout = Layout::aip;
  std::vector<std::string> groups; // paths relative to the root; Nomad tasks of one alloc
};

// Looks under the cgroup v2 mount `root` for, in this order:
//   aip local backend   aip.slice/aip-<job>.scope
//   Slurm (cgroup/v2)   system.slice/slurmstepd.scope/job_<id>, also <node>_slurmstepd.scope
//                       (several slurmd on one host), at the root or under system.slice
//   Kubernetes          kubepods.slice/[kubepods-<qos>.slice/]kubepods[-<qos>]-pod<uid>.slice
//                       (systemd driver, '-' in the uid written '_'), and
//                       kubepods/[<qos>/]pod<uid> (cgroupfs driver); job id = pod uid
//   Nomad               nomad.slice/[share.slice/|reserve.slice/]<alloc>.<task>.scope;
//                       job id = alloc id, its tasks' groups summed
// Only these folders are walked, so a host with thousands of other groups costs nothing.
std::vector<CgroupJob> discover_cgroup_jobs(const std::string &root);

// Whether `root` is a cgroup v2 hierarchy (it has cgroup.controllers).
bool is_cgroup2(const std::string &root);

// ---- Reading one job.
struct CgroupReading {
  double cpu_s = 0;
  std::uint64_t mem_bytes = 0;
  std::optional<std::uint64_t> mem_peak_bytes; // memory.peak needs Linux 5.19
  std::optional<std::uint64_t> io_read_bytes, io_write_bytes;
};

// Sums the job's groups. Nothing when a group vanished while being read (the job ended);
// unreadable or malformed files warn once through `warn` and give nothing as well.
std::optional<CgroupReading> read_cgroup_job(const std::string &root, const CgroupJob &job,
                                             WarnOnce &warn);

// The cgroup v2 path of a process from /proc/<pid>/cgroup ("0::/path"), or nothing.
std::optional<std::string> process_cgroup(const std::string &proc_root, int pid);

} // namespace aip::metering
