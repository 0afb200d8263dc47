// Every expected number here comes from outside aip: ../shared/data/drift/*/expected.json
// (scipy 1.10, numpy 1.24, Frouros 0.9), or a hand calculation written beside the test.
#include <aip/core/error.hpp>
#include <aip/core/table.hpp>
#include <aip/stats/correction.hpp>
#include <aip/stats/distances.hpp>
#include <aip/stats/mmd.hpp>
#include <aip/stats/permutation.hpp>
#include <aip/stats/sort.hpp>
#include <aip/stats/stream.hpp>
#include <aip/stats/univariate.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <tbb/global_control.h>

#include <cmath>
#include <fstream>

using namespace aip;
using namespace aip::stats;

namespace {

const std::string kData = std::string(AIP_SHARED_DATA_DIR) + "/drift/";

struct Case {
  table::Table ref, cur;
  nlohmann::json expected;
};

Case load(const std::string &name) {
  Case c;
  c.ref = table::read(kData + name + "/reference.csv");
  c.cur = table::read(kData + name + "/current.csv");
  std::ifstream in(kData + name + "/expected.json");
  c.expected = nlohmann::json::parse(in);
  return c;
}

std::vector<double> col(const table::Table &t, std::size_t i = 0) {
  return t.columns.at(i).numbers;
}

Matrix matrix(const table::Table &t) {
  Matrix m(static_cast<Eigen::Index>(t.rows), static_cast<Eigen::Index>(t.columns.size()));
  for (std::size_t j = 0; j < t.columns.size(); ++j)
    for (std::size_t i = 0; i < t.rows; ++i)
      m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = t.columns[j].numbers[i];
  return m;
}

// Relative agreement: 1e-9 on statistics, 1e-6 on analytic p-values (the bar).
void near_rel(double got, double want, double rel, const std::string &what) {
  EXPECT_LE(std::fabs(got - want), rel * std::max(std::fabs(want), 1e-300))
      << what << ": got " << got << ", want " << want;
}

} // namespace

TEST(Ks, MatchesScipyKs2sampExact) {
  for (const char *name : {"ks-equal", "ks-shift", "ks-tails", "ks-ties"}) {
    auto c = load(name);
    auto r = ks_two_sample(col(c.ref), col(c.cur));
    EXPECT_EQ(r.mode, "exact");
    near_rel(r.statistic, c.expected["statistic"], 1e-9, std::string(name) + " statistic");
    near_rel(r.p_value, c.expected["p_value"], 1e-6, std::string(name) + " p-value");
  }
}

TEST(Ks, SmallCasesByHand) {
  // x = {1, 2}, y = {3, 4}: D = 1; of the C(4,2) = 6 orderings only the two fully separated
  // ones reach D = 1, so P(D >= 1) = 2/6.
  auto r = ks_two_sample({1, 2}, {3, 4});
  EXPECT_DOUBLE_EQ(r.statistic, 1.0);
  EXPECT_NEAR(r.p_value, 1.0 / 3, 1e-15);
  // The Kolmogorov distribution: Q(1) = 0.26999967167735456 (Smirnov's table; scipy's
  // kstwobign.sf(1.0)), Q(0.5) = 0.9639452436648751 (kstwobign.sf(0.5)).
  EXPECT_NEAR(kolmogorov_sf(1.0), 0.26999967167735456, 1e-12);
  EXPECT_NEAR(kolmogorov_sf(0.5), 0.9639452436648751, 1e-12);
  EXPECT_THROW(ks_two_sample({}, {1.0}), Error);
  EXPECT_THROW(ks_two_sample({NAN}, {1.0}), Error);
}

