// Writes N synthetic aip.usage/v1 records (deterministic for a seed) for benchmarks.
// Usage: aip-bench-usage-gen N [SEED] > usage.jsonl
#include <aip/core/io.hpp>
#include <aip/records/usage.hpp>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: aip-bench-usage-gen N [SEED]\n");
    return 64;
  }
  const unsigned long long n = std::strtoull(argv[1], nullptr, 10);
  std::mt19937_64 rng(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20261122);
  const char *sites[] = {"ifca", "infn-cnaf", "infn-bari", "psnc", "cesnet"};
  const char *queues[] = {"gpu", "cpu", "interactive", "long"};
  const char *models[] = {"a100", "v100", "t4", "h100"};
  const char *states[] = {"COMPLETED", "COMPLETED", "COMPLETED", "FAILED", "TIMEOUT", "CANCELLED"};
  aip::Output out("-");
  aip::records::Usage u;
  std::string line;
  const double t0 = 1767225600; // 2026-01-01T00:00:00Z
  for (unsigned long long i = 0; i < n; ++i) {
    u.record_id = "bench:" + std::to_string(i);
    u.job_id = std::to_string(1000000 + i);
    u.user = "user" + std::to_string(rng() % 500);
    u.project = "project" + std::to_string(rng() % 60);
    u.vo = "vo" + std::to_string(rng() % 8) + ".example.eu";
    u.site = sites[rng() % 5];
    u.queue = queues[rng() % 4];
    double start = t0 + static_cast<double>(rng() % (330ULL * 86400));
    double wall = static_cast<double>(60 + rng() % (48 * 3600));
    u.submit = start - static_cast<double>(rng() % 7200);
    u.start = start;
    u.end = start + wall;
    u.wall_s = wall;
    u.cores = static_cast<double>(1 + rng() % 64);
    u.cpu_s = u.cores * wall * static_cast<double>(rng() % 1000) / 1000.0;
    u.mem_req_bytes = (1 + rng() % 256) << 30;
    u.mem_peak_bytes = *u.mem_req_bytes / (1 + rng() % 4);
    u.gpus = static_cast<std::uint32_t>(rng() % 3 == 0 ? 1 + rng() % 8 : 0);
    u.gpu_model = u.gpus > 0 ? models[rng() % 4] : "";
    if (u.gpus > 0)
      u.gpu_util_mean = static_cast<double>(rng() % 1000) / 10.0;
    else
      u.gpu_util_mean.reset();
    u.state = states[rng() % 6];
    u.exit_code = u.state == "COMPLETED" ? 0 : 1;
    u.source = "bench";
    line.clear();
    aip::records::append_usage_line(line, u);
    out.write(line);
  }
  out.commit();
  return 0;
}
