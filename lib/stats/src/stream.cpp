#include "aip/stats/stream.hpp"

#include <aip/core/error.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

namespace aip::stats {
namespace {

double param(const nlohmann::json &p, const char *name, double fallback) {
  if (!p.contains(name)) return fallback;
  if (!p[name].is_number()) usage_error(std::string("detector parameter '") + name + "' must be a number");
  return p[name].get<double>();
}

void only(const nlohmann::json &p, const std::set<std::string> &known, const std::string &method) {
  for (const auto &[k, v] : p.items())
    if (known.count(k) == 0) usage_error("unknown parameter '" + k + "' for " + method);
}

// Page's cumulative sum (Page 1954) on deviations from the running mean, as Frouros 0.9
// defines both variants: the running mean includes the current value; the sum is
// alpha * sum + (x - mean - delta) for Page-Hinkley and max(0, sum + x - mean - delta) for
// CUSUM; drift when at least min_instances values were seen and sum > lambda.
class CumulativeSum : public Detector {
public:
  CumulativeSum(bool page_hinkley, const nlohmann::json &p) : ph_(page_hinkley) {
    only(p, page_hinkley ? std::set<std::string>{"delta", "lambda", "alpha", "min_instances"}
                         : std::set<std::string>{"delta", "lambda", "min_instances"},
         name());
    delta_ = param(p, "delta", 0.005);
    lambda_ = param(p, "lambda", 50);
    alpha_ = page_hinkley ? param(p, "alpha", 0.9999) : 1.0;
    min_ = static_cast<std::uint64_t>(param(p, "min_instances", 30));
  }
  std::string name() const override { return ph_ ? "page-hinkley" : "cusum"; }
  Signal update(double x) override {
    ++seen_;
    mean_ += (x - mean_) / static_cast<double>(seen_);
    sum_ = ph_ ? alpha_ * sum_ + (x - mean_ - delta_) : std::max(0.0, sum_ + x - mean_ - delta_);
    return seen_ >= min_ && sum_ > lambda_ ? Signal::drift : Signal::none;
  }
  void reset() override {
    seen_ = 0;
    mean_ = sum_ = 0;
  }
  double statistic() const override { return sum_; }
  double threshold() const override { return lambda_; }
  nlohmann::json parameters() const override {
    nlohmann::json j{{"delta", delta_}, {"lambda", lambda_}, {"min_instances", min_}};
    if (ph_) j["alpha"] = alpha_;
    return j;
  }
  nlohmann::json save() const override { return {{"seen", seen_}, {"mean", mean_}, {"sum", sum_}}; }
  void restore(const nlohmann::json &s) override {
    seen_ = s.at("seen").get<std::uint64_t>();
    mean_ = s.at("mean").get<double>();
    sum_ = s.at("sum").get<double>();
  }

private:
  bool ph_;
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
    if (x != 0 && x != 1) {
      char got[32];
      std::snprintf(got, sizeof got, "%g", x);
      data_error(std::string("ddm reads classifier errors: 0 or 1, got ") + got);
    }
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
  nlohmann::json parameters() const override { return {{"warning", warn_}, {"drift", drift_}, {"min_instances", min_}}; }
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

} // namespace

const char *detector_names() { return "page-hinkley, cusum or ddm"; }

std::unique_ptr<Detector> make_detector(const std::string &method, const DetectorOptions &o) {
  if (!o.params.is_object()) usage_error("detector parameters must be a JSON object");
  if (method == "page-hinkley") return std::make_unique<CumulativeSum>(true, o.params);
  if (method == "cusum") return std::make_unique<CumulativeSum>(false, o.params);
  if (method == "ddm") return std::make_unique<Ddm>(o.params);
  usage_error("unknown streaming method '" + method + "': expected " + detector_names());
}

} // namespace aip::stats
