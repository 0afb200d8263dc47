// Two-sample tests on one numeric feature (and chi-square on a categorical one). Each
// returns the statistic and its p-value as the named peer computes them.
#pragma once

#include <string>
#include <vector>

namespace aip::stats {

struct TestResult {
  double statistic = 0;
  double p_value = 1;
  std::string mode; // how the p-value was obtained: "exact", "asymptotic", ...
  double extra = 0; // test-specific: U1 for Mann-Whitney, dof for chi-square and Welch
};

// Kolmogorov-Smirnov, two-sided. D = sup |F_ref - F_cur|. The p-value is exact (lattice
// paths) when max(n, m) <= 10000, as scipy.stats.ks_2samp's "auto" mode decides; otherwise
// Kolmogorov's limiting distribution with Stephens' (1970) small-sample adjustment.
TestResult ks_two_sample(std::vector<double> reference, std::vector<double> current);

// Mann-Whitney U, two-sided, midranks for ties. statistic = U of the reference sample (U1).
// Exact distribution when both samples have fewer than 8 values and there are no ties
// (scipy's "auto"), else the normal approximation with continuity and tie correction.
TestResult mann_whitney(const std::vector<double> &reference, const std::vector<double> &current);

// Welch's unequal-variance t-test (scipy.stats.ttest_ind(ref, cur, equal_var=False)).
TestResult welch_t(const std::vector<double> &reference, const std::vector<double> &current);

// Cramer-von Mises two-sample (Anderson 1962), with scipy's asymptotic p-value (the limiting
// distribution of Csorgo & Faraway 1996 after Anderson's mean and variance normalisation).
TestResult cramer_von_mises(const std::vector<double> &reference, const std::vector<double> &current);

// Chi-square on the 2 x k table of category counts (scipy.stats.chi2_contingency; Yates'
// correction only with one degree of freedom).
TestResult chi_square(const std::vector<std::string> &reference, const std::vector<std::string> &current);

// Survival functions used by the tests, exposed for their own checks.
double kolmogorov_sf(double x);                       // P(K > x), K the Kolmogorov distribution
double ks_exact_sf(std::size_t m, std::size_t n, double d); // P(D >= d) for samples m, n
double cvm_limit_cdf(double x);                       // the limiting CvM distribution

} // namespace aip::stats
