#include "aip/dispatch/policy.hpp"

#include <aip/core/csv.hpp>
#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/units.hpp>

#include <algorithm>
#include <climits>
#include <cmath>
#include <set>

namespace aip::dispatch {
namespace {

double setting_number(const Section *s, const char *key, double fallback) {
  if (s == nullptr) return fallback;
  const Setting *st = s->find(key);
  if (st == nullptr) return fallback;
  try {
    if (std::string(key).find("memory") != std::string::npos)
      return static_cast<double>(parse_size(st->value));
    return std::stod(st->value);
  } catch (const std::exception &) {
    usage_error(st->where + ": " + key + ": expected a number");
  }
}

struct Use {
  double jobs = 0, cpus = 0, gpus = 0, memory = 0;
  void add(const records::Job &j, double sign = 1) {
    jobs += sign;
    cpus += sign * j.resources.cpus;
    gpus += sign * j.resources.gpus;
    memory += sign * static_cast<double>(j.resources.memory_bytes);
  }
};

void take(FairShare &fs, const std::string &user, const std::string &project, double v,
          const std::string &where) {
  if (!std::isfinite(v) || v < 0 || v > 1)
    data_error(where + ": field 'fairshare': expected a number from 0 to 1");
  if (!user.empty())
    fs.user[user] = v;
  else if (!project.empty())
    fs.project[project] = v;
  else
    data_error(where + ": needs a 'user' or 'project' field");
}

} // namespace

double FairShare::of(const records::Job &job) const {
  if (auto u = user.find(job.owner.user); u != user.end()) return u->second;
  if (auto p = project.find(job.owner.project); p != project.end()) return p->second;
  return 0.5;
}

FairShare FairShare::parse(std::string_view text, const std::string &name) {
  FairShare fs;
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return fs;
  const char *value_keys[] = {"fairshare", "fair_share", "factor"};
  if (text[first] == '{') {
    std::size_t line_no = 0, start = 0;
    while (start < text.size()) {
      auto nl = text.find('\n', start);
      std::string_view line =
          text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
      start = nl == std::string_view::npos ? text.size() : nl + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      std::string where = name + ":" + std::to_string(line_no);
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) data_error(where + ": not a JSON object");
      std::optional<double> v;
      for (const char *k : value_keys)
        if (j.contains(k) && j[k].is_number()) {
          v = j[k].get<double>();
          break;
        }
      if (!v) data_error(where + ": field 'fairshare': expected a number");
      auto str = [&](const char *k) {
        return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
      };
      std::string project = str("project").empty() ? str("account") : str("project");
      take(fs, str("user"), project, *v, where);
    }
    return fs;
  }
  csv::Reader r(text, name);
  std::vector<std::string> header, row;
  if (!r.next(header)) return fs;
  int ui = -1, pi = -1, vi = -1;
  for (std::size_t i = 0; i < header.size(); ++i) {
    const auto &h = header[i];
    if (h == "user") ui = static_cast<int>(i);
    if (h == "project" || (h == "account" && pi < 0)) pi = static_cast<int>(i);
    if (vi < 0 && (h == "fairshare" || h == "fair_share" || h == "factor"))
      vi = static_cast<int>(i);
  }
  if (vi < 0) data_error(name + ":1: no 'fairshare' column");
  while (r.next(row)) {
    std::string where = name + ":" + std::to_string(r.line());
    if (static_cast<int>(row.size()) <= vi) data_error(where + ": too few columns");
    double v;
    try {
      std::size_t used = 0;
      v = std::stod(row[vi], &used);
      if (used != row[vi].size()) throw std::invalid_argument("x");
    } catch (const std::exception &) {
      data_error(where + ": field 'fairshare': '" + row[vi] + "' is not a number");
    }
    take(fs, ui >= 0 && ui < static_cast<int>(row.size()) ? row[ui] : "",
         pi >= 0 && pi < static_cast<int>(row.size()) ? row[pi] : "", v, where);
  }
  return fs;
}

FairShare FairShare::load(const std::string &path) {
  return parse(read_file(path), display_name(path));
}

int class_rank(records::PriorityClass c) {
  switch (c) {
  case records::PriorityClass::interactive: return 0;
  case records::PriorityClass::batch: return 1;
  case records::PriorityClass::opportunistic: return 2;
  }
  return 1;
}

std::vector<const Entry *> order_queue(const std::vector<Entry> &queued, const FairShare &fs) {
  std::vector<const Entry *> in;
  in.reserve(queued.size());
  for (const auto &e : queued) in.push_back(&e);
  return order_queue(std::move(in), fs);
}

std::vector<const Entry *> order_queue(std::vector<const Entry *> queued, const FairShare &fs) {
  // The keys once per entry (the dispatcher orders the whole queue every round).
  struct Key {
    int rank;
    double share, submitted;
    const Entry *e;
  };
  std::vector<Key> keys;
  keys.reserve(queued.size());
  for (const Entry *e : queued)
    keys.push_back({class_rank(e->job.priority_class), fs.of(e->job), e->job.submitted_at, e});
  std::sort(keys.begin(), keys.end(), [](const Key &a, const Key &b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.share != b.share) return a.share > b.share;
    if (a.submitted != b.submitted) return a.submitted < b.submitted;
    return a.e->job.id < b.e->job.id;
  });
  for (std::size_t i = 0; i < keys.size(); ++i) queued[i] = keys[i].e;
  return queued;
}

