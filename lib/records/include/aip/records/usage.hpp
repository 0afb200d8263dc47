// aip.usage/v1: what one job used, from `aip meter summarize` or an accounting importer.
#pragma once

#include <aip/core/jsonl.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace aip::records {

inline constexpr const char *kUsageKind = "aip.usage/v1";

// Text is std::string for a record that owns its values, std::string_view for one read in
// place from a line (UsageView, the report's hot path).
template <class Text> struct BasicUsage {
  Text record_id; // stable per job and source: the idempotency key
  Text job_id, user, project, vo, site, queue;
  std::optional<double> submit; // epoch seconds
  double start = 0, end = 0;
  double wall_s = 0;
  double cores = 0;
  std::optional<double> cpu_s; // consumed CPU seconds
  std::optional<std::uint64_t> mem_req_bytes, mem_peak_bytes;
  std::uint32_t gpus = 0;
  Text gpu_model;
  std::optional<double> gpu_util_mean; // percent
  Text state;
  std::optional<int> exit_code;
  Text source;
  bool operator==(const BasicUsage &) const = default;
};
using Usage = BasicUsage<std::string>;
using UsageView = BasicUsage<std::string_view>;

// A view of `usage`, valid while it lives.
UsageView view_of(const Usage &usage);
// `out` made equal to `view`, reusing its strings' storage.
void assign(Usage &out, const UsageView &view);

nlohmann::ordered_json to_json(const Usage &usage);
Usage usage_from_json(const nlohmann::json &j, const std::string &where);

// The hot path: decodes one record from a simdjson DOM object into `out`, reusing its
// strings' storage (no allocation once capacities have grown). Same checks and messages as
// usage_from_json.
void decode_usage(simdjson::dom::object object, const jsonl::Location &where, Usage &out);

// The hotter path: decodes one line with the flat scanner (aip/core/flat_json.hpp), without a
// DOM. Returns false when the line needs the full parser (escapes, non-ASCII, nested values,
// anything decode_usage would question); the caller then parses it and calls decode_usage,
// which accepts the line or names the problem. When it returns true, `out` holds what
// decode_usage gives for the same line, its texts pointing into `line`. The line needs 16
// readable bytes after it.
bool decode_usage_line(std::string_view line, UsageView &out);

namespace detail {
// decode_usage_line's first try: the exact layout append_usage_line writes (its member order,
// no spaces, times as YYYY-MM-DDTHH:MM:SSZ), read without visiting keys. False for anything
// else, which decode_usage_line then reads with the flat scanner. Public for the tests and the
// fuzz target, which check that both readers give decode_usage's record.
bool decode_usage_layout(std::string_view line, UsageView &out);
// The same for the line at the start of `text` (ended by '\n' within text; 64 readable bytes
// after text): the line's length without its '\n', or 0 when it is not in the layout.
std::size_t decode_usage_layout_line(std::string_view text, UsageView &out);
} // namespace detail

// Appends the record as one JSON line (with '\n'); faster than to_json().dump().
void append_usage_line(std::string &out, const Usage &usage);

} // namespace aip::records
