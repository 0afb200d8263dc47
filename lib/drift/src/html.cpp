#include "aip/drift/html.hpp"

#include <aip/core/markup.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace aip::drift {
namespace {

std::string num(double v, int precision = 4) {
  if (!std::isfinite(v)) return v > 0 ? "inf" : (v < 0 ? "-inf" : "nan");
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", precision, v);
  return buf;
}

// Freedman–Diaconis would need quantiles of both samples; Sturges' rule on the pooled size,
// capped, is enough for a picture: k = ceil(log2 n) + 1 (Sturges 1926).
std::size_t bin_count(std::size_t n) {
  if (n < 2) return 1;
  auto k = static_cast<std::size_t>(std::ceil(std::log2(static_cast<double>(n)))) + 1;
  return std::clamp<std::size_t>(k, 5, 60);
}

constexpr int kWidth = 560, kHeight = 240, kLeft = 56, kBottom = 36, kTop = 28, kRight = 12;
constexpr const char *kRefColour = "#1f77b4";
constexpr const char *kCurColour = "#d62728";

std::string svg_frame_open(const std::string &feature, const std::string &kind) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
         "\" height=\"" + std::to_string(kHeight) + "\" role=\"img\" aria-label=\"" +
         escape_markup(kind + " of " + feature) + "\">\n<text x=\"" + std::to_string(kLeft) +
         "\" y=\"16\" font-size=\"13\" font-weight=\"bold\">" + escape_markup(feature) +
         "</text>\n" + "<rect x=\"" + std::to_string(kWidth - 190) +
         "\" y=\"6\" width=\"10\" height=\"10\" fill=\"" + kRefColour +
         "\" fill-opacity=\"0.5\"/><text x=\"" + std::to_string(kWidth - 176) +
         "\" y=\"15\" font-size=\"11\">reference</text>" + "<rect x=\"" +
         std::to_string(kWidth - 100) + "\" y=\"6\" width=\"10\" height=\"10\" fill=\"" +
         kCurColour + "\" fill-opacity=\"0.5\"/><text x=\"" + std::to_string(kWidth - 86) +
         "\" y=\"15\" font-size=\"11\">current</text>\n";
}

std::string axes(double xlo, double xhi, double ymax, const std::string &ylabel,
                 bool x_labels = true) {
  const int plot_bottom = kHeight - kBottom;
  std::string s = "<line x1=\"" + std::to_string(kLeft) + "\" y1=\"" + std::to_string(plot_bottom) +
                  "\" x2=\"" + std::to_string(kWidth - kRight) + "\" y2=\"" +
                  std::to_string(plot_bottom) + "\" stroke=\"#333\"/>\n<line x1=\"" +
                  std::to_string(kLeft) + "\" y1=\"" + std::to_string(kTop) + "\" x2=\"" +
                  std::to_string(kLeft) + "\" y2=\"" + std::to_string(plot_bottom) +
                  "\" stroke=\"#333\"/>\n";
  if (x_labels) {
    s += "<text x=\"" + std::to_string(kLeft) + "\" y=\"" + std::to_string(plot_bottom + 16) +
         "\" font-size=\"11\" text-anchor=\"middle\">" + num(xlo) + "</text>";
    s += "<text x=\"" + std::to_string(kWidth - kRight) + "\" y=\"" +
         std::to_string(plot_bottom + 16) + "\" font-size=\"11\" text-anchor=\"end\">" + num(xhi) +
         "</text>";
  }
  s += "<text x=\"" + std::to_string(kLeft - 4) + "\" y=\"" + std::to_string(kTop + 4) +
       "\" font-size=\"11\" text-anchor=\"end\">" + num(ymax, 3) + "</text>";
  s += "<text x=\"12\" y=\"" + std::to_string((kTop + plot_bottom) / 2) +
       "\" font-size=\"11\" transform=\"rotate(-90 12 " + std::to_string((kTop + plot_bottom) / 2) +
       ")\" text-anchor=\"middle\">" + ylabel + "</text>\n";
  return s;
}

} // namespace

