#include "aip/accounting/import.hpp"
#include "aip/accounting/report.hpp"

#include <aip/core/units.hpp>

#include <charconv>
#include <cmath>
#include <ctime>
#include <optional>
#include <unordered_map>
#include <vector>

namespace aip::accounting {
namespace {

std::string lower(std::string_view s) {
  std::string r(s);
  for (auto &c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits text into lines (without '\n' and a trailing '\r'), numbering them from 1.
template <class Fn> void for_each_line(std::string_view text, Fn &&fn) {
  std::uint64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto nl = text.find('\n', pos);
    auto end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    fn(line, line_no);
    pos = end + 1;
  }
}

void split(std::string_view line, char sep, std::vector<std::string_view> &out) {
  out.clear();
  std::size_t start = 0;
  while (true) {
    auto at = line.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, at - start));
    start = at + 1;
  }
}

void split_ws(std::string_view line, std::vector<std::string_view> &out) {
  out.clear();
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i >= line.size()) break;
    auto start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    out.push_back(line.substr(start, i - start));
  }
}

// Where a field's problem is: "file:line: field 'X': problem", status 65.
struct Where {
  const std::string &name;
  std::uint64_t line;
  [[noreturn]] void fail(std::string_view field, const std::string &problem) const {
    data_error(name + ":" + std::to_string(line) + ": field '" + std::string(field) +
               "': " + problem);
  }
  [[noreturn]] void fail(const std::string &problem) const {
    data_error(name + ":" + std::to_string(line) + ": " + problem);
  }
  // The value parsed by a core parser, its message prefixed with the field.
  template <class Fn> auto field(std::string_view field, Fn &&fn) const {
    try {
      return fn();
    } catch (const Error &e) {
      fail(field, e.what());
    }
  }
};

double number(const Where &w, std::string_view field, std::string_view text) {
  text = trim(text);
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(v))
    w.fail(field, "expected a number, got '" + std::string(text) + "'");
  return v;
}

// Converting a double outside the target's range is undefined behaviour: check first.
std::uint64_t bytes_of(const Where &w, std::string_view field, double v) {
  if (!(v >= 0) || v >= 9.2e18) w.fail(field, "out of range");
  return static_cast<std::uint64_t>(std::llround(v));
}

int int_of(const Where &w, std::string_view field, double v) {
  if (!(v >= -2147483648.0 && v <= 2147483647.0) || v != std::trunc(v))
    w.fail(field, "expected an integer");
  return static_cast<int>(v);
}

bool unknown(std::string_view v) {
  v = trim(v);
  return v.empty() || v == "Unknown" || v == "None" || v == "none" || v == "(null)";
}

// Lines of text with a recoverable error per record, for --skip-invalid.
template <class Fn> bool guarded(const ImportOptions &o, ImportStats &stats, Fn &&fn) {
  if (!o.skip_invalid) {
    fn();
    return true;
  }
  try {
    fn();
    return true;
  } catch (const Error &e) {
    if (e.status() != Exit::data) throw;
    if (stats.invalid++ == 0) stats.first_invalid = e.what();
    return false;
  }
}

void validate(const Where &w, const records::Usage &u) {
  if (!(std::fabs(u.start) < kMaxEpoch)) w.fail("start", "out of range");
  if (!(std::fabs(u.end) < kMaxEpoch)) w.fail("end", "out of range");
  if (u.end < u.start) w.fail("end", "is before start");
  if (u.wall_s < 0) w.fail("wall_s", "must not be negative");
  if (u.cores < 0) w.fail("cores", "must not be negative");
  if (u.cpu_s && *u.cpu_s < 0) w.fail("cpu_s", "must not be negative");
}

std::string integer_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", std::floor(v));
  return buf;
}

// --- sacct -------------------------------------------------------------------------------

struct SacctColumns {
  int jobid = -1, jobidraw = -1, cluster = -1, partition = -1, account = -1, user = -1, submit = -1,
      start = -1, end = -1, elapsed = -1, elapsedraw = -1, exitcode = -1, state = -1, nnodes = -1,
      ncpus = -1, alloccpus = -1, reqmem = -1, alloctres = -1, totalcpu = -1, maxrss = -1,
      wckey = -1;
};

struct SacctJob {
  records::Usage usage;
  std::uint64_t line = 0;
  bool has_total_cpu = false;
  double steps_cpu = 0;
  bool steps_have_cpu = false;
};

