// The Nomad backend: a batch job per aip job (docker driver), registered with
// POST /v1/jobs, observed through GET /v1/job/ID/allocations, stopped with DELETE /v1/job/ID.
// Settings: the [nomad] section (aip-dispatch(1)); the ACL token from token-file or
// $NOMAD_TOKEN, the address from address or $NOMAD_ADDR.
#pragma once

#include "aip/dispatch/backend.hpp"
#include "aip/dispatch/engine.hpp"

#include <nlohmann/json.hpp>

namespace aip::dispatch {

struct NomadConfig {
  std::string address = "http://127.0.0.1:4646";
  std::string token;   // secret
  std::string ca_file; // $NOMAD_CACERT
  std::string region, namespace_;
  std::vector<std::string> datacenters{"*"};
  std::map<std::string, std::string> priorities; // aip class -> Nomad priority (1-100)
  std::string gpu_device = "nvidia/gpu";
  double timeout_s = 30;
  int retries = 4;
  double backoff_s = 0.25;
};

// [nomad] keys: address, token-file, ca-file, region, namespace, datacenters, priorities,
// gpu-device, timeout, retries.
NomadConfig nomad_config(const EngineSettings &settings, bool credentials = true);

// The Nomad job ID of an aip job: "aip-" + the id.
std::string nomad_job_id(const std::string &job_id);

// The body of POST /v1/jobs: {"Job": {...}} in the API's JSON form.
nlohmann::ordered_json render_nomad_job(const records::Job &job, const NomadConfig &config);

// The state of a job from its allocations (GET /v1/job/ID/allocations): the newest
// allocation's ClientStatus (pending, running, complete, failed, lost) and its task's
// Terminated event for the exit code; `stopped` when the job was deregistered.
Observation nomad_observation(const std::string &nomad_id, const nlohmann::json &allocations);

std::unique_ptr<Backend> make_nomad_backend(const BackendOptions &options);
std::unique_ptr<Backend> make_nomad_backend(const NomadConfig &config);

} // namespace aip::dispatch
