#include "aip/metering/prometheus.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace aip::metering {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

namespace {

std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char b[40]; // the shortest text that reads back as the same double
  auto [end, ec] = std::to_chars(b, b + sizeof b, v);
  (void)ec;
  return std::string(b, end);
}

struct Family {
  const char *name, *type, *help;
  std::string lines;
};

} // namespace

std::string render_prometheus(const std::vector<records::Sample> &samples, const JobOwners &owners,
                              double at) {
  Family cpu{"aip_job_cpu_seconds_total",
             "counter",
             "CPU time used by the job's processes (user + system), in seconds.",
             {}};
  Family mem{"aip_job_memory_bytes", "gauge", "Memory in use by the job, in bytes.", {}};
  Family peak{"aip_job_memory_peak_bytes", "gauge", "Peak memory of the job so far, in bytes.", {}};
  Family rd{"aip_job_io_read_bytes_total", "counter", "Bytes the job read from storage.", {}};
  Family wr{"aip_job_io_written_bytes_total", "counter", "Bytes the job wrote to storage.", {}};
  Family gu{
      "aip_job_gpu_utilization_ratio", "gauge", "Utilisation of a GPU the job uses, 0 to 1.", {}};
  Family gm{"aip_job_gpu_memory_used_bytes", "gauge", "GPU memory used by the job, in bytes.", {}};
  Family gp{"aip_job_gpu_power_watts", "gauge", "Power draw of a GPU the job uses, in watts.", {}};
  for (const auto &s : samples) {
    std::string labels = "job_id=\"" + escape_label_value(s.job_id) + "\",host=\"" +
                         escape_label_value(s.host) + "\"";
    if (auto it = owners.find(s.job_id); it != owners.end())
      labels += ",user=\"" +
                escape_label_value(it->second.user.empty() ? s.user : it->second.user) +
                "\",project=\"" + escape_label_value(it->second.project) + "\"";
    else if (!s.user.empty())
      labels += ",user=\"" + escape_label_value(s.user) + "\"";
    auto line = [&](Family &f, const std::string &l, double v) {
      f.lines += std::string(f.name) + "{" + l + "} " + number(v) + "\n";
    };
    line(cpu, labels, s.cpu_s);
    line(mem, labels, static_cast<double>(s.mem_bytes));
    if (s.mem_peak_bytes) line(peak, labels, static_cast<double>(*s.mem_peak_bytes));
    if (s.io_read_bytes) line(rd, labels, static_cast<double>(*s.io_read_bytes));
    if (s.io_write_bytes) line(wr, labels, static_cast<double>(*s.io_write_bytes));
    for (const auto &g : s.gpus) {
      std::string gl = labels + ",gpu=\"" + std::to_string(g.index) + "\",uuid=\"" +
                       escape_label_value(g.uuid) + "\",model=\"" + escape_label_value(g.model) +
                       "\"";
      if (g.util_pct) line(gu, gl, *g.util_pct / 100.0);
      if (g.mem_used_bytes) line(gm, gl, static_cast<double>(*g.mem_used_bytes));
      if (g.power_w) line(gp, gl, *g.power_w);
    }
  }
  std::string out;
  for (Family *f : {&cpu, &mem, &peak, &rd, &wr, &gu, &gm, &gp}) {
    if (f->lines.empty()) continue;
    out += std::string("# HELP ") + f->name + " " + f->help + "\n# TYPE " + f->name + " " +
           f->type + "\n" + f->lines;
  }
  out += "# HELP aip_meter_jobs Jobs measured in the last pass of aip meter.\n# TYPE "
         "aip_meter_jobs gauge\n";
  out += "aip_meter_jobs " + std::to_string(samples.size()) + "\n";
  out += "# HELP aip_meter_last_sample_timestamp_seconds When aip meter last sampled, in seconds "
         "since the epoch.\n"
         "# TYPE aip_meter_last_sample_timestamp_seconds gauge\n";
  out += "aip_meter_last_sample_timestamp_seconds " + number(at) + "\n";
  return out;
}

} // namespace aip::metering