std::uint64_t slurm_mem(const Where &w, std::string_view field, std::string_view text, double nodes,
                        double cpus) {
  // ReqMem: "4000M", and in Slurm before 21.08 "4000Mn" (per node) or "2Gc" (per CPU).
  text = trim(text);
  double factor = 1;
  if (!text.empty() && (text.back() == 'n' || text.back() == 'c')) {
    factor = text.back() == 'n' ? std::max(nodes, 1.0) : std::max(cpus, 1.0);
    text.remove_suffix(1);
  }
  // Slurm's units are MiB by default ("4000" alone is megabytes).
  if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.back()))) {
    double mb = number(w, field, text);
    return bytes_of(w, field, mb * 1048576.0 * factor);
  }
  auto bytes = w.field(field, [&] { return parse_size(text, Exit::data); });
  return bytes_of(w, field, static_cast<double>(bytes) * factor);
}

std::optional<int> slurm_exit(const Where &w, std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  auto colon = text.find(':');
  int code = int_of(w, "ExitCode", number(w, "ExitCode", text.substr(0, colon)));
  if (colon != std::string_view::npos) {
    int sig = int_of(w, "ExitCode", number(w, "ExitCode", text.substr(colon + 1)));
    if (sig < 0 || sig > 127) w.fail("ExitCode", "signal out of range");
    if (sig != 0) return 128 + sig; // killed by a signal, as a shell reports it
  }
  return code;
}

