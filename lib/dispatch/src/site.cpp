#include "aip/dispatch/site.hpp"

#include <aip/core/cli.hpp>
#include <aip/core/error.hpp>
#include <aip/core/units.hpp>

#include <cmath>
#include <cstdio>
#include <fnmatch.h>
#include <fstream>
#include <sched.h>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace aip::dispatch {
namespace {

using cli::trim;

const std::set<std::string> kRangeKeys{"min-cpus",     "max-cpus",     "min-memory", "max-memory",
                                       "min-gpus",     "max-gpus",     "min-disk",   "max-disk",
                                       "min-walltime", "max-walltime", "images",     "classes",
                                       "max-user-gpus"};
const std::set<std::string> kProjectKeys{"max-running-jobs", "max-running-cpus", "max-running-gpus",
                                         "max-running-memory"};
const std::set<std::string> kNodeKeys{"cpus", "memory", "gpus", "gpu-model", "runtime"};

std::vector<std::string> split_list(const std::string &v) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(v);
  while (std::getline(in, item, ','))
    if (auto t = trim(item); !t.empty()) out.push_back(t);
  return out;
}

// The value of a numeric key in its unit: sizes in bytes, walltime in seconds, counts.
double number_of(const Setting &s) {
  try {
    const std::string &k = s.key;
    if (k.find("memory") != std::string::npos || k.find("disk") != std::string::npos)
      return static_cast<double>(parse_size(s.value));
    if (k.find("walltime") != std::string::npos) return parse_duration(s.value);
    std::size_t used = 0;
    double v = std::stod(s.value, &used);
    if (used != s.value.size() || !std::isfinite(v) || v < 0) throw std::invalid_argument("x");
    return v;
  } catch (const Error &e) {
    usage_error(s.where + ": " + s.key + ": " + e.what());
  } catch (const std::exception &) {
    usage_error(s.where + ": " + s.key + ": expected a non-negative number, got '" + s.value + "'");
  }
}

void validate(const Setting &s) {
  if (s.key == "images" || s.key == "gpu-model") return;
  if (s.key == "classes") {
    for (const auto &c : split_list(s.value)) try {
        (void)records::parse_priority_class(c);
      } catch (const Error &e) {
        usage_error(s.where + ": classes: " + e.what());
      }
    return;
  }
  if (s.key == "runtime") {
    if (s.value != "none" && s.value != "podman" && s.value != "apptainer")
      usage_error(s.where + ": runtime: expected none, podman or apptainer, got '" + s.value + "'");
    return;
  }
  (void)number_of(s);
}

std::string human(double v, const std::string &key) {
  char b[64];
  if (key.find("memory") != std::string::npos || key.find("disk") != std::string::npos) {
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    int u = 0;
    while (v >= 1024 && u < 5) {
      v /= 1024;
      ++u;
    }
    std::snprintf(b, sizeof b, "%.4g %s", v, units[u]);
  } else if (key.find("walltime") != std::string::npos) {
    std::snprintf(b, sizeof b, "%.0f s", v);
  } else {
    std::snprintf(b, sizeof b, "%.4g", v);
  }
  return b;
}

std::uint64_t detect_memory() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemTotal:") return kib * 1024;
  return 0;
}

std::uint32_t detect_gpus() {
  std::uint32_t n = 0;
  for (int i = 0; i < 64; ++i) {
    struct stat st {};
    if (::stat(("/dev/nvidia" + std::to_string(i)).c_str(), &st) == 0) ++n;
  }
  return n;
}

} // namespace

const Setting *Section::find(std::string_view key) const {
  const Setting *found = nullptr;
  for (const auto &s : settings)
    if (s.key == key) found = &s; // the last one wins, as in the option files
  return found;
}

std::string Section::label() const {
  if (kind == "limits") return "the site limits [limits]";
  return kind + " '" + name + "'";
}