std::vector<double> histogram(const std::vector<double> &values, double lo, double hi,
                              std::size_t bins) {
  std::vector<double> counts(std::max<std::size_t>(bins, 1), 0.0);
  const double width = (hi - lo) / static_cast<double>(counts.size());
  for (double v : values) {
    std::size_t b = 0;
    if (width > 0) {
      double pos = std::floor((v - lo) / width);
      b = pos <= 0 ? 0 : std::min(counts.size() - 1, static_cast<std::size_t>(pos));
    }
    counts[b] += 1;
  }
  return counts;
}

std::string svg_histograms(const std::vector<double> &reference, const std::vector<double> &current,
                           const std::string &feature) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto *v : {&reference, &current})
    for (double x : *v) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  if (!std::isfinite(lo)) lo = hi = 0;
  if (hi == lo) {
    lo -= 0.5;
    hi += 0.5;
  }
  const std::size_t bins = bin_count(reference.size() + current.size());
  const double width = (hi - lo) / static_cast<double>(bins);
  auto density = [&](const std::vector<double> &v) {
    auto h = histogram(v, lo, hi, bins);
    for (auto &c : h) c = v.empty() ? 0 : c / (static_cast<double>(v.size()) * width);
    return h;
  };
  auto dr = density(reference), dc = density(current);
  double ymax = 0;
  for (double d : dr) ymax = std::max(ymax, d);
  for (double d : dc) ymax = std::max(ymax, d);
  if (ymax <= 0) ymax = 1;
  std::string s = svg_frame_open(feature, "histograms");
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kBottom - kTop;
  const double bar_w = plot_w / static_cast<double>(bins);
  for (const auto &[d, colour] : {std::pair{&dr, kRefColour}, std::pair{&dc, kCurColour}}) {
    for (std::size_t b = 0; b < bins; ++b) {
      double h = (*d)[b] / ymax * plot_h;
      if (h <= 0) continue;
      s += "<rect x=\"" + num(kLeft + static_cast<double>(b) * bar_w, 6) + "\" y=\"" +
           num(kTop + plot_h - h, 6) + "\" width=\"" + num(bar_w, 6) + "\" height=\"" + num(h, 6) +
           "\" fill=\"" + colour + "\" fill-opacity=\"0.45\"/>\n";
    }
  }
  s += axes(lo, hi, ymax, "density");
  s += "</svg>\n";
  return s;
}

std::string svg_categories(const std::vector<std::string> &reference,
                           const std::vector<std::string> &current, const std::string &feature) {
  std::map<std::string, std::pair<double, double>> shares;
  for (const auto &r : reference) shares[r].first += 1.0 / static_cast<double>(reference.size());
  for (const auto &c : current) shares[c].second += 1.0 / static_cast<double>(current.size());
  // The 20 most common categories (by their larger share) are drawn.
  std::vector<std::pair<std::string, std::pair<double, double>>> top(shares.begin(), shares.end());
  std::stable_sort(top.begin(), top.end(), [](const auto &a, const auto &b) {
    return std::max(a.second.first, a.second.second) > std::max(b.second.first, b.second.second);
  });
  if (top.size() > 20) top.resize(20);
  double ymax = 0;
  for (const auto &t : top) ymax = std::max({ymax, t.second.first, t.second.second});
  if (ymax <= 0) ymax = 1;
  std::string s = svg_frame_open(feature, "category shares");
  const double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kBottom - kTop;
  const double group_w = plot_w / static_cast<double>(std::max<std::size_t>(top.size(), 1));
  for (std::size_t i = 0; i < top.size(); ++i) {
    double x = kLeft + static_cast<double>(i) * group_w;
    double hr = top[i].second.first / ymax * plot_h, hc = top[i].second.second / ymax * plot_h;
    s += "<rect x=\"" + num(x + group_w * 0.1, 6) + "\" y=\"" + num(kTop + plot_h - hr, 6) +
         "\" width=\"" + num(group_w * 0.4, 6) + "\" height=\"" + num(hr, 6) + "\" fill=\"" +
         kRefColour + "\" fill-opacity=\"0.6\"/>";
    s += "<rect x=\"" + num(x + group_w * 0.5, 6) + "\" y=\"" + num(kTop + plot_h - hc, 6) +
         "\" width=\"" + num(group_w * 0.4, 6) + "\" height=\"" + num(hc, 6) + "\" fill=\"" +
         kCurColour + "\" fill-opacity=\"0.6\"/>";
    s += "<text x=\"" + num(x + group_w / 2, 6) + "\" y=\"" +
         std::to_string(kHeight - kBottom + 14) + "\" font-size=\"10\" text-anchor=\"middle\">" +
         escape_markup(top[i].first.substr(0, 12)) + "</text>\n";
  }
  s += axes(0, 0, ymax, "share", false); // the x labels are the categories
  s += "</svg>\n";
  return s;
}

