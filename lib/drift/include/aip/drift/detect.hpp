// `aip drift detect`: runs the chosen tests on every selected feature of a reference and a
// current table, corrects the p-values for multiple testing, and gives per-feature records
// plus a dataset-level verdict.
#pragma once

#include <aip/core/table.hpp>
#include <aip/records/drift.hpp>
#include <aip/stats/correction.hpp>
#include <aip/stats/distances.hpp>
#include <aip/stats/mmd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace aip::drift {

struct DetectOptions {
  std::vector<std::string> methods; // empty: ks on numeric features, chi2 on categorical
  double threshold = 0.05;          // p-value below which a test says drift
  stats::Correction correction = stats::Correction::none;
  std::size_t permutations = 1000; // for distances and mmd
  std::uint64_t seed = 0;
  double sigma = 0; // mmd bandwidth; <= 0: median heuristic
  stats::Kernel kernel = stats::Kernel::rbf;
  std::size_t bins = 10;
  stats::Binning binning = stats::Binning::equal_width;
  bool raw = false;           // raw binned divergences (may be infinite)
  double max_drift_share = 0; // dataset drift when the share of drifted features exceeds this
};

// The univariate methods, the binned distances and the multivariate one, by name.
const std::vector<std::string> &univariate_tests(); // ks cvm mannwhitney welch chi2
const std::vector<std::string> &
distance_methods(); // wasserstein energy hellinger psi js kl hi bhattacharyya
bool is_known_method(const std::string &name); // the above and "mmd"

struct DetectResult {
  std::vector<records::Drift> features; // one per (method, feature); mmd has feature = none
  records::Drift dataset;               // method "dataset": statistic = share of drifted features
  bool drift() const { return dataset.drift; }
};

// Features are the columns present in both tables (reference order); a column missing from
// the current table, or numeric in one and text in the other, is a data error naming it.
DetectResult detect(const table::Table &reference, const table::Table &current,
                    const DetectOptions &options);

} // namespace aip::drift
