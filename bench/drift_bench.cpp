// aip drift's library paths timed in-process on .npy inputs, for bench-drift.sh.
// Usage: aip-bench-drift ks REF.npy CUR.npy | mmd REF.npy CUR.npy PERMUTATIONS
// Prints one JSON line: the statistic, p-value, seconds and peak RSS.
#include <aip/core/cli.hpp>
#include <aip/core/error.hpp>
#include <aip/core/table.hpp>
#include <aip/stats/mmd.hpp>
#include <aip/stats/univariate.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>

namespace {
aip::stats::Matrix matrix(const aip::table::Table &t) {
  aip::stats::Matrix m(static_cast<Eigen::Index>(t.rows), static_cast<Eigen::Index>(t.columns.size()));
  for (std::size_t j = 0; j < t.columns.size(); ++j)
    for (std::size_t i = 0; i < t.rows; ++i)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = t.columns[j].numbers[i];
  return m;
}
} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-bench-drift", [&] {
    if (argc < 4) aip::usage_error("usage: aip-bench-drift ks|mmd REF.npy CUR.npy [PERMUTATIONS]");
    const std::string what = argv[1];
    auto ref = aip::table::read(argv[2]), cur = aip::table::read(argv[3]);
    double stat = 0, p = 0;
    auto t0 = std::chrono::steady_clock::now();
    if (what == "ks") {
      auto r = aip::stats::ks_two_sample(ref.columns[0].numbers, cur.columns[0].numbers);
      stat = r.statistic;
      p = r.p_value;
    } else {
      auto x = matrix(ref), y = matrix(cur);
      t0 = std::chrono::steady_clock::now();
      auto r = aip::stats::mmd_test(x, y, aip::stats::Kernel::rbf, 0, argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 0, 1);
      stat = r.mmd2;
      p = r.p_value;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"statistic\":%.12g,\"p_value\":%.6g,\"seconds\":%.4f,\"peak_rss_mb\":%.1f}\n", stat, p, s,
                static_cast<double>(ru.ru_maxrss) / 1024.0);
    return 0;
  });
}
