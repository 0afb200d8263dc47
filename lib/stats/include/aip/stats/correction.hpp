// Multiple-testing correction of p-values, as statsmodels' multipletests defines the
// adjusted values: Bonferroni (p m), Holm (step-down, Holm 1979) and Benjamini-Hochberg
// (step-up false discovery rate, 1995). Each adjusted value is capped at 1.
#pragma once

#include <string>
#include <vector>

namespace aip::stats {

enum class Correction { none, bonferroni, holm, bh };
Correction parse_correction(const std::string &name); // usage error when unknown
std::vector<double> adjust_p_values(const std::vector<double> &p, Correction method);

} // namespace aip::stats