ImportStats import_sacct(std::string_view text, const std::string &name, const ImportOptions &o,
                         const UsageSink &sink) {
  ImportStats stats;
  SacctColumns c;
  bool have_header = false, trailing_sep = false;
  std::size_t n_columns = 0;
  std::vector<std::string_view> f;
  std::vector<SacctJob> jobs;
  std::unordered_map<std::string, std::size_t> by_id;
  for_each_line(text, [&](std::string_view line, std::uint64_t line_no) {
    if (trim(line).empty()) return;
    Where w{name, line_no};
    if (!have_header) {
      trailing_sep = line.back() == '|';
      if (trailing_sep) line.remove_suffix(1);
      split(line, '|', f);
      std::unordered_map<std::string, int *> known = {
          {"jobid", &c.jobid},         {"jobidraw", &c.jobidraw},     {"cluster", &c.cluster},
          {"partition", &c.partition}, {"account", &c.account},       {"user", &c.user},
          {"submit", &c.submit},       {"start", &c.start},           {"end", &c.end},
          {"elapsed", &c.elapsed},     {"elapsedraw", &c.elapsedraw}, {"exitcode", &c.exitcode},
          {"state", &c.state},         {"nnodes", &c.nnodes},         {"ncpus", &c.ncpus},
          {"alloccpus", &c.alloccpus}, {"reqmem", &c.reqmem},         {"alloctres", &c.alloctres},
          {"totalcpu", &c.totalcpu},   {"maxrss", &c.maxrss},         {"wckey", &c.wckey}};
      for (std::size_t i = 0; i < f.size(); ++i) {
        auto it = known.find(lower(trim(f[i])));
        if (it != known.end()) *it->second = static_cast<int>(i);
      }
      const std::pair<int, const char *> required[] = {{c.jobid, "JobID"},
                                                       {c.user, "User"},
                                                       {c.start, "Start"},
                                                       {c.end, "End"},
                                                       {c.state, "State"}};
      for (auto [col, field] : required)
        if (col < 0)
          w.fail(
              "the header has no " + std::string(field) +
              " column (expected sacct -P output with a header, e.g. sacct -P -o jobid,user,...)");
      if (c.ncpus < 0 && c.alloccpus < 0 && c.alloctres < 0)
        w.fail("the header has no NCPUS, AllocCPUS or AllocTRES column: cores are unknown");
      n_columns = f.size();
      have_header = true;
      return;
    }
    guarded(o, stats, [&] {
      if (trailing_sep && line.back() == '|') line.remove_suffix(1);
      split(line, '|', f);
      if (f.size() != n_columns)
        w.fail("expected " + std::to_string(n_columns) +
               " '|'-separated fields as in the header, got " + std::to_string(f.size()) +
               " (a '|' inside a value, e.g. the job name?)");
      auto get = [&](int col) {
        return col < 0 ? std::string_view() : trim(f[static_cast<std::size_t>(col)]);
      };
      std::string_view jobid = get(c.jobid);
      if (jobid.empty()) w.fail("JobID", "empty");
      auto dot = jobid.find('.');
      if (dot != std::string_view::npos) {
        // A step (123.batch, 123.extern, 123.0, 123_7.0): its usage folds into its job.
        auto it = by_id.find(std::string(jobid.substr(0, dot)));
        if (it == by_id.end()) {
          ++stats.orphan_steps;
          return;
        }
        ++stats.steps;
        auto &job = jobs[it->second];
        if (c.totalcpu >= 0 && !get(c.totalcpu).empty()) {
          job.steps_cpu +=
              w.field("TotalCPU", [&] { return parse_duration(get(c.totalcpu), Exit::data); });
          job.steps_have_cpu = true;
        }
        if (c.maxrss >= 0 && !get(c.maxrss).empty()) {
          auto rss = w.field("MaxRSS", [&] { return parse_size(get(c.maxrss), Exit::data); });
          if (!job.usage.mem_peak_bytes || rss > *job.usage.mem_peak_bytes)
            job.usage.mem_peak_bytes = rss;
        }
        return;
      }
      bool ended = false;
      std::string state = w.field("State", [&] { return slurm_state(get(c.state), ended); });
      if (!ended) {
        ++stats.not_ended;
        return;
      }
      if (unknown(get(c.end))) {
        ++stats.not_ended;
        return;
      }
      SacctJob job;
      job.line = line_no;
      auto &u = job.usage;
      u.source = "sacct";
      u.state = state;
      u.job_id = std::string(jobid);
      std::string_view user = get(c.user);
      if (auto paren = user.find('('); paren != std::string_view::npos)
        user = user.substr(0, paren);
      if (user.empty()) w.fail("User", "empty");
      u.user = std::string(user);
      u.project = std::string(get(c.account));
      u.queue = std::string(get(c.partition));
      std::string cluster(get(c.cluster));
      u.site = o.site.empty() ? cluster : o.site;
      u.vo = o.vo;
      u.end = w.field("End", [&] { return slurm_time(get(c.end), o.utc); });
      u.start = unknown(get(c.start))
                    ? u.end
                    : w.field("Start", [&] { return slurm_time(get(c.start), o.utc); });
      if (c.submit >= 0 && !unknown(get(c.submit)))
        u.submit = w.field("Submit", [&] { return slurm_time(get(c.submit), o.utc); });
      if (c.elapsedraw >= 0 && !get(c.elapsedraw).empty())
        u.wall_s = number(w, "ElapsedRaw", get(c.elapsedraw));
      else if (c.elapsed >= 0 && !get(c.elapsed).empty())
        u.wall_s = w.field("Elapsed", [&] { return parse_duration(get(c.elapsed), Exit::data); });
      else
        u.wall_s = u.end - u.start;
      double nodes =
          c.nnodes >= 0 && !get(c.nnodes).empty() ? number(w, "NNodes", get(c.nnodes)) : 1;
      std::string_view tres = get(c.alloctres);
      if (c.ncpus >= 0 && !get(c.ncpus).empty())
        u.cores = number(w, "NCPUS", get(c.ncpus));
      else if (c.alloccpus >= 0 && !get(c.alloccpus).empty())
        u.cores = number(w, "AllocCPUS", get(c.alloccpus));
      std::string model;
      u.gpus = w.field("AllocTRES", [&] { return tres_gpus(tres, model); });
      u.gpu_model = model;
      // cpu= and mem= of AllocTRES fill in what the plain columns lack.
      std::vector<std::string_view> items;
      if (!tres.empty()) split(tres, ',', items);
      for (auto item : items) {
        auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        auto key = item.substr(0, eq), value = item.substr(eq + 1);
        if (key == "cpu" && u.cores == 0) u.cores = number(w, "AllocTRES", value);
        if (key == "mem" && !u.mem_req_bytes)
          u.mem_req_bytes = slurm_mem(w, "AllocTRES", value, 1, 1);
      }
      if (c.reqmem >= 0 && !get(c.reqmem).empty())
        u.mem_req_bytes = slurm_mem(w, "ReqMem", get(c.reqmem), nodes, u.cores);
      if (c.totalcpu >= 0 && !get(c.totalcpu).empty()) {
        u.cpu_s = w.field("TotalCPU", [&] { return parse_duration(get(c.totalcpu), Exit::data); });
        job.has_total_cpu = true;
      }
      if (c.maxrss >= 0 && !get(c.maxrss).empty())
        u.mem_peak_bytes = w.field("MaxRSS", [&] { return parse_size(get(c.maxrss), Exit::data); });
      if (c.exitcode >= 0) u.exit_code = slurm_exit(w, get(c.exitcode));
      std::string_view raw = c.jobidraw >= 0 && !get(c.jobidraw).empty() ? get(c.jobidraw) : jobid;
      // Job ids are reused (after a controller's state is lost, or when they wrap), so the
      // submit time is part of the key; the cluster tells clusters sharing a database apart.
      u.record_id = "sacct:" + cluster + ":" + std::string(raw) + ":" +
                    integer_text(u.submit.value_or(u.start));
      validate(w, u);
      by_id[u.job_id] = jobs.size();
      jobs.push_back(std::move(job));
    });
  });
  if (!have_header && !trim(text).empty()) data_error(name + ": no header line");
  for (auto &job : jobs) {
    // The job's own TotalCPU already sums its steps; without that column, the steps' sum.
    if (!job.has_total_cpu && job.steps_have_cpu) job.usage.cpu_s = job.steps_cpu;
    sink(job.usage);
    ++stats.records;
  }
  return stats;
}

