#include "aip/dispatch/slurm.hpp"

#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>
#include <aip/core/process.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <set>

namespace aip::dispatch {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::vector<std::string_view> split(std::string_view line, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto p = line.find(sep, start);
    out.push_back(
        line.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

// A value that goes into an #SBATCH line: Slurm reads those lines itself (no shell), but
// splits them on blanks and treats quotes and '%' patterns specially, so only plain names
// and paths go there.
void check_directive_value(const std::string &value, const std::string &what) {
  for (char c : value)
    if (std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '\'' || c == '%' ||
        c == '\\' || c == '#' || static_cast<unsigned char>(c) < 0x20)
      usage_error(
          what + " '" + value +
          "' cannot go into an #SBATCH line (blanks, quotes, '%', '\\' and '#' are not allowed)");
}

bool is_id(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c)) == 0 && c != '_' && c != '.') return false;
  return true;
}

std::optional<int> parse_exit(std::string_view text) {
  // "code:signal"
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  try {
    int code = std::stoi(std::string(text.substr(0, colon)));
    int sig = std::stoi(std::string(text.substr(colon + 1)));
    return sig != 0 ? 128 + sig : code;
  } catch (const std::exception &) {
    return std::nullopt;
  }
}

// Slurm prints times as "2026-12-02T05:45:31" in the machine's local time zone.
double slurm_local_time(std::string_view text) {
  std::tm tm{};
  std::string t(text);
  const char *end = ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr || *end != '\0') return 0; // Unknown, None
  tm.tm_isdst = -1;
  return static_cast<double>(std::mktime(&tm));
}

bool unreachable(const std::string &err) {
  for (const char *s :
       {"Unable to contact slurm controller", "Socket timed out", "Connection refused",
        "Zero Bytes were transmitted", "Communication connection failure", "slurm_load_jobs error",
        "Unable to establish", "DNS SRV lookup failed",
        "Could not establish a configuration source"})
    if (err.find(s) != std::string::npos) return true;
  return false;
}

std::string first_line(const std::string &text) {
  std::string t = text;
  for (const char *p : {"sbatch: error: ", "squeue: error: ", "scancel: error: "})
    if (auto at = t.find(p); at != std::string::npos) t = t.substr(at + std::strlen(p));
  auto nl = t.find('\n');
  return t.substr(0, nl);
}

class SlurmBackend : public Backend {
public:
  explicit SlurmBackend(BackendOptions o) : opt_(std::move(o)) {
    check_directive_value(opt_.state_dir + "/logs", "the log folder");
  }
  std::string name() const override { return "slurm"; }
  bool schedules_itself() const override { return true; }
  std::string render(const records::Job &job) const override {
    return render_sbatch(job, opt_.state_dir + "/logs", opt_.qos);
  }

  ProcessResult call(const std::vector<std::string> &argv, const std::string &input = "") {
    ProcessOptions po;
    po.input = input;
    po.timeout = std::chrono::seconds(60);
    ProcessResult r = run_process(argv, po);
    if (r.timed_out) fail(Exit::unavailable, argv[0] + " did not answer within 60 s");
    return r;
  }

  std::vector<SlurmRow> squeue(const std::vector<std::string> &filter) {
    std::vector<std::string> argv{"squeue", "-h", "--states=all", "-o", "%i|%T|%j"};
    argv.insert(argv.end(), filter.begin(), filter.end());
    auto r = call(argv);
    if (r.exit_code != 0) {
      // squeue -j with ids it no longer knows says "Invalid job id specified".
      if (r.err.find("Invalid job id") != std::string::npos) return {};
      fail(Exit::unavailable, "squeue failed: " + first_line(r.err));
    }
    return parse_squeue(r.out, "squeue");
  }

  std::vector<SlurmRow> sacct() {
    auto r = call({"sacct", "-c", "-P", "-n", "-o", "jobid,jobname,state,exitcode,start,end"});
    if (r.exit_code != 0) return {}; // no completion log (yet): squeue's view stands
    return parse_sacct(r.out, "sacct -c");
  }

