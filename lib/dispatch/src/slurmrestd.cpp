#include "aip/dispatch/slurmrestd.hpp"

#include "aip/dispatch/http.hpp"
#include "aip/dispatch/slurm.hpp"
#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>

#include <cmath>

namespace aip::dispatch {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr const char *kApi = "/slurm/v0.0.38";

const json &field(const json &obj, const char *key) {
  static const json null;
  if (!obj.is_object()) return null;
  auto it = obj.find(key);
  return it == obj.end() ? null : *it;
}

} // namespace

SlurmrestdConfig slurmrestd_config(const EngineSettings &s, const BackendOptions &options,
                                   bool credentials) {
  SlurmrestdConfig c;
  c.socket = s.get("socket");
  c.url = s.get("url");
  if (!c.socket.empty() && !c.url.empty())
    usage_error(s.where("url") +
                ": give one of socket (slurmrestd's unix socket) and url, not both");
  c.user = s.get("user", env_or("USER"));
  if (credentials && s.has("token-file"))
    c.token = read_secret_file(s.get("token-file"), "the Slurm JWT");
  c.ca_file = s.get("ca-file");
  c.logs = options.state_dir + "/logs";
  c.qos = s.mapping("qos");
  if (c.qos.empty()) c.qos = options.qos;
  check_class_mapping(c.qos, s.where("qos"));
  c.path = s.get("path", c.path);
  c.timeout_s = s.duration("timeout", c.timeout_s);
  c.retries = static_cast<int>(s.integer("retries", c.retries));
  return c;
}

ordered_json render_slurmrestd_job(const records::Job &job, const SlurmrestdConfig &c) {
  // The same script as the sbatch backend's (its #SBATCH lines are comments to slurmrestd,
  // which takes the job's properties from "job" below).
  std::string script = render_sbatch(job, c.logs, c.qos);
  ordered_json j;
  j["name"] = "aip-" + job.id;
  if (!job.queue.empty()) j["partition"] = job.queue;
  if (!job.owner.project.empty()) j["account"] = job.owner.project;
  if (auto q = c.qos.find(records::to_string(job.priority_class));
      q != c.qos.end() && !q->second.empty())
    j["qos"] = q->second;
  j["cpus_per_task"] = static_cast<long>(std::ceil(job.resources.cpus));
  if (job.resources.memory_bytes > 0)
    j["memory_per_node"] =
        static_cast<long>((job.resources.memory_bytes + (1 << 20) - 1) >> 20); // MB
  // Whole minutes, rounded up as sbatch --time would.
  j["time_limit"] = static_cast<long>((job.walltime_s + 59) / 60);
  if (job.resources.gpus > 0)
    j["gres"] = "gpu:" + (job.resources.gpu_model.empty() ? "" : job.resources.gpu_model + ":") +
                std::to_string(job.resources.gpus);
  j["current_working_directory"] = job.workdir.empty() ? "/tmp" : job.workdir;
  j["standard_output"] = c.logs + "/" + job.id + ".out";
  j["standard_error"] = c.logs + "/" + job.id + ".err";
  // slurmrestd needs an environment; the job's own variables are set by the script.
  j["environment"] = {{"PATH", c.path}};
  return {{"script", script}, {"job", j}};
}

Observation slurmrestd_observation(const json &job) {
  Observation o;
  const json &id = field(job, "job_id");
  if (!id.is_number_integer()) data_error("slurmrestd: a job without job_id");
  o.backend_id = std::to_string(id.get<long>());
  const json &st = field(job, "job_state");
  if (!st.is_string()) data_error("slurmrestd: job " + o.backend_id + " has no job_state");
  o.state = map_slurm_state(st.get<std::string>(), o.reason);
  if (field(job, "start_time").is_number() && job["start_time"].get<double>() > 0)
    o.started_at = job["start_time"].get<double>();
  if (records::is_final(o.state) || o.state == records::JobState::preempted) {
    if (field(job, "end_time").is_number() && job["end_time"].get<double>() > 0)
      o.ended_at = job["end_time"].get<double>();
    // v0.0.38's exit_code is the wait status of the batch script (3 << 8 for `exit 3`).
    if (field(job, "exit_code").is_number_integer()) {
      int status = job["exit_code"].get<int>();
      o.exit_code = (status & 0x7f) != 0 ? 128 + (status & 0x7f) : (status >> 8) & 0xff;
    }
    if (o.state == records::JobState::cancelled && o.exit_code == 0) o.exit_code.reset();
  }
  return o;
}

namespace {

class SlurmrestdBackend : public Backend {
public:
  SlurmrestdBackend(SlurmrestdConfig c, std::optional<EngineSettings> settings,
                    BackendOptions options)
      : c_(std::move(c)), settings_(std::move(settings)), options_(std::move(options)) {}
  std::string name() const override { return "slurmrestd"; }
  bool schedules_itself() const override { return true; }
  std::string render(const records::Job &job) const override {
    return render_slurmrestd_job(job, c_).dump(2) + "\n";
  }