// --- SWF ---------------------------------------------------------------------------------

ImportStats import_swf(std::string_view text, const std::string &name, const ImportOptions &o,
                       const UsageSink &sink) {
  // Standard Workload Format 2.2 (https://www.cs.huji.ac.il/labs/parallel/workload/swf.html):
  // 18 fields; times in seconds from the header's UnixStartTime; -1 means unknown.
  ImportStats stats;
  std::optional<double> unix_start;
  std::string installation;
  std::unordered_map<std::string, std::string> queues;
  std::vector<std::string_view> f;
  records::Usage u;
  for_each_line(text, [&](std::string_view line, std::uint64_t line_no) {
    Where w{name, line_no};
    auto t = trim(line);
    if (t.empty()) return;
    if (t.front() == ';') {
      auto body = trim(t.substr(1));
      auto colon = body.find(':');
      if (colon == std::string_view::npos) return;
      auto key = trim(body.substr(0, colon)), value = trim(body.substr(colon + 1));
      if (key == "UnixStartTime")
        unix_start = number(w, "UnixStartTime", value);
      else if (key == "Installation" || (key == "Computer" && installation.empty()))
        installation = value;
      else if (key == "Queue") {
        split_ws(value, f);
        if (f.size() >= 2) queues[std::string(f[0])] = std::string(f[1]);
      }
      return;
    }
    guarded(o, stats, [&] {
      if (!unix_start) w.fail("no '; UnixStartTime:' header line before the first job");
      split_ws(t, f);
      if (f.size() != 18) w.fail("expected 18 fields (SWF 2.2), got " + std::to_string(f.size()));
      static const char *names[18] = {"job number",
                                      "submit time",
                                      "wait time",
                                      "run time",
                                      "allocated processors",
                                      "average CPU time",
                                      "used memory",
                                      "requested processors",
                                      "requested time",
                                      "requested memory",
                                      "status",
                                      "user id",
                                      "group id",
                                      "executable",
                                      "queue",
                                      "partition",
                                      "preceding job",
                                      "think time"};
      double v[18];
      for (int i = 0; i < 18; ++i) v[i] = number(w, names[i], f[static_cast<std::size_t>(i)]);
      if (v[3] < 0) {
        ++stats.not_ended; // no run time: nothing to account
        return;
      }
      if (v[1] < 0) w.fail("submit time", "unknown (-1)");
      double procs = v[4] >= 0 ? v[4] : v[7];
      if (procs < 0) w.fail("allocated processors", "unknown, and no requested processors either");
      u = records::Usage{};
      u.source = "swf";
      u.job_id = std::string(f[0]);
      u.user = std::string(f[11]);
      u.project = v[12] >= 0 ? std::string(f[12]) : "";
      if (v[14] >= 0) {
        auto q = queues.find(std::string(f[14]));
        u.queue = q != queues.end() ? q->second : std::string(f[14]);
      }
      u.site = o.site.empty() ? installation : o.site;
      u.vo = o.vo;
      double submit = *unix_start + v[1];
      // Some logs have no wait times (the submit time is the start time): submit unknown then.
      u.start = submit + std::max(v[2], 0.0);
      if (v[2] >= 0) u.submit = submit;
      u.wall_s = v[3];
      u.end = u.start + v[3];
      u.cores = procs;
      if (v[5] >= 0) u.cpu_s = v[5] * procs; // average CPU time per processor
      if (v[6] >= 0)
        u.mem_peak_bytes = bytes_of(w, "used memory", v[6] * 1024 * procs); // KB per processor
      if (v[9] >= 0) u.mem_req_bytes = bytes_of(w, "requested memory", v[9] * 1024 * procs);
      switch (int_of(w, "status", v[10])) {
      case 1:
      case 3: u.state = "succeeded"; break; // 3: the last part of a checkpointed job
      case 0:
      case 4: u.state = "failed"; break;
      case 5: u.state = "cancelled"; break;
      case 2: u.state = "partial"; break; // a part of a job that was checkpointed
      case -1: break;
      default: w.fail("status", "expected -1, 0, 1, 2, 3, 4 or 5, got " + std::string(f[10]));
      }
      u.record_id = "swf:" + installation + ":" + integer_text(*unix_start) + ":" + u.job_id;
      validate(w, u);
      sink(u);
      ++stats.records;
    });
  });
  return stats;
}

