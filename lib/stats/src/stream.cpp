#include "aip/stats/stream.hpp"

#include "stream_detail.hpp"

#include <aip/core/error.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <vector>

namespace aip::stats {
namespace detail {

double param(const nlohmann::json &p, const char *name, double fallback) {
  if (!p.contains(name)) return fallback;
  if (!p[name].is_number())
    usage_error(std::string("detector parameter '") + name + "' must be a number");
  return p[name].get<double>();
}

void only(const nlohmann::json &p, const std::set<std::string> &known, const std::string &method) {
  for (const auto &[k, v] : p.items())
    if (known.count(k) == 0) {
      std::string list;
      for (const auto &n : known) list += (list.empty() ? "" : ", ") + n;
      usage_error("unknown parameter '" + k + "' for " + method + " (it takes " + list + ")");
    }
}

void need_error_value(double x, const char *method) {
  if (x == 0 || x == 1) return;
  char got[32];
  std::snprintf(got, sizeof got, "%g", x);
  data_error(std::string(method) + " reads classifier errors: 0 or 1, got " + got);
}

} // namespace detail

namespace {
using detail::only;
using detail::param;

// Page's cumulative sum (Page 1954) on deviations from the running mean, as Frouros 0.9
// defines the variants: the running mean includes the current value; the sum is
// alpha * sum + (x - mean - delta) for Page-Hinkley, max(0, sum + x - mean - delta) for
// CUSUM, and Roberts' (1959) geometric moving average alpha * sum + (1 - alpha)(x - mean)
// for GMA; drift when at least min_instances values were seen and sum > lambda.
class CumulativeSum : public Detector {
public:
  enum Kind { page_hinkley, cusum, gma };
  CumulativeSum(Kind kind, const nlohmann::json &p) : kind_(kind) {
    only(p,
         kind == page_hinkley ? std::set<std::string>{"delta", "lambda", "alpha", "min_instances"}
         : kind == cusum      ? std::set<std::string>{"delta", "lambda", "min_instances"}
                              : std::set<std::string>{"lambda", "alpha", "min_instances"},
         name());
    delta_ = kind == gma ? 0.0 : param(p, "delta", 0.005);
    lambda_ = param(p, "lambda", kind == gma ? 1.0 : 50.0);
    alpha_ = kind == page_hinkley ? param(p, "alpha", 0.9999)
             : kind == gma        ? param(p, "alpha", 0.99)
                                  : 1.0;
    min_ = static_cast<std::uint64_t>(param(p, "min_instances", 30));
  }
  std::string name() const override {
    return kind_ == page_hinkley ? "page-hinkley" : kind_ == cusum ? "cusum" : "gma";
  }
  Signal update(double x) override {
    ++seen_;
    mean_ += (x - mean_) / static_cast<double>(seen_);
    switch (kind_) {
    case page_hinkley: sum_ = alpha_ * sum_ + (x - mean_ - delta_); break;
    case cusum: sum_ = std::max(0.0, sum_ + x - mean_ - delta_); break;
    case gma: sum_ = alpha_ * sum_ + (1 - alpha_) * (x - mean_); break;
    }
    return seen_ >= min_ && sum_ > lambda_ ? Signal::drift : Signal::none;
  }
  void reset() override {
    seen_ = 0;
    mean_ = sum_ = 0;
  }
  double statistic() const override { return sum_; }
  double threshold() const override { return lambda_; }
  nlohmann::json parameters() const override {
    nlohmann::json j{{"lambda", lambda_}, {"min_instances", min_}};
    if (kind_ != gma) j["delta"] = delta_;
    if (kind_ != cusum) j["alpha"] = alpha_;
    return j;
  }
  nlohmann::json save() const override { return {{"seen", seen_}, {"mean", mean_}, {"sum", sum_}}; }
  void restore(const nlohmann::json &s) override {
    seen_ = s.at("seen").get<std::uint64_t>();
    mean_ = s.at("mean").get<double>();
    sum_ = s.at("sum").get<double>();
  }

private:
  Kind kind_;
  double delta_, lambda_, alpha_, mean_ = 0, sum_ = 0;
  std::uint64_t min_;
};

// DDM (Gama et al., "Learning with Drift Detection", SBIA 2004) on 0/1 errors: p_i is the
// error rate after i values and s_i = sqrt(p_i (1 - p_i) / i); the minimum of p + s is
// remembered; warning when p + s > p_min + w s_min, drift when > p_min + d s_min.
class Ddm : public Detector {
public:
  explicit Ddm(const nlohmann::json &p) {
    only(p, {"warning", "drift", "min_instances"}, "ddm");
    warn_ = param(p, "warning", 2);
    drift_ = param(p, "drift", 3);
    min_ = static_cast<std::uint64_t>(param(p, "min_instances", 30));
  }
  std::string name() const override { return "ddm"; }
  Signal update(double x) override {
    detail::need_error_value(x, "ddm");
    ++seen_;
    p_ += (x - p_) / static_cast<double>(seen_);
    s_ = std::sqrt(p_ * (1 - p_) / static_cast<double>(seen_));
    if (seen_ < min_) return Signal::none;
    if (p_ + s_ <= p_min_ + s_min_) {
      p_min_ = p_;
      s_min_ = s_;
    }
    if (p_ + s_ > p_min_ + drift_ * s_min_) return Signal::drift;
    if (p_ + s_ > p_min_ + warn_ * s_min_) return Signal::warning;
    return Signal::none;
  }
  void reset() override {
    seen_ = 0;
    p_ = s_ = 0;
    p_min_ = s_min_ = std::numeric_limits<double>::max() / 4;
  }
  double statistic() const override { return p_ + s_; }
  double threshold() const override { return p_min_ + drift_ * s_min_; }
  nlohmann::json parameters() const override {
    return {{"warning", warn_}, {"drift", drift_}, {"min_instances", min_}};
  }
  nlohmann::json save() const override {
    return {{"seen", seen_}, {"p", p_}, {"s", s_}, {"p_min", p_min_}, {"s_min", s_min_}};
  }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    p_ = st.at("p").get<double>();
    s_ = st.at("s").get<double>();
    p_min_ = st.at("p_min").get<double>();
    s_min_ = st.at("s_min").get<double>();
  }

private:
  double warn_, drift_, p_ = 0, s_ = 0, p_min_ = std::numeric_limits<double>::max() / 4,
                        s_min_ = std::numeric_limits<double>::max() / 4;
  std::uint64_t min_;
};

// EDDM (Baena-Garcia et al., "Early Drift Detection Method", 2006) on 0/1 errors: the
// distance between consecutive errors, its running mean m and standard deviation s
// (Welford); the largest m + level s seen is remembered; after min_errors errors, the ratio
// (m + level s) / max below alpha is a warning, below beta a drift. As Frouros 0.9 does,
// the maximum is only tracked once min_errors updates were seen.
class Eddm : public Detector {
public:
  explicit Eddm(const nlohmann::json &p) {
    only(p, {"alpha", "beta", "level", "min_errors"}, "eddm");
    alpha_ = param(p, "alpha", 0.95);
    beta_ = param(p, "beta", 0.9);
    level_ = param(p, "level", 2);
    min_ = static_cast<std::uint64_t>(param(p, "min_errors", 30));
    if (!(beta_ > 0 && beta_ < alpha_)) usage_error("eddm: need 0 < beta < alpha");
  }
  std::string name() const override { return "eddm"; }
  Signal update(double x) override {
    detail::need_error_value(x, "eddm");
    ++seen_;
    if (x != 1) return Signal::none; // EDDM judges at errors only
    ++errors_;
    const double distance = static_cast<double>(seen_) - last_error_;
    const double old = mean_;
    mean_ += (distance - mean_) / static_cast<double>(errors_);
    m2_ += (distance - mean_) * (distance - old);
    last_error_ = static_cast<double>(seen_);
    const double sd = std::sqrt(m2_ / static_cast<double>(errors_));
    if (seen_ < min_) return Signal::none;
    const double t = mean_ + level_ * sd;
    if (t > max_) {
      max_ = t;
      ratio_ = 1;
      return Signal::none;
    }
    if (errors_ < min_) return Signal::none;
    ratio_ = t / max_;
    return ratio_ < beta_ ? Signal::drift : ratio_ < alpha_ ? Signal::warning : Signal::none;
  }
  void reset() override {
    seen_ = errors_ = 0;
    mean_ = m2_ = last_error_ = 0;
    max_ = -std::numeric_limits<double>::infinity();
    ratio_ = 1;
  }
  double statistic() const override { return ratio_; }
  double threshold() const override { return beta_; }
  nlohmann::json parameters() const override {
    return {{"alpha", alpha_}, {"beta", beta_}, {"level", level_}, {"min_errors", min_}};
  }
  nlohmann::json save() const override {
    return {{"seen", seen_},
            {"errors", errors_},
            {"mean", mean_},
            {"m2", m2_},
            {"last_error", last_error_},
            {"max", std::isfinite(max_) ? nlohmann::json(max_) : nlohmann::json(nullptr)},
            {"ratio", ratio_}};
  }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    errors_ = st.at("errors").get<std::uint64_t>();
    mean_ = st.at("mean").get<double>();
    m2_ = st.at("m2").get<double>();
    last_error_ = st.at("last_error").get<double>();
    max_ = st.at("max").is_null() ? -std::numeric_limits<double>::infinity()
                                  : st.at("max").get<double>();
    ratio_ = st.at("ratio").get<double>();
  }

private:
  double alpha_, beta_, level_, mean_ = 0, m2_ = 0, last_error_ = 0,
                                max_ = -std::numeric_limits<double>::infinity(), ratio_ = 1;
  std::uint64_t min_, errors_ = 0;
};