TEST(MannWhitney, MatchesScipy) {
  for (const char *name : {"mannwhitney-0", "mannwhitney-1", "mannwhitney-2"}) {
    auto c = load(name);
    auto r = mann_whitney(col(c.ref), col(c.cur));
    near_rel(r.statistic, c.expected["statistic_U1"], 1e-9, std::string(name) + " U1");
    near_rel(r.p_value, c.expected["p_value"], 1e-6, std::string(name) + " p-value");
  }
  // Exact, by hand: x = {1, 2}, y = {3, 4, 5}: U1 = 0; of the C(5,2) = 10 arrangements one
  // gives U = 0 and one U = 6, so the two-sided p = 2/10.
  auto r = mann_whitney({1, 2}, {3, 4, 5});
  EXPECT_EQ(r.mode, "exact");
  EXPECT_DOUBLE_EQ(r.statistic, 0);
  EXPECT_NEAR(r.p_value, 0.2, 1e-15);
}

TEST(Welch, MatchesScipyTtestInd) {
  for (const char *name : {"welch-0", "welch-1"}) {
    auto c = load(name);
    auto r = welch_t(col(c.ref), col(c.cur));
    near_rel(r.statistic, c.expected["statistic"], 1e-9, std::string(name) + " t");
    near_rel(r.p_value, c.expected["p_value"], 1e-6, std::string(name) + " p-value");
  }
}

TEST(CramerVonMises, MatchesScipy) {
  for (const char *name : {"cvm-0", "cvm-1", "cvm-2"}) {
    auto c = load(name);
    auto r = cramer_von_mises(col(c.ref), col(c.cur));
    near_rel(r.statistic, c.expected["statistic"], 1e-9, std::string(name) + " T");
    near_rel(r.p_value, c.expected["p_value"], 1e-6, std::string(name) + " p-value");
  }
}

TEST(AndersonDarling, MatchesScipyAndersonKsamp) {
  for (const char *name : {"anderson-0", "anderson-1"}) {
    auto c = load(name);
    auto r = anderson_darling(col(c.ref), col(c.cur));
    near_rel(r.statistic, c.expected["statistic"], 1e-9, std::string(name) + " A2");
    near_rel(r.p_value, c.expected["p_value_capped"], 1e-6, std::string(name) + " p-value");
  }
  // Scholz & Stephens (1987), section 5: paper smoothness measured by four laboratories;
  // the paper reports 4.480 for the standardised midrank statistic A2akN (4.449 without
  // midranks); scipy 1.10's anderson_ksamp gives 4.479780627135335, p = 0.0022254423109335946.
  std::vector<std::vector<double>> labs = {{38.7, 41.5, 43.8, 44.5, 45.5, 46.0, 47.7, 58.0},
                                           {39.2, 39.3, 39.7, 41.4, 41.8, 42.9, 43.3, 45.8},
                                           {34.0, 35.0, 39.0, 40.0, 43.0, 43.0, 44.0, 45.0},
                                           {34.0, 34.8, 34.8, 35.4, 37.2, 37.8, 41.2, 42.8}};
  auto r = anderson_darling(labs);
  EXPECT_NEAR(r.statistic, 4.480, 0.0005);
  near_rel(r.statistic, 4.479780627135335, 1e-9, "labs A2akN");
  near_rel(r.p_value, 0.0022254423109335946, 1e-6, "labs p-value");
}

TEST(Kuiper, ByHandAndStephensTable) {
  // ref {1,2,3,4}, cur {0.5,3.5,5}: F_ref - F_cur at each pooled value is
  // -1/3, -1/12, 1/6, 5/12, 1/12, 1/3, 0, so D+ = 5/12, D- = 1/3, V = 3/4.
  // lambda = (sqrt(12/7) + 0.155 + 0.24 / sqrt(12/7)) * 0.75 = 1.235677...,
  // Q_KP(lambda) = 2 sum_j (4 j^2 l^2 - 1) exp(-2 j^2 l^2) = 0.482135 (by hand, 3 terms).
  auto r = kuiper({1, 2, 3, 4}, {0.5, 3.5, 5});
  EXPECT_NEAR(r.statistic, 0.75, 1e-12);
  EXPECT_NEAR(r.p_value, 0.4821, 1e-4);
  // Stephens (1970), upper percentage points of sqrt(n) V: 1.620 (10%), 1.747 (5%), 2.001 (1%).
  EXPECT_NEAR(kuiper_sf(1.620), 0.10, 0.002);
  EXPECT_NEAR(kuiper_sf(1.747), 0.05, 0.001);
  EXPECT_NEAR(kuiper_sf(2.001), 0.01, 0.0005);
  EXPECT_EQ(kuiper_sf(0.1), 1.0);
}

