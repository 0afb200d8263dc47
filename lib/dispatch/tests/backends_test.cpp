// The engine backends. Protocol tests (names ending in "Protocol") speak real HTTP, over TLS
// with a throwaway certificate, to tests/backends/api_server.py, which answers in the shapes
// the Kubernetes and Nomad API documentation gives (it schedules nothing: the tests set the
// states). Expected values are written out by hand from those documents; the HTCondor
// quoting is checked against an independent reader of condor_submit's documented syntax and
// golden files; rendered Jobs are also read by the real kubectl (client-side dry run).
#include <aip/core/error.hpp>
#include <aip/core/process.hpp>
#include <aip/dispatch/backend.hpp>
#include <aip/dispatch/htcondor.hpp>
#include <aip/dispatch/http.hpp>
#include <aip/dispatch/kubernetes.hpp>
#include <aip/dispatch/nomad.hpp>
#include <aip/dispatch/slurmrestd.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace aip;
using namespace aip::dispatch;
using nlohmann::json;
using records::Job;
using S = records::JobState;

namespace {

const std::string kToken = "s3cr3t-token-that-must-not-leak";

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

void spit(const std::string &path, const std::string &text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string error_of(const std::function<void()> &f, Exit *status = nullptr) {
  try {
    f();
  } catch (const Error &e) {
    if (status != nullptr) *status = e.status();
    return e.what();
  }
  return "";
}

std::string base64(const std::string &in) {
  static const char *t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (unsigned char c : in) {
    v = (v << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += t[(v >> bits) & 63];
    }
  }
  if (bits > 0) out += t[(v << (6 - bits)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

// The local API server, over HTTPS with a certificate made for this run.
class ApiServer {
public:
  explicit ApiServer(std::vector<std::string> extra = {}) {
    char tmpl[] = "/tmp/aip-backends-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    auto r = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                          "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir_ + "/key.pem",
                          "-out", dir_ + "/cert.pem", "-days", "1", "-subj", "/CN=localhost",
                          "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
    if (r.exit_code != 0) throw std::runtime_error("openssl: " + r.err);
    std::vector<std::string> argv{"/usr/bin/python3",
                                  std::string(AIP_SOURCE_DIR) + "/tests/backends/api_server.py",
                                  "--port-file",
                                  dir_ + "/port",
                                  "--cert",
                                  dir_ + "/cert.pem",
                                  "--key",
                                  dir_ + "/key.pem",
                                  "--token",
                                  kToken,
                                  "--nomad-token",
                                  kToken,
                                  "--forbid-namespace",
                                  "locked"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char *> a;
      for (auto &s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      ::execv(a[0], a.data());
      ::_exit(127);
    }
    for (int i = 0; i < 200 && ::access((dir_ + "/port").c_str(), F_OK) != 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    port_ = std::stoi(slurp(dir_ + "/port"));
  }
  ~ApiServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    run_process({"rm", "-rf", "--", dir_});
  }
  std::string url() const { return "https://localhost:" + std::to_string(port_); }
  std::string ca() const { return dir_ + "/cert.pem"; }
  const std::string &dir() const { return dir_; }
  http::ClientOptions client(const std::string &token = kToken) const {
    http::ClientOptions o;
    o.base_url = url();
    o.ca_file = ca();
    o.bearer_token = token;
    o.service = "the test server";
    o.backoff_s = 0.01;
    o.retries = 3;
    return o;
  }
  json control(const std::string &method, const std::string &path, const json &body = nullptr) {
    http::Client c(client());
    auto r = c.request(method, path, body.is_null() ? "" : body.dump());
    return json::parse(r.body);
  }
  void fault(const std::string &method, const std::string &path, int status, int count,
             int retry_after = 0) {
    json f = {{"method", method}, {"path", path}, {"status", status}, {"count", count}};
    if (retry_after > 0) f["retry_after"] = retry_after;
    control("POST", "/_test/faults", f);
  }
  json requests() { return control("GET", "/_test/requests"); }

private:
  std::string dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

Job sample_job(const std::string &id = "j20261202T053100-3f9a1c0d") {
  Job j;
  j.id = id;
  j.name = "train";
  j.owner = {"alice", "uc3", "vo.imagine-ai.eu"};
  j.image = "ai4oshub/yolo:latest";
  j.command = {"python", "train.py", "--epochs", "10"};
  j.env = {{"WANDB_MODE", "offline"}};
  j.workdir = "/srv/work";
  j.resources.cpus = 4;
  j.resources.memory_bytes = 16ULL << 30;
  j.resources.gpus = 1;
  j.resources.gpu_model = "a100";
  j.walltime_s = 6 * 3600;
  j.priority_class = records::PriorityClass::interactive;
  j.queue = "gpu";
  j.mounts = {{"/data/uc3", "/data", true}, {"pvc:checkpoints", "/ckpt", false}};
  return j;
}

KubernetesConfig kube_config(const ApiServer &s) {
  KubernetesConfig c;
  c.credentials.server = s.url();
  c.credentials.ca_file = s.ca();
  c.credentials.token = kToken;
  c.namespace_ = "research";
  c.priority_classes = {{"interactive", "aip-interactive"}, {"batch", "aip-batch"}};
  c.gpu_models = {{"a100", "NVIDIA-A100-SXM4-80GB"}};
  c.backoff_limit = 0;
  c.ttl_after_finished_s = 3600;
  c.backoff_s = 0.01;
  c.retries = 3;
  return c;
}

} // namespace

// --- HTTP -----------------------------------------------------------------------------

TEST(HttpProtocol, KeepAliveReusesOneConnectionOverTls) {
  ApiServer s;
  http::Client c(s.client());
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(c.request("GET", "/apis/batch/v1/namespaces/x/jobs").status, 200);
  EXPECT_EQ(c.connections_opened(), 1);
}

TEST(HttpProtocol, RefusesAServerItCannotVerify) {
  ApiServer s;
  auto o = s.client();
  o.ca_file.clear(); // the system's CAs do not know the throwaway certificate
  http::Client c(o);
  Exit st{};
  auto msg = error_of([&] { c.request("GET", "/apis/batch/v1/namespaces/x/jobs"); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("TLS verification failed"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(kToken), std::string::npos);
}

TEST(HttpProtocol, RetriesServerErrorsWithGrowingBackoff) {
  ApiServer s;
  s.fault("GET", "/apis/", 500, 2);
  auto o = s.client();
  o.backoff_s = 0.1;
  http::Client c(o);
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.request("GET", "/apis/batch/v1/namespaces/x/jobs");
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_GE(took, 0.1 + 0.2);           // waited 0.1 s, then 0.2 s
  EXPECT_EQ(c.connections_opened(), 1); // the connection survived the 500s
}

TEST(HttpProtocol, TooManyRequestsWaitsForRetryAfter) {
  ApiServer s;
  s.fault("GET", "/apis/", 429, 1, 1);
  http::Client c(s.client());
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.request("GET", "/apis/batch/v1/namespaces/x/jobs");
  EXPECT_EQ(r.status, 200);
  EXPECT_GE(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
}

TEST(HttpProtocol, GivesUpAfterTheRetriesAndReturnsTheAnswer) {
  ApiServer s;
  s.fault("GET", "/apis/", 503, 10);
  http::Client c(s.client());
  auto r = c.request("GET", "/apis/batch/v1/namespaces/x/jobs");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 4); // 1 + retries (3)
  Exit st{};
  auto msg = error_of([&] { http::fail_response(r, "the test server", "listing"); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("HTTP 503"), std::string::npos) << msg;
  EXPECT_NE(msg.find("injected by the test"), std::string::npos) << msg;
}

TEST(HttpProtocol, NonIdempotentRequestsAreNotRepeatedAfterA500) {
  ApiServer s;
  s.fault("POST", "/v1/", 500, 1);
  http::Client c(s.client());
  auto r = c.request("POST", "/v1/jobs", "{}", http::Retry::unprocessed);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.attempts, 1);
}

TEST(HttpProtocol, UnreachableServerIsUnavailableAndTheTokenStaysSecret) {
  http::ClientOptions o;
  o.base_url = "https://127.0.0.1:1"; // nothing listens on port 1
  o.bearer_token = kToken;
  o.service = "the Kubernetes API server";
  o.retries = 1;
  o.backoff_s = 0.01;
  http::Client c(o);
  Exit st{};
  auto msg = error_of([&] { c.request("GET", "/x"); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("cannot reach the Kubernetes API server at https://127.0.0.1:1/x"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.find(kToken), std::string::npos);
}

TEST(Http, Base64AndEscapingFollowTheRfcs) {
  // RFC 4648, section 10 test vectors.
  EXPECT_EQ(http::base64_decode("", "t"), "");
  EXPECT_EQ(http::base64_decode("Zg==", "t"), "f");
  EXPECT_EQ(http::base64_decode("Zm8=", "t"), "fo");
  EXPECT_EQ(http::base64_decode("Zm9v", "t"), "foo");
  EXPECT_EQ(http::base64_decode("Zm9vYg==", "t"), "foob");
  EXPECT_EQ(http::base64_decode("Zm9vYmFy", "t"), "foobar");
  EXPECT_EQ(
      error_of([] { http::base64_decode("Zm9v!", "kubeconfig: certificate-authority-data"); }),
      "kubeconfig: certificate-authority-data: not valid base64");
  // RFC 3986: unreserved characters stay, the rest is %XX.
  EXPECT_EQ(http::escape("aip.io/job-id=j1_x~"), "aip.io%2Fjob-id%3Dj1_x~");
}

// --- Kubernetes: rendering ---------------------------------------------------------------

TEST(KubernetesRender, JobHasEveryFieldTheIssueLists) {
  KubernetesConfig c;
  c.namespace_ = "research";
  c.priority_classes = {{"interactive", "aip-interactive"}};
  c.gpu_models = {{"a100", "NVIDIA-A100-SXM4-80GB"}};
  c.backoff_limit = 2;
  c.ttl_after_finished_s = 7200;
  auto m = json(render_kube_job(sample_job(), c));
  EXPECT_EQ(m["apiVersion"], "batch/v1");
  EXPECT_EQ(m["kind"], "Job");
  EXPECT_EQ(m["metadata"]["name"], "aip-j20261202t053100-3f9a1c0d-b5056ad7")
      << "upper case T changed the id: FNV-1a 32 of the id (computed with Python) follows";
  EXPECT_EQ(m["metadata"]["namespace"], "research");
  EXPECT_EQ(m["metadata"]["labels"]["kueue.x-k8s.io/queue-name"], "gpu");
  EXPECT_EQ(m["metadata"]["labels"]["kueue.x-k8s.io/priority-class"], "aip-interactive");
  EXPECT_EQ(m["metadata"]["labels"]["aip.io/job-id"], "j20261202T053100-3f9a1c0d");
  EXPECT_EQ(m["metadata"]["annotations"]["aip.io/job-id"], "j20261202T053100-3f9a1c0d");
  EXPECT_EQ(m["spec"]["suspend"], true);
  EXPECT_EQ(m["spec"]["backoffLimit"], 2);
  EXPECT_EQ(m["spec"]["activeDeadlineSeconds"], 21600);
  EXPECT_EQ(m["spec"]["ttlSecondsAfterFinished"], 7200);
  const json &pod = m["spec"]["template"]["spec"];
  EXPECT_EQ(pod["restartPolicy"], "Never");
  EXPECT_EQ(pod["nodeSelector"]["nvidia.com/gpu.product"], "NVIDIA-A100-SXM4-80GB");
  const json &ctr = pod["containers"][0];
  EXPECT_EQ(ctr["image"], "ai4oshub/yolo:latest");
  EXPECT_EQ(ctr["command"], json({"python", "train.py", "--epochs", "10"}));
  EXPECT_EQ(ctr["workingDir"], "/srv/work");
  EXPECT_EQ(ctr["resources"]["requests"]["cpu"], "4");
  EXPECT_EQ(ctr["resources"]["requests"]["memory"], "17179869184"); // 16 GiB
  EXPECT_EQ(ctr["resources"]["limits"]["memory"], "17179869184");
  EXPECT_EQ(ctr["resources"]["limits"]["nvidia.com/gpu"], "1");
  EXPECT_FALSE(ctr["resources"]["requests"].contains("nvidia.com/gpu"));
  EXPECT_EQ(
      ctr["env"],
      json::parse(
          R"([{"name":"WANDB_MODE","value":"offline"},{"name":"AIP_JOB_ID","value":"j20261202T053100-3f9a1c0d"}])"));
  EXPECT_EQ(ctr["volumeMounts"],
            json::parse(R"([{"name":"mount-0","mountPath":"/data","readOnly":true},
                                                 {"name":"mount-1","mountPath":"/ckpt","readOnly":false}])"));
  EXPECT_EQ(pod["volumes"], json::parse(R"([{"name":"mount-0","hostPath":{"path":"/data/uc3"}},
                                            {"name":"mount-1","persistentVolumeClaim":{"claimName":"checkpoints","readOnly":false}}])"));
}

TEST(KubernetesRender, MigSlicesFractionalCpusAndNoQueue) {
  Job j = sample_job("plain-id");
  j.queue.clear();
  j.resources.cpus = 1.5;
  j.resources.gpus = 2;
  j.resources.mig_profile = "1g.10gb";
  j.resources.gpu_model.clear();
  j.priority_class = records::PriorityClass::opportunistic; // no mapping: no label
  auto m = json(render_kube_job(j, KubernetesConfig{}));
  EXPECT_EQ(m["metadata"]["name"], "aip-plain-id");
  EXPECT_FALSE(m["metadata"]["labels"].contains("kueue.x-k8s.io/queue-name"));
  EXPECT_FALSE(m["metadata"]["labels"].contains("kueue.x-k8s.io/priority-class"));
  EXPECT_FALSE(m["spec"].contains("suspend"));
  const json &res = m["spec"]["template"]["spec"]["containers"][0]["resources"];
  EXPECT_EQ(res["requests"]["cpu"], "1500m");
  EXPECT_EQ(res["limits"]["nvidia.com/mig-1g.10gb"], "2");
  EXPECT_FALSE(res["limits"].contains("nvidia.com/gpu"));
  EXPECT_FALSE(m["spec"]["template"]["spec"].contains("nodeSelector"));
}

TEST(KubernetesRender, NamesAreValidDnsLabelsAndDistinct) {
  EXPECT_EQ(kube_job_name("j1"), "aip-j1");
  std::set<std::string> seen;
  for (const std::string &id : std::vector<std::string>{
           "J1", "j1", "a_b", "a.b", "a-b", std::string(128, 'x'), std::string(127, 'x') + "y"}) {
    std::string n = kube_job_name(id);
    EXPECT_LE(n.size(), 63U) << id;
    for (char c : n)
      EXPECT_TRUE(std::islower(static_cast<unsigned char>(c)) ||
                  std::isdigit(static_cast<unsigned char>(c)) || c == '-')
          << n;
    EXPECT_NE(n.back(), '-');
    EXPECT_TRUE(seen.insert(n).second) << "two ids share the name " << n;
  }
  EXPECT_EQ(kube_label_value("a_b"), "a_b");
  EXPECT_EQ(kube_label_value(std::string(64, 'x')).size(), 59U);
}

TEST(KubernetesRender, RefusesWhatAJobCannotSay) {
  Job j = sample_job();
  j.image.clear();
  EXPECT_NE(
      error_of([&] { render_kube_job(j, KubernetesConfig{}); }).find("needs a container image"),
      std::string::npos);
  j = sample_job();
  j.mounts = {{"relative/dir", "/x", false}};
  EXPECT_NE(error_of([&] {
              render_kube_job(j, KubernetesConfig{});
            }).find("absolute path on the node or pvc:CLAIM"),
            std::string::npos);
}

TEST(KubernetesProtocol, KubectlReadsTheManifest) {
  if (!find_on_path("kubectl")) GTEST_SKIP() << "kubectl is not installed";
  // kubectl maps a manifest to its resource through the server's discovery documents, which
  // the test server answers; the client-side dry run then reads and checks the object
  // without creating it.
  ApiServer s;
  const std::string dir = s.dir();
  spit(dir + "/job.json", render_kube_job(sample_job(), KubernetesConfig{}).dump());
  spit(dir + "/kubeconfig",
       "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: '" + s.url() +
           "', certificate-authority: " + s.ca() +
           "}}]\nusers: [{name: u, user: {token: " + kToken +
           "}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n");
  ProcessOptions po;
  po.set_env = {"KUBECONFIG=" + dir + "/kubeconfig", "HOME=" + dir};
  po.timeout = std::chrono::seconds(60);
  auto r = run_process({"kubectl", "create", "--dry-run=client", "--validate=false", "-o", "json",
                        "-f", dir + "/job.json"},
                       po);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto back = json::parse(r.out);
  EXPECT_EQ(back["kind"], "Job");
  EXPECT_EQ(back["metadata"]["labels"]["kueue.x-k8s.io/queue-name"], "gpu");
  EXPECT_EQ(
      back["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/gpu"],
      "1");
  EXPECT_EQ(back["spec"]["activeDeadlineSeconds"], 21600);
  for (const auto &req : s.requests())
    EXPECT_NE(req["method"], "POST") << "a dry run creates nothing";
}

// --- Kubernetes: the API, one test per answer -------------------------------------------

TEST(KubernetesProtocol, Create201IsSubmittedAndSuspendedUntilKueueAdmits) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  auto o = b->submit(sample_job(), {});
  EXPECT_EQ(o.state, S::submitted);
  EXPECT_EQ(o.backend_id, "aip-j20261202t053100-3f9a1c0d-b5056ad7");
  EXPECT_EQ(o.reason, "suspended: waiting for Kueue admission");
  auto reqs = s.requests();
  ASSERT_GE(reqs.size(), 1U);
  EXPECT_EQ(reqs[0]["method"], "POST");
  EXPECT_EQ(reqs[0]["path"], "/apis/batch/v1/namespaces/research/jobs");
  EXPECT_EQ(reqs[0]["authorization"], true);
  EXPECT_EQ(
      json::parse(
          reqs[0]["body"].get<std::string>())["metadata"]["labels"]["kueue.x-k8s.io/queue-name"],
      "gpu");
}

TEST(KubernetesProtocol, Create409IsAlreadySubmitted) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  auto first = b->submit(sample_job(), {});
  auto again = b->submit(sample_job(), {}); // a retry after a crash, say
  EXPECT_EQ(again.state, S::submitted);
  EXPECT_EQ(again.backend_id, first.backend_id);
  auto list = s.control("GET", "/_test/requests");
  int posts = 0, gets = 0;
  for (const auto &r : list) {
    posts += r["method"] == "POST";
    gets += r["method"] == "GET";
  }
  EXPECT_EQ(posts, 2);
  EXPECT_EQ(gets, 1); // the 409 led to reading the existing job
}

TEST(KubernetesProtocol, Get200MapsConditionsAndPodExitCodes) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  std::vector<Handle> hs;
  const std::vector<std::string> ids{"k-run", "k-ok", "k-fail", "k-late", "k-wait"};
  for (const auto &id : ids) hs.push_back({id, b->submit(sample_job(id), {}).backend_id});
  const std::string base = "/_test/k8s/research/";
  s.control(
      "PUT", base + "aip-k-run",
      json::parse(
          R"({"suspend": false, "status": {"active": 1, "startTime": "2026-12-02T06:00:00Z"}})"));
  s.control("PUT", base + "aip-k-ok",
            json::parse(R"({"suspend": false, "status": {"startTime": "2026-12-02T06:00:00Z",
      "completionTime": "2026-12-02T06:10:00Z", "succeeded": 1,
      "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": "2026-12-02T06:10:00Z"}]},
      "pods": [{"status": {"containerStatuses": [{"name": "job", "state": {"terminated": {"exitCode": 0, "finishedAt": "2026-12-02T06:10:00Z"}}}]}}]})"));
  s.control("PUT", base + "aip-k-fail", json::parse(R"({"suspend": false, "status": {"failed": 1,
      "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit",
                      "lastTransitionTime": "2026-12-02T06:05:00Z"}]},
      "pods": [{"status": {"containerStatuses": [{"name": "job", "state": {"terminated": {"exitCode": 3, "reason": "Error", "finishedAt": "2026-12-02T06:05:00Z"}}}]}}]})"));
  s.control("PUT", base + "aip-k-late", json::parse(R"({"suspend": false, "status": {"failed": 1,
      "conditions": [{"type": "Failed", "status": "True", "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"}]}})"));
  auto seen = b->poll(hs);
  ASSERT_EQ(seen.size(), 5U);
  EXPECT_EQ(seen["k-run"].state, S::running);
  EXPECT_EQ(seen["k-run"].started_at, 1796191200); // 2026-12-02T06:00:00Z (date -d ... +%s)
  EXPECT_EQ(seen["k-ok"].state, S::succeeded);
  EXPECT_EQ(seen["k-ok"].exit_code, 0);
  EXPECT_EQ(seen["k-ok"].ended_at, 1796191800);
  EXPECT_EQ(seen["k-fail"].state, S::failed);
  EXPECT_EQ(seen["k-fail"].exit_code, 3);
  EXPECT_EQ(seen["k-fail"].reason,
            "BackoffLimitExceeded: Job has reached the specified backoff limit");
  EXPECT_EQ(seen["k-late"].state, S::timeout);
  EXPECT_EQ(seen["k-wait"].state, S::submitted);
  EXPECT_EQ(seen["k-wait"].reason, "suspended: waiting for Kueue admission");
  // One list for the five, filtered by the server with a set-based selector.
  int lists = 0;
  for (const auto &r : s.requests())
    if (r["method"] == "GET" && r["path"] == "/apis/batch/v1/namespaces/research/jobs") {
      ++lists;
      EXPECT_EQ(
          r["query"],
          "labelSelector=aip.io%2Fjob-id%20in%20%28k-run%2Ck-ok%2Ck-fail%2Ck-late%2Ck-wait%29");
    }
  EXPECT_EQ(lists, 1);
}

