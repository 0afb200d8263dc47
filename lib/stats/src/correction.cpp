#include "aip/stats/correction.hpp"

#include <aip/core/error.hpp>

#include <algorithm>
#include <numeric>

namespace aip::stats {

Correction parse_correction(const std::string &name) {
  if (name == "none") return Correction::none;
  if (name == "bonferroni") return Correction::bonferroni;
  if (name == "holm") return Correction::holm;
  if (name == "bh" || name == "fdr_bh") return Correction::bh;
  usage_error("unknown correction '" + name + "': expected none, bonferroni, holm or bh");
}

std::vector<double> adjust_p_values(const std::vector<double> &p, Correction method) {
  const std::size_t m = p.size();
  std::vector<double> out(p);
  if (m == 0 || method == Correction::none) return out;
  const double dm = static_cast<double>(m);
  if (method == Correction::bonferroni) {
    for (auto &v : out) v = std::min(1.0, v * dm);
    return out;
  }
  std::vector<std::size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  if (method == Correction::holm) {
    // Step-down: the k-th smallest (0-based) times (m - k), made non-decreasing.
    double running = 0;
    for (std::size_t k = 0; k < m; ++k) {
      running = std::max(running, std::min(1.0, p[order[k]] * (dm - static_cast<double>(k))));
      out[order[k]] = running;
    }
  } else {
    // Step-up: the k-th smallest (1-based) times m / k, made non-increasing from the top.
    double running = 1;
    for (std::size_t k = m; k-- > 0;) {
      running = std::min(running, p[order[k]] * dm / static_cast<double>(k + 1));
      out[order[k]] = std::min(1.0, running);
    }
  }
  return out;
}

} // namespace aip::stats
