// aip.job/v1: a job as `aip submit` builds it and `aip dispatch` runs it.
#pragma once

#include "aip/records/fields.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aip::records {

inline constexpr const char *kJobKind = "aip.job/v1";

enum class PriorityClass { interactive, batch, opportunistic };
std::string to_string(PriorityClass p);
PriorityClass parse_priority_class(const std::string &text); // throws Exit::data

struct Owner {
  std::string user, project, vo;
  bool operator==(const Owner &) const = default;
};

struct Resources {
  double cpus = 1;
  std::uint64_t memory_bytes = 0;
  std::uint32_t gpus = 0;
  std::string gpu_model;
  std::string mig_profile; // e.g. "1g.10gb"
  std::uint64_t disk_bytes = 0;
  bool operator==(const Resources &) const = default;
};

struct Mount {
  std::string source, target;
  bool read_only = false;
  bool operator==(const Mount &) const = default;
};

struct Job {
  std::string id, name;
  Owner owner;
  std::string image;
  std::vector<std::string> command;
  std::map<std::string, std::string> env;
  std::string workdir;
  Resources resources;
  std::int64_t walltime_s = 3600;
  PriorityClass priority_class = PriorityClass::batch;
  std::string queue, site;
  std::vector<Mount> mounts;
  std::map<std::string, std::string> labels;
  bool requeue = false;    // a preempted job goes back to the queue instead of ending
  double submitted_at = 0; // epoch seconds, UTC
  bool operator==(const Job &) const = default;
};

nlohmann::ordered_json to_json(const Job &job);
Job job_from_json(const nlohmann::json &j, const std::string &where);

} // namespace aip::records
