// Printing reports: table, CSV, JSON Lines (aip.report/v1), JSON, an SVG chart, and APEL
// summary records. Printing only: the numbers come from report.hpp.
#pragma once

#include <aip/accounting/report.hpp>

#include <string>

namespace aip::accounting {

enum class Format { table, csv, jsonl, json, svg, apel };
Format parse_format(const std::string &name);

struct RenderOptions {
  std::string chart_metric = "cpu_hours"; // svg: the metric drawn
  std::string title;                      // svg: the chart's title (a default otherwise)
  // apel: the summary's fixed fields.
  std::string submit_host;
  double service_level = 1; // HEPSPEC06 per core, for the normalised durations
  std::string infrastructure = "grid";
};

// The report's spec for APEL summaries: by site, vo, user and processors, per month of the
// job's end (APEL counts whole jobs in the month they ended, in UTC).
ReportSpec apel_spec(ReportSpec base);

std::string render(const Report &report, Format format, const RenderOptions &options = {});

} // namespace aip::accounting
