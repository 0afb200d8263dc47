// Site limits, quotas and the local node, read from the same INI files as every option
// (/etc/aip/aip.conf, $XDG_CONFIG_HOME/aip/aip.conf; see aip-submit(1), CONFIGURATION):
//
//   [limits]                 every job          [queue gpu]   jobs with queue "gpu"
//   [vo vo.imagine-ai.eu]    that VO's jobs     [user alice]  that user's jobs
//   [project uc3]            that project's jobs, and its running quotas
//   [node]                   the local backend's machine
//
// Range keys (any section but [node]): min-/max- cpus, memory, gpus, disk, walltime (human
// units: 16G, 2h30m); images = glob, glob...; classes = interactive, batch. Per-user cap:
// max-user-gpus (GPUs of one user across running and queued jobs). Project quotas on what
// runs at once: max-running-jobs, -cpus, -gpus, -memory. [node]: cpus, memory, gpus,
// gpu-model, runtime (none, podman or apptainer). Other sections belong to other tools.
#pragma once

#include <aip/records/job.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::dispatch {

struct Setting {
  std::string key, value, where; // where: "file:line"
};

struct Section {
  std::string kind;  // limits, queue, vo, user, project, node
  std::string name;  // the queue, VO, user or project; empty for limits and node
  std::string where; // file:line of the header
  std::vector<Setting> settings;
  const Setting *find(std::string_view key) const;
  std::string label() const; // "queue 'gpu'", "site limits"
};

struct Node {
  double cpus = 0;
  std::uint64_t memory_bytes = 0;
  std::uint32_t gpus = 0;
  std::string gpu_model;
  std::string runtime = "none";
};

struct SiteConfig {
  std::vector<Section> sections;
  // Files that do not exist are skipped; an unknown key in one of the sections above, or a
  // value that cannot be read, is an error naming file and line (64).
  static SiteConfig load(const std::vector<std::string> &files);
  // The same from bytes (tests, fuzzing); adds to this config.
  void parse(std::string_view text, const std::string &name);
  // The sections that apply to a job, in file order.
  std::vector<const Section *> applying(const records::Job &job) const;
  const Section *project(const std::string &name) const;
  // The [node] section over what the machine reports (CPUs of our affinity mask, MemTotal,
  // /dev/nvidiaN devices).
  Node node() const;
};

// A refused job: the limit's name, its section and file:line, and what the job asked for.
struct Refusal {
  std::string limit;   // "max-gpus"
  std::string message; // the whole sentence
};

// Checks a job against every section that applies, and the per-user GPU cap against
// `live` (the user's running and queued jobs, without this one).
std::optional<Refusal> check_limits(const records::Job &job, const SiteConfig &site,
                                    const std::vector<records::Job> &live);

// Whether a job can ever run on `node`: the reason it cannot, or nothing.
std::optional<std::string> exceeds_node(const records::Job &job, const Node &node);

// Glob match of an image name against a pattern (fnmatch without FNM_PATHNAME: '*' spans
// '/' so "ai4oshub/*" allows "ai4oshub/yolo:latest").
bool image_allowed(const std::string &image, const std::string &pattern);

} // namespace aip::dispatch