// STEPD (Nishida & Yamauchi, "Detecting Concept Drift Using Statistical Testing", 2007) on
// 0/1 errors: the error rate of the last `window` values against all older ones with the
// continuity-corrected test of equal proportions
//   T = (|p_o - p_r| - (1/n_o + 1/n_r) / 2) / sqrt(p (1 - p) (1/n_o + 1/n_r)),
// p the pooled rate; the one-sided normal p-value below alpha_w is a warning, below alpha_d a
// drift. As in the paper, only a rise of the recent error rate counts (Frouros tests |T| both
// ways); checks start once the older part holds `window` values too.
class Stepd : public Detector {
public:
  explicit Stepd(const nlohmann::json &p) {
    only(p, {"window", "alpha_d", "alpha_w"}, "stepd");
    window_ = static_cast<std::size_t>(param(p, "window", 30));
    alpha_d_ = param(p, "alpha_d", 0.003);
    alpha_w_ = param(p, "alpha_w", 0.05);
    if (window_ < 1) usage_error("stepd: window must be at least 1");
    if (!(alpha_d_ > 0 && alpha_d_ < alpha_w_)) usage_error("stepd: need 0 < alpha_d < alpha_w");
    recent_.assign(window_, 0);
  }
  std::string name() const override { return "stepd"; }
  Signal update(double x) override {
    detail::need_error_value(x, "stepd");
    const auto slot = static_cast<std::size_t>(seen_ % window_);
    if (seen_ >= window_) { // the value leaving the recent window joins the older part
      older_errors_ += recent_[slot];
      recent_errors_ -= recent_[slot];
    }
    recent_[slot] = static_cast<std::uint8_t>(x);
    recent_errors_ += recent_[slot];
    ++seen_;
    if (seen_ < 2 * window_) return Signal::none;
    const double n_o = static_cast<double>(seen_ - window_), n_r = static_cast<double>(window_);
    const double p_o = static_cast<double>(older_errors_) / n_o,
                 p_r = static_cast<double>(recent_errors_) / n_r;
    const double pooled = static_cast<double>(older_errors_ + recent_errors_) / (n_o + n_r);
    const double inv = 1 / n_o + 1 / n_r;
    const double var = pooled * (1 - pooled) * inv;
    stat_ = var > 0 && p_r > p_o ? (std::fabs(p_o - p_r) - 0.5 * inv) / std::sqrt(var) : 0.0;
    p_value_ = 0.5 * std::erfc(stat_ / std::sqrt(2.0));
    return p_value_ < alpha_d_   ? Signal::drift
           : p_value_ < alpha_w_ ? Signal::warning
                                 : Signal::none;
  }
  void reset() override {
    seen_ = 0;
    older_errors_ = recent_errors_ = 0;
    recent_.assign(window_, 0);
    stat_ = 0;
    p_value_ = 1;
  }
  double statistic() const override { return p_value_; }
  double threshold() const override { return alpha_d_; }
  nlohmann::json parameters() const override {
    return {{"window", window_}, {"alpha_d", alpha_d_}, {"alpha_w", alpha_w_}};
  }
  nlohmann::json save() const override {
    return {{"seen", seen_},
            {"older_errors", older_errors_},
            {"recent_errors", recent_errors_},
            {"recent", recent_}};
  }
  void restore(const nlohmann::json &st) override {
    seen_ = st.at("seen").get<std::uint64_t>();
    older_errors_ = st.at("older_errors").get<std::uint64_t>();
    recent_errors_ = st.at("recent_errors").get<std::uint64_t>();
    recent_ = st.at("recent").get<std::vector<std::uint8_t>>();
    if (recent_.size() != window_)
      data_error("stepd state: window size differs from --param window");
  }

private:
  std::size_t window_;
  double alpha_d_, alpha_w_, stat_ = 0, p_value_ = 1;
  std::uint64_t older_errors_ = 0, recent_errors_ = 0;
  std::vector<std::uint8_t> recent_; // a ring of the last `window` values
};

} // namespace

