// The slurmrestd backend: Slurm through its REST daemon (openapi/v0.0.38, as Debian 12's
// slurmrestd 22.05 ships it) instead of the command-line clients: POST
// /slurm/v0.0.38/job/submit, GET /slurm/v0.0.38/job/ID (and /jobs to find a job by name),
// DELETE /slurm/v0.0.38/job/ID. Over a unix socket (rest_auth/local: the socket's peer
// is the user) or TCP with a JWT (X-SLURM-USER-NAME, X-SLURM-USER-TOKEN from a file).
// Settings: the [slurmrestd] section.
#pragma once

#include "aip/dispatch/backend.hpp"
#include "aip/dispatch/engine.hpp"

#include <nlohmann/json.hpp>

namespace aip::dispatch {

struct SlurmrestdConfig {
  std::string socket;      // unix socket; or
  std::string url;         // http(s)://host:6820
  std::string user, token; // JWT auth over TCP (token: secret)
  std::string ca_file;
  std::string logs;                       // ID.out, ID.err
  std::map<std::string, std::string> qos; // aip class -> QOS
  std::string path = "/usr/local/bin:/usr/bin:/bin";
  double timeout_s = 30;
  int retries = 4;
};

// [slurmrestd] keys: socket, url, user, token-file, ca-file, qos (CLASS=QOS, ...), path,
// timeout, retries. One of socket and url (needed to talk, not to render).
SlurmrestdConfig slurmrestd_config(const EngineSettings &settings, const BackendOptions &options,
                                   bool credentials = true);

// The body of POST /slurm/v0.0.38/job/submit: {"script": ..., "job": {...}}.
nlohmann::ordered_json render_slurmrestd_job(const records::Job &job,
                                             const SlurmrestdConfig &config);

// One entry of the "jobs" array of GET /slurm/v0.0.38/job/ID as an observation.
Observation slurmrestd_observation(const nlohmann::json &job);

std::unique_ptr<Backend> make_slurmrestd_backend(const BackendOptions &options);
std::unique_ptr<Backend> make_slurmrestd_backend(const SlurmrestdConfig &config);

} // namespace aip::dispatch