TEST(KubernetesProtocol, Delete200InBackgroundThen404IsCancelled) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  Handle h{"k-del", b->submit(sample_job("k-del"), {}).backend_id};
  b->cancel(h, "cancelled", 30);
  b->cancel(h, "cancelled", 30); // 404 the second time: already gone, not an error
  auto reqs = s.requests();
  json del;
  for (const auto &r : reqs)
    if (r["method"] == "DELETE") del = r;
  ASSERT_FALSE(del.is_null());
  EXPECT_EQ(del["path"], "/apis/batch/v1/namespaces/research/jobs/aip-k-del");
  EXPECT_EQ(json::parse(del["body"].get<std::string>())["propagationPolicy"], "Background");
  auto seen = b->poll({h});
  EXPECT_EQ(seen["k-del"].state, S::cancelled);
}

TEST(KubernetesProtocol, ListByLabelFindsAJobAfterACrash) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  b->submit(sample_job("k-found"), {});
  auto o = b->find(sample_job("k-found"));
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->backend_id, "aip-k-found");
  EXPECT_FALSE(b->find(sample_job("k-never")).has_value());
  bool by_label = false;
  for (const auto &r : s.requests())
    by_label = by_label || r["query"] == "labelSelector=aip.io%2Fjob-id%3Dk-found";
  EXPECT_TRUE(by_label);
}