const char *detector_names() {
  return "page-hinkley, cusum, gma, ddm, eddm, hddm-a, hddm-w, stepd, adwin, kswin or ks";
}

const char *detector_parameters() {
  return "page-hinkley: delta (0.005), lambda (50), alpha (0.9999), min_instances (30)\n"
         "cusum: delta (0.005), lambda (50), min_instances (30)\n"
         "gma: alpha (0.99), lambda (1), min_instances (30)\n"
         "ddm: warning (2), drift (3), min_instances (30)\n"
         "eddm: alpha (0.95), beta (0.9), level (2), min_errors (30)\n"
         "hddm-a: alpha_d (0.001), alpha_w (0.005), two_sided (0), min_instances (30)\n"
         "hddm-w: alpha_d (0.001), alpha_w (0.005), lambda (0.05), two_sided (0), min_instances "
         "(30)\n"
         "stepd: window (30), alpha_d (0.003), alpha_w (0.05)\n"
         "adwin: delta (0.002), clock (32), m (5), min_window_size (5), min_instances (10)\n"
         "kswin: window (100), stat_size (30), alpha (0.005), seed (0)\n"
         "ks: window (500), alpha (0.001), with --reference\n";
}

std::unique_ptr<Detector> make_detector(const std::string &method, const DetectorOptions &o) {
  if (!o.params.is_object()) usage_error("detector parameters must be a JSON object");
  if (method == "page-hinkley")
    return std::make_unique<CumulativeSum>(CumulativeSum::page_hinkley, o.params);
  if (method == "cusum") return std::make_unique<CumulativeSum>(CumulativeSum::cusum, o.params);
  if (method == "gma") return std::make_unique<CumulativeSum>(CumulativeSum::gma, o.params);
  if (method == "ddm") return std::make_unique<Ddm>(o.params);
  if (method == "eddm") return std::make_unique<Eddm>(o.params);
  if (method == "stepd") return std::make_unique<Stepd>(o.params);
  if (method == "hddm-a") return detail::make_hddm_a(o.params);
  if (method == "hddm-w") return detail::make_hddm_w(o.params);
  if (method == "adwin") return detail::make_adwin(o.params);
  if (method == "kswin") return detail::make_kswin(o.params);
  if (method == "ks") return detail::make_incremental_ks(o.params, o.reference);
  usage_error("unknown streaming method '" + method + "': expected " + detector_names());
}

} // namespace aip::stats