void SiteConfig::parse(std::string_view text, const std::string &name) {
  Section *current = nullptr;
  auto on_section = [&](const std::string &header, const std::string &where) {
    auto space = header.find_first_of(" \t");
    std::string kind = header.substr(0, space);
    std::string arg =
        space == std::string::npos ? "" : trim(std::string_view(header).substr(space));
    if (arg.size() >= 2 && arg.front() == '"' && arg.back() == '"')
      arg = arg.substr(1, arg.size() - 2);
    current = nullptr;
    bool named = kind == "queue" || kind == "vo" || kind == "user" || kind == "project";
    if (named) {
      if (arg.empty()) usage_error(where + ": [" + kind + " NAME] needs a name");
    } else if (kind == "limits" || kind == "node") {
      if (!arg.empty()) usage_error(where + ": [" + kind + "] takes no name");
    } else {
      return; // another tool's section ([drift], [account] ...)
    }
    sections.push_back({kind, arg, where, {}});
    current = &sections.back();
  };
  cli::read_ini(text, name, on_section, [&](const cli::IniEntry &e) {
    if (current == nullptr) return; // global options and other tools' sections
    Setting s{e.key, e.value, e.where};
    const auto &keys = current->kind == "node" ? kNodeKeys : kRangeKeys;
    bool known =
        keys.count(s.key) != 0U || (current->kind == "project" && kProjectKeys.count(s.key) != 0U);
    if (!known)
      usage_error(e.where + ": unknown key '" + s.key + "' in [" + current->kind +
                  (current->name.empty() ? "" : " " + current->name) + "]");
    validate(s);
    current->settings.push_back(std::move(s));
  });
}

SiteConfig SiteConfig::load(const std::vector<std::string> &files) {
  SiteConfig c;
  for (const auto &f : files) {
    std::ifstream in(f);
    if (!in) continue;
    std::stringstream buf;
    buf << in.rdbuf();
    c.parse(buf.str(), f);
  }
  return c;
}

std::vector<const Section *> SiteConfig::applying(const records::Job &job) const {
  std::vector<const Section *> out;
  for (const auto &s : sections) {
    if ((s.kind == "limits") || (s.kind == "queue" && s.name == job.queue) ||
        (s.kind == "vo" && s.name == job.owner.vo) ||
        (s.kind == "user" && s.name == job.owner.user) ||
        (s.kind == "project" && s.name == job.owner.project))
      out.push_back(&s);
  }
  return out;
}

const Section *SiteConfig::project(const std::string &name) const {
  for (const auto &s : sections)
    if (s.kind == "project" && s.name == name) return &s;
  return nullptr;
}

Node SiteConfig::node() const {
  Node n;
  cpu_set_t set;
  CPU_ZERO(&set);
  n.cpus = ::sched_getaffinity(0, sizeof set, &set) == 0
               ? CPU_COUNT(&set)
               : static_cast<double>(::sysconf(_SC_NPROCESSORS_ONLN));
  n.memory_bytes = detect_memory();
  n.gpus = detect_gpus();
  for (const auto &s : sections) {
    if (s.kind != "node") continue;
    for (const auto &st : s.settings) {
      if (st.key == "cpus")
        n.cpus = number_of(st);
      else if (st.key == "memory")
        n.memory_bytes = static_cast<std::uint64_t>(number_of(st));
      else if (st.key == "gpus")
        n.gpus = static_cast<std::uint32_t>(number_of(st));
      else if (st.key == "gpu-model")
        n.gpu_model = st.value;
      else if (st.key == "runtime")
        n.runtime = st.value;
    }
  }
  return n;
}

bool image_allowed(const std::string &image, const std::string &pattern) {
  return ::fnmatch(pattern.c_str(), image.c_str(), 0) == 0;
}

