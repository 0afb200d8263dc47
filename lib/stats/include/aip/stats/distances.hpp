// Distances between two samples of one feature. Wasserstein-1 and energy distance use the
// empirical distributions exactly; the others compare binned proportions.
#pragma once

#include <string>
#include <vector>

namespace aip::stats {

double wasserstein1(std::vector<double> reference,
                    std::vector<double> current); // scipy.stats.wasserstein_distance
double energy_distance(std::vector<double> reference,
                       std::vector<double> current); // scipy.stats.energy_distance

// Binning: `bins` equal-width bins over [min, max] of the pooled sample (numpy.histogram's
// edges: the last bin is closed), or over the reference's quantiles ("quantile": bins of
// equal reference mass, the outer edges widened to the pooled range).
enum class Binning { equal_width, quantile };
struct Histograms {
  std::vector<double> edges, p, q; // p: reference proportions, q: current proportions
  std::size_t empty_bins = 0;      // bins empty in at least one sample
};
Histograms histograms(const std::vector<double> &reference, const std::vector<double> &current,
                      std::size_t bins = 10, Binning binning = Binning::equal_width);

// Binned distances, as Frouros defines them (p reference, q current, proportions):
//   hellinger = sqrt(1 - sum sqrt(p q)); bhattacharyya = 1 - sum sqrt(p q);
//   hi_complement = 1 - sum min(p, q); js = JS divergence in nats with m = (p + q) / 2;
//   psi = sum (q - p) ln(q / p) and kl = sum p ln(p / q), over bins where both are non-empty
//   unless `raw`, in which case an empty bin gives +inf (psi, kl).
// Empty bins: without `raw`, PSI and KL leave out bins empty in either sample (the rule the
// reference values use) instead of adding an epsilon, so no infinity appears.
struct BinnedDistances {
  double hellinger, bhattacharyya, hi_complement, js, psi, kl;
};
BinnedDistances binned_distances(const Histograms &h, bool raw = false);

} // namespace aip::stats