std::vector<Decision> plan(const std::vector<const Entry *> &ordered,
                           const std::vector<Entry> &active, const Node *node,
                           const SiteConfig &site) {
  std::vector<Decision> out;
  double free_cpus = node != nullptr ? node->cpus : 0;
  double free_mem = node != nullptr ? static_cast<double>(node->memory_bytes) : 0;
  std::set<int> free_gpus;
  if (node != nullptr)
    for (std::uint32_t g = 0; g < node->gpus; ++g) free_gpus.insert(static_cast<int>(g));
  std::map<std::string, Use> projects;
  // Resources that jobs already asked to stop will give back.
  double stopping_cpus = 0, stopping_mem = 0;
  std::size_t stopping_gpus = 0;
  for (const auto &a : active) {
    free_cpus -= a.job.resources.cpus;
    free_mem -= static_cast<double>(a.job.resources.memory_bytes);
    for (int g : a.track.gpus) free_gpus.erase(g);
    projects[a.job.owner.project].add(a.job);
    if (!a.track.stopping.empty()) {
      stopping_cpus += a.job.resources.cpus;
      stopping_mem += static_cast<double>(a.job.resources.memory_bytes);
      stopping_gpus += a.track.gpus.size();
    }
  }
  // Opportunistic jobs that can still be preempted, newest first.
  std::vector<const Entry *> victims;
  for (const auto &a : active)
    if (a.job.priority_class == records::PriorityClass::opportunistic && a.track.stopping.empty())
      victims.push_back(&a);
  std::sort(victims.begin(), victims.end(), [](const Entry *a, const Entry *b) {
    double sa = a->track.started_at != 0 ? a->track.started_at : a->track.claimed_at;
    double sb = b->track.started_at != 0 ? b->track.started_at : b->track.claimed_at;
    if (sa != sb) return sa > sb;
    return a->job.id > b->job.id;
  });
  std::size_t next_victim = 0;
  const bool mem_known = node != nullptr && node->memory_bytes != 0;
  int blocked_rank = INT_MAX;

  for (const Entry *e : ordered) {
    const auto &j = e->job;
    const int rank = class_rank(j.priority_class);
    if (node != nullptr)
      if (auto why = exceeds_node(j, *node)) {
        out.push_back({Decision::Kind::reject, j.id, {}, "larger than the node: " + *why, e});
        continue;
      }
    if (rank > blocked_rank) continue;
    // Project quotas on what runs at once.
    if (const Section *p = j.owner.project.empty() ? nullptr : site.project(j.owner.project);
        p != nullptr) {
      const Use &u = projects[j.owner.project];
      if (u.jobs + 1 > setting_number(p, "max-running-jobs", INFINITY) ||
          u.cpus + j.resources.cpus > setting_number(p, "max-running-cpus", INFINITY) ||
          u.gpus + j.resources.gpus > setting_number(p, "max-running-gpus", INFINITY) ||
          u.memory + static_cast<double>(j.resources.memory_bytes) >
              setting_number(p, "max-running-memory", INFINITY))
        continue; // waits for its project's own jobs; others may pass
    }
    auto fits = [&](double cpus, double mem, std::size_t gpus) {
      return j.resources.cpus <= cpus + 1e-9 &&
             (!mem_known || static_cast<double>(j.resources.memory_bytes) <= mem) &&
             j.resources.gpus <= gpus;
    };
    if (node == nullptr || fits(free_cpus, free_mem, free_gpus.size())) {
      Decision d{Decision::Kind::start, j.id, {}, "", e};
      if (node != nullptr) {
        for (std::uint32_t k = 0; k < j.resources.gpus; ++k) {
          d.gpus.push_back(*free_gpus.begin());
          free_gpus.erase(free_gpus.begin());
        }
        free_cpus -= j.resources.cpus;
        free_mem -= static_cast<double>(j.resources.memory_bytes);
      }
      projects[j.owner.project].add(j);
      out.push_back(std::move(d));
      continue;
    }
    if (j.priority_class == records::PriorityClass::interactive) {
      double c = free_cpus + stopping_cpus, m = free_mem + stopping_mem;
      std::size_t g = free_gpus.size() + stopping_gpus;
      std::vector<const Entry *> chosen;
      std::size_t v = next_victim;
      while (!fits(c, m, g) && v < victims.size()) {
        const Entry *x = victims[v++];
        chosen.push_back(x);
        c += x->job.resources.cpus;
        m += static_cast<double>(x->job.resources.memory_bytes);
        g += x->track.gpus.size();
      }
      if (fits(c, m, g)) {
        next_victim = v;
        for (const Entry *x : chosen) {
          out.push_back({Decision::Kind::preempt, x->job.id, {}, "for interactive job " + j.id, x});
          stopping_cpus += x->job.resources.cpus;
          stopping_mem += static_cast<double>(x->job.resources.memory_bytes);
          stopping_gpus += x->track.gpus.size();
        }
        // What is free now and what is being freed is this job's: later jobs must not
        // count on it.
        auto reserve = [](double &free, double &stopping, double need) {
          double t = std::min(std::max(free, 0.0), need);
          free -= t;
          stopping -= need - t;
        };
        reserve(free_cpus, stopping_cpus, j.resources.cpus);
        reserve(free_mem, stopping_mem, static_cast<double>(j.resources.memory_bytes));
        std::size_t need = j.resources.gpus;
        while (need > 0 && !free_gpus.empty()) {
          free_gpus.erase(free_gpus.begin());
          --need;
        }
        stopping_gpus -= std::min(stopping_gpus, need);
      }
    }
    blocked_rank = std::min(blocked_rank, rank);
  }
  return out;
}

} // namespace aip::dispatch
