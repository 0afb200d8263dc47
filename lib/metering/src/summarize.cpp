#include "aip/metering/summarize.hpp"

#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

namespace aip::metering {

void read_meter_input(const std::string &path, MeterInput &into) {
  // Samples are most of the input: decoded straight from simdjson's DOM. The few events and
  // job records go through their general readers.
  auto lines = LineReader::open(path);
  jsonl::for_each_object(*lines, [&](simdjson::dom::object obj, const jsonl::Location &where) {
    std::string_view kind;
    auto k = obj["kind"];
    if (k.error() != simdjson::SUCCESS || k.is_null())
      jsonl::bad_record(where, "field 'kind': missing");
    if (k.get_string().get(kind) != simdjson::SUCCESS)
      jsonl::bad_record(where, "field 'kind': expected a string");
    if (kind == records::kSampleKind) {
      into.samples.emplace_back();
      records::decode_sample(obj, where, into.samples.back());
      return;
    }
    if (kind != records::kEventKind && kind != records::kJobKind)
      jsonl::bad_record(where,
                        "field 'kind': expected aip.sample/v1, aip.event/v1 or aip.job/v1, got '" +
                            std::string(kind) + "'");
    const auto j = nlohmann::json::parse(simdjson::to_string(obj));
    if (kind == records::kEventKind)
      into.events.push_back(records::event_from_json(j, where.str()));
    else
      into.jobs.push_back(records::job_from_json(j, where.str()));
  });
}

double consumed_cpu(const std::vector<const records::Sample *> &s) {
  double total = 0, prev = 0;
  bool first = true;
  double prev_at = 0;
  for (const auto *x : s) {
    if (!first && x->at == prev_at) continue;
    if (first)
      total = x->cpu_s;
    else
      total += x->cpu_s >= prev ? x->cpu_s - prev : x->cpu_s;
    prev = x->cpu_s, prev_at = x->at, first = false;
  }
  return total;
}

std::optional<double>
gpu_util_time_weighted(const std::vector<std::vector<const records::Sample *>> &per_host) {
  double weighted = 0, time = 0, plain = 0;
  std::size_t plain_n = 0;
  for (const auto &s : per_host) {
    for (std::size_t i = 0; i < s.size(); ++i) {
      for (const auto &g : s[i]->gpus) {
        if (!g.util_pct) continue;
        plain += *g.util_pct, ++plain_n;
        if (i + 1 < s.size()) {
          const double dt = s[i + 1]->at - s[i]->at;
          weighted += *g.util_pct * dt, time += dt;
        }
      }
    }
  }
  if (time > 0) return weighted / time;
  if (plain_n > 0) return plain / static_cast<double>(plain_n);
  return std::nullopt;
}

std::string meter_record_id(const std::string &site, const std::string &job_id) {
  // FNV-1a 64 (Fowler, Noll, Vo; offset basis 14695981039346656037, prime 1099511628211).
  std::uint64_t h = 14695981039346656037ULL;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    h = (h ^ 0U) * 1099511628211ULL; // separator, so ("ab","c") != ("a","bc")
  };
  mix("aip.meter");
  mix(site);
  mix(job_id);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string("meter-") + buf;
}

namespace {

using Series = std::map<std::string, std::vector<const records::Sample *>>; // host -> in time order

std::map<std::string, Series> by_job_and_host(const std::vector<records::Sample> &samples) {
  std::map<std::string, Series> out;
  for (const auto &s : samples) out[s.job_id][s.host].push_back(&s);
  for (auto &[job, hosts] : out)
    for (auto &[host, v] : hosts)
      std::stable_sort(v.begin(), v.end(), [](const records::Sample *a, const records::Sample *b) {
        return a->at < b->at;
      });
  return out;
}

} // namespace