  static Observation observation(const SlurmRow &row) {
    Observation o;
    o.backend_id = row.job_id;
    o.state = map_slurm_state(row.state, o.reason);
    o.exit_code = row.exit_code;
    // A job cancelled while it waited has no exit code; sacct prints 0:0.
    if (o.state == records::JobState::cancelled && o.exit_code == 0) o.exit_code.reset();
    o.started_at = row.started_at;
    o.ended_at = row.ended_at;
    return o;
  }

  std::optional<Observation> find(const records::Job &job) override {
    const std::string name = "aip-" + job.id;
    for (const auto &row : squeue({"--name=" + name}))
      if (row.name == name) return observation(row);
    for (const auto &row : sacct())
      if (row.name == name) return observation(row);
    return std::nullopt;
  }

  Observation submit(const records::Job &job, const std::vector<int> &) override {
    auto r = call({"sbatch", "--parsable"}, render(job));
    Observation o;
    if (r.exit_code != 0) {
      if (unreachable(r.err)) fail(Exit::unavailable, "sbatch: " + first_line(r.err));
      o.state = records::JobState::failed;
      o.reason = "sbatch refused the job: " + first_line(r.err);
      return o;
    }
    std::string id = r.out.substr(0, r.out.find_first_of(";\n"));
    if (!is_id(id))
      fail(Exit::unavailable,
           "sbatch --parsable printed '" + first_line(r.out) + "', not a job id");
    o.backend_id = id;
    o.state = records::JobState::submitted;
    return o;
  }

  std::map<std::string, Observation> poll(const std::vector<Handle> &handles) override {
    std::map<std::string, Observation> out;
    if (handles.empty()) return out;
    std::string ids;
    std::map<std::string, std::string> by_backend;
    for (const auto &h : handles)
      if (!h.backend_id.empty()) {
        ids += (ids.empty() ? "" : ",") + h.backend_id;
        by_backend[h.backend_id] = h.job_id;
      }
    if (ids.empty()) return out;
    std::set<std::string> final_seen, seen;
    for (const auto &row : squeue({"-j", ids})) {
      auto it = by_backend.find(row.job_id);
      if (it == by_backend.end()) continue;
      Observation o = observation(row);
      seen.insert(row.job_id);
      if (records::is_final(o.state) || o.state == records::JobState::preempted)
        final_seen.insert(row.job_id);
      out[it->second] = o;
    }
    // Exit codes of ended jobs, and jobs squeue no longer lists, from the completion log.
    bool need_log = !final_seen.empty() || seen.size() < by_backend.size();
    if (need_log) {
      std::map<std::string, SlurmRow> log;
      for (auto &row : sacct()) log[row.job_id] = row;
      for (const auto &[bid, jid] : by_backend) {
        auto l = log.find(bid);
        if (final_seen.count(bid) != 0U) {
          if (l != log.end())
            out[jid] = observation(l->second);
          else
            out.erase(jid); // the completion log lags a moment: ask again next time
        } else if (seen.count(bid) == 0U && l != log.end()) {
          out[jid] = observation(l->second);
        }
      }
    }
    for (auto &[jid, o] : out)
      if (o.state == records::JobState::running && o.started_at == 0) o.started_at = now_s();
    return out;
  }

  void cancel(const Handle &h, const std::string &, double) override {
    if (h.backend_id.empty()) return;
    auto r = call({"scancel", h.backend_id});
    if (r.exit_code != 0 && unreachable(r.err))
      fail(Exit::unavailable, "scancel: " + first_line(r.err));
  }

private:
  BackendOptions opt_;
};

} // namespace

std::unique_ptr<Backend> make_slurm_backend(const BackendOptions &options) {
  return std::make_unique<SlurmBackend>(options);
}

std::string shell_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += '\'';
  return out;
}

std::string slurm_time(std::int64_t seconds) {
  std::int64_t minutes = (seconds + 59) / 60; // Slurm limits are whole minutes
  char b[64];
  std::snprintf(b, sizeof b, "%lld-%02lld:%02lld:00", static_cast<long long>(minutes / 1440),
                static_cast<long long>(minutes / 60 % 24), static_cast<long long>(minutes % 60));
  return b;
}

