#include "aip/records/sample.hpp"

#include "aip/records/fields.hpp"
#include "fast_fields.hpp"

#include <aip/core/units.hpp>

#include <cmath>

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
      if (gs.util_pct && (*gs.util_pct < 0 || *gs.util_pct > 100))
        g.fail("util_pct", "must be within 0..100");
      gs.mem_used_bytes = g.optional_count("mem_used_bytes");
      gs.power_w = g.optional_number("power_w");
      if (gs.power_w && *gs.power_w < 0) g.fail("power_w", "must not be negative");
      s.gpus.push_back(gs);
    }
  }
  return s;
}

void decode_sample(simdjson::dom::object object, const jsonl::Location &where, Sample &s) {
  detail::FastFields f{where};
  s = Sample{};
  enum : unsigned {
    r_kind = 1,
    r_at = 2,
    r_job = 4,
    r_host = 8,
    r_cpu = 16,
    r_mem = 32,
    r_all = 63
  };
  unsigned seen = 0;
  std::string kind;
  // As FieldReader::count words it for a value that is not a number.
  auto count = [&](simdjson::dom::element v, std::string_view field) {
    if (!v.is_number()) f.fail(field, std::string("expected an integer, got ") + f.type_name(v));
    return f.count(v, field);
  };
  for (auto [key, v] : object) {
    if (f.null(v)) continue; // null is absent, as for FieldReader
    if (key == "kind") {
      f.string(v, key, kind);
      seen |= r_kind;
    } else if (key == "at") {
      s.at = f.timestamp(v, key), seen |= r_at;
    } else if (key == "job_id") {
      f.string(v, key, s.job_id), seen |= r_job;
    } else if (key == "host") {
      f.string(v, key, s.host), seen |= r_host;
    } else if (key == "user") {
      f.string(v, key, s.user);
    } else if (key == "cpu_s") {
      s.cpu_s = f.number(v, key), seen |= r_cpu;
      if (!std::isfinite(s.cpu_s)) f.fail(key, "expected a finite number");
    } else if (key == "mem_bytes") {
      s.mem_bytes = count(v, key), seen |= r_mem;
    } else if (key == "mem_peak_bytes") {
      s.mem_peak_bytes = count(v, key);
    } else if (key == "io_read_bytes") {
      s.io_read_bytes = count(v, key);
    } else if (key == "io_write_bytes") {
      s.io_write_bytes = count(v, key);
    } else if (key == "gpus") {
      simdjson::dom::array gpus;
      if (v.get_array().get(gpus) != simdjson::SUCCESS) f.fail(key, "expected an array of objects");
      std::size_t i = 0;
      for (auto g : gpus) {
        const std::string prefix = "gpus[" + std::to_string(i++) + "].";
        auto name = [&](const char *n) { return prefix + n; };
        simdjson::dom::object go;
        if (g.get_object().get(go) != simdjson::SUCCESS)
          f.fail(prefix.substr(0, prefix.size() - 1), "expected an object");
        GpuSample gs;
        bool uuid = false, index = false;
        for (auto [gk, gv] : go) {
          if (f.null(gv)) continue;
          if (gk == "uuid") {
            f.string(gv, name("uuid"), gs.uuid), uuid = true;
          } else if (gk == "index") {
            auto x = count(gv, name("index"));
            if (x > 1'000'000) f.fail(name("index"), "implausibly large");
            gs.index = static_cast<int>(x), index = true;
          } else if (gk == "model") {
            f.string(gv, name("model"), gs.model);
          } else if (gk == "util_pct") {
            gs.util_pct = f.number(gv, name("util_pct"));
            if (*gs.util_pct < 0 || *gs.util_pct > 100)
              f.fail(name("util_pct"), "must be within 0..100");
          } else if (gk == "mem_used_bytes") {
            gs.mem_used_bytes = count(gv, name("mem_used_bytes"));
          } else if (gk == "power_w") {
            gs.power_w = f.number(gv, name("power_w"));
            if (*gs.power_w < 0) f.fail(name("power_w"), "must not be negative");
          }
        }
        if (!uuid) f.fail(name("uuid"), "missing");
        if (!index) f.fail(name("index"), "missing");
        s.gpus.push_back(std::move(gs));
      }
    }
  }
  if (seen != r_all) {
    static constexpr std::pair<unsigned, const char *> names[] = {
        {r_kind, "kind"}, {r_at, "at"},     {r_job, "job_id"},
        {r_host, "host"}, {r_cpu, "cpu_s"}, {r_mem, "mem_bytes"}};
    for (auto [bit, n] : names)
      if ((seen & bit) == 0) f.fail(n, "missing");
  }
  if (kind != kSampleKind)
    f.fail("kind", "expected '" + std::string(kSampleKind) + "', got '" + kind + "'");
  if (s.cpu_s < 0) f.fail("cpu_s", "must not be negative");
}

} // namespace aip::records
