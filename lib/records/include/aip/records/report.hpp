// aip.report/v1: one row of an accounting report: the group-by dimensions (strings), then
// the metrics (numbers, or null where unknown), in the order the report chose.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace aip::records {

inline constexpr const char *kReportKind = "aip.report/v1";

struct ReportRow {
  std::vector<std::pair<std::string, std::string>> dimensions;
  std::vector<std::pair<std::string, std::optional<double>>> metrics;
  bool operator==(const ReportRow &) const = default;
};

nlohmann::ordered_json to_json(const ReportRow &row);
// Strings become dimensions, numbers and nulls metrics; anything else is an error.
ReportRow report_from_json(const nlohmann::ordered_json &j, const std::string &where);

} // namespace aip::records