std::string render_sbatch(const records::Job &job, const std::string &logs,
                          const std::map<std::string, std::string> &qos) {
  check_job(job, "job " + job.id);
  check_directive_value(logs, "the log folder");
  std::string s;
  s.reserve(512 + job.command.size() * 16);
  s += "#!/bin/bash\n";
  auto directive = [&](const char *flag, const std::string &value) {
    s += "#SBATCH ";
    s += flag;
    s += '=';
    s += value;
    s += '\n';
  };
  directive("--job-name", "aip-" + job.id);
  directive("--output", logs + "/" + job.id + ".out");
  directive("--error", logs + "/" + job.id + ".err");
  if (!job.queue.empty()) directive("--partition", job.queue);
  if (!job.owner.project.empty()) directive("--account", job.owner.project);
  if (auto q = qos.find(records::to_string(job.priority_class));
      q != qos.end() && !q->second.empty()) {
    check_directive_value(q->second, "QOS");
    directive("--qos", q->second);
  }
  directive("--cpus-per-task",
            std::to_string(static_cast<long long>(std::ceil(job.resources.cpus))));
  if (job.resources.memory_bytes > 0) // 0 would mean "all the node's memory" to Slurm
    directive("--mem", std::to_string((job.resources.memory_bytes + (1 << 20) - 1) >> 20) + "M");
  if (job.resources.gpus > 0)
    directive("--gres",
              "gpu:" + (job.resources.gpu_model.empty() ? "" : job.resources.gpu_model + ":") +
                  std::to_string(job.resources.gpus));
  if (job.resources.disk_bytes > 0)
    directive("--tmp", std::to_string((job.resources.disk_bytes + (1 << 20) - 1) >> 20) + "M");
  directive("--time", slurm_time(job.walltime_s));
  // The submitting environment stays out of the job (it may hold secrets); the job's own
  // variables follow as quoted assignments.
  directive("--export", "NONE");
  s += "# Generated by aip dispatch for job " + job.id +
       ". Every value below is single-quoted: no\n"
       "# part of it is expanded by the shell.\n";
  s += "export PATH=\"${PATH:-/usr/local/bin:/usr/bin:/bin}\"\n";
  for (const auto &[k, v] : job.env) {
    s += "export ";
    s += k; // checked: [A-Za-z_][A-Za-z0-9_]*
    s += '=';
    s += shell_quote(v);
    s += '\n';
  }
  s += "export AIP_JOB_ID=" + shell_quote(job.id) + "\n";
  if (!job.workdir.empty()) s += "cd -- " + shell_quote(job.workdir) + " || exit 1\n";
  s += "exec";
  for (std::size_t i = 0; i < job.command.size(); ++i) {
    s += ' ';
    // "--" is not needed by exec, but a program named "-x" would read as an option.
    if (i == 0 && job.command[0][0] == '-') s += "-- ";
    s += shell_quote(job.command[i]);
  }
  s += '\n';
  return s;
}

