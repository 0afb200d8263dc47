// Window-based and Hoeffding-bound streaming detectors: ADWIN, KSWIN, incremental KS against
// a fixed reference, HDDM-A and HDDM-W.
#include "stream_detail.hpp"

#include <aip/core/error.hpp>
#include <aip/stats/permutation.hpp>
#include <aip/stats/univariate.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace aip::stats::detail {
namespace {

// ADWIN (Bifet & Gavalda, "Learning from Time-Changing Data with Adaptive Windowing", SDM
// 2007), the ADWIN2 variant: the window is kept as an exponential histogram, row i holding up
// to m + 1 buckets of 2^i values (total and sum of squared deviations); a full row merges its
// two oldest buckets into the next. Every `clock` updates, each bucket boundary from the
// oldest is tried as a cut W0 | W1; a cut whose means differ by more than
//   eps = sqrt(2 / m' var(W) d') + 2 / 3 d' / m',  1/m' = 1/(|W0| - k) + 1/(|W1| - k),
//   d' = ln(2 ln|W| / delta),  k = min_window_size + 1
// drops the oldest bucket and the search restarts. The bucket layout, the boundaries tried and
// the bound are those of Frouros 0.9 (after river), so drift is flagged at the same updates.
class Adwin : public Detector {
public:
  explicit Adwin(const nlohmann::json &p) {
    only(p, {"delta", "clock", "m", "min_window_size", "min_instances"}, "adwin");
    delta_ = param(p, "delta", 0.002);
    clock_ = static_cast<std::uint64_t>(param(p, "clock", 32));
    m_ = static_cast<std::size_t>(param(p, "m", 5));
    min_window_ = param(p, "min_window_size", 5);
    min_instances_ = param(p, "min_instances", 10);
    if (!(delta_ > 0 && delta_ < 1)) usage_error("adwin: delta must lie in (0, 1)");
    if (clock_ < 1 || m_ < 1) usage_error("adwin: clock and m must be at least 1");
  }
  std::string name() const override { return "adwin"; }

  Signal update(double x) override {
    ++seen_;
    insert(x);
    bool drift = false;
    if (seen_ % clock_ != 0 || static_cast<double>(width_) <= min_instances_) return Signal::none;
    for (bool again = true; again && width_ > 1;) {
      again = false;
      double n0 = 0, n1 = static_cast<double>(width_), s0 = 0, s1 = total_;
      for (std::size_t i = rows_.size(); i-- > 0 && !again;) {
        const double size = std::ldexp(1.0, static_cast<int>(i));
        const auto &row = rows_[i];
        // As Frouros and river do, the newest bucket of each row is not tried as a cut.
        for (std::size_t j = 0; j + 1 < row.size(); ++j) {
          n0 += size;
          n1 -= size;
          s0 += row[j].total;
          s1 -= row[j].total;
          if (n1 <= min_window_ || n0 <= min_window_) continue;
          const double k = min_window_ + 1;
          if (n0 - k <= 0 || n1 - k <= 0) continue; // the bound is infinite there
          const double inv_m = 1 / (n0 - k) + 1 / (n1 - k);
          const double dprime = std::log(2 * std::log(static_cast<double>(width_)) / delta_);
          const double eps =
              std::sqrt(2 * inv_m * (variance_ / static_cast<double>(width_)) * dprime) +
              2.0 / 3 * dprime * inv_m;
          const double diff = std::fabs(s0 / n0 - s1 / n1);
          if (diff > eps) {
            drift = again = true;
            stat_ = diff;
            eps_ = eps;
            drop_oldest();
            break;
          }
        }
      }
    }
    return drift ? Signal::drift : Signal::none;
  }

  void reset() override {
    seen_ = width_ = 0;
    total_ = variance_ = 0;
    rows_.clear();
  }
  double statistic() const override { return stat_; }
  double threshold() const override { return eps_; }
  nlohmann::json parameters() const override {
    return {{"delta", delta_},
            {"clock", clock_},
            {"m", m_},
            {"min_window_size", min_window_},
            {"min_instances", min_instances_}};
  }
  nlohmann::json save() const override {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto &r : rows_) {
      nlohmann::json row = nlohmann::json::array();
      for (const auto &b : r) row.push_back({b.total, b.variance});
      rows.push_back(row);
    }
    return {{"seen", seen_},
            {"width", width_},
            {"total", total_},
            {"variance", variance_},
            {"rows", rows}};
  }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    width_ = st.at("width").get<std::uint64_t>();
    total_ = st.at("total").get<double>();
    variance_ = st.at("variance").get<double>();
    rows_.clear();
    for (const auto &row : st.at("rows")) {
      rows_.emplace_back();
      for (const auto &b : row)
        rows_.back().push_back({b.at(0).get<double>(), b.at(1).get<double>()});
      if (rows_.back().size() > m_ + 1)
        data_error("adwin state: a row holds more buckets than m + 1");
    }
  }
  std::uint64_t width() const { return width_; }