  std::optional<Observation> find(const records::Job &job) override {
    auto r = client().request("GET", std::string(kApi) + "/jobs");
    if (r.status != 200) http::fail_response(r, service(), "listing jobs");
    const std::string name = "aip-" + job.id;
    std::optional<Observation> found;
    const json list = parse(r);
    for (const auto &j : field(list, "jobs"))
      if (field(j, "name") == json(name))
        found = slurmrestd_observation(j); // the last (newest) one
    return found;
  }

  Observation submit(const records::Job &job, const std::vector<int> &) override {
    // Not idempotent: retried only when slurmrestd cannot have taken it.
    auto r = client().request("POST", std::string(kApi) + "/job/submit",
                              render_slurmrestd_job(job, c_).dump(), http::Retry::unprocessed);
    json body = json::parse(r.body, nullptr, false);
    Observation o;
    if (r.status == 200 && field(body, "job_id").is_number_integer()) {
      o.backend_id = std::to_string(body["job_id"].get<long>());
      o.state = records::JobState::submitted;
      return o;
    }
    if (r.status >= 500 && r.status != 503 && !field(body, "errors").empty()) {
      // slurmrestd 22.05 answers a job Slurm refuses (bad partition, too many CPUs) with
      // 500 and the reason in "errors".
      o.state = records::JobState::failed;
      o.reason = "slurmrestd refused the job: " + http::excerpt(r);
      return o;
    }
    if (r.status == 400 || r.status == 422) {
      o.state = records::JobState::failed;
      o.reason =
          "slurmrestd refused the job (HTTP " + std::to_string(r.status) + "): " + http::excerpt(r);
      return o;
    }
    http::fail_response(r, service(), "submitting job " + job.id);
  }

  std::map<std::string, Observation> poll(const std::vector<Handle> &handles) override {
    std::map<std::string, Observation> out;
    for (const auto &h : handles) {
      if (h.backend_id.empty()) continue;
      auto r = client().request("GET", std::string(kApi) + "/job/" + http::escape(h.backend_id));
      json body = json::parse(r.body, nullptr, false);
      if (r.status != 200) {
        // A job slurmctld has forgotten (MinJobAge) is "Invalid job id": unchanged.
        if (r.status == 500 && http::excerpt(r).find("Invalid job id") != std::string::npos)
          continue;
        http::fail_response(r, service(), "reading job " + h.backend_id);
      }
      for (const auto &j : field(body, "jobs"))
        if (field(j, "job_id").is_number_integer() &&
            std::to_string(j["job_id"].get<long>()) == h.backend_id)
          out[h.job_id] = slurmrestd_observation(j);
    }
    return out;
  }

  void cancel(const Handle &h, const std::string &, double) override {
    if (h.backend_id.empty()) return;
    auto r = client().request("DELETE", std::string(kApi) + "/job/" + http::escape(h.backend_id));
    if (r.status == 200 || r.status == 204) return;
    if (http::excerpt(r).find("already completed") != std::string::npos ||
        http::excerpt(r).find("Invalid job id") != std::string::npos)
      return;
    http::fail_response(r, service(), "cancelling job " + h.backend_id);
  }

private:
  http::Client &client() {
    if (!client_) {
      if (c_.socket.empty() && c_.url.empty())
        usage_error(
            "[slurmrestd]: set socket (slurmrestd's unix socket) or url in the configuration");
      if (settings_) c_.token = slurmrestd_config(*settings_, options_, true).token;
      http::ClientOptions o;
      o.base_url = c_.socket.empty() ? c_.url : "http://localhost";
      o.unix_socket = c_.socket;
      o.service = "slurmrestd";
      o.ca_file = c_.ca_file;
      if (!c_.token.empty()) {
        o.secret_headers.emplace_back("X-SLURM-USER-NAME", c_.user);
        o.secret_headers.emplace_back("X-SLURM-USER-TOKEN", c_.token);
      }
      o.timeout_s = c_.timeout_s;
      o.retries = c_.retries;
      client_ = std::make_unique<http::Client>(o);
    }
    return *client_;
  }
  std::string service() const {
    return "slurmrestd " + (c_.socket.empty() ? c_.url : "at " + c_.socket);
  }
  json parse(const http::Response &r) const {
    auto j = json::parse(r.body, nullptr, false);
    if (!j.is_object())
      fail(Exit::unavailable, service() + ": the answer is not a JSON object: " + http::excerpt(r));
    return j;
  }

  SlurmrestdConfig c_;
  std::optional<EngineSettings> settings_;
  BackendOptions options_;
  std::unique_ptr<http::Client> client_;
};

const std::set<std::string> kKeys{"socket", "url",  "user",    "token-file", "ca-file",
                                  "qos",    "path", "timeout", "retries"};

} // namespace

std::unique_ptr<Backend> make_slurmrestd_backend(const SlurmrestdConfig &config) {
  return std::make_unique<SlurmrestdBackend>(config, std::nullopt, BackendOptions{});
}

std::unique_ptr<Backend> make_slurmrestd_backend(const BackendOptions &options) {
  auto settings = EngineSettings::load(engine_config_files(options), "slurmrestd", kKeys);
  return std::make_unique<SlurmrestdBackend>(slurmrestd_config(settings, options, false), settings,
                                             options);
}

} // namespace aip::dispatch