TEST(Bws, NeuhauserExampleAndPaperTable) {
  // Neuhauser (2005), table 3: ranks 1,2,3,4,6,7,8 vs 5,9,...,14 give B = 5.132 and an exact
  // p-value of 0.0029; a 9999-permutation p-value lands within Monte-Carlo error of it.
  std::vector<double> control = {1, 2, 3, 4, 6, 7, 8}, treated = {5, 9, 10, 11, 12, 13, 14};
  auto r = bws(control, treated, 9999, 7);
  EXPECT_NEAR(r.statistic, 5.132, 0.001);
  EXPECT_NEAR(r.p_value, 0.0029, 0.0015);
  EXPECT_EQ(r.mode, "permutation");
  // Hand calculation for ranks x {1,2}, y {3,4} (n = m = 2, N = 4): B_X terms
  // ((1-2)^2/((1/3)(2/3)4) + (2-4)^2/((2/3)(1/3)4)) / 2 = (9/8 + 36/8) / 2 = 45/16,
  // B_Y = ((3-2)^2 / (8/9) + (4-4)^2 / (8/9)) / 2 = 9/16; B = (45/16 + 9/16) / 2 = 1.6875.
  EXPECT_NEAR(bws({1, 2}, {3, 4}, 99, 1).statistic, 1.6875, 1e-12);
  // Baumgartner, Weiss & Schindler (1998), table 1: the limiting distribution.
  const double table1[][2] = {{1.933, 0.9},  {2.493, 0.95},  {3.076, 0.975},
                              {3.880, 0.99}, {4.500, 0.995}, {5.990, 0.999}};
  for (auto [b, p] : table1) EXPECT_NEAR(bws_limit_cdf(b), p, 1e-4) << "B = " << b;
  // Ties switch the p-value to permutations: the same data with every value doubled up.
  auto tied = bws({1, 1, 2, 2, 3, 3}, {2, 2, 3, 3, 4, 4});
  EXPECT_EQ(tied.mode, "permutation");
}

TEST(ChiSquare, MatchesScipyChi2Contingency) {
  for (const char *name : {"chi2-0", "chi2-1"}) {
    auto c = load(name);
    auto r = chi_square(c.ref.columns[0].labels, c.cur.columns[0].labels);
    near_rel(r.statistic, c.expected["statistic"], 1e-9, std::string(name) + " statistic");
    near_rel(r.p_value, c.expected["p_value"], 1e-6, std::string(name) + " p-value");
    EXPECT_EQ(r.extra, c.expected["dof"].get<double>());
  }
}