std::vector<records::Usage> summarize(const MeterInput &in, const SummarizeOptions &o) {
  std::map<std::string, const records::Job *> jobs;
  for (const auto &j : in.jobs) jobs[j.id] = &j;
  std::map<std::string, std::vector<const records::Event *>> events;
  for (const auto &e : in.events) events[e.job_id].push_back(&e);
  for (auto &[id, v] : events)
    std::stable_sort(v.begin(), v.end(), [](const records::Event *a, const records::Event *b) {
      return a->at < b->at;
    });

  std::vector<records::Usage> out;
  for (const auto &[job_id, hosts] : by_job_and_host(in.samples)) {
    records::Usage u;
    u.job_id = job_id;
    u.source = "meter";
    u.site = o.site;
    double first = 1e300, last = -1e300, cpu = 0;
    std::uint64_t peak = 0;
    std::set<std::string> uuids;
    std::string model;
    std::vector<std::vector<const records::Sample *>> per_host;
    for (const auto &[host, s] : hosts) {
      cpu += consumed_cpu(s);
      std::uint64_t host_peak = 0;
      for (const auto *x : s) {
        host_peak = std::max({host_peak, x->mem_bytes, x->mem_peak_bytes.value_or(0)});
        if (u.user.empty()) u.user = x->user;
        for (const auto &g : x->gpus) {
          uuids.insert(g.uuid);
          if (model.empty()) model = g.model;
        }
      }
      peak += host_peak; // a multi-node job held the sum of its nodes' peaks
      first = std::min(first, s.front()->at), last = std::max(last, s.back()->at);
      per_host.push_back(s);
    }
    u.cpu_s = cpu;
    u.mem_peak_bytes = peak;
    u.gpu_util_mean = gpu_util_time_weighted(per_host);
    u.gpus = static_cast<std::uint32_t>(uuids.size());
    u.gpu_model = model;
    u.start = first, u.end = last;
    u.state = "running";
    if (auto it = jobs.find(job_id); it != jobs.end()) {
      const auto &j = *it->second;
      if (!j.owner.user.empty()) u.user = j.owner.user;
      u.project = j.owner.project, u.vo = j.owner.vo;
      u.queue = j.queue;
      if (u.site.empty()) u.site = j.site;
      u.cores = j.resources.cpus;
      if (j.resources.memory_bytes > 0) u.mem_req_bytes = j.resources.memory_bytes;
      if (j.resources.gpus > 0) u.gpus = j.resources.gpus;
      if (!j.resources.gpu_model.empty()) u.gpu_model = j.resources.gpu_model;
      if (j.submitted_at > 0) u.submit = j.submitted_at;
    }
    if (auto it = events.find(job_id); it != events.end()) {
      bool started = false;
      for (const auto *e : it->second) {
        if (e->state == records::JobState::queued || e->state == records::JobState::submitted) {
          if (!u.submit || e->at < *u.submit) u.submit = e->at;
        } else if (e->state == records::JobState::running && !started) {
          u.start = e->at, started = true;
        }
        if (records::is_final(e->state)) {
          u.end = e->at;
          u.state = records::to_string(e->state);
          u.exit_code = e->exit_code;
        }
      }
      if (u.end < u.start) u.end = u.start;
    }
    u.wall_s = u.end - u.start;
    u.record_id = meter_record_id(u.site, job_id);
    out.push_back(std::move(u));
  }
  return out;
}

std::vector<records::ReportRow> find_idle(const MeterInput &in, const IdleOptions &o) {
  std::vector<records::ReportRow> out;
  for (const auto &[job_id, hosts] : by_job_and_host(in.samples)) {
    for (const auto &[host, s] : hosts) {
      if (s.empty()) continue;
      const double until = s.back()->at;
      std::map<std::string, double> since; // uuid -> start of its trailing idle run
      std::map<std::string, double> max_util;
      std::set<std::string> all;
      for (const auto *x : s)
        for (const auto &g : x->gpus) all.insert(g.uuid);
      for (const auto &uuid : all) {
        // Walk back from the last sample while the GPU is below the threshold.
        std::optional<double> start;
        double mx = 0;
        for (auto it = s.rbegin(); it != s.rend(); ++it) {
          const records::GpuSample *g = nullptr;
          for (const auto &x : (*it)->gpus)
            if (x.uuid == uuid) g = &x;
          if (g == nullptr || !g->util_pct || *g->util_pct >= o.util_below) break;
          start = (*it)->at;
          mx = std::max(mx, *g->util_pct);
        }
        if (start && until - *start >= o.for_s) since[uuid] = *start, max_util[uuid] = mx;
      }
      if (since.empty()) continue;
      records::ReportRow row;
      std::string list;
      double mx = 0;
      for (const auto &[uuid, t] : since) {
        list += (list.empty() ? "" : ",") + uuid;
        mx = std::max(mx, max_util[uuid]);
      }
      double latest_start = 0;
      for (const auto &[uuid, t] : since) latest_start = std::max(latest_start, t);
      row.dimensions = {{"job_id", job_id},
                        {"host", host},
                        {"gpus", list},
                        {"since", format_timestamp(latest_start)},
                        {"until", format_timestamp(until)}};
      row.metrics = {{"idle_s", until - latest_start},
                     {"gpus_idle", static_cast<double>(since.size())},
                     {"gpus", static_cast<double>(all.size())},
                     {"util_max_pct", mx}};
      out.push_back(std::move(row));
    }
  }
  return out;
}

} // namespace aip::metering
