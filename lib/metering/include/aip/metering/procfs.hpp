// /proc source, for machines without cgroup v2: a job is the process group or session its
// processes share (proc(5): /proc/PID/stat fields pgrp and session), its CPU the sum of
// utime+stime (and cutime+cstime of children they reaped), its memory the sum of the
// proportional set sizes (smaps_rollup "Pss:", so shared pages count once) or, where
// smaps_rollup cannot be read, of the resident set sizes.
#pragma once

#include "aip/metering/files.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace aip::metering {

// The fields of /proc/PID/stat that metering needs. Times are in clock ticks.
struct ProcStat {
  int pid = 0, ppid = 0, pgrp = 0, session = 0;
  char state = '?';
  std::uint64_t utime = 0, stime = 0, cutime = 0, cstime = 0, starttime = 0;
  std::uint64_t rss_pages = 0;
};
// Parses one stat line; the command name in parentheses may hold spaces and ')'. Throws
// aip::Error (65) naming `where` and the field.
ProcStat parse_proc_stat(std::string_view text, std::string_view where);

// Value of "Key:   N kB" in smaps_rollup or status text, in bytes; nothing when absent.
std::optional<std::uint64_t> parse_kb_field(std::string_view text, std::string_view key);

// /proc/PID/io: read_bytes and write_bytes (storage I/O the process caused).
struct ProcIo {
  std::uint64_t read_bytes = 0, write_bytes = 0;
};
std::optional<ProcIo> parse_proc_io(std::string_view text);

// How a job's processes are found.
struct ProcJob {
  std::string job_id;
  enum class By { pgid, session } by = By::pgid;
  int id = 0; // the process group or session id
};

// "JOB=PGID" for --pgid, "JOB=SID" for --session.
ProcJob parse_proc_job(std::string_view text, ProcJob::By by);

struct ProcReading {
  double cpu_s = 0;
  std::uint64_t mem_bytes = 0;
  std::optional<std::uint64_t> io_read_bytes,
      io_write_bytes; // when every /proc/PID/io was readable
  std::vector<int> pids;
  std::optional<unsigned> uid;             // owner of the job's first process
  std::vector<std::string> allocated_gpus; // from the leader's environment (allocated_gpus())
};

// How memory is counted: pss (smaps_rollup's proportional set size; shared pages count
// once across the job, but the kernel walks every mapping: about 30 us per process) or rss
// (the resident set from /proc/PID/stat: free, but shared pages count in every process).
enum class ProcMemory { pss, rss };

// What one pass learns that the next can reuse: the AIP_JOB_ID of each process-group
// leader, keyed by PID and start time (a reused PID has another start time).
struct ProcCache {
  struct Leader {
    std::uint64_t starttime = 0;
    std::string job_id; // empty: not a job
    std::vector<std::string> gpus;
  };
  std::unordered_map<int, Leader> leaders;
};

// One pass over /proc: every process's stat is read once and assigned to the jobs whose
// group or session it is in. Jobs with no live process are left out of the result. With
// `discover`, process-group leaders whose environment holds AIP_JOB_ID=<id> (set by aip's
// local backend) add jobs by process group; `cache` (optional) keeps what was learnt. The
// environment of each job's leader also gives the GPUs it was allocated.
struct ProcScan {
  std::vector<std::pair<ProcJob, ProcReading>> jobs;
};
ProcScan scan_proc(const std::string &proc_root, const std::vector<ProcJob> &jobs, bool discover,
                   WarnOnce &warn, ProcMemory memory = ProcMemory::pss, ProcCache *cache = nullptr);

} // namespace aip::metering
