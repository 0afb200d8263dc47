// The engine backends' readers: engine sections of the configuration, kubeconfig YAML, and
// the JSON the engines answer (Kubernetes Jobs and pods, Nomad allocations, HTCondor job ads,
// slurmrestd jobs). Any bytes either parse or raise aip::Error; a job that parses renders
// for every engine or raises aip::Error.
#include <aip/core/error.hpp>
#include <aip/dispatch/htcondor.hpp>
#include <aip/dispatch/http.hpp>
#include <aip/dispatch/kubernetes.hpp>
#include <aip/dispatch/nomad.hpp>
#include <aip/dispatch/slurmrestd.hpp>

template <class F> void guarded(F &&f) {
  try {
    f();
  } catch (const aip::Error &) {
  }
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  using namespace aip::dispatch;
  const std::string text(reinterpret_cast<const char *>(data), size);
  guarded([&] {
    EngineSettings s;
    s.section = "kubernetes";
    s.parse(text, "fuzz.conf",
            {"namespace", "priority-classes", "gpu-models", "backoff-limit", "ttl-after-finished",
             "timeout"});
    (void)kubernetes_config(s, false);
  });
  // Relative file names in the kubeconfig resolve under a folder that does not exist.
  guarded([&] { (void)kube_credentials_from_text(text, "/nonexistent/kubeconfig", ""); });
  guarded([&] { (void)http::base64_decode(text, "fuzz"); });
  (void)http::excerpt(http::Response{500, text, "", 1});
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  guarded([&] { (void)kube_observation(j, j); });
  guarded([&] { (void)nomad_observation("aip-x", j); });
  guarded([&] { (void)condor_observation(j); });
  guarded([&] { (void)slurmrestd_observation(j); });
  guarded([&] {
    auto job = aip::records::job_from_json(j, "fuzz");
    (void)render_kube_job(job, KubernetesConfig{});
    (void)render_nomad_job(job, NomadConfig{});
    HTCondorConfig c;
    c.logs = "/tmp";
    (void)render_condor_submit(job, c);
    SlurmrestdConfig r;
    r.logs = "/tmp";
    (void)render_slurmrestd_job(job, r);
  });
  return 0;
}
