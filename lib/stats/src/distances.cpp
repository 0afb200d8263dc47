#include "aip/stats/distances.hpp"

#include <aip/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace aip::stats {
namespace {

void need(const std::vector<double> &v, const char *which, const char *what) {
  if (v.empty()) data_error(std::string(what) + ": the " + which + " sample is empty");
}

// The integral of |F - G|^p over the real line for two empirical CDFs, walking the merged
// sorted samples (the definition scipy documents for both distances).
double cdf_integral(std::vector<double> &a, std::vector<double> &b, int power) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<double> all;
  all.reserve(a.size() + b.size());
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(all));
  double total = 0;
  std::size_t i = 0, j = 0;
  const double na = static_cast<double>(a.size()), nb = static_cast<double>(b.size());
  for (std::size_t k = 0; k + 1 < all.size(); ++k) {
    while (i < a.size() && a[i] <= all[k]) ++i;
    while (j < b.size() && b[j] <= all[k]) ++j;
    double width = all[k + 1] - all[k];
    if (width == 0) continue;
    double diff = std::fabs(static_cast<double>(i) / na - static_cast<double>(j) / nb);
    total += width * (power == 1 ? diff : diff * diff);
  }
  return total;
}

} // namespace

double wasserstein1(std::vector<double> a, std::vector<double> b) {
  need(a, "reference", "wasserstein");
  need(b, "current", "wasserstein");
  return cdf_integral(a, b, 1);
}

double energy_distance(std::vector<double> a, std::vector<double> b) {
  need(a, "reference", "energy");
  need(b, "current", "energy");
  // Szekely & Rizzo: for one dimension, D = sqrt(2 * integral (F - G)^2) (scipy's docs).
  return std::sqrt(2 * cdf_integral(a, b, 2));
}

Histograms histograms(const std::vector<double> &ref, const std::vector<double> &cur,
                      std::size_t bins, Binning binning) {
  need(ref, "reference", "histogram");
  need(cur, "current", "histogram");
  if (bins < 1) usage_error("bins must be at least 1");
  double lo = std::min(*std::min_element(ref.begin(), ref.end()),
                       *std::min_element(cur.begin(), cur.end()));
  double hi = std::max(*std::max_element(ref.begin(), ref.end()),
                       *std::max_element(cur.begin(), cur.end()));
  Histograms h;
  if (lo == hi) {
    lo -= 0.5; // numpy.histogram's rule for a constant sample
    hi += 0.5;
  }
  h.edges.resize(bins + 1);
  if (binning == Binning::equal_width) {
    for (std::size_t k = 0; k <= bins; ++k)
      h.edges[k] = lo + (hi - lo) * static_cast<double>(k) / static_cast<double>(bins);
  } else {
    std::vector<double> s = ref;
    std::sort(s.begin(), s.end());
    for (std::size_t k = 0; k <= bins; ++k) {
      // Linear interpolation between order statistics (numpy.quantile's default).
      double pos =
          static_cast<double>(k) / static_cast<double>(bins) * static_cast<double>(s.size() - 1);
      auto f = static_cast<std::size_t>(std::floor(pos));
      double frac = pos - static_cast<double>(f);
      h.edges[k] = f + 1 < s.size() ? s[f] + frac * (s[f + 1] - s[f]) : s[f];
    }
    h.edges.front() = lo;
    h.edges.back() = hi;
  }
  auto fill = [&](const std::vector<double> &v) {
    std::vector<double> c(bins, 0.0);
    for (double x : v) {
      // The bin whose half-open interval holds x; the last bin also holds its right edge.
      auto it = std::upper_bound(h.edges.begin(), h.edges.end(), x);
      std::size_t b =
          it == h.edges.begin() ? 0 : static_cast<std::size_t>(it - h.edges.begin()) - 1;
      c[std::min(b, bins - 1)] += 1;
    }
    for (auto &x : c) x /= static_cast<double>(v.size());
    return c;
  };
  h.p = fill(ref);
  h.q = fill(cur);
  for (std::size_t k = 0; k < bins; ++k) h.empty_bins += (h.p[k] == 0 || h.q[k] == 0) ? 1 : 0;
  return h;
}

BinnedDistances binned_distances(const Histograms &h, bool raw) {
  BinnedDistances d{};
  double bc = 0, overlap = 0, js = 0, psi = 0, kl = 0;
  for (std::size_t k = 0; k < h.p.size(); ++k) {
    const double p = h.p[k], q = h.q[k];
    bc += std::sqrt(p * q);
    overlap += std::min(p, q);
    const double m = (p + q) / 2;
    if (p > 0) js += 0.5 * p * std::log(p / m);
    if (q > 0) js += 0.5 * q * std::log(q / m);
    if (p > 0 && q > 0) {
      psi += (q - p) * std::log(q / p);
      kl += p * std::log(p / q);
    } else if (raw && (p > 0 || q > 0)) {
      psi = std::numeric_limits<double>::infinity();
      if (p > 0) kl = std::numeric_limits<double>::infinity();
    }
  }
  d.bhattacharyya = 1 - bc;
  d.hellinger = std::sqrt(std::max(0.0, 1 - bc));
  d.hi_complement = 1 - overlap;
  d.js = js;
  d.psi = psi;
  d.kl = kl;
  return d;
}

} // namespace aip::stats