TEST(KubernetesProtocol, Unauthorized401IsUnavailableWithoutTheToken) {
  ApiServer s;
  auto c = kube_config(s);
  c.credentials.token = "wrong-" + kToken;
  auto b = make_kubernetes_backend(c);
  Exit st{};
  auto msg = error_of([&] { b->submit(sample_job(), {}); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("HTTP 401 (unauthorised"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(kToken), std::string::npos);
}

TEST(KubernetesProtocol, Forbidden403NamesThePermission) {
  ApiServer s;
  auto c = kube_config(s);
  c.namespace_ = "locked";
  auto b = make_kubernetes_backend(c);
  Exit st{};
  auto msg = error_of([&] { b->submit(sample_job(), {}); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("HTTP 403 (forbidden"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cannot create resource \"jobs\""), std::string::npos) << msg;
}

TEST(KubernetesProtocol, ServerError500IsRetriedThenUnavailable) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  s.fault("POST", "/apis/", 500, 2);
  EXPECT_EQ(b->submit(sample_job("k-500"), {}).state, S::submitted); // third attempt
  s.fault("POST", "/apis/", 500, 10);
  Exit st{};
  auto msg = error_of([&] { b->submit(sample_job("k-500b"), {}); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("HTTP 500 (server error, still after 4 attempts)"), std::string::npos) << msg;
}

TEST(KubernetesProtocol, TooManyRequests429IsRetriedThenTemporary) {
  ApiServer s;
  auto b = make_kubernetes_backend(kube_config(s));
  s.fault("POST", "/apis/", 429, 1);
  EXPECT_EQ(b->submit(sample_job("k-429"), {}).state, S::submitted);
  s.fault("POST", "/apis/", 429, 10);
  Exit st{};
  error_of([&] { b->submit(sample_job("k-429b"), {}); }, &st);
  EXPECT_EQ(st, Exit::temp_fail);
}

TEST(KubernetesProtocol, KubeconfigCurrentContextWithEmbeddedCa) {
  ApiServer s;
  const std::string kc = s.dir() + "/kubeconfig";
  spit(kc, "apiVersion: v1\nkind: Config\ncurrent-context: lab\n"
           "clusters:\n- name: other\n  cluster: {server: 'https://127.0.0.1:1'}\n"
           "- name: lab\n  cluster:\n    server: " +
               s.url() + "\n    certificate-authority-data: " + base64(slurp(s.ca())) +
               "\n"
               "users:\n- name: dispatcher\n  user:\n    tokenFile: token\n"
               "contexts:\n- name: lab\n  context: {cluster: lab, user: dispatcher, namespace: "
               "research}\n");
  spit(s.dir() + "/token", kToken + "\n"); // relative to the kubeconfig's folder
  spit(s.dir() + "/aip.conf", "[kubernetes]\nkubeconfig = " + kc + "\n");
  BackendOptions bo;
  bo.config_files = {s.dir() + "/aip.conf"};
  auto b = make_kubernetes_backend(bo);
  EXPECT_EQ(b->submit(sample_job("k-kc"), {}).backend_id, "aip-k-kc");
  EXPECT_EQ(s.requests()[0]["path"], "/apis/batch/v1/namespaces/research/jobs");
}

TEST(KubernetesProtocol, InClusterServiceAccount) {
  ApiServer s;
  const std::string sa = s.dir() + "/sa";
  run_process({"mkdir", "-p", sa});
  spit(sa + "/token", kToken);
  spit(sa + "/namespace", "research\n");
  run_process({"cp", s.ca(), sa + "/ca.crt"});
  spit(s.dir() + "/aip.conf", "[kubernetes]\nservice-account-dir = " + sa + "\n");
  ::setenv("KUBERNETES_SERVICE_HOST", "localhost", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", s.url().substr(s.url().rfind(':') + 1).c_str(), 1);
  ::setenv("HOME", s.dir().c_str(), 1); // no ~/.kube/config
  ::unsetenv("KUBECONFIG");
  BackendOptions bo;
  bo.config_files = {s.dir() + "/aip.conf"};
  auto b = make_kubernetes_backend(bo);
  EXPECT_EQ(b->submit(sample_job("k-sa"), {}).state, S::submitted);
  ::unsetenv("KUBERNETES_SERVICE_HOST");
}

TEST(Kubernetes, KubeconfigRefusesWhatWouldWeakenOrEscapeIt) {
  char tmpl[] = "/tmp/aip-kc-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  spit(dir + "/insecure", "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h', "
                          "insecure-skip-tls-verify: true}}]\n"
                          "users: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: "
                          "{cluster: c, user: u}}]\n");
  spit(dir + "/exec", "current-context: x\nclusters: [{name: c, cluster: {server: 'https://h'}}]\n"
                      "users: [{name: u, user: {exec: {command: aws}}}]\ncontexts: [{name: x, "
                      "context: {cluster: c, user: u}}]\n");
  spit(dir + "/nocontext", "current-context: y\ncontexts: []\n");
  Exit st{};
  EXPECT_NE(error_of([&] { kube_credentials_from_kubeconfig(dir + "/insecure", ""); }, &st)
                .find("aip always verifies TLS"),
            std::string::npos);
  EXPECT_EQ(st, Exit::usage);
  EXPECT_NE(error_of([&] {
              kube_credentials_from_kubeconfig(dir + "/exec", "");
            }).find("credential plugin"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { kube_credentials_from_kubeconfig(dir + "/nocontext", ""); }),
            dir + "/nocontext: no context named 'y'");
  run_process({"rm", "-rf", "--", dir});
}

// --- Nomad --------------------------------------------------------------------------------

TEST(NomadRender, BatchJobWithDockerGpuAndMeta) {
  NomadConfig c;
  c.datacenters = {"dc1", "dc2"};
  c.priorities = {{"interactive", "80"}};
  Job j = sample_job();
  EXPECT_NE(error_of([&] {
              render_nomad_job(j, c);
            }).find("mount 'pvc:checkpoints' -> '/ckpt': ':' cannot go into a docker volume"),
            std::string::npos);
  j.mounts.pop_back();
  auto m = json(render_nomad_job(j, c))["Job"];
  EXPECT_EQ(m["ID"], "aip-j20261202T053100-3f9a1c0d");
  EXPECT_EQ(m["Type"], "batch");
  EXPECT_EQ(m["Datacenters"], json({"dc1", "dc2"}));
  EXPECT_EQ(m["Priority"], 80);
  EXPECT_EQ(m["Meta"]["aip_job_id"], "j20261202T053100-3f9a1c0d");
  const json &group = m["TaskGroups"][0];
  EXPECT_EQ(group["RestartPolicy"]["Attempts"], 0);
  const json &task = group["Tasks"][0];
  EXPECT_EQ(task["Driver"], "docker");
  EXPECT_EQ(task["Config"]["image"], "ai4oshub/yolo:latest");
  EXPECT_EQ(task["Config"]["command"], "python");
  EXPECT_EQ(task["Config"]["args"], json({"train.py", "--epochs", "10"}));
  EXPECT_EQ(task["Config"]["volumes"], json({"/data/uc3:/data:ro"}));
  EXPECT_EQ(task["Env"]["WANDB_MODE"], "offline");
  EXPECT_EQ(task["Resources"]["Cores"], 4);
  EXPECT_EQ(task["Resources"]["MemoryMB"], 16384); // 16 GiB in MiB
  EXPECT_EQ(task["Resources"]["Devices"], json::parse(R"([{"Name":"nvidia/gpu","Count":1,
      "Constraints":[{"LTarget":"${device.model}","RTarget":"a100","Operand":"="}]}])"));
}

TEST(NomadProtocol, RegisterObserveAndStop) {
  ApiServer s;
  ::setenv("NOMAD_TOKEN", kToken.c_str(), 1);
  ::setenv("NOMAD_ADDR", s.url().c_str(), 1);
  ::setenv("NOMAD_CACERT", s.ca().c_str(), 1);
  auto b = make_nomad_backend(BackendOptions{}); // everything from the environment
  ::unsetenv("NOMAD_TOKEN");
  Job j = sample_job("n1");
  j.mounts.clear();
  auto o = b->submit(j, {});
  EXPECT_EQ(o.state, S::submitted);
  EXPECT_EQ(o.backend_id, "aip-n1");
  auto reqs = s.requests();
  EXPECT_EQ(reqs[0]["path"], "/v1/jobs");
  EXPECT_EQ(reqs[0]["nomad_token"], true);
  EXPECT_EQ(reqs[0]["authorization"], false);
  Handle h{"n1", "aip-n1"};
  EXPECT_EQ(b->poll({h})["n1"].state, S::submitted); // no allocation yet
  // Allocation stubs as GET /v1/job/:id/allocations documents them.
  s.control(
      "PUT", "/_test/nomad/aip-n1",
      json::parse(
          R"([{"ID": "a1", "CreateIndex": 10, "ClientStatus": "running", "DesiredStatus": "run",
      "CreateTime": 1796191200000000000, "TaskStates": {"job": {"State": "running", "StartedAt": "2026-12-02T06:00:00.123456789Z",
      "FinishedAt": "0001-01-01T00:00:00Z", "Events": []}}}])"));
  auto run = b->poll({h})["n1"];
  EXPECT_EQ(run.state, S::running);
  EXPECT_EQ(run.started_at, 1796191200);
  s.control(
      "PUT", "/_test/nomad/aip-n1",
      json::parse(
          R"([{"ID": "a1", "CreateIndex": 10, "ClientStatus": "failed", "DesiredStatus": "run",
      "TaskStates": {"job": {"State": "dead", "Failed": true, "StartedAt": "2026-12-02T06:00:00Z", "FinishedAt": "2026-12-02T06:01:40Z",
      "Events": [{"Type": "Started"}, {"Type": "Terminated", "ExitCode": 2, "Signal": 0, "OOMKilled": false}]}}}])"));
  auto end = b->poll({h})["n1"];
  EXPECT_EQ(end.state, S::failed);
  EXPECT_EQ(end.exit_code, 2);
  EXPECT_EQ(end.ended_at, 1796191300);
  b->cancel(h, "cancelled", 10);
  bool deleted = false;
  for (const auto &r : s.requests())
    deleted = deleted || (r["method"] == "DELETE" && r["path"] == "/v1/job/aip-n1");
  EXPECT_TRUE(deleted);
  auto found = b->find(j);
  ASSERT_TRUE(found.has_value());
  EXPECT_FALSE(b->find(sample_job("n-never")).has_value());
  ::unsetenv("NOMAD_ADDR");
  ::unsetenv("NOMAD_CACERT");
}

