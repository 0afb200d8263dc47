// aip.usage/v1: what one job used, from `aip meter summarize` or an accounting importer.
#pragma once

#include <aip/core/jsonl.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace aip::records {

inline constexpr const char *kUsageKind = "aip.usage/v1";

struct Usage {
  std::string record_id; // stable per job and source: the idempotency key
  std::string job_id, user, project, vo, site, queue;
  std::optional<double> submit; // epoch seconds
  double start = 0, end = 0;
  double wall_s = 0;
  double cores = 0;
  std::optional<double> cpu_s; // consumed CPU seconds
  std::optional<std::uint64_t> mem_req_bytes, mem_peak_bytes;
  std::uint32_t gpus = 0;
  std::string gpu_model;
  std::optional<double> gpu_util_mean; // percent
  std::string state;
  std::optional<int> exit_code;
  std::string source;
  bool operator==(const Usage &) const = default;
};

nlohmann::ordered_json to_json(const Usage &usage);
Usage usage_from_json(const nlohmann::json &j, const std::string &where);

// The hot path: decodes one record from a simdjson DOM object into `out`, reusing its
// strings' storage (no allocation once capacities have grown). Same checks and messages as
// usage_from_json.
void decode_usage(simdjson::dom::object object, const jsonl::Location &where, Usage &out);

// Appends the record as one JSON line (with '\n'); faster than to_json().dump().
void append_usage_line(std::string &out, const Usage &usage);

} // namespace aip::records
