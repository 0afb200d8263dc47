#include "aip/drift/detect.hpp"

#include <aip/core/error.hpp>
#include <aip/stats/permutation.hpp>
#include <aip/stats/univariate.hpp>

#include <algorithm>
#include <functional>

namespace aip::drift {
namespace {

using Stat = std::function<double(const std::vector<double> &, const std::vector<double> &)>;

Stat distance_statistic(const std::string &method, const DetectOptions &o) {
  if (method == "wasserstein")
    return [](const auto &a, const auto &b) { return stats::wasserstein1(a, b); };
  if (method == "energy")
    return [](const auto &a, const auto &b) { return stats::energy_distance(a, b); };
  return [method, o](const std::vector<double> &a, const std::vector<double> &b) {
    auto d = stats::binned_distances(stats::histograms(a, b, o.bins, o.binning), o.raw);
    if (method == "hellinger") return d.hellinger;
    if (method == "psi") return d.psi;
    if (method == "js") return d.js;
    if (method == "kl") return d.kl;
    if (method == "hi") return d.hi_complement;
    return d.bhattacharyya;
  };
}

records::Drift base(const std::string &method, const std::optional<std::string> &feature,
                    std::size_t n_ref, std::size_t n_cur, double threshold) {
  records::Drift d;
  d.method = method;
  d.feature = feature;
  d.n_ref = n_ref;
  d.n_cur = n_cur;
  d.threshold = threshold;
  return d;
}

} // namespace

const std::vector<std::string> &univariate_tests() {
  static const std::vector<std::string> v{"ks",  "cvm",         "anderson", "kuiper",
                                          "bws", "mannwhitney", "welch",    "chi2"};
  return v;
}

const std::vector<std::string> &distance_methods() {
  static const std::vector<std::string> v{"wasserstein", "energy", "hellinger", "psi",
                                          "js",          "kl",     "hi",        "bhattacharyya"};
  return v;
}

bool is_known_method(const std::string &name) {
  const auto &u = univariate_tests(), &d = distance_methods();
  return name == "mmd" || std::find(u.begin(), u.end(), name) != u.end() ||
         std::find(d.begin(), d.end(), name) != d.end();
}

DetectResult detect(const table::Table &ref, const table::Table &cur, const DetectOptions &o) {
  for (const auto &m : o.methods)
    if (!is_known_method(m)) usage_error("unknown method '" + m + "' (see aip-drift(1), METHODS)");
  if (ref.columns.empty()) data_error(ref.source + ": no columns to test");
  // Pair the features.
  std::vector<std::pair<const table::Column *, const table::Column *>> features;
  for (const auto &rc : ref.columns) {
    const auto *cc = cur.find(rc.name);
    if (cc == nullptr)
      data_error(cur.source + ": no column '" + rc.name + "' (the reference has it)");
    if (rc.categorical != cc->categorical) {
      const auto &text = rc.categorical ? rc.first_text : cc->first_text;
      data_error(text + ": not a number, but the column is numeric in the " +
                 std::string(rc.categorical ? "current" : "reference") + " data");
    }
    if (rc.size() == 0 || cc->size() == 0)
      data_error("column '" + rc.name + "': a sample is empty");
    features.emplace_back(&rc, cc);
  }
  DetectResult result;
  std::vector<std::string> methods = o.methods;
  if (methods.empty()) methods = {"ks"};
  for (const auto &method : methods) {
    if (method == "mmd") {
      std::vector<const table::Column *> rcols, ccols;
      for (auto [r, c] : features)
        if (!r->categorical) {
          rcols.push_back(r);
          ccols.push_back(c);
        }
      if (rcols.empty()) data_error("mmd: no numeric features");
      auto to_matrix = [](const std::vector<const table::Column *> &cols) {
        stats::Matrix m(static_cast<Eigen::Index>(cols[0]->numbers.size()),
                        static_cast<Eigen::Index>(cols.size()));
        for (std::size_t j = 0; j < cols.size(); ++j)
          for (std::size_t i = 0; i < cols[j]->numbers.size(); ++i)
            m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = cols[j]->numbers[i];
        return m;
      };
      auto r = stats::mmd_test(to_matrix(rcols), to_matrix(ccols), o.kernel, o.sigma,
                               o.permutations, o.seed);
      auto d = base("mmd", std::nullopt, rcols[0]->numbers.size(), ccols[0]->numbers.size(),
                    o.threshold);
      d.statistic = r.mmd2;
      if (o.permutations > 0) d.p_value = r.p_value;
      d.params = {{"kernel", o.kernel == stats::Kernel::rbf         ? "rbf"
                             : o.kernel == stats::Kernel::laplacian ? "laplacian"
                                                                    : "linear"},
                  {"sigma", r.sigma},
                  {"sigma_rule", o.sigma > 0 ? "given" : "median heuristic"},
                  {"permutations", o.permutations},
                  {"seed", o.seed},
                  {"features", rcols.size()}};
      result.features.push_back(d);
      continue;
    }
    for (auto [rc, cc] : features) {
      const bool categorical = rc->categorical;
      std::string m = method;
      // chi2 is the test for categorical features; a numeric-only method on a categorical
      // feature falls back to it, once, rather than failing the whole run.
      if (categorical && m != "chi2") {
        if (std::any_of(result.features.begin(), result.features.end(),
                        [&](const records::Drift &d) {
                          return d.method == "chi2" && d.feature == rc->name;
                        }))
          continue;
        m = "chi2";
      }
      if (!categorical && m == "chi2") continue; // chi2 only tests categorical features
      auto d = base(m, rc->name, rc->size(), cc->size(), o.threshold);
      if (m == "chi2") {
        auto t = stats::chi_square(rc->labels, cc->labels);
        d.statistic = t.statistic;
        d.p_value = t.p_value;
        d.params = {{"dof", t.extra}};
      } else if (std::find(univariate_tests().begin(), univariate_tests().end(), m) !=
                 univariate_tests().end()) {
        stats::TestResult t;
        if (m == "ks")
          t = stats::ks_two_sample(rc->numbers, cc->numbers);
        else if (m == "cvm")
          t = stats::cramer_von_mises(rc->numbers, cc->numbers);
        else if (m == "anderson")
          t = stats::anderson_darling(rc->numbers, cc->numbers);
        else if (m == "kuiper")
          t = stats::kuiper(rc->numbers, cc->numbers);
        else if (m == "bws")
          t = stats::bws(rc->numbers, cc->numbers, 0, o.seed);
        else if (m == "mannwhitney")
          t = stats::mann_whitney(rc->numbers, cc->numbers);
        else
          t = stats::welch_t(rc->numbers, cc->numbers);
        d.statistic = t.statistic;
        d.p_value = t.p_value;
        d.params = {{"p_value_mode", t.mode}};
        if (m == "welch") d.params["dof"] = t.extra;
      } else {
        auto stat = distance_statistic(m, o);
        d.statistic = stat(rc->numbers, cc->numbers);
        if (o.permutations > 0)
          d.p_value =
              stats::permutation_p_value(rc->numbers, cc->numbers, stat, o.permutations, o.seed);
        d.params = {{"permutations", o.permutations}, {"seed", o.seed}};
        if (m != "wasserstein" && m != "energy")
          d.params["binning"] =
              std::to_string(o.bins) + (o.binning == stats::Binning::equal_width
                                            ? " equal-width bins over the pooled range"
                                            : " reference-quantile bins");
      }
      result.features.push_back(d);
    }
  }
  // Multiple-testing correction over every p-value of the run.
  std::vector<double> p;
  for (const auto &d : result.features)
    if (d.p_value) p.push_back(*d.p_value);
  auto adjusted = stats::adjust_p_values(p, o.correction);
  std::size_t k = 0, drifted = 0;
  for (auto &d : result.features) {
    if (!d.p_value) continue;
    if (o.correction != stats::Correction::none) {
      d.params["p_value_raw"] = *d.p_value;
      d.params["correction"] = o.correction == stats::Correction::bonferroni ? "bonferroni"
                               : o.correction == stats::Correction::holm     ? "holm"
                                                                             : "bh";
      d.p_value = adjusted[k];
    }
    ++k;
    d.drift = *d.p_value < o.threshold;
    drifted += d.drift ? 1 : 0;
  }
  std::size_t tested = k;
  auto &ds = result.dataset;
  ds.method = "dataset";
  ds.statistic = tested > 0 ? static_cast<double>(drifted) / static_cast<double>(tested) : 0;
  ds.threshold = o.max_drift_share;
  ds.drift = drifted > 0 && ds.statistic > o.max_drift_share;
  ds.n_ref = ref.rows;
  ds.n_cur = cur.rows;
  ds.params = {{"tests", tested}, {"drifted", drifted}, {"p_threshold", o.threshold}};
  return result;
}

} // namespace aip::drift
