// Samples as a node_exporter textfile (Prometheus text exposition format 0.0.4): metric
// names in base units with _total on counters, one HELP and TYPE line per family, label
// values escaped (\\, \", \n).
#pragma once

#include <aip/records/job.hpp>
#include <aip/records/sample.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace aip::metering {

// Labels of each job beyond job_id and host: its owner, from aip.job/v1 records when given,
// else the sample's user where the meter knew it.
using JobOwners = std::map<std::string, records::Owner>;

// Families written:
//   aip_job_cpu_seconds_total          counter  CPU time used (user + system)
//   aip_job_memory_bytes               gauge    memory in use
//   aip_job_memory_peak_bytes          gauge    peak memory (where the source reports it)
//   aip_job_io_read_bytes_total        counter  bytes read from storage
//   aip_job_io_written_bytes_total     counter  bytes written to storage
//   aip_job_gpu_utilization_ratio      gauge    0..1, per GPU (labels gpu, uuid, model)
//   aip_job_gpu_memory_used_bytes      gauge    per GPU
//   aip_job_gpu_power_watts            gauge    per GPU
//   aip_meter_jobs                     gauge    jobs measured in this pass
//   aip_meter_last_sample_timestamp_seconds gauge
std::string render_prometheus(const std::vector<records::Sample> &samples, const JobOwners &owners,
                              double at);

// A label value escaped for the exposition format.
std::string escape_label_value(std::string_view value);

} // namespace aip::metering
