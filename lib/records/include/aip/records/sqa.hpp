// aip.sqa/v1: one SQA baseline criterion as `aip sqa-check` assessed it.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aip::records {

inline constexpr const char *kSqaKind = "aip.sqa/v1";

struct Subcriterion {
  bool valid = false;
  std::vector<std::string> evidence;
  std::optional<std::string> level;   // MUST, SHOULD or MAY, as the baseline gives it
  std::optional<std::string> status;  // pass, fail, not-assessable, not-applicable, waived
  std::vector<std::string> scorecard; // OpenSSF Scorecard checks that match
  bool operator==(const Subcriterion &) const = default;
};

struct SqaCriterion {
  std::string id; // e.g. "QC.Lic"
  bool valid = false;
  std::map<std::string, Subcriterion> subcriteria;
  std::optional<std::string> badge;      // gold, silver, bronze, none
  std::optional<double> score;           // 0..100
  std::optional<std::string> name;       // e.g. "Licensing"
  std::optional<bool> assessed;          // false: nothing could be decided offline
  std::optional<std::string> next_badge; // the next badge level, absent at gold
  std::vector<std::string> missing;      // criteria that stand between badge and next_badge
  bool operator==(const SqaCriterion &) const = default;
};

nlohmann::ordered_json to_json(const SqaCriterion &c);
SqaCriterion sqa_from_json(const nlohmann::json &j, const std::string &where);

} // namespace aip::records