// --- APEL individual job records ---------------------------------------------------------

ImportStats import_apel(std::string_view text, const std::string &name, const ImportOptions &o,
                        const UsageSink &sink) {
  // EGI's "Individual Job Records": a header line, then records of "Key: value" lines each
  // ended by a line "%%". Times are epoch seconds, durations seconds, memory kB.
  ImportStats stats;
  std::unordered_map<std::string, std::string> rec;
  std::uint64_t rec_line = 0;
  bool bad_record = false;
  auto finish = [&](std::uint64_t line_no) {
    Where w{name, rec_line};
    auto value = [&](const char *key) -> std::string_view {
      auto it = rec.find(key);
      if (it == rec.end() || unknown(it->second)) return {};
      return it->second;
    };
    auto required = [&](const char *key) {
      auto v = value(key);
      if (v.empty()) w.fail(key, "missing");
      return v;
    };
    guarded(o, stats, [&] {
      records::Usage u;
      u.source = "apel";
      std::string site(required("Site")), host(required("SubmitHost"));
      u.job_id = std::string(required("LocalJobId"));
      u.wall_s = number(w, "WallDuration", required("WallDuration"));
      u.cpu_s = number(w, "CpuDuration", required("CpuDuration"));
      u.start = number(w, "StartTime", required("StartTime"));
      u.end = number(w, "EndTime", required("EndTime"));
      u.site = o.site.empty() ? site : o.site;
      u.user = std::string(value("LocalUserId"));
      if (u.user.empty()) u.user = std::string(value("GlobalUserName"));
      if (u.user.empty()) w.fail("LocalUserId", "missing, and no GlobalUserName either");
      u.queue = std::string(value("Queue"));
      u.vo = std::string(value("VO"));
      if (u.vo.empty()) {
        // The FQAN's first group is the VO: /atlas/Role=production/Capability=NULL
        auto fqan = value("FQAN");
        if (fqan.size() > 1 && fqan[0] == '/')
          u.vo = std::string(fqan.substr(1, fqan.find('/', 1) - 1));
      }
      if (u.vo.empty()) u.vo = o.vo;
      auto group = value("VOGroup");
      if (!group.empty() && group[0] == '/') group.remove_prefix(1);
      u.project = std::string(group);
      u.cores = value("Processors").empty() ? 1 : number(w, "Processors", value("Processors"));
      if (!value("MemoryReal").empty())
        u.mem_peak_bytes =
            bytes_of(w, "MemoryReal", number(w, "MemoryReal", value("MemoryReal")) * 1024);
      u.record_id =
          "apel:" + site + ":" + host + ":" + u.job_id + ":" + std::string(required("EndTime"));
      validate(w, u);
      sink(u);
      ++stats.records;
    });
    (void)line_no;
    rec.clear();
    rec_line = 0;
  };
  for_each_line(text, [&](std::string_view line, std::uint64_t line_no) {
    auto t = trim(line);
    if (t.empty()) return;
    if (t == "%%") {
      if (!rec.empty() || bad_record) {
        if (bad_record) {
          rec.clear();
          bad_record = false;
        } else {
          finish(line_no);
        }
      }
      return;
    }
    if (t.starts_with("APEL-individual-job-message:")) return;
    if (t.starts_with("APEL-"))
      Where{name, line_no}.fail("not an individual job message: '" + std::string(t) + "'");
    auto colon = t.find(':');
    if (rec.empty()) rec_line = line_no;
    if (colon == std::string_view::npos) {
      if (!guarded(o, stats, [&] { Where{name, line_no}.fail("expected 'Key: value'"); }))
        bad_record = true;
      return;
    }
    rec[std::string(trim(t.substr(0, colon)))] = std::string(trim(t.substr(colon + 1)));
  });
  if (!rec.empty()) finish(0); // the last record without its "%%"
  return stats;
}

} // namespace

