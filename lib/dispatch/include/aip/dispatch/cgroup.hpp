// A cgroup v2 group per local job, where the machine allows it: the supervisor makes
// PARENT/aip-ID, writes the job's limits, puts the job in it before the job's exec (the
// child writes 0 to cgroup.procs), reads the usage after the job's end and removes the group.
// PARENT is the supervisor's own group (from /proc/self/cgroup), which must be a delegated
// subtree: writable, with the memory, cpu and pids controllers in its cgroup.subtree_control.
// cgroup v2 lets a group hand controllers to its children only while it holds no process
// itself (the root excepted), so this finds a group when the supervisor runs at the root of
// its cgroup namespace (a container's) or its group was prepared so; moving the supervisor
// into a leaf of a delegated group to free it is not done (yet).
// On a cgroup v1 machine (no ROOT/cgroup.controllers), or when any of that is missing, jobs
// run without a group, and the run record's `started` line says why ("cgroup": "none: ...").
#pragma once

#include <aip/records/job.hpp>

#include <optional>
#include <string>

namespace aip::dispatch {

// The contents of the limit files for a job.
struct CgroupFiles {
  std::string memory_max; // the job's memory in bytes, "max" when it asks for none
  std::string cpu_max;    // "QUOTA 100000": ceil(cpus * 100000) us of CPU per 100 ms
  std::string pids_max;   // `pids_max`, "max" when 0
};
CgroupFiles cgroup_files(const records::Job &job, long pids_max = 0);

struct CgroupSupport {
  bool available = false;
  std::string parent; // ROOT + the supervisor's group, when available
  std::string reason; // why not, when not
};
// `root` is where cgroup2 is mounted and `self` the /proc/PID/cgroup file (tests give
// fixture folders).
CgroupSupport detect_cgroup_v2(const std::string &root = "/sys/fs/cgroup",
                               const std::string &self = "/proc/self/cgroup");

// What a job's group recorded: memory.peak (bytes) and cpu.stat usage_usec (as seconds).
struct CgroupUsage {
  std::optional<unsigned long long> memory_peak_bytes;
  std::optional<double> cpu_s;
};
CgroupUsage read_cgroup_usage(const std::string &group);

// Makes `group` and writes the limits; false (with `why`) when the kernel refuses.
bool make_job_cgroup(const std::string &group, const CgroupFiles &files, std::string &why);

} // namespace aip::dispatch