TEST(Distances, MatchScipyAndTheStatedDefinitions) {
  for (const char *name : {"distances-0", "distances-1"}) {
    auto c = load(name);
    auto &e = c.expected;
    near_rel(wasserstein1(col(c.ref), col(c.cur)), e["wasserstein"], 1e-9, "wasserstein");
    near_rel(energy_distance(col(c.ref), col(c.cur)), e["energy"], 1e-9, "energy");
    auto h = histograms(col(c.ref), col(c.cur), 10, Binning::equal_width);
    EXPECT_EQ(h.empty_bins, e["empty_bins"].get<std::size_t>());
    auto d = binned_distances(h);
    near_rel(d.hellinger, e["hellinger"], 1e-9, "hellinger");
    near_rel(d.hi_complement, e["hi_normalized_complement"], 1e-9, "hi");
    near_rel(d.bhattacharyya, e["bhattacharyya"], 1e-9, "bhattacharyya");
    near_rel(d.psi, e["psi_nonempty_bins"], 1e-9, "psi");
    near_rel(d.js, e["js_divergence_nats"], 1e-9, "js");
    if (h.empty_bins > 0) {
      EXPECT_TRUE(std::isinf(binned_distances(h, true).psi)); // raw asks for the infinity
    }
  }
  // KL by hand: p = (0.5, 0.5), q = (0.25, 0.75): 0.5 ln 2 + 0.5 ln(2/3).
  Histograms h{{0, 1, 2}, {0.5, 0.5}, {0.25, 0.75}, 0};
  EXPECT_NEAR(binned_distances(h).kl, 0.5 * std::log(2.0) + 0.5 * std::log(2.0 / 3), 1e-15);
}

TEST(Mmd, MatchesNumpyUnbiasedEstimatorAndMedianHeuristic) {
  for (const char *name : {"mmd-0", "mmd-1", "mmd-2"}) {
    auto c = load(name);
    auto x = matrix(c.ref), y = matrix(c.cur);
    auto &e = c.expected;
    near_rel(mmd2_unbiased(x, y, Kernel::rbf, 1.0), e["mmd2_sigma1"], 1e-7,
             std::string(name) + " sigma=1");
    double sigma = median_heuristic(x, y);
    near_rel(sigma, e["sigma_median"], 1e-9, std::string(name) + " median");
    near_rel(mmd2_unbiased(x, y, Kernel::rbf, sigma), e["mmd2_sigma_median"], 1e-7,
             std::string(name) + " mmd2");
    // The permutation p-value agrees within Monte-Carlo error: 4 standard errors of a
    // binomial proportion at B = 2000.
    auto r = mmd_test(x, y, Kernel::rbf, 0, 2000, 20261122);
    double p = e["p_value_approx"], se = std::sqrt(p * (1 - p) / 2000);
    EXPECT_NEAR(r.p_value, p, 4 * se) << name;
  }
}

TEST(Mmd, PermutationResultDoesNotDependOnThreads) {
  auto c = load("mmd-0");
  auto x = matrix(c.ref), y = matrix(c.cur);
  double one, many;
  {
    tbb::global_control g(tbb::global_control::max_allowed_parallelism, 1);
    one = mmd_test(x, y, Kernel::rbf, 0, 300, 7).p_value;
  }
  many = mmd_test(x, y, Kernel::rbf, 0, 300, 7).p_value;
  EXPECT_EQ(one, many);
  // The cached-kernel and blockwise paths compute the same statistic.
  EXPECT_NEAR(mmd2_unbiased(x, y, Kernel::laplacian, 2.0),
              mmd_test(x, y, Kernel::laplacian, 2.0, 0, 1).mmd2, 1e-15);
  // Linear kernel by hand: MMD^2_u with k(x,y) = x.y equals ||mean x - mean y||^2 minus the
  // diagonal terms; for x = {0, 2}, y = {4, 6} in 1-D: (0*2*2)/2 + (4*6*2)/2 -
  // 2*(0*4+0*6+2*4+2*6)/4 = 0 + 24 - 10 = 14.
  Matrix a(2, 1), b(2, 1);
  a << 0, 2;
  b << 4, 6;
  EXPECT_DOUBLE_EQ(mmd2_unbiased(a, b, Kernel::linear, 1), 14.0);
}