Source parse_source(const std::string &name) {
  if (name == "sacct") return Source::sacct;
  if (name == "swf") return Source::swf;
  if (name == "apel") return Source::apel;
  usage_error("--from: expected sacct, swf or apel, got '" + name + "'");
}

std::string slurm_state(std::string_view state, bool &ended) {
  // Slurm's job states (sacct(1), JOB STATE CODES); "CANCELLED by 1000" carries who.
  auto word = state.substr(0, state.find(' '));
  while (!word.empty() && word.back() == '+') word.remove_suffix(1); // sacct's truncation mark
  ended = true;
  if (word == "COMPLETED" || word == "CD") return "succeeded";
  if (word == "FAILED" || word == "F" || word == "NODE_FAIL" || word == "NF" ||
      word == "OUT_OF_MEMORY" || word == "OOM" || word == "BOOT_FAIL" || word == "BF" ||
      word == "SPECIAL_EXIT" || word == "SE")
    return "failed";
  if (word == "CANCELLED" || word == "CA") return "cancelled";
  if (word == "TIMEOUT" || word == "TO" || word == "DEADLINE" || word == "DL") return "timeout";
  if (word == "PREEMPTED" || word == "PR") return "preempted";
  ended = false;
  static const std::string_view running[] = {
      "PENDING",     "PD",           "RUNNING",     "R",         "REQUEUED", "RQ",
      "RESIZING",    "RS",           "SUSPENDED",   "S",         "REVOKED",  "RV",
      "REQUEUE_FED", "REQUEUE_HOLD", "SIGNALING",   "STAGE_OUT", "STOPPED",  "ST",
      "COMPLETING",  "CG",           "CONFIGURING", "CF"};
  for (auto r : running)
    if (word == r) return "";
  data_error("unknown Slurm state '" + std::string(state) + "'");
}

std::uint32_t tres_gpus(std::string_view tres, std::string &model) {
  model.clear();
  std::uint64_t plain = 0, typed = 0;
  bool have_plain = false;
  std::size_t start = 0;
  while (start < tres.size()) {
    auto comma = tres.find(',', start);
    auto item = tres.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                   : comma - start);
    start = comma == std::string_view::npos ? tres.size() : comma + 1;
    if (!item.starts_with("gres/gpu")) continue;
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      data_error("'" + std::string(item) + "': expected gres/gpu[:TYPE]=N");
    auto key = item.substr(0, eq), value = item.substr(eq + 1);
    std::uint64_t n = 0;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || ptr != value.data() + value.size() || n > 1'000'000)
      data_error("'" + std::string(item) + "': expected a GPU count");
    if (key == "gres/gpu") {
      plain += n;
      have_plain = true;
    } else if (key.size() > 9 && key[8] == ':') {
      // gres/gpu:a100=2; Slurm lists it beside the untyped total when both are tracked.
      typed += n;
      if (!model.empty()) model += '+';
      model += key.substr(9);
    }
  }
  return static_cast<std::uint32_t>(have_plain ? plain : typed);
}

double slurm_time(std::string_view text, bool utc) {
  text = trim(text);
  // Slurm's ISO form: YYYY-MM-DDTHH:MM:SS (no zone: the client's local time).
  int y, mo, d, h, mi, s;
  char t;
  std::string buf(text);
  if (text.size() != 19 ||
      std::sscanf(buf.c_str(), "%4d-%2d-%2d%c%2d:%2d:%2d", &y, &mo, &d, &t, &h, &mi, &s) != 7 ||
      (t != 'T' && t != ' '))
    return parse_timestamp(text); // epoch seconds, RFC 3339 with a zone
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    data_error("invalid time '" + buf + "'");
  if (utc) {
    return static_cast<double>(
        days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
        mi * 60 + s);
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  tm.tm_isdst = -1;
  auto v = std::mktime(&tm);
  if (v == static_cast<std::time_t>(-1)) data_error("invalid local time '" + buf + "'");
  return static_cast<double>(v);
}

ImportStats import_usage(Source source, std::string_view text, const std::string &name,
                         const ImportOptions &options, const UsageSink &sink) {
  switch (source) {
  case Source::sacct: return import_sacct(text, name, options, sink);
  case Source::swf: return import_swf(text, name, options, sink);
  case Source::apel: return import_apel(text, name, options, sink);
  }
  fail(Exit::internal, "unknown source");
}

} // namespace aip::accounting
