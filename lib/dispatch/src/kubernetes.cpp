#include "aip/dispatch/kubernetes.hpp"

#include "aip/dispatch/http.hpp"
#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>
#include <aip/core/units.hpp>

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace aip::dispatch {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

bool file_exists(const std::string &p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0;
}

std::string read_text(const std::string &path, const std::string &what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(Exit::no_input, path + ": cannot read " + what);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

std::string relative_to(const std::string &dir, const std::string &file) {
  if (file.empty() || file[0] == '/') return file;
  return dir + "/" + file;
}

// The entry of a kubeconfig list (clusters, users, contexts) with `name`.
YAML::Node named(const YAML::Node &list, const std::string &name, const std::string &what,
                 const std::string &where) {
  if (list && list.IsSequence())
    for (const auto &item : list)
      if (item["name"] && item["name"].as<std::string>() == name) return item;
  usage_error(where + ": no " + what + " named '" + name + "'");
}

std::string str(const YAML::Node &n) {
  return n && n.IsScalar() ? n.as<std::string>() : std::string();
}

// RFC 1123 label value rules of Kubernetes label values: at most 63, alphanumeric at both
// ends, [-_.A-Za-z0-9] between.
bool valid_label_value(std::string_view v) {
  if (v.empty() || v.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(v.front()) || !alnum(v.back())) return false;
  for (char c : v)
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

// A qualified name (label key): optional DNS prefix and '/', then a name like a label value.
bool valid_label_key(std::string_view k) {
  auto slash = k.rfind('/');
  if (slash != std::string_view::npos) {
    auto prefix = k.substr(0, slash);
    if (prefix.empty() || prefix.size() > 253) return false;
    for (char c : prefix)
      if (!(std::islower(static_cast<unsigned char>(c)) != 0 ||
            std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.'))
        return false;
    k = k.substr(slash + 1);
  }
  return valid_label_value(k);
}

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u; // FNV-1a, 32 bits
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// Kubernetes quantities: whole CPUs as "4", fractions in millicores ("1500m").
std::string cpu_quantity(double cpus) {
  long long milli = static_cast<long long>(std::llround(cpus * 1000));
  if (milli % 1000 == 0) return std::to_string(milli / 1000);
  return std::to_string(milli) + "m";
}

double time_or_zero(const json &obj, const char *key) {
  if (!obj.is_object() || !obj.contains(key) || !obj[key].is_string()) return 0;
  try {
    return parse_timestamp(obj[key].get<std::string>());
  } catch (const Error &) {
    return 0;
  }
}

const json &field(const json &obj, const char *key) {
  static const json null;
  if (!obj.is_object()) return null;
  auto it = obj.find(key);
  return it == obj.end() ? null : *it;
}

} // namespace

KubeCredentials kube_credentials_from_kubeconfig(const std::string &path,
                                                 const std::string &context) {
  return kube_credentials_from_text(read_text(path, "the kubeconfig"), path, context);
}

KubeCredentials kube_credentials_from_text(const std::string &text, const std::string &path,
                                           const std::string &context) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception &e) {
    data_error(path + ":" + std::to_string(e.mark.line + 1) + ": not a valid kubeconfig: " + e.msg);
  }
  try {
    std::string ctx_name = context.empty() ? str(root["current-context"]) : context;
    if (ctx_name.empty()) usage_error(path + ": no current-context (set [kubernetes] context)");
    YAML::Node ctx = named(root["contexts"], ctx_name, "context", path)["context"];
    std::string dir =
        path.substr(0, path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/'));
    if (dir.empty()) dir = ".";
    KubeCredentials c;
    c.source = "kubeconfig " + path + ", context " + ctx_name;
    c.namespace_ = str(ctx["namespace"]);
    YAML::Node cluster = named(root["clusters"], str(ctx["cluster"]), "cluster", path)["cluster"];
    c.server = str(cluster["server"]);
    if (c.server.empty())
      usage_error(path + ": cluster '" + str(ctx["cluster"]) + "' has no server");
    if (str(cluster["insecure-skip-tls-verify"]) == "true")
      usage_error(
          path + ": cluster '" + str(ctx["cluster"]) +
          "' sets insecure-skip-tls-verify; aip always verifies TLS: give certificate-authority");
    c.ca_file = relative_to(dir, str(cluster["certificate-authority"]));
    if (auto d = str(cluster["certificate-authority-data"]); !d.empty())
      c.ca_pem = http::base64_decode(d, path + ": certificate-authority-data");
    if (auto user_name = str(ctx["user"]); !user_name.empty()) {
      YAML::Node user = named(root["users"], user_name, "user", path)["user"];
      if (user["exec"] || user["auth-provider"])
        usage_error(path + ": user '" + user_name +
                    "' uses a credential plugin (exec/auth-provider), which aip does not run: use "
                    "a token, tokenFile or a client certificate");
      c.token = str(user["token"]);
      if (auto tf = str(user["tokenFile"]); !tf.empty() && c.token.empty())
        c.token = read_secret_file(relative_to(dir, tf), "the token");
      c.cert_file = relative_to(dir, str(user["client-certificate"]));
      c.key_file = relative_to(dir, str(user["client-key"]));
      if (auto d = str(user["client-certificate-data"]); !d.empty())
        c.cert_pem = http::base64_decode(d, path + ": client-certificate-data");
      if (auto d = str(user["client-key-data"]); !d.empty())
        c.key_pem = http::base64_decode(d, path + ": client-key-data");
    }
    return c;
  } catch (const YAML::Exception &e) {
    data_error(path + ":" + std::to_string(e.mark.line + 1) + ": not a valid kubeconfig: " + e.msg);
  }
}

KubeCredentials kube_credentials_in_cluster(const std::string &dir) {
  std::string host = env_or("KUBERNETES_SERVICE_HOST"),
              port = env_or("KUBERNETES_SERVICE_PORT", "443");
  if (host.empty())
    fail(Exit::unavailable, "no Kubernetes credentials: no kubeconfig and KUBERNETES_SERVICE_HOST "
                            "is not set (not in a pod)");
  KubeCredentials c;
  c.source = "in-cluster service account " + dir;
  if (host.find(':') != std::string::npos) host = "[" + host + "]"; // IPv6
  c.server = "https://" + host + ":" + port;
  c.token = read_secret_file(dir + "/token", "the service-account token");
  c.ca_file = dir + "/ca.crt";
  if (file_exists(dir + "/namespace"))
    c.namespace_ = read_secret_file(dir + "/namespace", "the namespace");
  return c;
}

KubernetesConfig kubernetes_config(const EngineSettings &s, bool credentials) {
  KubernetesConfig c;
  std::string kubeconfig = s.get("kubeconfig", env_or("KUBECONFIG"));
  if (auto colon = kubeconfig.find(':'); colon != std::string::npos)
    kubeconfig = kubeconfig.substr(0, colon); // first of a list
  if (kubeconfig.empty() && !env_or("HOME").empty() &&
      file_exists(env_or("HOME") + "/.kube/config"))
    kubeconfig = env_or("HOME") + "/.kube/config";
  if (credentials && (!s.has("server") || !s.has("token-file"))) {
    if (!kubeconfig.empty())
      c.credentials = kube_credentials_from_kubeconfig(kubeconfig, s.get("context"));
    else
      c.credentials = kube_credentials_in_cluster(
          s.get("service-account-dir", "/var/run/secrets/kubernetes.io/serviceaccount"));
  }
  if (s.has("server")) c.credentials.server = s.get("server");
  if (s.has("token-file") && credentials)
    c.credentials.token = read_secret_file(s.get("token-file"), "the Kubernetes token");
  if (s.has("ca-file")) {
    c.credentials.ca_file = s.get("ca-file");
    c.credentials.ca_pem.clear();
  }
  if (c.credentials.source.empty()) c.credentials.source = s.where("server");
  c.namespace_ =
      s.get("namespace", c.credentials.namespace_.empty() ? "default" : c.credentials.namespace_);
  if (!valid_label_value(c.namespace_))
    usage_error(s.where("namespace") + ": '" + c.namespace_ + "' is not a namespace name");
  c.default_queue = s.get("default-queue");
  c.priority_classes = s.mapping("priority-classes");
  check_class_mapping(c.priority_classes, s.where("priority-classes"));
  c.gpu_resource = s.get("gpu-resource", c.gpu_resource);
  c.gpu_model_label = s.get("gpu-model-label", c.gpu_model_label);
  if (!valid_label_key(c.gpu_model_label))
    usage_error(s.where("gpu-model-label") + ": '" + c.gpu_model_label + "' is not a label name");
  c.gpu_models = s.mapping("gpu-models");
  c.backoff_limit = s.integer("backoff-limit", c.backoff_limit);
  c.ttl_after_finished_s = static_cast<std::int64_t>(
      s.duration("ttl-after-finished", static_cast<double>(c.ttl_after_finished_s)));
  c.timeout_s = s.duration("timeout", c.timeout_s);
  c.retries = static_cast<int>(s.integer("retries", c.retries));
  return c;
}

std::string kube_job_name(const std::string &id) {
  std::string n;
  for (char c : id) {
    char l = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    n += (l == '_' || l == '.') ? '-' : l;
  }
  if (n == id && n.size() <= 59 && std::isalnum(static_cast<unsigned char>(n.back())) != 0)
    return "aip-" + n;
  char h[16];
  std::snprintf(h, sizeof h, "%08x", fnv1a(id));
  n = n.substr(0, 50);
  while (!n.empty() && n.back() == '-') n.pop_back();
  return "aip-" + n + "-" + h; // at most 4 + 50 + 9 = 63
}

std::string kube_label_value(const std::string &id) {
  return valid_label_value(id) ? id : kube_job_name(id).substr(4);
}

ordered_json render_kube_job(const records::Job &job, const KubernetesConfig &c) {
  check_job(job, "job " + job.id);
  if (job.image.empty())
    usage_error("job " + job.id +
                ": the kubernetes backend needs a container image (aip submit --image)");
  const std::string name = kube_job_name(job.id);
  ordered_json labels = {{"app.kubernetes.io/managed-by", "aip"},
                         {c.job_id_label, kube_label_value(job.id)}};
  ordered_json annotations = {{"aip.io/job-id", job.id}};
  const std::string queue = job.queue.empty() ? c.default_queue : job.queue;
  if (!queue.empty()) {
    if (!valid_label_value(queue))
      usage_error("job " + job.id + ": queue '" + queue + "' is not a valid Kueue LocalQueue name");
    labels["kueue.x-k8s.io/queue-name"] = queue;
  }
  if (auto pc = c.priority_classes.find(records::to_string(job.priority_class));
      pc != c.priority_classes.end() && !pc->second.empty())
    labels["kueue.x-k8s.io/priority-class"] = pc->second;
  for (const auto &[k, v] : job.labels) {
    if (valid_label_key(k) && (v.empty() || valid_label_value(v)) && !labels.contains(k))
      labels[k] = v;
    else
      annotations["aip.io/label." + http::escape(k)] = v;
  }
  if (!job.name.empty()) annotations["aip.io/name"] = job.name;
  if (!job.owner.user.empty()) annotations["aip.io/user"] = job.owner.user;
  if (!job.owner.project.empty()) annotations["aip.io/project"] = job.owner.project;
  if (!job.owner.vo.empty()) annotations["aip.io/vo"] = job.owner.vo;

  ordered_json requests = ordered_json::object(), limits = ordered_json::object();
  requests["cpu"] = limits["cpu"] = cpu_quantity(job.resources.cpus);
  if (job.resources.memory_bytes > 0)
    requests["memory"] = limits["memory"] = std::to_string(job.resources.memory_bytes);
  if (job.resources.disk_bytes > 0)
    requests["ephemeral-storage"] = limits["ephemeral-storage"] =
        std::to_string(job.resources.disk_bytes);
  // Extended resources (GPUs, MIG slices) are given as limits; Kubernetes sets the request equal.
  if (!job.resources.mig_profile.empty()) {
    std::string resource = "nvidia.com/mig-" + job.resources.mig_profile;
    if (!valid_label_key(resource))
      usage_error("job " + job.id + ": MIG profile '" + job.resources.mig_profile +
                  "' is not a resource name");
    limits[resource] = std::to_string(std::max<std::uint32_t>(job.resources.gpus, 1));
  } else if (job.resources.gpus > 0) {
    limits[c.gpu_resource] = std::to_string(job.resources.gpus);
  }
  ordered_json env = ordered_json::array();
  for (const auto &[k, v] : job.env) env.push_back({{"name", k}, {"value", v}});
  env.push_back({{"name", "AIP_JOB_ID"}, {"value", job.id}});
  ordered_json container = {{"name", "job"}, {"image", job.image}};
  if (!job.command.empty()) container["command"] = job.command;
  if (!job.workdir.empty()) container["workingDir"] = job.workdir;
  container["env"] = env;
  container["resources"] = {{"requests", requests}, {"limits", limits}};
  ordered_json mounts = ordered_json::array(), volumes = ordered_json::array();
  for (std::size_t i = 0; i < job.mounts.size(); ++i) {
    const auto &m = job.mounts[i];
    const std::string vname = "mount-" + std::to_string(i);
    mounts.push_back({{"name", vname}, {"mountPath", m.target}, {"readOnly", m.read_only}});
    // "pvc:CLAIM" is a PersistentVolumeClaim; an absolute path is the node's folder.
    if (m.source.rfind("pvc:", 0) == 0) {
      std::string claim = m.source.substr(4);
      if (!valid_label_value(claim))
        usage_error("job " + job.id + ": mounts[" + std::to_string(i) + "]: '" + claim +
                    "' is not a claim name");
      volumes.push_back(
          {{"name", vname},
           {"persistentVolumeClaim", {{"claimName", claim}, {"readOnly", m.read_only}}}});
    } else if (!m.source.empty() && m.source[0] == '/') {
      volumes.push_back({{"name", vname}, {"hostPath", {{"path", m.source}}}});
    } else {
      usage_error("job " + job.id + ": mounts[" + std::to_string(i) + "]: source '" + m.source +
                  "' must be an absolute path on the node or pvc:CLAIM");
    }
  }
  if (!mounts.empty()) container["volumeMounts"] = mounts;
  ordered_json pod = {{"restartPolicy", "Never"}};
  if (!job.resources.gpu_model.empty()) {
    auto mapped = c.gpu_models.find(job.resources.gpu_model);
    std::string value = mapped != c.gpu_models.end() ? mapped->second : job.resources.gpu_model;
    if (!valid_label_value(value))
      usage_error("job " + job.id + ": GPU model '" + value +
                  "' is not a label value (map it with [kubernetes] gpu-models)");
    pod["nodeSelector"] = {{c.gpu_model_label, value}};
  }
  pod["containers"] = ordered_json::array({container});
  if (!volumes.empty()) pod["volumes"] = volumes;
  ordered_json spec = ordered_json::object();
  // Kueue admits a job by unsuspending it; created suspended, it never starts unadmitted.
  if (labels.contains("kueue.x-k8s.io/queue-name")) spec["suspend"] = true;
  spec["parallelism"] = 1;
  spec["completions"] = 1;
  spec["backoffLimit"] = c.backoff_limit;
  spec["activeDeadlineSeconds"] = job.walltime_s;
  spec["ttlSecondsAfterFinished"] = c.ttl_after_finished_s;
  spec["template"] = {{"metadata", {{"labels", {{c.job_id_label, kube_label_value(job.id)}}}}},
                      {"spec", pod}};
  return {{"apiVersion", "batch/v1"},
          {"kind", "Job"},
          {"metadata",
           {{"name", name},
            {"namespace", c.namespace_},
            {"labels", labels},
            {"annotations", annotations}}},
          {"spec", spec}};
}

Observation kube_observation(const json &job, const json &pods) {
  using S = records::JobState;
  Observation o;
  o.backend_id = field(field(job, "metadata"), "name").is_string()
                     ? field(field(job, "metadata"), "name").get<std::string>()
                     : "";
  const json &status = field(job, "status");
  o.started_at = time_or_zero(status, "startTime");
  bool suspended = field(field(job, "spec"), "suspend") == json(true);
  const json &conditions = field(status, "conditions");
  if (conditions.is_array())
    for (const auto &cond : conditions) {
      if (field(cond, "status") != json("True") || !field(cond, "type").is_string()) continue;
      std::string type = cond["type"],
                  why = field(cond, "reason").is_string() ? cond["reason"].get<std::string>() : "";
      std::string message =
          field(cond, "message").is_string() ? cond["message"].get<std::string>() : "";
      if (type == "Complete") {
        o.state = S::succeeded;
        o.exit_code = 0;
        o.ended_at = time_or_zero(status, "completionTime");
        if (o.ended_at == 0) o.ended_at = time_or_zero(cond, "lastTransitionTime");
      } else if (type == "Failed") {
        o.state = why == "DeadlineExceeded" ? S::timeout : S::failed;
        o.reason = why.empty() ? message : (message.empty() ? why : why + ": " + message);
        if (why == "DeadlineExceeded") o.reason = "activeDeadlineSeconds reached";
        o.ended_at = time_or_zero(cond, "lastTransitionTime");
      } else if (type == "Suspended") {
        suspended = true;
      }
    }
  if (!records::is_final(o.state)) {
    if (suspended) {
      o.state = S::submitted;
      o.reason = "suspended: waiting for Kueue admission";
    } else if (field(status, "active").is_number_integer() && status["active"].get<long>() > 0) {
      o.state = S::running;
    } else {
      o.state = S::submitted;
    }
    return o;
  }
  // The exit status lives in the pods: the last terminated state of the job's container.
  const json &items = field(pods, "items");
  double newest = -1;
  if (items.is_array())
    for (const auto &pod : items) {
      const json &cs = field(field(pod, "status"), "containerStatuses");
      if (!cs.is_array()) continue;
      for (const auto &c : cs) {
        if (field(c, "name") != json("job")) continue;
        const json &term = field(field(c, "state"), "terminated");
        if (!field(term, "exitCode").is_number_integer()) continue;
        double at = time_or_zero(term, "finishedAt");
        if (at < newest) continue;
        newest = at;
        o.exit_code = term["exitCode"].get<int>();
        if (field(term, "reason") == json("OOMKilled")) o.reason = "out of memory (OOMKilled)";
      }
    }
  return o;
}

namespace {

class KubernetesBackend : public Backend {
public:
  // Without `settings` the credentials in `c` are used as they are; with them, they are
  // read when the server is first needed (rendering needs none).
  KubernetesBackend(KubernetesConfig c, std::optional<EngineSettings> settings)
      : c_(std::move(c)), settings_(std::move(settings)) {
    jobs_ = "/apis/batch/v1/namespaces/" + http::escape(c_.namespace_) + "/jobs";
  }
  std::string name() const override { return "kubernetes"; }
  bool schedules_itself() const override { return true; }
  std::string render(const records::Job &job) const override {
    return render_kube_job(job, c_).dump(2) + "\n";
  }

  std::optional<Observation> find(const records::Job &job) override {
    auto r = client().request(
        "GET",
        jobs_ + "?labelSelector=" + http::escape(c_.job_id_label + "=" + kube_label_value(job.id)));
    if (r.status != 200) http::fail_response(r, service(), "listing jobs by label");
    const json list = parse(r, "the job list");
    for (const auto &item : field(list, "items"))
      if (field(field(field(item, "metadata"), "annotations"), "aip.io/job-id") == json(job.id))
        return observe(item);
    return std::nullopt;
  }

  Observation submit(const records::Job &job, const std::vector<int> &) override {
    const std::string body = render_kube_job(job, c_).dump();
    auto r = client().request("POST", jobs_, body);
    if (r.status == 201 || r.status == 200) return observe(parse(r, "the created job"));
    if (r.status ==
        409) { // already submitted (by an earlier attempt or a dispatcher before a crash)
      auto existing = client().request("GET", jobs_ + "/" + http::escape(kube_job_name(job.id)));
      if (existing.status == 200) return observe(parse(existing, "the job"));
      http::fail_response(existing, service(),
                          "reading job " + kube_job_name(job.id) + " after 409 AlreadyExists");
    }
    if (r.status == 400 || r.status == 422) {
      Observation o;
      o.state = records::JobState::failed;
      o.reason = "the API server refused the job (HTTP " + std::to_string(r.status) +
                 "): " + http::excerpt(r);
      return o;
    }
    http::fail_response(r, service(), "creating job " + kube_job_name(job.id));
  }

  std::map<std::string, Observation> poll(const std::vector<Handle> &handles) override {
    std::map<std::string, Observation> out;
    // One list per 100 jobs, by a set-based selector on the aip label: the API server
    // filters, and Jobs of other dispatchers or long finished ones are not sent.
    std::map<std::string, json> by_name;
    for (std::size_t from = 0; from < handles.size(); from += 100) {
      std::string values;
      for (std::size_t i = from; i < std::min(handles.size(), from + 100); ++i)
        values += (values.empty() ? "" : ",") + kube_label_value(handles[i].job_id);
      auto r = client().request("GET", jobs_ + "?labelSelector=" +
                                           http::escape(c_.job_id_label + " in (" + values + ")"));
      if (r.status != 200) http::fail_response(r, service(), "listing jobs");
      const json list = parse(r, "the job list");
      for (const auto &item : field(list, "items"))
        if (field(field(item, "metadata"), "name").is_string())
          by_name[item["metadata"]["name"].get<std::string>()] = item;
    }
    for (const auto &h : handles) {
      const std::string name = h.backend_id.empty() ? kube_job_name(h.job_id) : h.backend_id;
      auto it = by_name.find(name);
      if (it == by_name.end()) {
        if (h.backend_id.empty()) continue;
        Observation o; // deleted: by aip dispatch cancel, or by someone with kubectl
        o.backend_id = name;
        o.state = records::JobState::cancelled;
        o.reason = "the Job was deleted from the API server";
        out[h.job_id] = o;
        continue;
      }
      out[h.job_id] = observe(it->second);
    }
    return out;
  }

  void cancel(const Handle &h, const std::string &, double grace_s) override {
    const std::string name = h.backend_id.empty() ? kube_job_name(h.job_id) : h.backend_id;
    json options = {{"kind", "DeleteOptions"},
                    {"apiVersion", "v1"},
                    {"propagationPolicy", "Background"},
                    {"gracePeriodSeconds", static_cast<long>(std::ceil(grace_s))}};
    auto r = client().request("DELETE", jobs_ + "/" + http::escape(name), options.dump());
    if (r.status == 200 || r.status == 202 || r.status == 404) return;
    http::fail_response(r, service(), "deleting job " + name);
  }

private:
  http::Client &client() {
    if (!client_) {
      if (settings_) c_.credentials = kubernetes_config(*settings_, true).credentials;
      client_ = std::make_unique<http::Client>(client_options(c_));
    }
    return *client_;
  }
  static http::ClientOptions client_options(const KubernetesConfig &c) {
    http::ClientOptions o;
    o.base_url = c.credentials.server;
    o.service = "the Kubernetes API server";
    o.ca_file = c.credentials.ca_file;
    o.ca_pem = c.credentials.ca_pem;
    o.cert_file = c.credentials.cert_file;
    o.cert_pem = c.credentials.cert_pem;
    o.key_file = c.credentials.key_file;
    o.key_pem = c.credentials.key_pem;
    o.bearer_token = c.credentials.token;
    o.timeout_s = c.timeout_s;
    o.retries = c.retries;
    o.backoff_s = c.backoff_s;
    return o;
  }
  std::string service() const { return "the Kubernetes API server " + c_.credentials.server; }
  json parse(const http::Response &r, const std::string &what) const {
    auto j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object())
      fail(Exit::unavailable,
           service() + ": " + what + " is not a JSON object: " + http::excerpt(r));
    return j;
  }
  Observation observe(const json &job) {
    Observation o = kube_observation(job, json());
    if (!records::is_final(o.state)) return o;
    auto r = client().request(
        "GET", "/api/v1/namespaces/" + http::escape(c_.namespace_) + "/pods?labelSelector=" +
                   http::escape("batch.kubernetes.io/job-name=" + o.backend_id));
    if (r.status != 200) return o; // no pod listing (RBAC): the state without an exit code
    return kube_observation(job, parse(r, "the pod list"));
  }

  KubernetesConfig c_;
  std::optional<EngineSettings> settings_;
  std::unique_ptr<http::Client> client_;
  std::string jobs_;
};

const std::set<std::string> kKeys{"kubeconfig",
                                  "context",
                                  "service-account-dir",
                                  "server",
                                  "token-file",
                                  "ca-file",
                                  "namespace",
                                  "default-queue",
                                  "priority-classes",
                                  "gpu-resource",
                                  "gpu-model-label",
                                  "gpu-models",
                                  "backoff-limit",
                                  "ttl-after-finished",
                                  "timeout",
                                  "retries"};

} // namespace

std::unique_ptr<Backend> make_kubernetes_backend(const KubernetesConfig &config) {
  return std::make_unique<KubernetesBackend>(config, std::nullopt);
}

std::unique_ptr<Backend> make_kubernetes_backend(const BackendOptions &options) {
  auto settings = EngineSettings::load(engine_config_files(options), "kubernetes", kKeys);
  // With credentials at hand the namespace is the context's; without (rendering on a
  // laptop), the error waits until the server is needed.
  try {
    return std::make_unique<KubernetesBackend>(kubernetes_config(settings, true), std::nullopt);
  } catch (const Error &e) {
    if (e.status() == Exit::usage) throw; // a configuration mistake is reported at once
    return std::make_unique<KubernetesBackend>(kubernetes_config(settings, false), settings);
  }
}

} // namespace aip::dispatch
