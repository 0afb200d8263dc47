// Printing an assessment: a table for people, aip.sqa/v1 records, a JSON document shaped like
// the SQAaaS report, SARIF 2.1.0 for code scanning, Markdown for CI job summaries, a
// shields.io endpoint badge and JUnit XML for CI test reports.
#pragma once

#include "aip/records/sqa.hpp"
#include "aip/sqa/assess.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace aip::sqa {

// One aip.sqa/v1 record per criterion, each carrying the overall badge and score.
std::vector<records::SqaCriterion> to_records(const Report &r);

std::string render_table(const Report &r, bool color);
nlohmann::ordered_json render_json(const Report &r);
nlohmann::ordered_json render_sarif(const Report &r, const std::string &tool_version);
std::string render_markdown(const Report &r);
nlohmann::ordered_json render_badge(const Report &r); // https://shields.io/badges/endpoint-badge
std::string render_junit(const Report &r);


} // namespace aip::sqa
