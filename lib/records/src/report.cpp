#include "aip/records/report.hpp"

#include <aip/core/error.hpp>

#include <cmath>

namespace aip::records {

nlohmann::ordered_json to_json(const ReportRow &row) {
  nlohmann::ordered_json j;
  j["kind"] = kReportKind;
  for (const auto &[k, v] : row.dimensions) j[k] = v;
  for (const auto &[k, v] : row.metrics) j[k] = v ? nlohmann::ordered_json(*v) : nullptr;
  return j;
}

ReportRow report_from_json(const nlohmann::ordered_json &j, const std::string &where) {
  if (!j.is_object()) data_error(where + ": record: expected an object");
  auto kind = j.find("kind");
  if (kind == j.end() || kind->is_null()) data_error(where + ": field 'kind': missing");
  if (!kind->is_string() || kind->get<std::string>() != kReportKind)
    data_error(where + ": field 'kind': expected '" + std::string(kReportKind) + "'");
  ReportRow row;
  for (const auto &[k, v] : j.items()) {
    if (k == "kind") continue;
    if (v.is_string())
      row.dimensions.emplace_back(k, v.get<std::string>());
    else if (v.is_null())
      row.metrics.emplace_back(k, std::nullopt);
    else if (v.is_number() && std::isfinite(v.get<double>()))
      row.metrics.emplace_back(k, v.get<double>());
    else
      data_error(where + ": field '" + k + "': expected a string (dimension) or a number (metric)");
  }
  return row;
}

} // namespace aip::records
