#include "aip/dispatch/nomad.hpp"

#include "aip/dispatch/http.hpp"
#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>
#include <aip/core/units.hpp>

#include <cmath>
#include <sstream>

namespace aip::dispatch {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

const json &field(const json &obj, const char *key) {
  static const json null;
  if (!obj.is_object()) return null;
  auto it = obj.find(key);
  return it == obj.end() ? null : *it;
}

double ns_to_s(const json &v) { return v.is_number() ? v.get<double>() / 1e9 : 0; }

double rfc3339_or_zero(const json &v) {
  if (!v.is_string()) return 0;
  std::string t = v.get<std::string>();
  if (t.rfind("0001-01-01", 0) == 0) return 0; // Go's zero time
  // Nomad prints nanoseconds: "2026-12-02T05:45:31.123456789Z"; seconds are enough.
  if (auto dot = t.find('.'); dot != std::string::npos) {
    auto end = t.find_first_of("Z+-", dot);
    t.erase(dot, end == std::string::npos ? std::string::npos : end - dot);
  }
  try {
    return parse_timestamp(t);
  } catch (const Error &) {
    return 0;
  }
}

std::vector<std::string> split_list(const std::string &v) {
  std::vector<std::string> out;
  std::istringstream in(v);
  std::string item;
  while (std::getline(in, item, ',')) {
    auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(item.substr(b, e - b + 1));
  }
  return out;
}

} // namespace

NomadConfig nomad_config(const EngineSettings &s, bool credentials) {
  NomadConfig c;
  c.address = s.get("address", env_or("NOMAD_ADDR", c.address));
  if (credentials) {
    if (s.has("token-file"))
      c.token = read_secret_file(s.get("token-file"), "the Nomad ACL token");
    else
      c.token = env_or("NOMAD_TOKEN");
  }
  c.ca_file = s.get("ca-file", env_or("NOMAD_CACERT"));
  c.region = s.get("region", env_or("NOMAD_REGION"));
  c.namespace_ = s.get("namespace", env_or("NOMAD_NAMESPACE"));
  if (s.has("datacenters")) c.datacenters = split_list(s.get("datacenters"));
  c.priorities = s.mapping("priorities");
  check_class_mapping(c.priorities, s.where("priorities"));
  for (const auto &[k, v] : c.priorities) {
    std::size_t used = 0;
    int p = 0;
    try {
      p = std::stoi(v, &used);
    } catch (const std::exception &) {
      used = 0;
    }
    if (used != v.size() || p < 1 || p > 100)
      usage_error(s.where("priorities") + ": " + k + ": expected a priority 1-100, got '" + v +
                  "'");
  }
  c.gpu_device = s.get("gpu-device", c.gpu_device);
  c.timeout_s = s.duration("timeout", c.timeout_s);
  c.retries = static_cast<int>(s.integer("retries", c.retries));
  return c;
}

std::string nomad_job_id(const std::string &job_id) { return "aip-" + job_id; }

ordered_json render_nomad_job(const records::Job &job, const NomadConfig &c) {
  check_job(job, "job " + job.id);
  if (job.image.empty())
    usage_error("job " + job.id +
                ": the nomad backend runs containers (docker driver) and needs an image (aip "
                "submit --image)");
  if (!job.resources.mig_profile.empty())
    usage_error("job " + job.id +
                ": the nomad backend has no MIG device mapping; ask for whole GPUs");
  ordered_json config = {{"image", job.image}};
  if (!job.command.empty()) {
    config["command"] = job.command[0];
    config["args"] = std::vector<std::string>(job.command.begin() + 1, job.command.end());
  }
  if (!job.workdir.empty()) config["work_dir"] = job.workdir;
  ordered_json volumes = ordered_json::array();
  for (const auto &m : job.mounts) {
    if (m.source.find(':') != std::string::npos || m.target.find(':') != std::string::npos)
      usage_error("job " + job.id + ": mount '" + m.source + "' -> '" + m.target +
                  "': ':' cannot go into a docker volume");
    volumes.push_back(m.source + ":" + m.target + (m.read_only ? ":ro" : ""));
  }
  if (!volumes.empty()) config["volumes"] = volumes;
  ordered_json env = ordered_json::object();
  for (const auto &[k, v] : job.env) env[k] = v;
  env["AIP_JOB_ID"] = job.id;
  ordered_json resources = {{"Cores", static_cast<long>(std::ceil(job.resources.cpus))}};
  // MemoryMB is mebibytes; round up so the job gets at least what it asked for.
  if (job.resources.memory_bytes > 0)
    resources["MemoryMB"] = static_cast<long>((job.resources.memory_bytes + (1 << 20) - 1) >> 20);
  if (job.resources.gpus > 0) {
    ordered_json device = {{"Name", c.gpu_device}, {"Count", job.resources.gpus}};
    if (!job.resources.gpu_model.empty())
      device["Constraints"] = ordered_json::array({{{"LTarget", "${device.model}"},
                                                    {"RTarget", job.resources.gpu_model},
                                                    {"Operand", "="}}});
    resources["Devices"] = ordered_json::array({device});
  }
  ordered_json meta = {{"aip_job_id", job.id}, {"aip_walltime_s", std::to_string(job.walltime_s)}};
  if (!job.owner.user.empty()) meta["aip_user"] = job.owner.user;
  if (!job.owner.project.empty()) meta["aip_project"] = job.owner.project;
  if (!job.owner.vo.empty()) meta["aip_vo"] = job.owner.vo;
  if (!job.queue.empty()) meta["aip_queue"] = job.queue;
  ordered_json task = {{"Name", "job"},
                       {"Driver", "docker"},
                       {"Config", config},
                       {"Env", env},
                       {"Resources", resources}};
  // No restarts and no rescheduling: a failed run is reported, aip decides what follows.
  ordered_json group = {{"Name", "job"},
                        {"Count", 1},
                        {"RestartPolicy", {{"Attempts", 0}, {"Mode", "fail"}}},
                        {"ReschedulePolicy", {{"Attempts", 0}, {"Unlimited", false}}},
                        {"Tasks", ordered_json::array({task})}};
  if (job.resources.disk_bytes > 0)
    group["EphemeralDisk"] = {
        {"SizeMB", static_cast<long>((job.resources.disk_bytes + (1 << 20) - 1) >> 20)}};
  ordered_json j = {{"ID", nomad_job_id(job.id)},
                    {"Name", nomad_job_id(job.id)},
                    {"Type", "batch"},
                    {"Datacenters", c.datacenters}};
  if (!c.region.empty()) j["Region"] = c.region;
  if (!c.namespace_.empty()) j["Namespace"] = c.namespace_;
  if (auto p = c.priorities.find(records::to_string(job.priority_class)); p != c.priorities.end())
    j["Priority"] = std::stoi(p->second);
  j["Meta"] = meta;
  j["TaskGroups"] = ordered_json::array({group});
  return {{"Job", j}};
}

