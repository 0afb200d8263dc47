#include "aip/records/sample.hpp"

#include "aip/records/fields.hpp"

#include <aip/core/units.hpp>

namespace aip::records {
nlohmann::ordered_json to_json(const Sample &s) {
  nlohmann::ordered_json j;
  j["kind"] = kSampleKind;
  j["at"] = format_timestamp(s.at);
  j["job_id"] = s.job_id;
  j["host"] = s.host;
  if (!s.user.empty()) j["user"] = s.user;
  j["cpu_s"] = s.cpu_s;
  j["mem_bytes"] = s.mem_bytes;
  if (s.mem_peak_bytes) j["mem_peak_bytes"] = *s.mem_peak_bytes;
  if (s.io_read_bytes) j["io_read_bytes"] = *s.io_read_bytes;
  if (s.io_write_bytes) j["io_write_bytes"] = *s.io_write_bytes;
  auto &gpus = j["gpus"] = nlohmann::ordered_json::array();
  for (const auto &g : s.gpus) {
    nlohmann::ordered_json gj;
    gj["uuid"] = g.uuid;
    gj["index"] = g.index;
    if (!g.model.empty()) gj["model"] = g.model;
    gj["util_pct"] = value_or_null(g.util_pct);
    gj["mem_used_bytes"] = value_or_null(g.mem_used_bytes);
    gj["power_w"] = value_or_null(g.power_w);
    gpus.push_back(gj);
  }
  return j;
}

Sample sample_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kSampleKind);
  Sample s;
  s.at = f.timestamp("at");
  s.job_id = f.string("job_id");
  s.host = f.string("host");
  s.user = f.string_or("user", "");
  s.cpu_s = f.number("cpu_s");
  if (s.cpu_s < 0) f.fail("cpu_s", "must not be negative");
  s.mem_bytes = f.count("mem_bytes");
  s.mem_peak_bytes = f.optional_count("mem_peak_bytes");
  s.io_read_bytes = f.optional_count("io_read_bytes");
  s.io_write_bytes = f.optional_count("io_write_bytes");
  if (f.has("gpus")) {
    const auto &gpus = f.raw("gpus");
    if (!gpus.is_array()) f.fail("gpus", "expected an array of objects");
    for (std::size_t i = 0; i < gpus.size(); ++i) {
      FieldReader g(gpus[i], where, "gpus[" + std::to_string(i) + "].");
      GpuSample gs;
      gs.uuid = g.string("uuid");
      auto index = g.count("index");
      if (index > 1'000'000) g.fail("index", "implausibly large");
      gs.index = static_cast<int>(index);
      gs.model = g.string_or("model", "");
      gs.util_pct = g.optional_number("util_pct");
      if (gs.util_pct && (*gs.util_pct < 0 || *gs.util_pct > 100)) g.fail("util_pct", "must be within 0..100");
      gs.mem_used_bytes = g.optional_count("mem_used_bytes");
      gs.power_w = g.optional_number("power_w");
      if (gs.power_w && *gs.power_w < 0) g.fail("power_w", "must not be negative");
      s.gpus.push_back(gs);
    }
  }
  return s;
}

} // namespace aip::records
