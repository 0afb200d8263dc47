#include "aip/records/drift.hpp"

#include "aip/records/fields.hpp"

#include <cmath>

namespace aip::records {

nlohmann::ordered_json to_json(const Drift &d) {
  nlohmann::ordered_json j;
  j["kind"] = kDriftKind;
  j["method"] = d.method;
  j["feature"] = value_or_null(d.feature);
  // JSON has no infinity: a raw divergence that is infinite is written as null with
  // params.statistic_inf set, so no reader ever sees a non-JSON token.
  if (std::isfinite(d.statistic))
    j["statistic"] = d.statistic;
  else
    j["statistic"] = nullptr;
  j["p_value"] = value_or_null(d.p_value);
  j["threshold"] = d.threshold;
  j["drift"] = d.drift;
  if (d.n_ref) j["n_ref"] = *d.n_ref;
  if (d.n_cur) j["n_cur"] = *d.n_cur;
  j["params"] = d.params;
  if (!std::isfinite(d.statistic))
    j["params"]["statistic_inf"] = d.statistic > 0 ? "+inf" : (d.statistic < 0 ? "-inf" : "nan");
  if (d.index) j["index"] = *d.index;
  if (d.level) j["level"] = *d.level;
  return j;
}

Drift drift_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kDriftKind);
  Drift d;
  d.method = f.string("method");
  d.feature = f.optional_string("feature");
  const auto *params = json.contains("params") ? &json["params"] : nullptr;
  if (params != nullptr && !params->is_null()) {
    if (!params->is_object()) f.fail("params", "expected an object");
    d.params = nlohmann::ordered_json(*params);
  }
  if (!f.has("statistic") && d.params.contains("statistic_inf") &&
      d.params["statistic_inf"].is_string()) {
    std::string inf = d.params["statistic_inf"].get<std::string>();
    d.statistic = inf == "-inf" ? -INFINITY : (inf == "nan" ? NAN : INFINITY);
    d.params.erase("statistic_inf");
  } else {
    d.statistic = f.number("statistic");
  }
  d.p_value = f.optional_number("p_value");
  if (d.p_value && (*d.p_value < 0 || *d.p_value > 1)) f.fail("p_value", "must be within 0..1");
  d.threshold = f.number("threshold");
  d.drift = f.boolean("drift");
  d.n_ref = f.optional_count("n_ref");
  d.n_cur = f.optional_count("n_cur");
  d.index = f.optional_count("index");
  d.level = f.optional_string("level");
  if (d.level && *d.level != "warning" && *d.level != "drift")
    f.fail("level", "expected 'warning' or 'drift', got '" + *d.level + "'");
  return d;
}

} // namespace aip::records
