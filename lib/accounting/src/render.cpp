#include "aip/accounting/render.hpp"

#include <aip/core/csv.hpp>
#include <aip/core/markup.hpp>
#include <aip/core/units.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace aip::accounting {

Format parse_format(const std::string &name) {
  static const std::pair<const char *, Format> all[] = {
      {"table", Format::table}, {"csv", Format::csv}, {"jsonl", Format::jsonl},
      {"json", Format::json},   {"svg", Format::svg}, {"apel", Format::apel}};
  for (auto [n, f] : all)
    if (name == n) return f;
  usage_error("--format: expected table, csv, jsonl, json, svg or apel, got '" + name + "'");
}

ReportSpec apel_spec(ReportSpec s) {
  s.dims = {Dim::site, Dim::vo, Dim::user, Dim::cores};
  s.period = Period::month;
  s.by_end = true;
  s.top = 0;
  return s;
}

namespace {

std::string num(double v, const char *fmt) {
  char b[64];
  std::snprintf(b, sizeof b, fmt, v);
  return b;
}

std::string header_name(const std::string &metric) { return metric; }

std::string render_table(const Report &r) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::string> head;
  for (Dim d : r.spec.dims) head.push_back(dim_name(d));
  if (r.spec.period != Period::none) head.push_back(period_name(r.spec.period));
  std::size_t n_dims = head.size();
  for (const auto &m : metric_names()) head.push_back(header_name(m));
  cells.push_back(head);
  for (const auto &g : r.groups) {
    std::vector<std::string> row;
    for (const auto &d : g.dims) row.push_back(d.empty() ? "-" : d);
    if (r.spec.period != Period::none) row.push_back(period_label(r.spec.period, g.period));
    auto m = metrics(g.totals);
    for (std::size_t i = 0; i < m.size(); ++i)
      // Small values (the demo's seconds-long jobs) keep their digits.
      row.push_back(!m[i]                                ? "-"
                    : i == 0                             ? num(*m[i], "%.0f")
                    : std::fabs(*m[i]) < 1 && *m[i] != 0 ? num(*m[i], "%.3g")
                                                         : num(*m[i], "%.2f"));
    cells.push_back(std::move(row));
  }
  std::vector<std::size_t> width(head.size(), 0);
  for (const auto &row : cells)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const auto &row = cells[k];
    for (std::size_t i = 0; i < row.size(); ++i) {
      std::string cell = k == 0 ? row[i] : row[i];
      if (k == 0)
        for (auto &c : cell) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string pad(width[i] - cell.size(), ' ');
      if (i > 0) out += "  ";
      out += i < n_dims ? cell + pad : pad + cell; // text left, numbers right
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  return out;
}

std::string render_csv(const Report &r) {
  std::string out;
  std::vector<std::string> head;
  for (Dim d : r.spec.dims) head.push_back(dim_name(d));
  if (r.spec.period != Period::none) head.push_back(period_name(r.spec.period));
  for (const auto &m : metric_names()) head.push_back(m);
  auto row_out = [&](const std::vector<std::string> &row) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      csv::append_field(out, row[i]);
    }
    out += '\n';
  };
  row_out(head);
  for (const auto &g : r.groups) {
    std::vector<std::string> row = g.dims;
    if (r.spec.period != Period::none) row.push_back(period_label(r.spec.period, g.period));
    for (auto v : metrics(g.totals)) row.push_back(v ? num(*v, "%.10g") : "");
    row_out(row);
  }
  return out;
}

std::string render_apel(const Report &r, const RenderOptions &o) {
  // EGI's "Summary Job Records" (APEL-summary-job-message v0.2): durations in seconds,
  // rounded to integers; months of the jobs' end time in UTC.
  std::string out = "APEL-summary-job-message: v0.2\n";
  for (const auto &g : r.groups) {
    const auto &t = g.totals;
    if (t.jobs == 0) continue;
    auto none = [](const std::string &s) { return s.empty() ? std::string("None") : s; };
    auto i = [](double v) { return num(std::round(v), "%.0f"); };
    auto label = period_label(Period::month, g.period); // YYYY-MM
    out += "Site: " + none(g.dims[0]) + "\n";
    out += "Month: " + std::to_string(std::stoi(label.substr(5, 2))) + "\n";
    out += "Year: " + label.substr(0, 4) + "\n";
    out += "GlobalUserName: " + none(g.dims[2]) + "\n";
    out += "VO: " + none(g.dims[1]) + "\n";
    out += "VOGroup: None\nVORole: None\n";
    if (!o.submit_host.empty()) out += "SubmitHost: " + o.submit_host + "\n";
    out += "InfrastructureType: " + o.infrastructure + "\n";
    out += "ServiceLevelType: HEPSPEC\n";
    out += "ServiceLevel: " + num(o.service_level, "%g") + "\n";
    out += "NodeCount: 1\n";
    out += "Processors: " + g.dims[3] + "\n";
    out += "EarliestEndTime: " + i(t.first_end) + "\n";
    out += "LatestEndTime: " + i(t.last_end) + "\n";
    out += "WallDuration: " + i(t.wall_s) + "\n";
    out += "CpuDuration: " + i(t.used_cpu_s) + "\n";
    out += "NormalisedWallDuration: " + i(t.wall_s * o.service_level) + "\n";
    out += "NormalisedCpuDuration: " + i(t.used_cpu_s * o.service_level) + "\n";
    out += "NumberOfJobs: " + i(t.jobs) + "\n";
    out += "%%\n";
  }
  return out;
}

