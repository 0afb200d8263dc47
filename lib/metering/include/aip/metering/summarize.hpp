// From samples to usage: one aip.usage/v1 per job, and the jobs whose GPUs sat idle.
#pragma once

#include <aip/records/event.hpp>
#include <aip/records/job.hpp>
#include <aip/records/report.hpp>
#include <aip/records/sample.hpp>
#include <aip/records/usage.hpp>

#include <string>
#include <vector>

namespace aip::metering {

struct MeterInput {
  std::vector<records::Sample> samples;
  std::vector<records::Event> events;
  std::vector<records::Job> jobs;
};

// Reads JSON Lines files holding aip.sample/v1, aip.event/v1 and aip.job/v1 records in any
// mix ("-": stdin). Another kind, or a bad record, is an error naming file, line and field.
void read_meter_input(const std::string &path, MeterInput &into);

// CPU seconds consumed, from one host's cumulative counter in time order: the first value
// (cgroup and process counters start at zero with the job) plus every increase; a decrease
// is a counter reset (the group was recreated, a requeued job), after which the counter
// counts from zero again, so its new value is all increase (Prometheus' increase() rule).
// Samples repeated at the same instant (two meters, a file ingested twice) count once.
double consumed_cpu(const std::vector<const records::Sample *> &in_time_order);

// GPU utilisation averaged over GPU-time: each sample's value holds until the next sample
// of the same host (left step), so sum(u_i * (t_{i+1} - t_i)) / sum(t_{i+1} - t_i) over all
// GPUs of all hosts. With one sample per GPU the plain mean of those values. Nothing when no
// sample has a GPU utilisation.
std::optional<double>
gpu_util_time_weighted(const std::vector<std::vector<const records::Sample *>> &per_host);

struct SummarizeOptions {
  std::string site; // written into each record and part of record_id
};

// One usage record per job that has samples, ordered by job id. Owner, request and queue
// come from the job's aip.job/v1 record; start, end, state and exit code from its events
// (first "running", last final state); without events the first and last sample bound the
// job and its state is "running". record_id = "meter-" + 16 hex digits of FNV-1a 64 over
// "aip.meter", site and job id: the same job summarised again gets the same id.
std::vector<records::Usage> summarize(const MeterInput &input, const SummarizeOptions &options);
std::string meter_record_id(const std::string &site, const std::string &job_id);

struct IdleOptions {
  double util_below = 5; // percent
  double for_s = 1800;   // how long the trailing run must last
};

// Jobs with a GPU whose utilisation stayed below the threshold through the last `for_s`
// seconds (or longer) of the job's samples on a host: one report row per job and host with
// the dimensions job_id, host, gpus (idle UUIDs, comma-separated), since and until (RFC
// 3339) and the metrics idle_s, gpus_idle, gpus and util_max_pct. A sample without the
// GPU's utilisation ends the run (unknown is not idle).
std::vector<records::ReportRow> find_idle(const MeterInput &input, const IdleOptions &options);

} // namespace aip::metering