TEST(NomadProtocol, StoppedJobIsCancelledAndAWrongTokenIsRefused) {
  ApiServer s;
  NomadConfig c;
  c.address = s.url();
  c.ca_file = s.ca();
  c.token = kToken;
  auto b = make_nomad_backend(c);
  Job j = sample_job("n2");
  j.mounts.clear();
  b->submit(j, {});
  b->cancel({"n2", "aip-n2"}, "cancelled", 10);
  EXPECT_EQ(b->poll({{"n2", "aip-n2"}})["n2"].state, S::cancelled);
  c.token = "wrong";
  auto bad = make_nomad_backend(c);
  Exit st{};
  auto msg = error_of([&] { bad->submit(j, {}); }, &st);
  EXPECT_EQ(st, Exit::unavailable);
  EXPECT_NE(msg.find("HTTP 403"), std::string::npos) << msg;
  EXPECT_NE(msg.find("Permission denied"), std::string::npos) << msg;
}

TEST(Nomad, AllocationStatesAsDocumented) {
  auto one = [](const char *client, const char *desired, int exit_code) {
    json a = {{"ID", "a"},
              {"CreateIndex", 1},
              {"ClientStatus", client},
              {"DesiredStatus", desired},
              {"TaskStates",
               {{"job",
                 {{"Events", json::array({{{"Type", "Terminated"}, {"ExitCode", exit_code}}})}}}}}};
    return nomad_observation("aip-x", json::array({a}));
  };
  EXPECT_EQ(one("pending", "run", 0).state, S::submitted);
  EXPECT_EQ(one("complete", "run", 0).state, S::succeeded);
  EXPECT_EQ(one("complete", "stop", 137).state, S::cancelled);
  EXPECT_EQ(one("failed", "run", 1).state, S::failed);
  EXPECT_EQ(one("lost", "run", 0).reason, "allocation lost (node down)");
  EXPECT_NE(error_of([&] { one("weird", "run", 0); }).find("unknown ClientStatus 'weird'"),
            std::string::npos);
  // The newest allocation (highest CreateIndex) decides.
  json two = json::array({{{"ID", "new"}, {"CreateIndex", 9}, {"ClientStatus", "running"}},
                          {{"ID", "old"}, {"CreateIndex", 3}, {"ClientStatus", "failed"}}});
  EXPECT_EQ(nomad_observation("aip-x", two).state, S::running);
}

