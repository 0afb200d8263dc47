// aip.drift/v1: one test's verdict from `aip drift`. Streaming detections also carry the
// index of the update and a level; the architecture called that field `kind`, which
// collides with the record's own `kind`, so the contract names it `level`.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace aip::records {

inline constexpr const char *kDriftKind = "aip.drift/v1";

struct Drift {
  std::string method;
  std::optional<std::string> feature; // none for multivariate tests
  double statistic = 0;
  std::optional<double> p_value;
  double threshold = 0;
  bool drift = false;
  std::optional<std::uint64_t> n_ref, n_cur;
  nlohmann::ordered_json params = nlohmann::ordered_json::object();
  std::optional<std::uint64_t> index; // streaming
  std::optional<std::string> level;   // streaming: "warning" or "drift"
  bool operator==(const Drift &) const = default;
};

nlohmann::ordered_json to_json(const Drift &d);
Drift drift_from_json(const nlohmann::json &j, const std::string &where);

} // namespace aip::records
