// The Kubernetes backend: a batch/v1 Job per aip job, queued by Kueue when it carries the
// label kueue.x-k8s.io/queue-name; created, read, listed and deleted through the API server
// with libcurl. Credentials come from the kubeconfig's current context or, inside a pod,
// from the service-account files. Settings: the [kubernetes] section (aip-dispatch(1)).
#pragma once

#include "aip/dispatch/backend.hpp"
#include "aip/dispatch/engine.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace aip::dispatch {

// How to reach the API server.
struct KubeCredentials {
  std::string server;                                 // https://host:port
  std::string ca_file, ca_pem;                        // trust
  std::string cert_file, cert_pem, key_file, key_pem; // client certificate
  std::string token;                                  // secret
  std::string namespace_;                             // the context's (or the pod's) namespace
  std::string source; // "kubeconfig FILE, context C" or "in-cluster"
};

// The kubeconfig's `context` (empty: current-context). Relative file names are taken from
// the kubeconfig's folder. exec and auth-provider plugins and insecure-skip-tls-verify are
// refused (64) rather than half-supported.
KubeCredentials kube_credentials_from_kubeconfig(const std::string &path,
                                                 const std::string &context);
// The same from the kubeconfig's text; `path` names it in errors and anchors relative names.
KubeCredentials kube_credentials_from_text(const std::string &text, const std::string &path,
                                           const std::string &context);
// A pod's own account: KUBERNETES_SERVICE_HOST/PORT and DIR/{token,ca.crt,namespace}.
KubeCredentials kube_credentials_in_cluster(
    const std::string &dir = "/var/run/secrets/kubernetes.io/serviceaccount");

struct KubernetesConfig {
  KubeCredentials credentials;
  std::string namespace_ = "default";
  std::string default_queue;                           // LocalQueue for jobs without a queue
  std::map<std::string, std::string> priority_classes; // aip class -> WorkloadPriorityClass
  std::string gpu_resource = "nvidia.com/gpu";
  std::string gpu_model_label = "nvidia.com/gpu.product"; // node label with the GPU model
  std::map<std::string, std::string> gpu_models;          // aip model name -> label value
  long backoff_limit = 0;
  std::int64_t ttl_after_finished_s = 86400;
  std::string job_id_label = "aip.io/job-id";
  double timeout_s = 30;
  int retries = 4;
  double backoff_s = 0.25;
};

// [kubernetes] keys: kubeconfig, context, service-account-dir, server, token-file, ca-file,
// namespace, default-queue, priority-classes, gpu-resource, gpu-model-label, gpu-models,
// backoff-limit, ttl-after-finished, timeout, retries. Credentials: the kubeconfig named
// there, else $KUBECONFIG, else ~/.kube/config when it exists, else in-cluster; server,
// token-file and ca-file override what those give. Without `credentials` none are read
// (rendering needs none).
KubernetesConfig kubernetes_config(const EngineSettings &settings, bool credentials = true);

// The Job's name: "aip-" + the id in lower case with '_' and '.' as '-', and when that
// changed the id or is longer than 63 bytes, cut and followed by a hash of the id.
std::string kube_job_name(const std::string &job_id);
// The aip id label's value: the id when it is a valid label value, else the name's tail.
std::string kube_label_value(const std::string &job_id);

// The batch/v1 Job of an aip job.
nlohmann::ordered_json render_kube_job(const records::Job &job, const KubernetesConfig &config);

// A Job object (and its pods, a PodList or null) as an observation: Complete -> succeeded,
// Failed -> failed (DeadlineExceeded -> timeout), active pods -> running, suspended (Kueue
// has not admitted it) -> submitted with reason "suspended: waiting for Kueue admission".
Observation kube_observation(const nlohmann::json &job, const nlohmann::json &pods);

std::unique_ptr<Backend> make_kubernetes_backend(const BackendOptions &options);
std::unique_ptr<Backend> make_kubernetes_backend(const KubernetesConfig &config);

} // namespace aip::dispatch