// --- HTCondor -----------------------------------------------------------------------------

namespace {

// condor_submit's "new syntax" for arguments, read as its manual describes it, written here
// apart from the code under test: $(DOLLAR) is '$'; the value is in double quotes, where ""
// is one '"'; blanks separate arguments outside single quotes; within single quotes '' is
// one '\''.
std::vector<std::string> read_condor_arguments(std::string v) {
  std::string expanded;
  for (std::size_t i = 0; i < v.size();) {
    if (v.compare(i, 9, "$(DOLLAR)") == 0) {
      expanded += '$';
      i += 9;
    } else {
      if (v[i] == '$') ADD_FAILURE() << "a '$' that condor_submit could expand in " << v;
      expanded += v[i++];
    }
  }
  v = expanded;
  EXPECT_TRUE(v.size() >= 2 && v.front() == '"' && v.back() == '"') << v;
  v = v.substr(1, v.size() - 2);
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false, quoted = false;
  for (std::size_t i = 0; i < v.size(); ++i) {
    char c = v[i];
    if (c == '"') {
      EXPECT_TRUE(i + 1 < v.size() && v[i + 1] == '"') << "a lone double quote in " << v;
      cur += '"';
      ++i;
      in_word = true;
    } else if (c == '\'') {
      if (quoted && i + 1 < v.size() && v[i + 1] == '\'') {
        cur += '\'';
        ++i;
      } else {
        quoted = !quoted;
      }
      in_word = true;
    } else if ((c == ' ' || c == '\t') && !quoted) {
      if (in_word) out.push_back(cur);
      cur.clear();
      in_word = false;
    } else {
      cur += c;
      in_word = true;
    }
  }
  EXPECT_FALSE(quoted) << "an unclosed single quote in " << v;
  if (in_word) out.push_back(cur);
  return out;
}

// The sbatch tests' hostile corpus (lib/dispatch/tests/dispatch_test.cpp), plus macros.
const std::vector<std::string> kHostile{"$(touch /tmp/aip-pwned)",
                                        "`touch /tmp/aip-pwned`",
                                        "'",
                                        "\"",
                                        "'\"'\"",
                                        "a b  c",
                                        "*",
                                        "/*",
                                        "~",
                                        "$HOME",
                                        "${PATH}",
                                        "$ENV(HOME)",
                                        "\\",
                                        "\\'",
                                        ";rm -rf /tmp/x;",
                                        "|",
                                        "&",
                                        ">",
                                        "<(ls)",
                                        "!!",
                                        "#not a comment",
                                        "--",
                                        "-e",
                                        "%j",
                                        "\t",
                                        "é ü 中",
                                        "'$(id)'",
                                        "",
                                        "$(HOME)",
                                        "$$(Cpus)",
                                        "$",
                                        "$$",
                                        "a=b",
                                        "''",
                                        "\"\""};

std::string golden(const std::string &name, const std::string &text) {
  const std::string path = std::string(AIP_SOURCE_DIR) + "/tests/backends/golden/" + name;
  if (std::getenv("AIP_UPDATE_GOLDEN") != nullptr) spit(path, text);
  return slurp(path);
}

} // namespace

