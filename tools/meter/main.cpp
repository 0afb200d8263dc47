// aip-meter: measure running jobs, summarise samples into usage, find idle GPUs.
// Options -> lib/metering -> records.
#include <aip/core/cli.hpp>
#include <aip/core/commands.hpp>
#include <aip/core/csv.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>
#include <aip/metering/prometheus.hpp>
#include <aip/metering/sampler.hpp>
#include <aip/metering/summarize.hpp>
#include <aip/records/records.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <iostream>

namespace {

using namespace aip;
namespace po = boost::program_options;

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Millisecond precision is what the records keep.
double now_ms() { return std::round(now_s() * 1000.0) / 1000.0; }

volatile std::sig_atomic_t g_stop = 0;
extern "C" void on_stop(int) { g_stop = 1; }

// Sleeps until the wall-clock instant `t`; false when a SIGTERM/SIGINT came first.
bool sleep_until(double t) {
  while (g_stop == 0) {
    const double left = t - now_s();
    if (left <= 0) return true;
    timespec ts{static_cast<time_t>(left), static_cast<long>((left - std::floor(left)) * 1e9)};
    ::nanosleep(&ts, nullptr); // a signal interrupts it; the loop looks at g_stop
  }
  return false;
}

std::string opt(const po::variables_map &vm, const char *name, const std::string &fallback = "") {
  return vm.count(name) != 0U ? vm[name].as<std::string>() : fallback;
}

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.6g", v);
  return b;
}

int sample(int argc, const char *const argv[]) {
  cli::Parser p(
      {"meter", "sample",
       "Measure the CPU, memory, I/O and GPU use of the jobs running on this node.",
       "aip meter sample [--once | --follow [--interval 30s]] [--job ID...] [OPTIONS]",
       "  aip meter sample --once >> /var/lib/aip/samples.jsonl          # from cron\n"
       "  aip meter sample --follow --interval 30s >> samples.jsonl        # as a service\n"
       "  aip meter sample --format prometheus -o /var/lib/node_exporter/aip.prom\n"
       "  aip meter sample --follow --format prometheus -o /var/lib/node_exporter/aip.prom\n"
       "  aip meter sample --source proc --pgid train-1=4242 --gpu none\n"
       "  aip meter sample --job 1001,1002 --cgroup-root /sys/fs/cgroup\n"});
  p.add()("once", po::bool_switch(), "measure once and exit (the default)")(
      "follow", po::bool_switch(),
      "measure every --interval, aligned to the wall clock, until stopped")(
      "interval", po::value<std::string>()->default_value("30s")->value_name("DURATION"),
      "time between passes (--follow)")("count", po::value<std::uint64_t>()->value_name("N"),
                                        "with --follow, stop after N passes")(
      "job,j", po::value<std::vector<std::string>>()->composing()->value_name("ID"),
      "only these jobs (repeatable or comma-separated)")(
      "source", po::value<std::string>()->default_value("auto")->value_name("S"),
      "auto (cgroup v2 where the root is one, and /proc for aip's local jobs), cgroup or proc")(
      "cgroup-root", po::value<std::string>()->default_value("/sys/fs/cgroup")->value_name("DIR"),
      "the cgroup v2 mount")("proc-root",
                             po::value<std::string>()->default_value("/proc")->value_name("DIR"),
                             "the proc file system")(
      "pgid", po::value<std::vector<std::string>>()->composing()->value_name("JOB=PGID"),
      "a job as the processes of one process group (repeatable)")(
      "session", po::value<std::vector<std::string>>()->composing()->value_name("JOB=SID"),
      "a job as the processes of one session (repeatable)")(
      "proc-memory", po::value<std::string>()->default_value("pss")->value_name("M"),
      "/proc source: pss (smaps_rollup, shared pages once; costs more) or rss")(
      "gpu", po::value<std::string>()->default_value("auto")->value_name("G"),
      "auto, nvml, nvidia-smi or none")(
      "nvidia-smi", po::value<std::string>()->default_value("nvidia-smi")->value_name("PROG"),
      "the nvidia-smi program (when NVML is absent)")(
      "host", po::value<std::string>()->value_name("NAME"),
      "host name written into samples (default: this host's)")(
      "jobs", po::value<std::string>()->value_name("FILE"),
      "aip.job/v1 records: user and project labels for prometheus");
  p.add_output();
  p.add_format({"jsonl", "prometheus"}, "jsonl");
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  const bool follow = (*vm)["follow"].as<bool>();
  if (follow && (*vm)["once"].as<bool>()) usage_error("--once and --follow exclude each other");
  const double interval = parse_duration((*vm)["interval"].as<std::string>());
  if (!(interval >= 0.01)) usage_error("--interval must be at least 10ms");
  const std::string out_path = opt(*vm, "output", "-");
  // The fixed default makes the choice independent of the output; checked before any work.
  const std::string format = p.format(*vm, Output("-"));
  if (follow && format == "jsonl" && !is_stdio(out_path))
    usage_error("--follow writes JSON Lines to stdout; append with '>> FILE' instead of -o");
  if (format == "prometheus" && follow && is_stdio(out_path))
    usage_error("--format prometheus --follow needs -o FILE (a node_exporter textfile, rewritten "
                "each pass)");

  metering::SampleOptions so;
  so.source = (*vm)["source"].as<std::string>();
  so.cgroup_root = (*vm)["cgroup-root"].as<std::string>();
  so.proc_root = (*vm)["proc-root"].as<std::string>();
  so.host = opt(*vm, "host");
  const auto mem = (*vm)["proc-memory"].as<std::string>();
  if (mem != "pss" && mem != "rss")
    usage_error("--proc-memory: expected pss or rss, got '" + mem + "'");
  so.proc_memory = mem == "rss" ? metering::ProcMemory::rss : metering::ProcMemory::pss;
  if (vm->count("job") != 0U)
    so.only_jobs = cli::split_list((*vm)["job"].as<std::vector<std::string>>());
  if (vm->count("pgid") != 0U)
    for (const auto &s : (*vm)["pgid"].as<std::vector<std::string>>())
      so.proc_jobs.push_back(metering::parse_proc_job(s, metering::ProcJob::By::pgid));
  if (vm->count("session") != 0U)
    for (const auto &s : (*vm)["session"].as<std::vector<std::string>>())
      so.proc_jobs.push_back(metering::parse_proc_job(s, metering::ProcJob::By::session));
  metering::JobOwners owners;
  if (vm->count("jobs") != 0U) {
    metering::MeterInput in;
    metering::read_meter_input((*vm)["jobs"].as<std::string>(), in);
    for (const auto &j : in.jobs) owners[j.id] = j.owner;
  }
  metering::Sampler sampler(so, metering::open_gpu_source((*vm)["gpu"].as<std::string>(),
                                                          (*vm)["nvidia-smi"].as<std::string>()));
  const std::uint64_t count = vm->count("count") != 0U ? (*vm)["count"].as<std::uint64_t>() : 0;

  auto pass = [&](Output &out) {
    const double at = now_ms();
    auto got = sampler.sample(at);
    if (format == "jsonl") {
      jsonl::Writer w(out);
      for (const auto &s : got) w.write(records::to_json(s.sample));
    } else {
      std::vector<records::Sample> samples;
      for (auto &s : got) samples.push_back(std::move(s.sample));
      out << metering::render_prometheus(samples, owners, at);
    }
  };
  if (!follow) {
    Output out(out_path);
    pass(out);
    out.commit();
    return 0;
  }
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);
  std::unique_ptr<Output> stream;
  if (format == "jsonl") stream = std::make_unique<Output>("-");
  for (std::uint64_t n = 0; g_stop == 0;) {
    if (stream) {
      pass(*stream);
      stream->flush(); // each pass as it happens: `| tail`, `>> file` and pipes see it now
    } else {
      Output file(out_path); // the textfile is replaced whole each pass (AtomicFile)
      pass(file);
      file.commit();
    }
    if (count != 0 && ++n >= count) break;
    if (!sleep_until(metering::next_aligned(now_s(), interval))) break;
  }
  if (stream) stream->commit();
  return 0;
}