private:
  struct Bucket {
    double total, variance;
  };

  void insert(double x) {
    if (rows_.empty()) rows_.emplace_back();
    rows_[0].push_back({x, 0});
    ++width_;
    if (width_ > 1) {
      const double w = static_cast<double>(width_), d = x - total_ / (w - 1);
      variance_ += (w - 1) * d * d / w;
    }
    total_ += x;
    // Merge full rows upwards.
    for (std::size_t i = 0; i < rows_.size() && rows_[i].size() == m_ + 1; ++i) {
      if (i + 1 == rows_.size()) rows_.emplace_back();
      const double size = std::ldexp(1.0, static_cast<int>(i));
      auto &row = rows_[i];
      const double a = row[0].total / size, b = row[1].total / size;
      // Chan et al.'s pairwise update of the sum of squared deviations of two equal halves.
      const double var =
          row[0].variance + row[1].variance + size * size * (a - b) * (a - b) / (2 * size);
      rows_[i + 1].push_back({row[0].total + row[1].total, var});
      row.erase(row.begin(), row.begin() + 2);
    }
  }

  void drop_oldest() {
    auto &row = rows_.back();
    const double size = std::ldexp(1.0, static_cast<int>(rows_.size() - 1));
    width_ -= static_cast<std::uint64_t>(size);
    total_ -= row.front().total;
    if (width_ > 0) {
      const double w = static_cast<double>(width_);
      const double d = row.front().total / size - total_ / w;
      variance_ -= row.front().variance + size * w * d * d / (size + w);
    } else {
      variance_ = 0;
    }
    row.erase(row.begin());
    if (row.empty()) rows_.pop_back();
  }

  double delta_, min_window_, min_instances_, total_ = 0, variance_ = 0, stat_ = 0, eps_ = 0;
  std::uint64_t clock_, width_ = 0;
  std::size_t m_;
  std::vector<std::vector<Bucket>> rows_; // rows_[i]: buckets of 2^i values, oldest first
};

// KSWIN (Raab, Heusinger & Schleif, "Reactive Soft Prototype Computing for Concept Drift
// Streams", Neurocomputing 2020): a sliding window of `window` values; once full, the last
// `stat_size` values are compared by the two-sample KS test (exact p-value) with `stat_size`
// values drawn without replacement from the older part; drift when p <= alpha, after which the
// window keeps only the last stat_size values. The draw for update t comes from (seed, t), so
// a restored state gives the same verdicts as an uninterrupted run.
class Kswin : public Detector {
public:
  explicit Kswin(const nlohmann::json &p) {
    only(p, {"window", "stat_size", "alpha", "seed"}, "kswin");
    window_ = static_cast<std::size_t>(param(p, "window", 100));
    stat_size_ = static_cast<std::size_t>(param(p, "stat_size", 30));
    alpha_ = param(p, "alpha", 0.005);
    seed_ = static_cast<std::uint64_t>(param(p, "seed", 0));
    if (stat_size_ < 1 || 2 * stat_size_ > window_)
      usage_error("kswin: need 1 <= stat_size <= window / 2");
    if (!(alpha_ > 0 && alpha_ < 1)) usage_error("kswin: alpha must lie in (0, 1)");
  }
  std::string name() const override { return "kswin"; }
  Signal update(double x) override {
    ++seen_;
    values_.push_back(x);
    if (values_.size() > window_) values_.erase(values_.begin());
    if (values_.size() < window_) return Signal::none;
    const std::size_t older = window_ - stat_size_;
    auto rng = stream_for(seed_, seen_);
    std::vector<std::size_t> pick;
    random_subset(rng, older, stat_size_, pick);
    std::vector<double> a(stat_size_),
        b(values_.end() - static_cast<std::ptrdiff_t>(stat_size_), values_.end());
    for (std::size_t i = 0; i < stat_size_; ++i) a[i] = values_[pick[i]];
    auto r = ks_two_sample(a, b);
    stat_ = r.statistic;
    p_value_ = r.p_value;
    if (p_value_ > alpha_) return Signal::none;
    values_.erase(values_.begin(), values_.end() - static_cast<std::ptrdiff_t>(stat_size_));
    return Signal::drift;
  }
  void reset() override {
    seen_ = 0;
    values_.clear();
  }
  double statistic() const override { return stat_; }
  double threshold() const override { return alpha_; }
  nlohmann::json parameters() const override {
    return {{"window", window_},
            {"stat_size", stat_size_},
            {"alpha", alpha_},
            {"seed", seed_},
            {"p_value", p_value_}};
  }
  nlohmann::json save() const override { return {{"seen", seen_}, {"values", values_}}; }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    values_ = st.at("values").get<std::vector<double>>();
    if (values_.size() > window_) data_error("kswin state: more values than the window holds");
  }