TEST(HTCondor, HostileArgumentsComeBackLiterally) {
  auto back = read_condor_arguments(condor_arguments(kHostile, "test"));
  EXPECT_EQ(back, kHostile);
  for (const auto &h : kHostile)
    EXPECT_EQ(read_condor_arguments(condor_arguments({h}, "t")), std::vector<std::string>{h}) << h;
  // By hand, from the manual's examples: 3 "4 5" '6 -> "3 '4 5' ''6"
  EXPECT_EQ(condor_arguments({"3", "4 5", "'6"}, "t"), "\"3 '4 5' '''6'\"");
  EXPECT_EQ(condor_arguments({"say \"hi\""}, "t"), "\"'say \"\"hi\"\"'\"");
  Exit st{};
  EXPECT_EQ(error_of(
                [] {
                  condor_arguments({"ok", "line1\nline2"}, "job j");
                },
                &st),
            "job j: command[1]: a line break cannot go into an HTCondor submit description");
  EXPECT_EQ(st, Exit::data);
}

TEST(HTCondor, SubmitDescriptionsMatchTheGoldenFiles) {
  HTCondorConfig c;
  c.logs = "/var/lib/aip/logs";
  c.accounting = {{"interactive", "group_interactive"}};
  EXPECT_EQ(render_condor_submit(sample_job(), c),
            golden("htcondor-sample.sub", render_condor_submit(sample_job(), c)));
  Job h = sample_job("hostile");
  h.command = {"/bin/printf", "[%s]\\n"};
  h.command.insert(h.command.end(), kHostile.begin(), kHostile.end());
  h.env.clear();
  for (std::size_t i = 0; i < kHostile.size(); ++i) h.env["V" + std::to_string(i)] = kHostile[i];
  const std::string sub = render_condor_submit(h, c);
  EXPECT_EQ(sub, golden("htcondor-hostile.sub", sub));
  // Every line is one command: no value leaked into a line of its own.
  std::istringstream lines(sub);
  std::string line;
  while (std::getline(lines, line))
    EXPECT_TRUE(line.empty() || line[0] == '#' || line == "queue 1" ||
                line.find(" = ") != std::string::npos)
        << line;
  auto args_line = sub.substr(sub.find("\narguments = ") + 13);
  args_line = args_line.substr(0, args_line.find('\n'));
  std::vector<std::string> expected{"[%s]\\n"};
  expected.insert(expected.end(), kHostile.begin(), kHostile.end());
  EXPECT_EQ(read_condor_arguments(args_line), expected);
}