std::string nice_number(double v) {
  if (v >= 1e6) return num(v / 1e6, "%.1fM");
  if (v >= 1e4) return num(v / 1e3, "%.0fk");
  if (v >= 100) return num(v, "%.0f");
  return num(v, "%.3g");
}

std::string render_svg(const Report &r, const RenderOptions &o) {
  const auto &names = metric_names();
  auto at = std::find(names.begin(), names.end(), o.chart_metric);
  if (at == names.end()) usage_error("--chart-metric: unknown metric '" + o.chart_metric + "'");
  const auto m = static_cast<std::size_t>(at - names.begin());
  auto series_name = [&](const Group &g) {
    std::string s;
    for (const auto &d : g.dims) s += (s.empty() ? "" : " / ") + (d.empty() ? std::string("-") : d);
    return s.empty() ? std::string("all") : s;
  };
  // Series (dimension groups) in the report's order, at most 10: the rest become "other".
  std::vector<std::string> series;
  std::map<std::string, std::size_t> series_at;
  std::vector<std::int64_t> periods;
  std::map<std::pair<std::size_t, std::int64_t>, double> value;
  std::map<std::string, double> totals;
  for (const auto &g : r.groups) totals[series_name(g)] += metrics(g.totals)[m].value_or(0);
  std::vector<std::pair<double, std::string>> order;
  for (const auto &g : r.groups) {
    auto n = series_name(g);
    if (series_at.count(n) == 0U) {
      series_at[n] = order.size();
      order.emplace_back(totals[n], n);
    }
  }
  if (r.spec.top == 0)
    std::stable_sort(order.begin(), order.end(),
                     [](const auto &a, const auto &b) { return a.first > b.first; });
  const std::size_t max_series = 10;
  series_at.clear();
  for (std::size_t i = 0; i < order.size(); ++i) {
    std::size_t k = std::min(i, max_series - 1);
    if (k == series.size())
      series.push_back(i < max_series - 1 || order.size() == max_series ? order[i].second
                                                                        : "other");
    series_at[order[i].second] = k;
  }
  std::set<std::int64_t> pset;
  for (const auto &g : r.groups) {
    pset.insert(g.period);
    value[{series_at[series_name(g)], g.period}] += metrics(g.totals)[m].value_or(0);
  }
  periods.assign(pset.begin(), pset.end());
  const bool timeline = r.spec.period != Period::none;
  // Stacked bars: one bar per period (or one per series without a period).
  std::vector<std::string> bar_labels;
  std::vector<std::vector<double>> stacks; // [bar][series]
  if (timeline) {
    for (auto p : periods) {
      bar_labels.push_back(period_label(r.spec.period, p));
      std::vector<double> s(series.size(), 0);
      for (std::size_t k = 0; k < series.size(); ++k) {
        auto it = value.find({k, p});
        if (it != value.end()) s[k] = it->second;
      }
      stacks.push_back(std::move(s));
    }
  } else {
    for (std::size_t k = 0; k < series.size(); ++k) {
      bar_labels.push_back(series[k]);
      std::vector<double> s(series.size(), 0);
      s[k] = value[{k, 0}];
      stacks.push_back(std::move(s));
    }
  }
  double top = 0;
  for (const auto &s : stacks) {
    double sum = 0;
    for (double v : s) sum += v;
    top = std::max(top, sum);
  }
  if (top <= 0) top = 1;
  // A round axis maximum: 1, 2 or 5 times a power of ten.
  double step = std::pow(10, std::floor(std::log10(top / 5)));
  for (double f : {1.0, 2.0, 5.0, 10.0})
    if (top / (step * f) <= 5) {
      step *= f;
      break;
    }
  double axis_max = std::ceil(top / step) * step;
  static const char *colors[] = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
                                 "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  const int right = timeline ? 200 : 30; // room for the legend
  const int W = std::max(640, 80 + static_cast<int>(bar_labels.size()) * 36 + right), H = 420;
  const int left = 70, top_m = 50, bottom = 90;
  const double pw = W - left - right, ph = H - top_m - bottom;
  std::string title =
      o.title.empty()
          ? o.chart_metric +
                (r.spec.dims.empty() ? "" : " by " + std::string(dim_name(r.spec.dims[0]))) +
                (timeline ? std::string(" per ") + period_name(r.spec.period) : "")
          : o.title;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(W) +
                  "\" height=\"" + std::to_string(H) + "\" viewBox=\"0 0 " + std::to_string(W) +
                  " " + std::to_string(H) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  s += "<title>" + escape_markup(title) +
       "</title>\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  s += "<text x=\"" + std::to_string(left) + "\" y=\"28\" font-size=\"16\" font-weight=\"bold\">" +
       escape_markup(title) + "</text>\n";
  for (double v = 0; v <= axis_max + step / 2; v += step) {
    double y = top_m + ph - v / axis_max * ph;
    s += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + num(left + pw, "%.1f") + "\" y1=\"" +
         num(y, "%.1f") + "\" y2=\"" + num(y, "%.1f") + "\" stroke=\"#ddd\"/>\n";
    s += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + num(y + 4, "%.1f") +
         "\" text-anchor=\"end\">" + nice_number(v) + "</text>\n";
  }
  const double slot = pw / static_cast<double>(std::max<std::size_t>(1, bar_labels.size()));
  const double bw = std::max(2.0, slot * 0.7);
  for (std::size_t b = 0; b < bar_labels.size(); ++b) {
    double x = left + slot * static_cast<double>(b) + (slot - bw) / 2, y0 = top_m + ph;
    for (std::size_t k = 0; k < series.size(); ++k) {
      double v = stacks[b][k];
      if (v <= 0) continue;
      double h = v / axis_max * ph;
      y0 -= h;
      s += "<rect x=\"" + num(x, "%.1f") + "\" y=\"" + num(y0, "%.1f") + "\" width=\"" +
           num(bw, "%.1f") + "\" height=\"" + num(h, "%.1f") + "\" fill=\"" + colors[k % 10] +
           "\"><title>" + escape_markup(bar_labels[b]) +
           (timeline ? " " + escape_markup(series[k]) : "") + ": " + num(v, "%.6g") +
           "</title></rect>\n";
    }
    double lx = x + bw / 2, ly = top_m + ph + 14;
    s += "<text x=\"" + num(lx, "%.1f") + "\" y=\"" + num(ly, "%.1f") +
         "\" text-anchor=\"end\" transform=\"rotate(-40 " + num(lx, "%.1f") + " " +
         num(ly, "%.1f") + ")\">" + escape_markup(bar_labels[b]) + "</text>\n";
  }
  s += "<line x1=\"" + std::to_string(left) + "\" x2=\"" + std::to_string(left) + "\" y1=\"" +
       std::to_string(top_m) + "\" y2=\"" + num(top_m + ph, "%.1f") + "\" stroke=\"#333\"/>\n";
  s += "<text x=\"16\" y=\"" + num(top_m + ph / 2, "%.1f") + "\" transform=\"rotate(-90 16 " +
       num(top_m + ph / 2, "%.1f") + ")\" text-anchor=\"middle\">" + escape_markup(o.chart_metric) +
       "</text>\n";
  if (timeline)
    for (std::size_t k = 0; k < series.size(); ++k) {
      double y = top_m + 10 + static_cast<double>(k) * 20;
      s += "<rect x=\"" + num(W - right + 16, "%.1f") + "\" y=\"" + num(y - 10, "%.1f") +
           "\" width=\"12\" height=\"12\" fill=\"" + colors[k % 10] + "\"/>\n";
      s += "<text x=\"" + num(W - right + 34, "%.1f") + "\" y=\"" + num(y, "%.1f") + "\">" +
           escape_markup(series[k]) + "</text>\n";
    }
  s += "</svg>\n";
  return s;
}

} // namespace

std::string render(const Report &r, Format format, const RenderOptions &o) {
  switch (format) {
  case Format::table: return render_table(r);
  case Format::csv: return render_csv(r);
  case Format::jsonl: {
    std::string out;
    for (const auto &g : r.groups) out += records::to_json(to_row(r, g)).dump() + "\n";
    return out;
  }
  case Format::json: {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (const auto &g : r.groups) a.push_back(records::to_json(to_row(r, g)));
    return a.dump(2) + "\n";
  }
  case Format::svg: return render_svg(r, o);
  case Format::apel: return render_apel(r, o);
  }
  return {};
}

} // namespace aip::accounting