Observation nomad_observation(const std::string &nomad_id, const json &allocations) {
  using S = records::JobState;
  Observation o;
  o.backend_id = nomad_id;
  o.state = S::submitted;
  if (!allocations.is_array() || allocations.empty()) return o;
  // The newest allocation (the highest CreateIndex) says where the job stands.
  auto index = [](const json &a) {
    return field(a, "CreateIndex").is_number() ? a["CreateIndex"].get<double>() : -1.0;
  };
  const json *newest = nullptr;
  for (const auto &a : allocations)
    if (newest == nullptr || index(a) > index(*newest)) newest = &a;
  const json &a = *newest;
  const std::string client =
      field(a, "ClientStatus").is_string() ? a["ClientStatus"].get<std::string>() : "";
  const std::string desired =
      field(a, "DesiredStatus").is_string() ? a["DesiredStatus"].get<std::string>() : "";
  const json &task = field(field(a, "TaskStates"), "job");
  o.started_at = rfc3339_or_zero(field(task, "StartedAt"));
  double finished = rfc3339_or_zero(field(task, "FinishedAt"));
  const json &events = field(task, "Events");
  if (events.is_array())
    for (const auto &e : events) {
      if (field(e, "Type") == json("Terminated") && field(e, "ExitCode").is_number_integer())
        o.exit_code = e["ExitCode"].get<int>();
      if (field(e, "Type") == json("Terminated") && field(e, "OOMKilled") == json(true))
        o.reason = "out of memory (OOMKilled)";
    }
  if (client == "pending") {
    o.state = S::submitted;
  } else if (client == "running") {
    o.state = S::running;
    if (o.started_at == 0) o.started_at = ns_to_s(field(a, "CreateTime"));
  } else if (client == "complete") {
    // A task ended by a stop (DELETE /v1/job) also completes: the desired status tells.
    o.state = desired == "stop" ? S::cancelled : S::succeeded;
    if (o.state == S::succeeded && o.exit_code.value_or(0) != 0) o.state = S::failed;
  } else if (client == "failed") {
    o.state = S::failed;
    if (o.reason.empty())
      o.reason = field(a, "ClientDescription").is_string()
                     ? a["ClientDescription"].get<std::string>()
                     : "";
  } else if (client == "lost") {
    o.state = S::failed;
    o.reason = "allocation lost (node down)";
  } else {
    data_error("Nomad allocation " +
               (field(a, "ID").is_string() ? a["ID"].get<std::string>() : "?") +
               ": unknown ClientStatus '" + client + "'");
  }
  if (records::is_final(o.state))
    o.ended_at = finished != 0 ? finished : ns_to_s(field(a, "ModifyTime"));
  return o;
}

namespace {

class NomadBackend : public Backend {
public:
  NomadBackend(NomadConfig c, std::optional<EngineSettings> settings)
      : c_(std::move(c)), settings_(std::move(settings)) {}
  std::string name() const override { return "nomad"; }
  bool schedules_itself() const override { return true; }
  std::string render(const records::Job &job) const override {
    return render_nomad_job(job, c_).dump(2) + "\n";
  }