TEST(Correction, MatchesStatsmodelsDefinitions) {
  // By hand, p = (0.01, 0.04, 0.03, 0.005), m = 4:
  // Bonferroni: (0.04, 0.16, 0.12, 0.02).
  // Holm: sorted 0.005*4=0.02, 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> max-accumulated 0.06.
  // BH: sorted 0.005*4/1=0.02, 0.01*4/2=0.02, 0.03*4/3=0.04, 0.04*4/4=0.04 -> min from the top.
  std::vector<double> p{0.01, 0.04, 0.03, 0.005};
  auto bonf = adjust_p_values(p, Correction::bonferroni);
  auto holm = adjust_p_values(p, Correction::holm);
  auto bh = adjust_p_values(p, Correction::bh);
  std::vector<double> want_bonf{0.04, 0.16, 0.12, 0.02}, want_holm{0.03, 0.06, 0.06, 0.02},
      want_bh{0.02, 0.04, 0.04, 0.02};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(bonf[i], want_bonf[i], 1e-15);
    EXPECT_NEAR(holm[i], want_holm[i], 1e-15);
    EXPECT_NEAR(bh[i], want_bh[i], 1e-15);
  }
}

TEST(Stream, PageHinkleyAndCusumFlagWhereFrourosDoes) {
  for (const char *name : {"stream-0", "stream-1"}) {
    auto values = table::read(kData + std::string(name) + "/values.csv").columns[0].numbers;
    std::ifstream in(kData + std::string(name) + "/expected.json");
    auto e = nlohmann::json::parse(in)["frouros"];
    for (auto [method, key] :
         {std::pair{
              "page-hinkley",
              "PageHinkley(delta=0.005,lambda=50,alpha=0.9999,min_num_instances=30) on values"},
          std::pair{"cusum", "CUSUM(delta=0.005,lambda=50,min_num_instances=30) on values"}}) {
      auto d = make_detector(method);
      std::vector<std::size_t> flagged;
      for (std::size_t i = 0; i < values.size(); ++i)
        if (d->update(values[i]) == Signal::drift) {
          flagged.push_back(i);
          d->reset();
        }
      EXPECT_EQ(flagged, e[key].get<std::vector<std::size_t>>()) << name << " " << method;
    }
  }
}

TEST(Stream, DdmByDefinitionAndStateRoundTrip) {
  // Errors 0 for 100 updates then 1: p_min + s_min is reached at p = 0 (s = 0), so the first
  // error after min_instances already exceeds p_min + 3 s_min = 0: drift at index 100.
  auto d = make_detector("ddm");
  std::size_t at = 0;
  for (std::size_t i = 0; i < 200; ++i)
    if (d->update(i < 100 ? 0 : 1) == Signal::drift) {
      at = i;
      break;
    }
  EXPECT_EQ(at, 100U);
  // Saving and restoring mid-stream gives the same verdicts as an uninterrupted run.
  auto values = table::read(kData + "stream-1/values.csv").columns[0].numbers;
  auto a = make_detector("page-hinkley"), b = make_detector("page-hinkley");
  std::vector<int> va, vb;
  for (std::size_t i = 0; i < values.size(); ++i) {
    va.push_back(static_cast<int>(a->update(values[i])));
    if (i == 5000) {
      auto saved = b->save().dump();
      b = make_detector("page-hinkley");
      b->restore(nlohmann::json::parse(saved));
    }
    vb.push_back(static_cast<int>(b->update(values[i])));
  }
  EXPECT_EQ(va, vb);
  EXPECT_THROW(make_detector("adwin-ish"), Error);
  DetectorOptions bad;
  bad.params = {{"lamda", 3}};
  EXPECT_THROW(make_detector("cusum", bad), Error);
}

namespace {
std::vector<double> stream_column(const std::string &name, const char *file) {
  return table::read(kData + name + "/" + file).columns[0].numbers;
}
// 0-based indices at which the detector flags drift, resetting after each (as Frouros was run).
std::vector<std::size_t> drifts(Detector &d, const std::vector<double> &values) {
  std::vector<std::size_t> at;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (d.update(values[i]) == Signal::drift) {
      at.push_back(i);
      d.reset();
    }
  return at;
}
} // namespace

