// aip dispatch's Kubernetes backend submitting N Jobs in a row (render, POST, read the
// answer), over one kept-alive connection; prints the seconds, the rate and the number of
// connections opened, as JSON.
// Usage: aip-bench-dispatch-k8s URL CA_FILE TOKEN_FILE N
#include <aip/dispatch/engine.hpp>
#include <aip/dispatch/kubernetes.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <sys/resource.h>

int main(int argc, char **argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s URL CA_FILE TOKEN_FILE N\n", argv[0]);
    return 64;
  }
  using namespace aip::dispatch;
  KubernetesConfig c;
  c.credentials.server = argv[1];
  c.credentials.ca_file = argv[2];
  c.credentials.token = read_secret_file(argv[3], "the token");
  c.namespace_ = "bench";
  c.priority_classes = {{"batch", "aip-batch"}};
  const int n = std::stoi(argv[4]);
  auto backend = make_kubernetes_backend(c);
  aip::records::Job job;
  job.image = "ai4oshub/yolo:latest";
  job.command = {"python", "train.py", "--epochs", "10"};
  job.owner = {"alice", "uc3", "vo.imagine-ai.eu"};
  job.resources.cpus = 4;
  job.resources.memory_bytes = 16ULL << 30;
  job.resources.gpus = 1;
  job.queue = "gpu";
  const std::string run =
      std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000);
  auto t0 = std::chrono::steady_clock::now();
  int submitted = 0;
  for (int i = 0; i < n; ++i) {
    job.id = "bench-" + run + "-" + std::to_string(i);
    if (backend->submit(job, {}).state == aip::records::JobState::submitted) ++submitted;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::printf("{\"jobs\": %d, \"submitted\": %d, \"seconds\": %.4f, \"per_second\": %.1f, "
              "\"cpu_seconds\": %.4f}\n",
              n, submitted, s, n / s, cpu);
  return submitted == n ? 0 : 1;
}