private:
  std::size_t window_, stat_size_;
  double alpha_, stat_ = 0, p_value_ = 1;
  std::uint64_t seed_;
  std::vector<double> values_;
};

// Incremental two-sample KS against a fixed reference (after dos Reis et al., "Fast
// Unsupervised Online Drift Detection Using Incremental Kolmogorov-Smirnov Test", KDD 2016):
// the reference is sorted once; the line is cut into slots (each distinct reference value, and
// the open gaps between them); slot s carries r_s / n - c_s / W with r_s its reference count
// and c_s the count of window values in it. D = max over prefixes of |sum|, kept by a segment
// tree of (sum, max prefix, min prefix) updated in O(log n) when a value enters or leaves the
// sliding window; nothing is re-sorted per update. Drift when D exceeds the critical value of
// the two-sample KS test at level alpha for sizes n and W (computed once).
class IncrementalKs : public Detector {
public:
  IncrementalKs(const nlohmann::json &p, std::vector<double> reference) {
    only(p, {"window", "alpha"}, "ks");
    window_ = static_cast<std::size_t>(param(p, "window", 500));
    alpha_ = param(p, "alpha", 0.001);
    if (window_ < 1) usage_error("ks: window must be at least 1");
    if (!(alpha_ > 0 && alpha_ < 1)) usage_error("ks: alpha must lie in (0, 1)");
    if (reference.empty())
      usage_error("ks: the streaming KS test needs a reference sample (--reference FILE)");
    for (double v : reference)
      if (!std::isfinite(v)) data_error("ks: the reference holds NaN or infinity");
    std::sort(reference.begin(), reference.end());
    n_ = reference.size();
    for (std::size_t i = 0; i < reference.size();) {
      std::size_t j = i;
      while (j < reference.size() && reference[j] == reference[i]) ++j;
      unique_.push_back(reference[i]);
      counts_.push_back(static_cast<double>(j - i));
      i = j;
    }
    slots_ = 2 * unique_.size() + 1;
    size_ = 1;
    while (size_ < slots_) size_ *= 2;
    tree_.assign(2 * size_, Node{});
    for (std::size_t k = 0; k < unique_.size(); ++k)
      set_leaf(2 * k + 1, counts_[k] / static_cast<double>(n_));
    for (std::size_t i = size_; i-- > 1;) pull(i);
    critical_ = critical_value();
  }
  std::string name() const override { return "ks"; }
  Signal update(double x) override {
    ++seen_;
    ring_.push_back(x);
    change(x, -1.0 / static_cast<double>(window_));
    if (ring_.size() > window_) {
      change(ring_.front(), 1.0 / static_cast<double>(window_));
      ring_.erase(ring_.begin());
    }
    if (ring_.size() < window_) return Signal::none;
    d_ = std::max(tree_[1].max_prefix, -tree_[1].min_prefix);
    return d_ > critical_ + 1e-12 ? Signal::drift : Signal::none;
  }
  void reset() override {
    seen_ = 0;
    for (double v : ring_) change(v, 1.0 / static_cast<double>(window_));
    ring_.clear();
    d_ = 0;
  }
  double statistic() const override { return d_; }
  double threshold() const override { return critical_; }
  nlohmann::json parameters() const override {
    return {{"window", window_}, {"alpha", alpha_}, {"n_ref", n_}};
  }
  nlohmann::json save() const override { return {{"seen", seen_}, {"window_values", ring_}}; }
  void restore(const nlohmann::json &st) override {
    reset();
    auto values = st.at("window_values").get<std::vector<double>>();
    if (values.size() > window_) data_error("ks state: more values than the window holds");
    for (double v : values) {
      ring_.push_back(v);
      change(v, -1.0 / static_cast<double>(window_));
    }
    seen_ = st.at("seen").get<std::uint64_t>();
  }

private:
  struct Node {
    double sum = 0, max_prefix = 0, min_prefix = 0; // prefixes include the empty one (0)
  };
  void set_leaf(std::size_t slot, double v) {
    auto &n = tree_[size_ + slot];
    n.sum = v;
    n.max_prefix = std::max(0.0, v);
    n.min_prefix = std::min(0.0, v);
  }
  void pull(std::size_t i) {
    const auto &l = tree_[2 * i], &r = tree_[2 * i + 1];
    tree_[i] = {l.sum + r.sum, std::max(l.max_prefix, l.sum + r.max_prefix),
                std::min(l.min_prefix, l.sum + r.min_prefix)};
  }
  void change(double x, double weight) {
    const auto k = static_cast<std::size_t>(std::lower_bound(unique_.begin(), unique_.end(), x) -
                                            unique_.begin());
    const std::size_t slot = k < unique_.size() && unique_[k] == x ? 2 * k + 1 : 2 * k;
    set_leaf(slot, tree_[size_ + slot].sum + weight);
    for (std::size_t i = (size_ + slot) / 2; i >= 1; i /= 2) pull(i);
  }
  // Smallest D with P(D_{n,W} >= D) < alpha, by bisection on the KS p-value (exact for sizes
  // up to 10000 as scipy decides, else the limiting distribution).
  double critical_value() const {
    const double n = static_cast<double>(n_), w = static_cast<double>(window_);
    auto p = [&](double d) {
      if (std::max(n_, window_) <= 10000 && n * w <= 4e6) return ks_exact_sf(n_, window_, d);
      const double en = std::sqrt(n * w / (n + w));
      return kolmogorov_sf((en + 0.12 + 0.11 / en) * d);
    };
    double lo = 0, hi = 1;
    for (int i = 0; i < 50; ++i) {
      const double mid = (lo + hi) / 2;
      (p(mid) < alpha_ ? hi : lo) = mid;
    }
    return lo;
  }