std::string render_html(const HtmlInput &in) {
  std::size_t drifted = 0;
  for (const auto &r : in.results) drifted += r.drift ? 1 : 0;
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>" +
                  escape_markup(in.title) +
                  "</title>\n<style>\n"
                  "body{font-family:system-ui,sans-serif;margin:2em;color:#222}"
                  "table{border-collapse:collapse;margin:1em 0}"
                  "th,td{border:1px solid #ccc;padding:.3em .6em;text-align:right}"
                  "th:first-child,td:first-child,td:nth-child(2){text-align:left}"
                  "tr.drift td{background:#fdecea}"
                  ".verdict{font-size:1.2em;font-weight:bold}"
                  "figure{display:inline-block;margin:.5em}\n</style></head><body>\n";
  h += "<h1>" + escape_markup(in.title) + "</h1>\n";
  h += "<p class=\"verdict\">" + std::string(drifted > 0 ? "Drift detected" : "No drift detected") +
       ": " + std::to_string(drifted) + " of " + std::to_string(in.results.size()) +
       " tests.</p>\n";
  if (!in.generated_at.empty())
    h += "<p>Generated " + escape_markup(in.generated_at) + " by aip drift.</p>\n";
  h += "<table>\n<tr><th>feature</th><th>method</th><th>statistic</th><th>p-value</"
       "th><th>threshold</th>"
       "<th>drift</th><th>n ref</th><th>n cur</th></tr>\n";
  for (const auto &r : in.results) {
    h += std::string(r.drift ? "<tr class=\"drift\">" : "<tr>") + "<td>" +
         escape_markup(r.feature.value_or("(all)")) + "</td><td>" + escape_markup(r.method) +
         "</td><td>" + num(r.statistic, 6) + "</td><td>" + (r.p_value ? num(*r.p_value, 4) : "") +
         "</td><td>" + num(r.threshold, 4) + "</td><td>" + (r.drift ? "yes" : "no") + "</td><td>" +
         (r.n_ref ? std::to_string(*r.n_ref) : "") + "</td><td>" +
         (r.n_cur ? std::to_string(*r.n_cur) : "") + "</td></tr>\n";
  }
  h += "</table>\n";
  if (in.reference != nullptr && in.current != nullptr) {
    std::vector<std::string> charted;
    for (const auto &r : in.results) {
      if (!r.drift || !r.feature || charted.size() >= in.max_charts) continue;
      if (std::find(charted.begin(), charted.end(), *r.feature) != charted.end()) continue;
      const auto *ref = in.reference->find(*r.feature);
      const auto *cur = in.current->find(*r.feature);
      if (ref == nullptr || cur == nullptr) continue;
      charted.push_back(*r.feature);
      h += "<figure>";
      if (ref->categorical || cur->categorical)
        h += svg_categories(ref->labels, cur->labels, *r.feature);
      else
        h += svg_histograms(ref->numbers, cur->numbers, *r.feature);
      h += "</figure>\n";
    }
    if (!charted.empty()) h = h.insert(h.rfind("</table>\n") + 9, "<h2>Drifted features</h2>\n");
  }
  h += "</body></html>\n";
  return h;
}

} // namespace aip::drift
