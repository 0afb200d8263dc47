// aip drift's library paths timed in-process on .npy inputs, for bench-drift.sh.
// Usage: aip-bench-drift ks REF.npy CUR.npy | mmd REF.npy CUR.npy PERMUTATIONS [SIGMA]
//        aip-bench-drift adwin VALUES.npy
// Prints one JSON line: the statistic, p-value, seconds and peak RSS; for adwin the statistic
// is the first update flagged and p_value the number of drifts (reset after each).
#include <aip/core/cli.hpp>
#include <aip/core/error.hpp>
#include <aip/core/table.hpp>
#include <aip/stats/mmd.hpp>
#include <aip/stats/stream.hpp>
#include <aip/stats/univariate.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/resource.h>

namespace {
aip::stats::Matrix matrix(const aip::table::Table &t) {
  aip::stats::Matrix m(static_cast<Eigen::Index>(t.rows),
                       static_cast<Eigen::Index>(t.columns.size()));
  for (std::size_t j = 0; j < t.columns.size(); ++j)
    for (std::size_t i = 0; i < t.rows; ++i)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = t.columns[j].numbers[i];
  return m;
}
} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-bench-drift", [&] {
    if (argc < 3)
      aip::usage_error("usage: aip-bench-drift ks|mmd REF.npy CUR.npy [PERMUTATIONS [SIGMA]] | "
                       "adwin VALUES.npy");
    const std::string what = argv[1];
    double stat = -1, p = 0;
    auto t0 = std::chrono::steady_clock::now();
    if (what == "adwin") {
      const auto values = aip::table::read(argv[2]).columns.at(0).numbers;
      t0 = std::chrono::steady_clock::now();
      auto d = aip::stats::make_detector("adwin");
      for (std::size_t i = 0; i < values.size(); ++i)
        if (d->update(values[i]) == aip::stats::Signal::drift) {
          if (stat < 0) stat = static_cast<double>(i);
          ++p;
          d->reset();
        }
    }
    if (what != "adwin" && argc < 4) aip::usage_error("ks and mmd take REF.npy CUR.npy");
    auto ref = what == "adwin" ? aip::table::Table{} : aip::table::read(argv[2]);
    auto cur = what == "adwin" ? aip::table::Table{} : aip::table::read(argv[3]);
    if (what == "adwin") {
    } else if (what == "ks") {
      t0 = std::chrono::steady_clock::now(); // the files are read; time the test alone
      auto r = aip::stats::ks_two_sample(ref.columns[0].numbers, cur.columns[0].numbers);
      stat = r.statistic;
      p = r.p_value;
    } else {
      auto x = matrix(ref), y = matrix(cur);
      t0 = std::chrono::steady_clock::now();
      const double sigma = argc > 5 ? std::strtod(argv[5], nullptr) : 0.0; // 0: median heuristic
      auto r = aip::stats::mmd_test(x, y, aip::stats::Kernel::rbf, sigma,
                                    argc > 4 ? std::strtoul(argv[4], nullptr, 10) : 0, 1);
      stat = r.mmd2;
      p = r.p_value;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    std::printf("{\"statistic\":%.12g,\"p_value\":%.6g,\"seconds\":%.4f,\"peak_rss_mb\":%.1f}\n",
                stat, p, s, static_cast<double>(ru.ru_maxrss) / 1024.0);
    return 0;
  });
}