TEST(Stream, AdwinAndDdmFlagWhereFrourosDoes) {
  for (const char *name : {"stream-0", "stream-1"}) {
    auto errors = stream_column(name, "errors.csv");
    std::ifstream in(kData + std::string(name) + "/expected.json");
    auto e = nlohmann::json::parse(in)["frouros"];
    auto adwin = make_detector("adwin");
    EXPECT_EQ(drifts(*adwin, errors),
              e["ADWIN(delta=0.002) on errors"].get<std::vector<std::size_t>>())
        << name;
    auto ddm = make_detector("ddm");
    EXPECT_EQ(
        drifts(*ddm, errors),
        e["DDM(warning=2,drift=3,min_num_instances=30) on errors"].get<std::vector<std::size_t>>())
        << name;
  }
}

TEST(Stream, EddmAndStepdByDefinition) {
  // EDDM: an offline recomputation with numpy over the list of distances between errors
  // (np.mean + 2 np.std, the running maximum from update 30, ratio below beta = 0.9 once 30
  // errors were seen) flags stream-0's errors first at 296 (ratio 0.80755) and, restarted
  // after it, at 637 (ratio 0.89794).
  auto errors = stream_column("stream-0", "errors.csv");
  auto eddm = make_detector("eddm");
  auto at = drifts(*eddm, errors);
  ASSERT_GE(at.size(), 2U);
  EXPECT_EQ(at[0], 296U);
  EXPECT_EQ(at[1], 637U);
  // STEPD by hand: window 5, ten correct predictions then five errors. n_o = 10 (p_o = 0),
  // n_r = 5 (p_r = 1), pooled 1/3, 1/n_o + 1/n_r = 0.3:
  // T = (1 - 0.15) / sqrt(1/3 * 2/3 * 0.3) = 3.2920358, one-sided p = 0.00049732467.
  DetectorOptions o;
  o.params = {{"window", 5}};
  auto stepd = make_detector("stepd", o);
  for (int i = 0; i < 15; ++i) stepd->update(i < 10 ? 0 : 1);
  EXPECT_NEAR(stepd->statistic(), 0.0004973246683901205, 1e-12);
  EXPECT_THROW(stepd->update(0.5), Error); // errors are 0 or 1
}

TEST(Stream, HddmBoundsByHand) {
  // HDDM-A, 30 zeros then ones. The cut X stays at the 30 zeros (n_X = 30, mean 0); after k
  // ones Z = k / (30 + k) and the increase bound is sqrt(k / (60 (30 + k)) ln(1/alpha)):
  // k = 3: 0.0909 >= 0.0896 (alpha_w = 0.005, ln 200 = 5.2983) but < 0.1023 (alpha_d): warning;
  // k = 4: 0.1176 >= 0.1164 (alpha_d = 0.001, ln 1000 = 6.9078): drift. Indices 32 and 33.
  auto a = make_detector("hddm-a");
  std::vector<Signal> got;
  for (int i = 0; i < 34; ++i) got.push_back(a->update(i < 30 ? 0 : 1));
  EXPECT_EQ(got[31], Signal::none);
  EXPECT_EQ(got[32], Signal::warning);
  EXPECT_EQ(got[33], Signal::drift);
  // HDDM-W (lambda 0.05), 30 zeros then ones. Sum of squared weights D_1 = 1,
  // D_k = 0.0025 + 0.9025 D_{k-1}: the cut holds D_30 = 0.07538; the ones' EWMA is 1 from
  // the first, with D'_k. Drift when 1 > sqrt((D_30 + D'_k) ln(1000) / 2), i.e. D'_k < 0.21415:
  // first at k = 18 (D'_18 = 0.19597; D'_17 = 0.21438 is not); warning (ln 200) when
  // D'_k < 0.30210: first at k = 14. Indices 43 (warning) and 47 (drift).
  auto w = make_detector("hddm-w");
  std::vector<Signal> wv;
  for (int i = 0; i < 48; ++i) wv.push_back(w->update(i < 30 ? 0 : 1));
  EXPECT_EQ(wv[42], Signal::none);
  EXPECT_EQ(wv[43], Signal::warning);
  EXPECT_EQ(wv[46], Signal::warning);
  EXPECT_EQ(wv[47], Signal::drift);
}