TEST(HTCondor, JobAdsAsObservations) {
  // Attributes as the HTCondor manual's job ClassAd attribute list gives them.
  auto ad = [](int status, json extra = json::object()) {
    json a = {{"ClusterId", 12}, {"ProcId", 0}, {"JobStatus", status}};
    a.update(extra);
    return condor_observation(a);
  };
  EXPECT_EQ(ad(1).state, S::submitted);
  EXPECT_EQ(ad(1).backend_id, "12.0");
  EXPECT_EQ(ad(2, {{"JobCurrentStartDate", 1796191200}}).started_at, 1796191200);
  EXPECT_EQ(ad(4, {{"ExitCode", 0}}).state, S::succeeded);
  EXPECT_EQ(ad(4, {{"ExitCode", 3}}).exit_code, 3);
  EXPECT_EQ(ad(4, {{"ExitCode", 3}}).state, S::failed);
  EXPECT_EQ(ad(4, {{"ExitBySignal", true}, {"ExitSignal", 9}}).exit_code, 137);
  EXPECT_EQ(ad(3).state, S::cancelled);
  EXPECT_EQ(ad(5, {{"HoldReason", "Error from slot1"}}).reason, "held: Error from slot1");
  EXPECT_EQ(ad(5, {{"HoldReason", "Error from slot1"}}).state, S::submitted);
  EXPECT_EQ(ad(5, {{"HoldReasonCode", 47},
                   {"HoldReason", "The job exceeded allowed execute duration of 00:01:00"}})
                .state,
            S::timeout);
  EXPECT_EQ(parse_condor_terse("12.0 - 12.0\n"), "12.0");
  EXPECT_NE(error_of([] { parse_condor_terse("ERROR: no schedd"); }).find("not a job id"),
            std::string::npos);
}

