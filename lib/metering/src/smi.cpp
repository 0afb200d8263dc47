// nvidia-smi's CSV output and the source that runs it.
#include "aip/metering/gpu.hpp"

#include <aip/core/diag.hpp>
#include <aip/core/error.hpp>
#include <aip/core/process.hpp>

#include <charconv>
#include <chrono>

namespace aip::metering {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// "[N/A]", "N/A", "[Not Supported]", "[Unknown Error]", "[Insufficient Permissions]": a value
// the driver cannot give.
bool is_unavailable(std::string_view v) {
  return v.empty() || v == "N/A" || (v.front() == '[' && v.back() == ']');
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 200)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

struct Rows {
  const char *query;
  std::vector<std::string_view> fields;
  std::size_t line = 0;
  std::string_view text;
  [[noreturn]] void bad(const char *field, const std::string &problem) const {
    data_error(std::string("nvidia-smi --query-") + query + " output, line " +
               std::to_string(line) + ": field '" + field + "': " + problem + " in '" +
               printable(text) + "'");
  }
  std::optional<double> number(std::size_t i, const char *field) const {
    auto v = fields[i];
    if (is_unavailable(v)) return std::nullopt;
    double x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || !(x >= 0))
      bad(field, "expected a non-negative number");
    return x;
  }
  std::optional<std::uint64_t> mib(std::size_t i, const char *field) const {
    auto x = number(i, field);
    if (!x) return std::nullopt;
    if (*x > 1e12) bad(field, "implausibly large");
    return static_cast<std::uint64_t>(*x * 1048576.0);
  }
  int integer(std::size_t i, const char *field) const {
    auto v = fields[i];
    int x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size() || x < 0)
      bad(field, "expected a non-negative integer");
    return x;
  }
};

// Calls fn(rows) per non-empty line, with the comma-separated fields trimmed.
template <class Fn>
void each_row(std::string_view csv, const char *query, std::size_t want, Fn fn) {
  Rows r{query, {}, 0, {}};
  while (!csv.empty()) {
    auto nl = csv.find('\n');
    r.text = csv.substr(0, nl);
    csv = nl == std::string_view::npos ? std::string_view() : csv.substr(nl + 1);
    ++r.line;
    if (trim(r.text).empty()) continue;
    r.fields.clear();
    std::string_view rest = r.text;
    for (;;) {
      auto c = rest.find(',');
      r.fields.push_back(trim(rest.substr(0, c)));
      if (c == std::string_view::npos) break;
      rest.remove_prefix(c + 1);
    }
    if (r.fields.size() != want)
      data_error(std::string("nvidia-smi --query-") + query + " output, line " +
                 std::to_string(r.line) + ": expected " + std::to_string(want) + " fields, got " +
                 std::to_string(r.fields.size()) + " in '" + printable(r.text) + "'");
    fn(r);
  }
}

} // namespace

std::vector<GpuDevice> parse_smi_gpus(std::string_view csv) {
  std::vector<GpuDevice> out;
  each_row(csv, "gpu", 8, [&](const Rows &r) {
    GpuDevice d;
    d.index = r.integer(0, "index");
    if (is_unavailable(r.fields[1])) r.bad("uuid", "missing");
    d.uuid = r.fields[1];
    d.name = is_unavailable(r.fields[2]) ? "" : std::string(r.fields[2]);
    d.util_pct = r.number(3, "utilization.gpu");
    if (d.util_pct && *d.util_pct > 100) r.bad("utilization.gpu", "above 100");
    d.mem_used_bytes = r.mib(4, "memory.used");
    d.mem_total_bytes = r.mib(5, "memory.total");
    d.power_w = r.number(6, "power.draw");
    // mig.mode.current (field 7): "Enabled" means utilisation is per MIG device, which
    // nvidia-smi's query does not report; the [N/A] above already says so.
    out.push_back(std::move(d));
  });
  return out;
}

std::vector<GpuProcess> parse_smi_apps(std::string_view csv) {
  std::vector<GpuProcess> out;
  each_row(csv, "compute-apps", 3, [&](const Rows &r) {
    GpuProcess p;
    p.pid = r.integer(0, "pid");
    if (p.pid == 0) r.bad("pid", "expected a positive process id");
    if (is_unavailable(r.fields[1])) r.bad("gpu_uuid", "missing");
    p.gpu_uuid = r.fields[1];
    p.used_bytes = r.mib(2, "used_memory");
    out.push_back(std::move(p));
  });
  return out;
}

namespace {

class SmiSource : public GpuSource {
public:
  explicit SmiSource(std::string program) : program_(std::move(program)) {}
  std::string name() const override { return "nvidia-smi"; }
  GpuSnapshot read() override {
    GpuSnapshot s;
    s.devices = parse_smi_gpus(run(std::string("--query-gpu=") + kSmiGpuQuery));
    s.processes = parse_smi_apps(run(std::string("--query-compute-apps=") + kSmiAppsQuery));
    // MIG devices seen only through their processes get an entry of their own.
    for (const auto &p : s.processes) {
      bool known = false;
      for (const auto &d : s.devices) known = known || d.uuid == p.gpu_uuid;
      if (!known && p.gpu_uuid.rfind("MIG-", 0) == 0) {
        GpuDevice d;
        d.index = -1;
        d.uuid = p.gpu_uuid;
        d.name = "MIG";
        s.devices.push_back(d);
      }
    }
    return s;
  }

private:
  std::string run(const std::string &query) {
    ProcessOptions o;
    o.timeout = std::chrono::milliseconds(10000);
    auto r = run_process({program_, query, "--format=csv,noheader,nounits"}, o);
    if (r.timed_out) fail(Exit::temp_fail, program_ + " " + query + ": timed out");
    if (r.exit_code != 0) {
      std::string err = r.err.empty() ? r.out : r.err;
      if (auto nl = err.find('\n'); nl != std::string::npos) err.resize(nl);
      fail(Exit::unavailable, program_ + " " + query + ": exit " + std::to_string(r.exit_code) +
                                  (err.empty() ? "" : ": " + err));
    }
    return r.out;
  }
  std::string program_;
};

} // namespace

std::unique_ptr<GpuSource> make_smi_source(const std::string &program) {
  return std::make_unique<SmiSource>(program);
}

std::unique_ptr<GpuSource> open_gpu_source(const std::string &mode,
                                           const std::string &smi_program) {
  if (mode == "none") return nullptr;
  std::string why;
  if (mode == "nvml" || mode == "auto") {
    if (auto s = make_nvml_source(why)) return s;
    if (mode == "nvml") fail(Exit::unavailable, "NVML: " + why);
  }
  if (mode == "nvidia-smi" || mode == "auto") {
    auto path = find_on_path(smi_program);
    if (path) return make_smi_source(*path);
    if (mode == "nvidia-smi") fail(Exit::unavailable, smi_program + ": not found on PATH");
    diag::note("no GPU metrics: " + why + ", and no " + smi_program + " on PATH");
    return nullptr;
  }
  usage_error("--gpu: expected auto, nvml, nvidia-smi or none, got '" + mode + "'");
}

} // namespace aip::metering