  std::size_t window_, n_ = 0, slots_ = 0, size_ = 1;
  double alpha_, critical_ = 1, d_ = 0;
  std::vector<double> unique_, counts_, ring_;
  std::vector<Node> tree_;
};

// HDDM-A (Frias-Blanco et al., "Online and Non-Parametric Drift Detection Methods Based on
// Hoeffding's Bounds", IEEE TKDE 2015, the A-test): the mean Z of all values since the last
// drift and the mean X up to the cut point, moved to the present whenever
// Z + eps(n_Z) <= X + eps(n_X), eps(n) = sqrt(ln(1/alpha_d) / (2n)). An increase is declared
// when Z - X >= sqrt((n_Z - n_X) / (2 n_X n_Z) ln(1/alpha)): alpha_w for a warning, alpha_d
// for a drift. two_sided = 1 also watches decreases with a mirrored cut Y.
class HddmA : public Detector {
public:
  explicit HddmA(const nlohmann::json &p) {
    only(p, {"alpha_d", "alpha_w", "two_sided", "min_instances"}, "hddm-a");
    alpha_d_ = param(p, "alpha_d", 0.001);
    alpha_w_ = param(p, "alpha_w", 0.005);
    two_sided_ = param(p, "two_sided", 0) != 0;
    min_ = static_cast<std::uint64_t>(param(p, "min_instances", 30));
    if (!(alpha_d_ > 0 && alpha_d_ < alpha_w_ && alpha_w_ <= 1))
      usage_error("hddm-a: need 0 < alpha_d < alpha_w <= 1");
  }
  std::string name() const override { return "hddm-a"; }
  Signal update(double v) override {
    ++seen_;
    z_.add(v);
    if (x_.n == 0) x_ = z_;
    if (two_sided_ && y_.n == 0) y_ = z_;
    const double ez = eps(z_.n);
    if (z_.mean + ez <= x_.mean + eps(x_.n)) x_ = z_;
    if (two_sided_ && y_.mean - eps(y_.n) <= z_.mean - ez) y_ = z_;
    if (seen_ < min_) return Signal::none;
    Signal s = Signal::none;
    auto judge = [&](const Mean &cut, double diff) {
      if (z_.n == cut.n) return Signal::none;
      const double m = static_cast<double>(z_.n - cut.n) /
                       (2 * static_cast<double>(cut.n) * static_cast<double>(z_.n));
      stat_ = std::max(stat_, diff);
      bound_ = std::sqrt(m * std::log(1 / alpha_d_));
      if (diff >= bound_) return Signal::drift;
      if (diff >= std::sqrt(m * std::log(1 / alpha_w_))) return Signal::warning;
      return Signal::none;
    };
    stat_ = 0;
    s = std::max(s, judge(x_, z_.mean - x_.mean));
    if (two_sided_) s = std::max(s, judge(y_, y_.mean - z_.mean));
    if (s == Signal::drift) x_ = y_ = z_ = Mean{}; // the test restarts itself after a drift
    return s;
  }
  void reset() override {
    seen_ = 0;
    x_ = y_ = z_ = Mean{};
  }
  double statistic() const override { return stat_; }
  double threshold() const override { return bound_; }
  nlohmann::json parameters() const override {
    return {{"alpha_d", alpha_d_},
            {"alpha_w", alpha_w_},
            {"two_sided", two_sided_ ? 1 : 0},
            {"min_instances", min_}};
  }
  nlohmann::json save() const override {
    return {
        {"seen", seen_}, {"x", {x_.n, x_.mean}}, {"y", {y_.n, y_.mean}}, {"z", {z_.n, z_.mean}}};
  }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    auto get = [&](const char *k) {
      return Mean{st.at(k).at(0).get<std::uint64_t>(), st.at(k).at(1).get<double>()};
    };
    x_ = get("x");
    y_ = get("y");
    z_ = get("z");
  }