std::optional<Refusal> check_limits(const records::Job &job, const SiteConfig &site,
                                    const std::vector<records::Job> &live) {
  struct Quantity {
    const char *name;
    double value;
  };
  const Quantity asked[] = {{"cpus", job.resources.cpus},
                            {"memory", static_cast<double>(job.resources.memory_bytes)},
                            {"gpus", static_cast<double>(job.resources.gpus)},
                            {"disk", static_cast<double>(job.resources.disk_bytes)},
                            {"walltime", static_cast<double>(job.walltime_s)}};
  for (const Section *sec : site.applying(job)) {
    for (const auto &q : asked) {
      for (const char *bound : {"min-", "max-"}) {
        std::string key = std::string(bound) + q.name;
        const Setting *s = sec->find(key);
        if (s == nullptr) continue;
        double limit = number_of(*s);
        bool is_max = bound[1] == 'a';
        if (is_max ? q.value > limit : q.value < limit)
          return Refusal{key, "refused by " + key + " = " + s->value + " of " + sec->label() +
                                  " (" + s->where + "): the job asks for " + human(q.value, key) +
                                  ", " + (is_max ? "at most " : "at least ") + human(limit, key) +
                                  " allowed"};
      }
    }
    if (const Setting *s = sec->find("images")) {
      bool ok = false;
      for (const auto &p : split_list(s->value)) ok = ok || image_allowed(job.image, p);
      if (!ok)
        return Refusal{"images", "refused by images = " + s->value + " of " + sec->label() + " (" +
                                     s->where + "): image '" + job.image + "' is not allowed"};
    }
    if (const Setting *s = sec->find("classes")) {
      auto allowed = split_list(s->value);
      if (std::find(allowed.begin(), allowed.end(), records::to_string(job.priority_class)) ==
          allowed.end())
        return Refusal{"classes", "refused by classes = " + s->value + " of " + sec->label() +
                                      " (" + s->where + "): priority class '" +
                                      records::to_string(job.priority_class) + "' is not allowed"};
    }
  }
  // The per-user GPU cap: the most specific section that sets it wins (user over vo and
  // queue over the site limits), counted over the user's running and queued jobs.
  const Setting *cap = nullptr;
  const Section *cap_section = nullptr;
  int rank = -1;
  for (const Section *sec : site.applying(job)) {
    const Setting *s = sec->find("max-user-gpus");
    if (s == nullptr) continue;
    int r = sec->kind == "user" ? 3 : sec->kind == "limits" ? 0 : 1;
    if (r >= rank) {
      rank = r;
      cap = s;
      cap_section = sec;
    }
  }
  if (cap != nullptr && job.resources.gpus > 0) {
    double held = 0;
    for (const auto &j : live)
      if (j.owner.user == job.owner.user && j.id != job.id) held += j.resources.gpus;
    double limit = number_of(*cap);
    if (held + job.resources.gpus > limit) {
      char b[256];
      std::snprintf(b, sizeof b,
                    "user '%s' holds %.0f GPUs in running and queued jobs and the job asks for %u "
                    "more; at most %.0f allowed",
                    job.owner.user.c_str(), held, job.resources.gpus, limit);
      return Refusal{"max-user-gpus", "refused by max-user-gpus = " + cap->value + " of " +
                                          cap_section->label() + " (" + cap->where + "): " + b};
    }
  }
  return std::nullopt;
}

std::optional<std::string> exceeds_node(const records::Job &job, const Node &node) {
  char b[256];
  if (job.resources.cpus > node.cpus) {
    std::snprintf(b, sizeof b, "asks for %.4g CPUs; the node has %.4g", job.resources.cpus,
                  node.cpus);
    return b;
  }
  if (node.memory_bytes != 0 && job.resources.memory_bytes > node.memory_bytes) {
    std::snprintf(b, sizeof b, "asks for %llu bytes of memory; the node has %llu",
                  static_cast<unsigned long long>(job.resources.memory_bytes),
                  static_cast<unsigned long long>(node.memory_bytes));
    return b;
  }
  if (job.resources.gpus > node.gpus) {
    std::snprintf(b, sizeof b, "asks for %u GPUs; the node has %u", job.resources.gpus, node.gpus);
    return b;
  }
  if (!job.resources.gpu_model.empty() && job.resources.gpus > 0 &&
      job.resources.gpu_model != node.gpu_model)
    return "asks for GPU model '" + job.resources.gpu_model + "'; the node has '" + node.gpu_model +
           "'";
  return std::nullopt;
}

} // namespace aip::dispatch
