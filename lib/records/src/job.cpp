#include "aip/records/job.hpp"

#include <aip/core/units.hpp>

namespace aip::records {

std::string to_string(PriorityClass p) {
  switch (p) {
  case PriorityClass::interactive: return "interactive";
  case PriorityClass::batch: return "batch";
  case PriorityClass::opportunistic: return "opportunistic";
  }
  return "batch";
}

PriorityClass parse_priority_class(const std::string &text) {
  if (text == "interactive") return PriorityClass::interactive;
  if (text == "batch") return PriorityClass::batch;
  if (text == "opportunistic") return PriorityClass::opportunistic;
  data_error("unknown priority class '" + text + "': expected interactive, batch or opportunistic");
}

nlohmann::ordered_json to_json(const Job &job) {
  nlohmann::ordered_json j;
  j["kind"] = kJobKind;
  j["id"] = job.id;
  if (!job.name.empty()) j["name"] = job.name;
  nlohmann::ordered_json owner;
  owner["user"] = job.owner.user;
  if (!job.owner.project.empty()) owner["project"] = job.owner.project;
  if (!job.owner.vo.empty()) owner["vo"] = job.owner.vo;
  j["owner"] = owner;
  if (!job.image.empty()) j["image"] = job.image;
  j["command"] = job.command;
  if (!job.env.empty()) j["env"] = job.env;
  if (!job.workdir.empty()) j["workdir"] = job.workdir;
  nlohmann::ordered_json r;
  r["cpus"] = job.resources.cpus;
  r["memory_bytes"] = job.resources.memory_bytes;
  r["gpus"] = job.resources.gpus;
  if (!job.resources.gpu_model.empty()) r["gpu_model"] = job.resources.gpu_model;
  if (!job.resources.mig_profile.empty()) r["mig_profile"] = job.resources.mig_profile;
  if (job.resources.disk_bytes != 0) r["disk_bytes"] = job.resources.disk_bytes;
  j["resources"] = r;
  j["walltime_s"] = job.walltime_s;
  j["priority_class"] = to_string(job.priority_class);
  if (!job.queue.empty()) j["queue"] = job.queue;
  if (!job.site.empty()) j["site"] = job.site;
  if (!job.mounts.empty()) {
    auto &m = j["mounts"] = nlohmann::ordered_json::array();
    for (const auto &mount : job.mounts)
      m.push_back(
          {{"source", mount.source}, {"target", mount.target}, {"read_only", mount.read_only}});
  }
  if (!job.labels.empty()) j["labels"] = job.labels;
  if (job.requeue) j["requeue"] = true;
  j["submitted_at"] = format_timestamp(job.submitted_at);
  return j;
}

Job job_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kJobKind);
  Job job;
  job.id = f.string("id");
  if (job.id.empty()) f.fail("id", "must not be empty");
  job.name = f.string_or("name", "");
  auto owner = f.object("owner");
  job.owner.user = owner.string("user");
  job.owner.project = owner.string_or("project", "");
  job.owner.vo = owner.string_or("vo", "");
  job.image = f.string_or("image", "");
  job.command = f.strings("command", true);
  if (job.command.empty()) f.fail("command", "must have at least one item");
  job.env = f.string_map("env");
  job.workdir = f.string_or("workdir", "");
  auto res = f.object("resources");
  job.resources.cpus = res.number("cpus");
  if (job.resources.cpus <= 0) res.fail("cpus", "must be greater than 0");
  job.resources.memory_bytes = res.count("memory_bytes");
  auto gpus = res.optional_count("gpus").value_or(0);
  if (gpus > 1'000'000) res.fail("gpus", "implausibly large");
  job.resources.gpus = static_cast<std::uint32_t>(gpus);
  job.resources.gpu_model = res.string_or("gpu_model", "");
  job.resources.mig_profile = res.string_or("mig_profile", "");
  job.resources.disk_bytes = res.optional_count("disk_bytes").value_or(0);
  job.walltime_s = f.integer("walltime_s");
  if (job.walltime_s < 1) f.fail("walltime_s", "must be at least 1");
  const std::string priority = f.string("priority_class");
  try {
    job.priority_class = parse_priority_class(priority);
  } catch (const Error &e) {
    f.fail("priority_class", e.what());
  }
  job.queue = f.string_or("queue", "");
  job.site = f.string_or("site", "");
  if (f.has("mounts")) {
    const auto &m = f.raw("mounts");
    if (!m.is_array()) f.fail("mounts", "expected an array of objects");
    for (std::size_t i = 0; i < m.size(); ++i) {
      FieldReader mf(m[i], where, "mounts[" + std::to_string(i) + "].");
      job.mounts.push_back({mf.string("source"), mf.string("target"),
                            mf.optional_boolean("read_only").value_or(false)});
    }
  }
  job.labels = f.string_map("labels");
  job.requeue = f.optional_boolean("requeue").value_or(false);
  job.submitted_at = f.timestamp("submitted_at");
  return job;
}

} // namespace aip::records
