// Parse-only benchmark of the JSON Lines reader: decodes every aip.usage/v1 record of a
// file (all fields, validated) with the parallel reader and prints one JSON line of figures.
// Usage: aip-bench-jsonl-read FILE [--threads N]
#include <aip/core/cli.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/records/usage.hpp>

#include <tbb/global_control.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/resource.h>
#include <vector>

int main(int argc, char **argv) {
  return aip::cli::run("aip-bench-jsonl-read", [&] {
    if (argc < 2) aip::usage_error("usage: aip-bench-jsonl-read FILE [--threads N]");
    std::size_t threads = 0;
    bool parse_only = false;
    for (int i = 2; i < argc; ++i) {
      if (std::strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
        threads = std::strtoul(argv[i + 1], nullptr, 10);
      if (std::strcmp(argv[i], "--parse-only") == 0) parse_only = true;
    }
    std::unique_ptr<tbb::global_control> limit;
    if (threads > 0)
      limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                    threads);
    auto t0 = std::chrono::steady_clock::now();
    auto buffer = aip::InputBuffer::open(argv[1]);
    struct alignas(64) Worker {
      aip::records::Usage usage;
      std::uint64_t records = 0;
      double core_hours = 0;
    };
    std::vector<Worker> workers(aip::jsonl::worker_count());
    aip::jsonl::parallel_for_each_object(buffer, [&](std::size_t w, auto obj, const auto &where) {
      auto &s = workers[w];
      if (parse_only) {
        ++s.records;
        return;
      }
      aip::records::decode_usage(obj, where, s.usage);
      ++s.records;
      s.core_hours += s.usage.cores * s.usage.wall_s / 3600;
    });
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::uint64_t records = 0;
    double core_hours = 0;
    for (const auto &w : workers) {
      records += w.records;
      core_hours += w.core_hours;
    }
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::printf(
        "{\"records\":%llu,\"bytes\":%zu,\"seconds\":%.4f,\"mb_per_s\":%.1f,\"core_hours\":%.1f,"
        "\"threads\":%zu,\"peak_rss_mb\":%.1f}\n",
        static_cast<unsigned long long>(records), buffer.size(), seconds,
        static_cast<double>(buffer.size()) / 1e6 / seconds, core_hours, aip::jsonl::worker_count(),
        static_cast<double>(ru.ru_maxrss) / 1024.0);
    return 0;
  });
}