TEST(Stream, IncrementalKsEqualsBatchKs) {
  // The statistic kept incrementally equals the batch two-sample KS D (itself checked against
  // scipy) of the reference and the current window, at every update of a shifting stream.
  auto values = stream_column("stream-1", "values.csv");
  std::vector<double> reference(values.begin(), values.begin() + 3000);
  DetectorOptions o;
  o.params = {{"window", 200}};
  o.reference = reference;
  auto ks = make_detector("ks", o);
  for (std::size_t i = 3000; i < 3000 + 1200; ++i) {
    const std::size_t t = i + 6000; // cross the change point at 9177
    ks->update(values[t]);
    if (i - 3000 + 1 >= 200 && (i % 97 == 0 || t == 9300)) {
      std::vector<double> window(values.begin() + static_cast<std::ptrdiff_t>(t - 199),
                                 values.begin() + static_cast<std::ptrdiff_t>(t + 1));
      EXPECT_NEAR(ks->statistic(), ks_two_sample(reference, window).statistic, 1e-9) << "at " << t;
    }
  }
  // The threshold is the exact critical value: p(D) just above it is below alpha.
  EXPECT_LT(ks_exact_sf(3000, 200, ks->threshold() + 1e-6), 0.001);
  EXPECT_GE(ks_exact_sf(3000, 200, ks->threshold() - 1e-3), 0.001);
  EXPECT_THROW(make_detector("ks"), Error); // needs a reference
}

TEST(Stream, EveryDetectorRestoresItsState) {
  // Saving and restoring mid-stream gives the same verdicts as an uninterrupted run.
  auto values = stream_column("stream-1", "values.csv");
  auto errors = stream_column("stream-1", "errors.csv");
  for (const char *m : {"page-hinkley", "cusum", "gma", "ddm", "eddm", "hddm-a", "hddm-w", "stepd",
                        "adwin", "kswin", "ks"}) {
    const std::string method = m;
    const bool binary = method == "ddm" || method == "eddm" || method == "stepd";
    const auto &data = binary ? errors : values;
    DetectorOptions o;
    if (method == "ks") o.reference.assign(values.begin(), values.begin() + 2000);
    auto a = make_detector(method, o), b = make_detector(method, o);
    std::vector<std::size_t> va, vb;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (a->update(data[i]) != Signal::none) va.push_back(i);
      if (i == 9000) {
        auto saved = b->save().dump();
        b = make_detector(method, o);
        b->restore(nlohmann::json::parse(saved));
      }
      if (b->update(data[i]) != Signal::none) vb.push_back(i);
    }
    EXPECT_EQ(va, vb) << method;
  }
}

TEST(Sort, RadixSortAgreesWithStdSort) {
  // Large enough for the radix path: signs, zeros of both signs, subnormals, huge values,
  // many duplicates and values sharing their high digits.
  SplitMix64 rng(42);
  std::vector<double> v;
  for (int i = 0; i < 200000; ++i) {
    const double u = static_cast<double>(rng.below(1U << 30)) / (1U << 30) - 0.5;
    switch (i % 6) {
    case 0: v.push_back(u); break;
    case 1: v.push_back(u * 1e300); break;
    case 2: v.push_back(u * 1e-310); break; // subnormal
    case 3: v.push_back(std::round(u * 10)); break;
    case 4: v.push_back(i % 12 == 4 ? -0.0 : 0.0); break;
    default: v.push_back(1000 + u * 1e-9); break;
    }
  }
  auto want = v;
  std::sort(want.begin(), want.end());
  sort_values(v);
  for (std::size_t i = 0; i < v.size(); ++i)
    ASSERT_EQ(v[i], want[i]) << i; // -0.0 == 0.0 compare equal
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
}