TEST(HTCondor, SubmitsWithCondorSubmitWhenInstalled) {
  if (!find_on_path("condor_submit"))
    GTEST_SKIP() << "HTCondor is not installed here (Debian 12 has no htcondor package)";
  BackendOptions bo;
  bo.state_dir = "/tmp";
  auto b = make_htcondor_backend(bo);
  auto o = b->submit(sample_job("condor-live"), {});
  EXPECT_NE(o.backend_id, "");
}

// --- Configuration ------------------------------------------------------------------------

TEST(EngineConfiguration, TheManualsExampleIsWhatTheBackendsRead) {
  std::string man = slurp(std::string(AIP_SOURCE_DIR) + "/man/aip-dispatch.1");
  auto start = man.find(".nf\n[kubernetes]");
  ASSERT_NE(start, std::string::npos);
  std::string conf = man.substr(start + 4, man.find("\n.fi", start) - start - 4);
  for (std::size_t at; (at = conf.find("\\-")) != std::string::npos;) conf.replace(at, 2, "-");
  char tmpl[] = "/tmp/aip-man-XXXXXX";
  std::string dir = ::mkdtemp(tmpl);
  spit(dir + "/aip.conf", conf);
  BackendOptions bo;
  bo.state_dir = "/var/lib/aip";
  bo.config_files = {dir + "/aip.conf"};
  ::setenv("HOME", dir.c_str(), 1);
  Job j = sample_job("man");
  j.resources.gpu_model = "A100";
  // Credentials that are not there (the example's files) wait until a server is needed.
  auto k = json::parse(make_backend("kubernetes", bo)->render(j));
  EXPECT_EQ(k["metadata"]["namespace"], "ml");
  EXPECT_EQ(k["metadata"]["labels"]["kueue.x-k8s.io/priority-class"], "high");
  EXPECT_EQ(k["spec"]["ttlSecondsAfterFinished"], 86400);
  EXPECT_EQ(k["spec"]["template"]["spec"]["nodeSelector"]["nvidia.com/gpu.product"],
            "NVIDIA-A100-SXM4-80GB");
  j.mounts.pop_back();
  auto n = json::parse(make_backend("nomad", bo)->render(j));
  EXPECT_EQ(n["Job"]["Datacenters"], json({"ifca", "iisas"}));
  EXPECT_EQ(n["Job"]["Priority"], 80);
  auto c = make_backend("htcondor", bo)->render(j);
  EXPECT_NE(c.find("accounting_group = group_interactive\n"), std::string::npos) << c;
  auto r = json::parse(make_backend("slurmrestd", bo)->render(j));
  EXPECT_EQ(r["job"]["qos"], "high");
  EXPECT_EQ(r["job"]["standard_output"], "/var/lib/aip/logs/man.out");
  // A key that no backend knows names its file and line.
  spit(dir + "/bad.conf", "[nomad]\n\naddres = http://x\n");
  bo.config_files = {dir + "/bad.conf"};
  Exit st{};
  EXPECT_NE(error_of([&] { make_backend("nomad", bo); }, &st)
                .find(dir + "/bad.conf:3: unknown key 'addres' in [nomad]"),
            std::string::npos);
  EXPECT_EQ(st, Exit::usage);
  run_process({"rm", "-rf", "--", dir});
}