metering::MeterInput read_inputs(const std::vector<std::string> &paths) {
  metering::MeterInput in;
  int stdin_uses = 0;
  for (const auto &path : paths) {
    if (is_stdio(path) && ++stdin_uses > 1) usage_error("stdin ('-') can be read only once");
    metering::read_meter_input(path, in);
  }
  return in;
}

int summarize(int argc, const char *const argv[]) {
  cli::Parser p(
      {"meter", "summarize",
       "Summarise samples into one aip.usage/v1 record per job, for `aip account`.",
       "aip meter summarize [OPTIONS] SAMPLES [EVENTS...]",
       "  aip meter summarize samples.jsonl events.jsonl | aip account ingest --db \"$AIP_DB\"\n"
       "  aip meter summarize --site cnaf samples.jsonl jobs.jsonl events.jsonl -o usage.jsonl\n"
       "  cat node*/samples.jsonl | aip meter summarize - events.jsonl -f table\n"});
  p.add()("site", po::value<std::string>()->value_name("NAME"),
          "site written into each record (part of record_id)")(
      "input", po::value<std::vector<std::string>>()->value_name("FILE"), "input files");
  p.positional("input", -1);
  p.add_output();
  p.add_format({"jsonl", "table"});
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  std::vector<std::string> paths = vm->count("input") != 0U
                                       ? (*vm)["input"].as<std::vector<std::string>>()
                                       : std::vector<std::string>{"-"};
  auto in = read_inputs(paths);
  metering::SummarizeOptions o;
  o.site = opt(*vm, "site");
  auto usage = metering::summarize(in, o);
  Output out(opt(*vm, "output", "-"));
  if (p.format(*vm, out) == "jsonl") {
    std::string line;
    for (const auto &u : usage) {
      line.clear();
      records::append_usage_line(line, u);
      out << line;
    }
  } else {
    char row[320];
    std::snprintf(row, sizeof row, "%-24s %-10s %-20s %10s %10s %12s %6s %8s %-10s\n", "JOB",
                  "USER", "START", "WALL_S", "CPU_S", "MEM_PEAK", "GPUS", "GPU_UTIL", "STATE");
    out << row;
    for (const auto &u : usage) {
      std::snprintf(row, sizeof row, "%-24s %-10s %-20s %10s %10s %12s %6u %8s %-10s\n",
                    u.job_id.c_str(), u.user.empty() ? "-" : u.user.c_str(),
                    format_timestamp(u.start).c_str(), fmt(u.wall_s).c_str(),
                    u.cpu_s ? fmt(*u.cpu_s).c_str() : "-",
                    u.mem_peak_bytes ? std::to_string(*u.mem_peak_bytes).c_str() : "-", u.gpus,
                    u.gpu_util_mean ? fmt(*u.gpu_util_mean).c_str() : "-", u.state.c_str());
      out << row;
    }
  }
  out.commit();
  return 0;
}

