// Importers: accounting exports of batch systems turned into aip.usage/v1 records.
//   sacct  Slurm's `sacct -P` (or `sacct -c -P`, the job completion log) with a header line
//   swf    the Standard Workload Format of the Parallel Workloads Archive (version 2.2)
//   apel   APEL individual job records ("Key: value" lines, records ended by "%%")
#pragma once

#include <aip/records/usage.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace aip::accounting {

enum class Source { sacct, swf, apel };
Source parse_source(const std::string &name); // usage error (64) for anything else

struct ImportOptions {
  bool skip_invalid = false; // leave bad records out (counted) instead of failing with 65
  bool utc = false;          // sacct: times are UTC, not the local time zone (TZ)
  std::string site;          // overrides the source's site (sacct Cluster, SWF Installation)
  std::string vo; // sets vo on every record (none of the sources carries one, APEL aside)
};

struct ImportStats {
  std::uint64_t records = 0;      // written
  std::uint64_t invalid = 0;      // left out by skip_invalid
  std::uint64_t not_ended = 0;    // sacct: pending or running jobs; SWF: unknown run time
  std::uint64_t steps = 0;        // sacct: job steps folded into their job
  std::uint64_t orphan_steps = 0; // sacct: steps whose job is not in the input
  std::string first_invalid;      // the message of the first record left out
};

using UsageSink = std::function<void(const records::Usage &)>;

// Reads one whole input. Errors name `name`, the line and the field (65).
ImportStats import_usage(Source source, std::string_view text, const std::string &name,
                         const ImportOptions &options, const UsageSink &sink);

// Pieces with their own tests.
// Slurm's final states as aip's (succeeded, failed, cancelled, timeout, preempted); empty
// for states of jobs not yet ended; throws for a state Slurm does not have.
std::string slurm_state(std::string_view state, bool &ended);
// GPUs in a TRES list ("billing=10,cpu=10,gres/gpu=4,mem=374000M,node=2" or typed
// "gres/gpu:a100=2"); `model` is the type when one is given (types joined with '+').
std::uint32_t tres_gpus(std::string_view tres, std::string &model);
// "2024-03-01T10:00:00" (Slurm's default time format) in the local time zone or UTC.
double slurm_time(std::string_view text, bool utc);

} // namespace aip::accounting
