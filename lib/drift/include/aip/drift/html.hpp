// The self-contained HTML report of `aip drift detect --format html`: a summary table of
// every test, and for each drifted feature a chart as inline SVG (overlaid histograms of the
// reference and current samples for numeric features, bar charts of category shares for
// categorical ones). No scripts, no external resources: the file can be mailed or archived.
#pragma once

#include <aip/core/table.hpp>
#include <aip/records/drift.hpp>

#include <string>
#include <vector>

namespace aip::drift {

struct HtmlInput {
  std::string title;        // e.g. "Drift: ref.csv vs today.csv"
  std::string generated_at; // RFC 3339
  std::vector<records::Drift> results;
  const table::Table *reference = nullptr;
  const table::Table *current = nullptr;
  std::size_t max_charts = 50; // drifted features charted, in the order of the results
};

std::string render_html(const HtmlInput &in);

// Histogram counts of `values` over `bins` equal-width bins on [lo, hi] (the last bin
// closed); values outside are clamped into the end bins.
std::vector<double> histogram(const std::vector<double> &values, double lo, double hi,
                              std::size_t bins);
// An SVG of two overlaid density histograms (each normalised to area 1) with axis labels.
std::string svg_histograms(const std::vector<double> &reference, const std::vector<double> &current,
                           const std::string &feature);
// An SVG of category shares side by side.
std::string svg_categories(const std::vector<std::string> &reference,
                           const std::vector<std::string> &current, const std::string &feature);

} // namespace aip::drift