int idle(int argc, const char *const argv[]) {
  cli::Parser p({"meter", "idle", "Find jobs whose GPUs sat idle; exit 1 when there is one.",
                 "aip meter idle [--gpu-util-below PCT] [--for DURATION] [SAMPLES...]",
                 "  aip meter idle --gpu-util-below 5 --for 30m samples.jsonl || notify-owners\n"
                 "  tail -n 100000 samples.jsonl | aip meter idle --for 2h -f table\n"});
  p.add()("gpu-util-below", po::value<double>()->default_value(5)->value_name("PCT"),
          "a GPU is idle below this utilisation, in percent")(
      "for", po::value<std::string>()->default_value("30m")->value_name("DURATION"),
      "how long it must have been idle, up to the job's last sample")(
      "input", po::value<std::vector<std::string>>()->value_name("FILE"), "input files");
  p.positional("input", -1);
  p.add_output();
  p.add_format({"jsonl", "table", "csv"});
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  metering::IdleOptions o;
  o.util_below = (*vm)["gpu-util-below"].as<double>();
  if (!(o.util_below > 0 && o.util_below <= 100))
    usage_error("--gpu-util-below must be in (0, 100]");
  o.for_s = parse_duration((*vm)["for"].as<std::string>());
  std::vector<std::string> paths = vm->count("input") != 0U
                                       ? (*vm)["input"].as<std::vector<std::string>>()
                                       : std::vector<std::string>{"-"};
  auto rows = metering::find_idle(read_inputs(paths), o);
  Output out(opt(*vm, "output", "-"));
  const auto format = p.format(*vm, out);
  if (format == "jsonl") {
    jsonl::Writer w(out);
    for (const auto &r : rows) w.write(records::to_json(r));
  } else if (format == "csv") {
    out << "job_id,host,gpus,since,until,idle_s,gpus_idle,gpus_total,util_max_pct\n";
    for (const auto &r : rows) {
      std::string line;
      for (const auto &[k, v] : r.dimensions) csv::append_field(line, v), line += ',';
      for (std::size_t i = 0; i < r.metrics.size(); ++i)
        line += fmt(r.metrics[i].second.value_or(0)) + (i + 1 < r.metrics.size() ? "," : "\n");
      out << line;
    }
  } else {
    char row[400];
    std::snprintf(row, sizeof row, "%-24s %-12s %-22s %10s %6s  %s\n", "JOB", "HOST", "SINCE",
                  "IDLE_S", "IDLE", "GPUS");
    out << row;
    for (const auto &r : rows) {
      std::snprintf(row, sizeof row, "%-24s %-12s %-22s %10s %3s/%-2s  %s\n",
                    r.dimensions[0].second.c_str(), r.dimensions[1].second.c_str(),
                    r.dimensions[3].second.c_str(), fmt(*r.metrics[0].second).c_str(),
                    fmt(*r.metrics[1].second).c_str(), fmt(*r.metrics[2].second).c_str(),
                    r.dimensions[2].second.c_str());
      out << row;
    }
  }
  out.commit();
  return rows.empty() ? 0 : static_cast<int>(Exit::finding);
}

int meter_main(int argc, char **argv) {
  const std::string usage =
      "Usage: aip meter sample [--once | --follow --interval 30s] [OPTIONS]\n"
      "       aip meter summarize SAMPLES [EVENTS...] [OPTIONS]\n"
      "       aip meter idle [--gpu-util-below 5] [--for 30m] [SAMPLES...]\n\n"
      "Sample the CPU, memory, I/O and GPU use of running jobs (cgroup v2, /proc, NVML,\n"
      "nvidia-smi), summarise samples into usage records, find idle GPUs.\n"
      "Run 'aip meter COMMAND --help' for a command's options; full documentation: man aip-meter\n";
  return cli::run_subcommands(
      "meter", usage, "Meter jobs: CPU, memory, I/O and GPU samples, usage records, idle GPUs",
      {{"sample", [](int c, const char *const v[]) { return sample(c, v); }},
       {"summarize", [](int c, const char *const v[]) { return summarize(c, v); }},
       {"summarise", [](int c, const char *const v[]) { return summarize(c, v); }, false},
       {"idle", [](int c, const char *const v[]) { return idle(c, v); }}},
      argc, argv);
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-meter", [&] { return meter_main(argc, argv); });
}
