// One sampling pass over a node: jobs from cgroup v2 (or /proc), their GPUs, as
// aip.sample/v1 records.
#pragma once

#include "aip/metering/cgroup.hpp"
#include "aip/metering/gpu.hpp"
#include "aip/metering/procfs.hpp"

#include <aip/records/sample.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace aip::metering {

struct SampleOptions {
  // auto: cgroup v2 when the root is one, and /proc for aip's local jobs (AIP_JOB_ID)
  // outside its groups; cgroup: the cgroup layouts only; proc: /proc only.
  std::string source = "auto";
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string proc_root = "/proc";
  std::vector<std::string> only_jobs; // --job: keep only these ids
  std::vector<ProcJob> proc_jobs;     // --pgid / --session, measured from /proc
  std::string host;                   // empty: gethostname()
  ProcMemory proc_memory = ProcMemory::pss;
};

struct JobSample {
  records::Sample sample;
  std::string source; // "cgroup:slurm", "proc", ...
};

class Sampler {
public:
  Sampler(SampleOptions options, std::unique_ptr<GpuSource> gpu);
  // Measures every job once; `at` is the time written into the records.
  std::vector<JobSample> sample(double at);
  const SampleOptions &options() const { return options_; }

private:
  SampleOptions options_;
  std::unique_ptr<GpuSource> gpu_;
  WarnOnce warn_;
  ProcCache proc_cache_;
  std::map<unsigned, std::string> users_; // uid -> login name
  struct Allocation {
    std::vector<std::string> gpus; // allocated_gpus() of the job's environment
    bool known = false;
    unsigned misses = 0;
  };
  std::map<std::string, Allocation> cgroup_alloc_; // by job id
  bool use_cgroup_ = false;
};

// The next wall-clock instant after `now` that is a whole multiple of `interval` seconds
// since the epoch (a 30 s interval samples at :00 and :30 of every minute on every node).
double next_aligned(double now, double interval);

} // namespace aip::metering