private:
  struct Mean {
    std::uint64_t n = 0;
    double mean = 0;
    void add(double v) { mean += (v - mean) / static_cast<double>(++n); }
  };
  double eps(std::uint64_t n) const {
    return std::sqrt(std::log(1 / alpha_d_) / (2 * static_cast<double>(n)));
  }
  double alpha_d_, alpha_w_, stat_ = 0, bound_ = 0;
  bool two_sided_;
  std::uint64_t min_;
  Mean x_, y_, z_;
};

// HDDM-W (the same paper, the W-test): exponentially weighted means (weight lambda on the
// newest value) with McDiarmid's bound eps = sqrt(D ln(1/alpha) / 2), D the sum of squared
// weights (D = lambda^2 + (1 - lambda)^2 D, 1 for a single value). The cut moves to the
// present while EWMA + eps(alpha_d) decreases; the values after it form a second EWMA, and an
// increase is declared when their difference exceeds the bound for the summed D (alpha_w
// warning, alpha_d drift). Frouros 0.9 passes lambda where the cut needs alpha_d and compares
// the wrong pair for decreases; this follows the paper.
class HddmW : public Detector {
public:
  explicit HddmW(const nlohmann::json &p) {
    only(p, {"alpha_d", "alpha_w", "lambda", "two_sided", "min_instances"}, "hddm-w");
    alpha_d_ = param(p, "alpha_d", 0.001);
    alpha_w_ = param(p, "alpha_w", 0.005);
    lambda_ = param(p, "lambda", 0.05);
    two_sided_ = param(p, "two_sided", 0) != 0;
    min_ = static_cast<std::uint64_t>(param(p, "min_instances", 30));
    if (!(alpha_d_ > 0 && alpha_d_ < alpha_w_ && alpha_w_ <= 1))
      usage_error("hddm-w: need 0 < alpha_d < alpha_w <= 1");
    if (!(lambda_ > 0 && lambda_ <= 1)) usage_error("hddm-w: lambda must lie in (0, 1]");
  }
  std::string name() const override { return "hddm-w"; }
  Signal update(double v) override {
    ++seen_;
    total_.add(v, lambda_);
    const double e = bound(total_.d, alpha_d_);
    if (total_.ewma + e < inc_cut_) {
      inc_cut_ = total_.ewma + e;
      inc1_ = total_;
      inc2_ = Ewma{};
    } else {
      inc2_.add(v, lambda_);
    }
    if (two_sided_) {
      if (total_.ewma - e > dec_cut_) {
        dec_cut_ = total_.ewma - e;
        dec1_ = total_;
        dec2_ = Ewma{};
      } else {
        dec2_.add(v, lambda_);
      }
    }
    if (seen_ < min_) return Signal::none;
    stat_ = 0;
    auto judge = [&](const Ewma &before, const Ewma &after, double diff) {
      if (after.n == 0) return Signal::none;
      stat_ = std::max(stat_, diff);
      bound_ = bound(before.d + after.d, alpha_d_);
      if (diff > bound_) return Signal::drift;
      if (diff > bound(before.d + after.d, alpha_w_)) return Signal::warning;
      return Signal::none;
    };
    Signal s = judge(inc1_, inc2_, inc2_.ewma - inc1_.ewma);
    if (two_sided_) s = std::max(s, judge(dec1_, dec2_, dec1_.ewma - dec2_.ewma));
    if (s == Signal::drift) restart();
    return s;
  }
  void reset() override {
    seen_ = 0;
    restart();
  }
  double statistic() const override { return stat_; }
  double threshold() const override { return bound_; }
  nlohmann::json parameters() const override {
    return {{"alpha_d", alpha_d_},
            {"alpha_w", alpha_w_},
            {"lambda", lambda_},
            {"two_sided", two_sided_ ? 1 : 0},
            {"min_instances", min_}};
  }
  nlohmann::json save() const override {
    auto e = [](const Ewma &x) { return nlohmann::json{x.n, x.ewma, x.d}; };
    auto cut = [](double c) {
      return std::isfinite(c) ? nlohmann::json(c) : nlohmann::json(nullptr);
    };
    return {{"seen", seen_},
            {"total", e(total_)},
            {"inc1", e(inc1_)},
            {"inc2", e(inc2_)},
            {"dec1", e(dec1_)},
            {"dec2", e(dec2_)},
            {"inc_cut", cut(inc_cut_)},
            {"dec_cut", cut(dec_cut_)}};
  }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    auto e = [&](const char *k) {
      const auto &a = st.at(k);
      return Ewma{a.at(0).get<std::uint64_t>(), a.at(1).get<double>(), a.at(2).get<double>()};
    };
    total_ = e("total");
    inc1_ = e("inc1");
    inc2_ = e("inc2");
    dec1_ = e("dec1");
    dec2_ = e("dec2");
    inc_cut_ = st.at("inc_cut").is_null() ? std::numeric_limits<double>::infinity()
                                          : st.at("inc_cut").get<double>();
    dec_cut_ = st.at("dec_cut").is_null() ? -std::numeric_limits<double>::infinity()
                                          : st.at("dec_cut").get<double>();
  }