  std::optional<Observation> find(const records::Job &job) override {
    const std::string id = nomad_job_id(job.id);
    auto r = client().request("GET", "/v1/job/" + http::escape(id) + query());
    if (r.status == 404) return std::nullopt;
    if (r.status != 200) http::fail_response(r, service(), "reading job " + id);
    return observe(id);
  }

  Observation submit(const records::Job &job, const std::vector<int> &) override {
    // Registering the same ID again updates the job: a retried POST is harmless.
    auto r = client().request("POST", "/v1/jobs" + query(), render_nomad_job(job, c_).dump());
    Observation o;
    if (r.status == 200) {
      o.backend_id = nomad_job_id(job.id);
      o.state = records::JobState::submitted;
      return o;
    }
    if (r.status == 400) {
      o.state = records::JobState::failed;
      o.reason = "Nomad refused the job (HTTP 400): " + http::excerpt(r);
      return o;
    }
    http::fail_response(r, service(), "registering job " + nomad_job_id(job.id));
  }

  std::map<std::string, Observation> poll(const std::vector<Handle> &handles) override {
    std::map<std::string, Observation> out;
    for (const auto &h : handles) {
      const std::string id = h.backend_id.empty() ? nomad_job_id(h.job_id) : h.backend_id;
      auto r = client().request("GET", "/v1/job/" + http::escape(id) + query());
      if (r.status == 404) {
        if (h.backend_id.empty()) continue;
        Observation o;
        o.backend_id = id;
        o.state = records::JobState::cancelled;
        o.reason = "the job was purged from Nomad";
        out[h.job_id] = o;
        continue;
      }
      if (r.status != 200) http::fail_response(r, service(), "reading job " + id);
      auto job = json::parse(r.body, nullptr, false);
      Observation o = observe(id);
      // A stopped job whose allocation never ran, or that is still stopping.
      if (field(job, "Stop") == json(true) && !records::is_final(o.state)) {
        o.state = records::JobState::cancelled;
        o.reason = "stopped";
      }
      out[h.job_id] = o;
    }
    return out;
  }

  void cancel(const Handle &h, const std::string &, double) override {
    const std::string id = h.backend_id.empty() ? nomad_job_id(h.job_id) : h.backend_id;
    auto r = client().request("DELETE", "/v1/job/" + http::escape(id) + query());
    if (r.status == 200 || r.status == 404) return;
    http::fail_response(r, service(), "stopping job " + id);
  }

private:
  http::Client &client() {
    if (!client_) {
      if (settings_) c_.token = nomad_config(*settings_, true).token;
      http::ClientOptions o;
      o.base_url = c_.address;
      o.service = "the Nomad agent";
      o.ca_file = c_.ca_file;
      if (!c_.token.empty()) o.secret_headers.emplace_back("X-Nomad-Token", c_.token);
      o.timeout_s = c_.timeout_s;
      o.retries = c_.retries;
      o.backoff_s = c_.backoff_s;
      client_ = std::make_unique<http::Client>(o);
    }
    return *client_;
  }
  std::string query() const {
    std::string q;
    if (!c_.namespace_.empty()) q += "&namespace=" + http::escape(c_.namespace_);
    if (!c_.region.empty()) q += "&region=" + http::escape(c_.region);
    if (!q.empty()) q[0] = '?';
    return q;
  }
  std::string service() const { return "the Nomad agent " + c_.address; }
  Observation observe(const std::string &id) {
    auto r = client().request("GET", "/v1/job/" + http::escape(id) + "/allocations" + query());
    if (r.status != 200) http::fail_response(r, service(), "reading the allocations of " + id);
    auto allocs = json::parse(r.body, nullptr, false);
    if (!allocs.is_array())
      fail(Exit::unavailable, service() + ": the allocations of " + id + " are not a JSON array");
    return nomad_observation(id, allocs);
  }

  NomadConfig c_;
  std::optional<EngineSettings> settings_;
  std::unique_ptr<http::Client> client_;
};

const std::set<std::string> kKeys{"address",     "token-file", "ca-file",    "region",  "namespace",
                                  "datacenters", "priorities", "gpu-device", "timeout", "retries"};

} // namespace

std::unique_ptr<Backend> make_nomad_backend(const NomadConfig &config) {
  return std::make_unique<NomadBackend>(config, std::nullopt);
}

std::unique_ptr<Backend> make_nomad_backend(const BackendOptions &options) {
  auto settings = EngineSettings::load(engine_config_files(options), "nomad", kKeys);
  try { // the token now; if its file cannot be read, when the agent is first needed
    return std::make_unique<NomadBackend>(nomad_config(settings, true), std::nullopt);
  } catch (const Error &e) {
    if (e.status() == Exit::usage) throw;
    return std::make_unique<NomadBackend>(nomad_config(settings, false), settings);
  }
}

} // namespace aip::dispatch
