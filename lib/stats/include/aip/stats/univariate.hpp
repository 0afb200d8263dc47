// Two-sample tests on one numeric feature (and chi-square on a categorical one). Each
// returns the statistic and its p-value as the named peer computes them.
#pragma once

#include <cstdint>
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
TestResult cramer_von_mises(const std::vector<double> &reference,
                            const std::vector<double> &current);

// Anderson-Darling k-sample test (Scholz & Stephens 1987), midrank version for ties, as
// scipy.stats.anderson_ksamp: statistic is the standardised A2akN; the p-value is
// interpolated from Scholz & Stephens' table of critical values and so lies in
// [0.001, 0.25] (mode "table-capped" when it hits either end).
TestResult anderson_darling(const std::vector<std::vector<double>> &samples);
TestResult anderson_darling(const std::vector<double> &reference,
                            const std::vector<double> &current);

// Kuiper's two-sample test: V = D+ + D-, the largest ECDF differences in each direction.
// p-value from Kuiper's limiting distribution with Stephens' (1970) adjustment for the
// effective sample size n m / (n + m).
TestResult kuiper(std::vector<double> reference, std::vector<double> current);
double kuiper_sf(double lambda); // Q_KP(lambda) = 2 sum (4 j^2 l^2 - 1) exp(-2 j^2 l^2)

// Baumgartner-Weiss-Schindler (1998): B = (B_X + B_Y) / 2 from the ranks of each sample in
// the pooled sample. p-value: the paper's limiting distribution, or a permutation test
// (as scipy.stats.bws_test) when permutations > 0 or the data hold ties (then 9999).
TestResult bws(const std::vector<double> &reference, const std::vector<double> &current,
               std::size_t permutations = 0, std::uint64_t seed = 0);
double bws_limit_cdf(double b); // lim P(B < b), Baumgartner, Weiss & Schindler (1998)

// Chi-square on the 2 x k table of category counts (scipy.stats.chi2_contingency; Yates'
// correction only with one degree of freedom).
TestResult chi_square(const std::vector<std::string> &reference,
                      const std::vector<std::string> &current);

// Survival functions used by the tests, exposed for their own checks.
double kolmogorov_sf(double x); // P(K > x), K the Kolmogorov distribution
double ks_exact_sf(std::size_t m, std::size_t n, double d); // P(D >= d) for samples m, n
double cvm_limit_cdf(double x);                             // the limiting CvM distribution

} // namespace aip::stats
