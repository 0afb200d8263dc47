// aip.sample/v1: one measurement of a running job by `aip meter`.
#pragma once

#include <aip/core/jsonl.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace aip::records {

inline constexpr const char *kSampleKind = "aip.sample/v1";

struct GpuSample {
  std::string uuid;
  int index = 0;
  std::string model;
  std::optional<double> util_pct;
  std::optional<std::uint64_t> mem_used_bytes;
  std::optional<double> power_w;
  bool operator==(const GpuSample &) const = default;
};

struct Sample {
  double at = 0;
  std::string job_id, host;
  double cpu_s = 0; // cumulative CPU seconds
  std::uint64_t mem_bytes = 0;
  std::optional<std::uint64_t> mem_peak_bytes, io_read_bytes, io_write_bytes;
  std::vector<GpuSample> gpus;
  std::string
      user; // login name owning the job's processes, where the meter knows it; empty: absent
  bool operator==(const Sample &) const = default;
};

nlohmann::ordered_json to_json(const Sample &sample);
Sample sample_from_json(const nlohmann::json &j, const std::string &where);

// The hot path (aip meter summarize over a day of a site's samples): decodes one record from
// a simdjson DOM object, with the same checks and messages as sample_from_json.
void decode_sample(simdjson::dom::object object, const jsonl::Location &where, Sample &out);

} // namespace aip::records