private:
  struct Ewma {
    std::uint64_t n = 0;
    double ewma = 0, d = 0;
    void add(double v, double lambda) {
      if (n++ == 0) {
        ewma = v;
        d = 1;
      } else {
        ewma = lambda * v + (1 - lambda) * ewma;
        d = lambda * lambda + (1 - lambda) * (1 - lambda) * d;
      }
    }
  };
  static double bound(double d, double alpha) { return std::sqrt(d * std::log(1 / alpha) / 2); }
  void restart() {
    total_ = inc1_ = inc2_ = dec1_ = dec2_ = Ewma{};
    inc_cut_ = std::numeric_limits<double>::infinity();
    dec_cut_ = -std::numeric_limits<double>::infinity();
  }
  double alpha_d_, alpha_w_, lambda_, stat_ = 0, bound_ = 0,
                                      inc_cut_ = std::numeric_limits<double>::infinity(),
                                      dec_cut_ = -std::numeric_limits<double>::infinity();
  bool two_sided_;
  std::uint64_t min_;
  Ewma total_, inc1_, inc2_, dec1_, dec2_;
};

} // namespace

std::unique_ptr<Detector> make_adwin(const nlohmann::json &p) { return std::make_unique<Adwin>(p); }
std::unique_ptr<Detector> make_kswin(const nlohmann::json &p) { return std::make_unique<Kswin>(p); }
std::unique_ptr<Detector> make_incremental_ks(const nlohmann::json &p,
                                              const std::vector<double> &reference) {
  return std::make_unique<IncrementalKs>(p, reference);
}
std::unique_ptr<Detector> make_hddm_a(const nlohmann::json &p) {
  return std::make_unique<HddmA>(p);
}
std::unique_ptr<Detector> make_hddm_w(const nlohmann::json &p) {
  return std::make_unique<HddmW>(p);
}

} // namespace aip::stats::detail