records::JobState map_slurm_state(std::string_view state, std::string &reason) {
  using S = records::JobState;
  std::string st(state);
  if (auto sp = st.find(' '); sp != std::string::npos) st = st.substr(0, sp); // "CANCELLED by 0"
  while (!st.empty() && st.back() == '+') st.pop_back();                      // "CANCELLED+"
  static const std::map<std::string, std::pair<S, const char *>> table{
      {"PENDING", {S::submitted, ""}},
      {"PD", {S::submitted, ""}},
      {"CONFIGURING", {S::submitted, ""}},
      {"CF", {S::submitted, ""}},
      {"REQUEUED", {S::submitted, "requeued by Slurm"}},
      {"RQ", {S::submitted, "requeued by Slurm"}},
      {"REQUEUE_HOLD", {S::submitted, "held after requeue"}},
      {"RH", {S::submitted, "held after requeue"}},
      {"REQUEUE_FED", {S::submitted, "requeued"}},
      {"RF", {S::submitted, "requeued"}},
      {"RESV_DEL_HOLD", {S::submitted, "held"}},
      {"RD", {S::submitted, "held"}},
      {"RUNNING", {S::running, ""}},
      {"R", {S::running, ""}},
      {"COMPLETING", {S::running, ""}},
      {"CG", {S::running, ""}},
      {"SUSPENDED", {S::running, "suspended"}},
      {"S", {S::running, "suspended"}},
      {"STOPPED", {S::running, "stopped"}},
      {"ST", {S::running, "stopped"}},
      {"SIGNALING", {S::running, ""}},
      {"SI", {S::running, ""}},
      {"STAGE_OUT", {S::running, ""}},
      {"SO", {S::running, ""}},
      {"RESIZING", {S::running, ""}},
      {"RS", {S::running, ""}},
      {"COMPLETED", {S::succeeded, ""}},
      {"CD", {S::succeeded, ""}},
      {"FAILED", {S::failed, ""}},
      {"F", {S::failed, ""}},
      {"OUT_OF_MEMORY", {S::failed, "out of memory"}},
      {"OOM", {S::failed, "out of memory"}},
      {"NODE_FAIL", {S::failed, "node failure"}},
      {"NF", {S::failed, "node failure"}},
      {"BOOT_FAIL", {S::failed, "boot failure"}},
      {"BF", {S::failed, "boot failure"}},
      {"SPECIAL_EXIT", {S::failed, "special exit"}},
      {"SE", {S::failed, "special exit"}},
      {"DEADLINE", {S::timeout, "deadline reached"}},
      {"DL", {S::timeout, "deadline reached"}},
      {"TIMEOUT", {S::timeout, ""}},
      {"TO", {S::timeout, ""}},
      {"CANCELLED", {S::cancelled, ""}},
      {"CA", {S::cancelled, ""}},
      {"REVOKED", {S::cancelled, "revoked"}},
      {"RV", {S::cancelled, "revoked"}},
      {"PREEMPTED", {S::preempted, ""}},
      {"PR", {S::preempted, ""}},
  };
  auto it = table.find(st);
  if (it == table.end()) data_error("unknown Slurm job state '" + std::string(state) + "'");
  reason = it->second.second;
  return it->second.first;
}

std::vector<SlurmRow> parse_squeue(std::string_view text, const std::string &where) {
  std::vector<SlurmRow> rows;
  std::size_t line_no = 0;
  for (auto line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto f = split(line, '|');
    // The name is last and may itself hold '|': rejoin it.
    if (f.size() < 3 || !is_id(f[0]) || f[1].empty())
      data_error(where + ":" + std::to_string(line_no) + ": expected 'jobid|state|name', got '" +
                 std::string(line) + "'");
    std::string name(line.substr(f[0].size() + f[1].size() + 2));
    rows.push_back({std::string(f[0]), name, std::string(f[1]), std::nullopt});
  }
  return rows;
}

std::vector<SlurmRow> parse_sacct(std::string_view text, const std::string &where) {
  std::vector<SlurmRow> rows;
  std::size_t line_no = 0;
  for (auto line : split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto f = split(line, '|');
    if (f.size() < 6 || !is_id(f[0]))
      data_error(where + ":" + std::to_string(line_no) +
                 ": expected 'jobid|jobname|state|exitcode|start|end', got '" + std::string(line) +
                 "'");
    // jobname may hold '|': the last four fields are counted from the end.
    const std::size_t n = f.size();
    std::size_t tail = f[n - 4].size() + f[n - 3].size() + f[n - 2].size() + f[n - 1].size() + 4;
    std::string name(line.substr(f[0].size() + 1, line.size() - f[0].size() - 1 - tail));
    rows.push_back({std::string(f[0]), name, std::string(f[n - 4]), parse_exit(f[n - 3]),
                    slurm_local_time(f[n - 2]), slurm_local_time(f[n - 1])});
  }
  return rows;
}

} // namespace aip::dispatch
