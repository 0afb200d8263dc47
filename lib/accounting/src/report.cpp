#include "aip/accounting/report.hpp"

#include "group_sums.hpp"

#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

namespace aip::accounting {

namespace {
constexpr const char *kDimNames[] = {"user",  "project", "vo",        "site",
                                     "queue", "state",   "gpu_model", "cores"};
constexpr const char *kPeriodNames[] = {"none", "hour", "day", "week", "month", "quarter", "year"};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::int64_t day_of(double t) { return static_cast<std::int64_t>(std::floor(t / 86400.0)); }

struct Civil {
  std::int64_t y;
  unsigned m, d;
};
Civil civil(std::int64_t days) {
  Civil c{};
  civil_from_days(days, c.y, c.m, c.d);
  return c;
}

// A month's number (year x 12 + month - 1) from a day, and back, by core's table of month
// starts where it reaches (an estimate that the table corrects), by the calendar beyond.
using aip::detail::kMonthStarts;
constexpr std::int64_t kFirstYear = aip::detail::kMonthTableFirstYear,
                       kMonths = aip::detail::kMonthTableMonths;
std::int64_t month_of_day(std::int64_t day) {
  if (day < 0 || day >= kMonthStarts.day[kMonths]) {
    const auto c = civil(day);
    return c.y * 12 + (c.m - 1);
  }
  std::int64_t m = day * 400 / 12174; // 30.436875 days a month on average
  if (m >= kMonths) m = kMonths - 1;
  while (kMonthStarts.day[m] > day) --m;
  while (kMonthStarts.day[m + 1] <= day) ++m;
  return kFirstYear * 12 + m;
}
// The first day of month number `month`.
std::int64_t month_start_day(std::int64_t month) {
  const std::int64_t i = month - kFirstYear * 12;
  if (i >= 0 && i <= kMonths) return kMonthStarts.day[i];
  return days_from_civil(floor_div(month, 12),
                         static_cast<unsigned>(month - floor_div(month, 12) * 12 + 1), 1);
}
} // namespace

Dim parse_dim(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kDimNames); ++i)
    if (name == kDimNames[i]) return static_cast<Dim>(i);
  usage_error("--by: unknown dimension '" + std::string(name) +
              "' (user, project, vo, site, queue, state, gpu_model, cores, or a period: hour, day, "
              "week, month, "
              "quarter, year)");
}
const char *dim_name(Dim dim) { return kDimNames[static_cast<int>(dim)]; }

Period parse_period(std::string_view name) {
  for (std::size_t i = 1; i < std::size(kPeriodNames); ++i)
    if (name == kPeriodNames[i]) return static_cast<Period>(i);
  usage_error("unknown period '" + std::string(name) + "' (hour, day, week, month, quarter, year)");
}
const char *period_name(Period period) { return kPeriodNames[static_cast<int>(period)]; }

std::int64_t period_index(Period p, double t) {
  switch (p) {
  case Period::none: return 0;
  case Period::hour: return static_cast<std::int64_t>(std::floor(t / 3600.0));
  case Period::day: return day_of(t);
  // 1970-01-01 was a Thursday: day -3 (1969-12-29) is the Monday of week 0.
  case Period::week: return floor_div(day_of(t) + 3, 7);
  // Month numbers count from year 0, so floor division gives quarters and years.
  case Period::month: return month_of_day(day_of(t));
  case Period::quarter: return floor_div(month_of_day(day_of(t)), 3);
  case Period::year: return floor_div(month_of_day(day_of(t)), 12);
  }
  return 0;
}

double period_start(Period p, std::int64_t i) {
  switch (p) {
  case Period::none: return -1e300;
  case Period::hour: return static_cast<double>(i) * 3600.0;
  case Period::day: return static_cast<double>(i) * 86400.0;
  case Period::week: return static_cast<double>(i * 7 - 3) * 86400.0;
  case Period::month: return static_cast<double>(month_start_day(i)) * 86400.0;
  case Period::quarter: return static_cast<double>(month_start_day(i * 3)) * 86400.0;
  case Period::year: return static_cast<double>(month_start_day(i * 12)) * 86400.0;
  }
  return 0;
}

std::string period_label(Period p, std::int64_t i) {
  char b[96];
  switch (p) {
  case Period::none: return "";
  case Period::hour: {
    auto c = civil(floor_div(i, 24));
    std::snprintf(b, sizeof b, "%04lld-%02u-%02uT%02lld", static_cast<long long>(c.y), c.m, c.d,
                  static_cast<long long>(i - floor_div(i, 24) * 24));
    break;
  }
  case Period::day: {
    auto c = civil(i);
    std::snprintf(b, sizeof b, "%04lld-%02u-%02u", static_cast<long long>(c.y), c.m, c.d);
    break;
  }
  case Period::week: {
    // ISO 8601: the week belongs to the year of its Thursday.
    std::int64_t thursday = i * 7;
    auto c = civil(thursday);
    auto week = (thursday - days_from_civil(c.y, 1, 1)) / 7 + 1;
    std::snprintf(b, sizeof b, "%04lld-W%02lld", static_cast<long long>(c.y),
                  static_cast<long long>(week));
    break;
  }
  case Period::month:
    std::snprintf(b, sizeof b, "%04lld-%02lld", static_cast<long long>(floor_div(i, 12)),
                  static_cast<long long>(i - floor_div(i, 12) * 12 + 1));
    break;
  case Period::quarter:
    std::snprintf(b, sizeof b, "%04lld-Q%lld", static_cast<long long>(floor_div(i, 4)),
                  static_cast<long long>(i - floor_div(i, 4) * 4 + 1));
    break;
  case Period::year: std::snprintf(b, sizeof b, "%04lld", static_cast<long long>(i)); break;
  }
  return b;
}

// --- filters -----------------------------------------------------------------------------

namespace {
const char *kNumericFields[] = {"gpus", "cores", "wall_s", "cpu_s", "exit_code", "gpu_util_mean"};

std::optional<double> numeric_field(const records::UsageView &u, std::string_view f) {
  if (f == "gpus") return u.gpus;
  if (f == "cores") return u.cores;
  if (f == "wall_s") return u.wall_s;
  if (f == "cpu_s") return u.cpu_s;
  if (f == "exit_code") return u.exit_code ? std::optional<double>(*u.exit_code) : std::nullopt;
  if (f == "gpu_util_mean") return u.gpu_util_mean;
  return std::nullopt;
}

} // namespace

std::string_view dim_value(const records::UsageView &u, Dim d) {
  switch (d) {
  case Dim::user: return u.user;
  case Dim::project: return u.project;
  case Dim::vo: return u.vo;
  case Dim::site: return u.site;
  case Dim::queue: return u.queue;
  case Dim::state: return u.state;
  case Dim::gpu_model: return u.gpu_model;
  case Dim::cores: break;
  }
  return {};
}

Filter parse_filter(std::string_view text) {
  Filter f;
  static const std::pair<const char *, Filter::Op> ops[] = {
      {"!=", Filter::Op::ne}, {"<=", Filter::Op::le}, {">=", Filter::Op::ge},
      {"=", Filter::Op::eq},  {"<", Filter::Op::lt},  {">", Filter::Op::gt}};
  std::size_t at = std::string_view::npos, len = 0;
  for (auto [sym, op] : ops) {
    auto p = text.find(sym);
    if (p != std::string_view::npos &&
        (at == std::string_view::npos || p < at || (p == at && std::strlen(sym) > len))) {
      at = p;
      len = std::strlen(sym);
      f.op = op;
    }
  }
  if (at == std::string_view::npos || at == 0)
    usage_error("--where '" + std::string(text) +
                "': expected FIELD=VALUE, FIELD!=VALUE or FIELD<NUMBER (also <=, >, >=)");
  f.field = std::string(text.substr(0, at));
  std::string value(text.substr(at + len));
  bool numeric = std::find(std::begin(kNumericFields), std::end(kNumericFields), f.field) !=
                 std::end(kNumericFields);
  if (numeric) {
    f.numeric = true;
    auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), f.number);
    if (value.empty() || ec != std::errc() || ptr != value.data() + value.size())
      usage_error("--where " + f.field + ": expected a number, got '" + value + "'");
    return f;
  }
  if (f.field == "cores" ||
      std::find_if(std::begin(kDimNames), std::end(kDimNames),
                   [&](const char *n) { return f.field == n; }) == std::end(kDimNames))
    usage_error("--where: unknown field '" + f.field +
                "' (a dimension: user, project, vo, site, queue, state, gpu_model; "
                "or a number: gpus, cores, wall_s, cpu_s, exit_code, gpu_util_mean)");
  if (f.op != Filter::Op::eq && f.op != Filter::Op::ne)
    usage_error("--where " + f.field + ": only = and != compare text");
  std::size_t start = 0;
  while (true) {
    auto bar = value.find('|', start);
    f.values.push_back(
        value.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return f;
}

bool matches(const Filter &f, const records::Usage &u) { return matches(f, records::view_of(u)); }

bool matches(const Filter &f, const records::UsageView &u) {
  if (f.numeric) {
    auto v = numeric_field(u, f.field);
    if (!v) return f.op == Filter::Op::ne;
    switch (f.op) {
    case Filter::Op::eq: return *v == f.number;
    case Filter::Op::ne: return *v != f.number;
    case Filter::Op::lt: return *v < f.number;
    case Filter::Op::le: return *v <= f.number;
    case Filter::Op::gt: return *v > f.number;
    case Filter::Op::ge: return *v >= f.number;
    }
  }
  const std::string_view v = dim_value(u, parse_dim(f.field));
  bool any = std::find(f.values.begin(), f.values.end(), v) != f.values.end();
  return f.op == Filter::Op::eq ? any : !any;
}

// --- totals and rows ---------------------------------------------------------------------

void Totals::add(const Totals &o) {
  if (o.jobs > 0) {
    first_end = jobs > 0 ? std::min(first_end, o.first_end) : o.first_end;
    last_end = jobs > 0 ? std::max(last_end, o.last_end) : o.last_end;
  }
  jobs += o.jobs;
  wall_s += o.wall_s;
  core_s += o.core_s;
  used_cpu_s += o.used_cpu_s;
  core_s_cpu_known += o.core_s_cpu_known;
  gpu_s += o.gpu_s;
  used_gpu_s += o.used_gpu_s;
  gpu_s_util_known += o.gpu_s_util_known;
  mem_peak += o.mem_peak;
  mem_req += o.mem_req;
  wait_s += o.wait_s;
  wait_jobs += o.wait_jobs;
  cpu_known += o.cpu_known;
}

const std::vector<std::string> &metric_names() {
  static const std::vector<std::string> names = {
      "jobs",      "wall_hours",     "cpu_hours",   "used_cpu_hours", "cpu_eff_pct",
      "gpu_hours", "used_gpu_hours", "gpu_eff_pct", "mem_eff_pct",    "wait_hours"};
  return names;
}

std::vector<std::optional<double>> metrics(const Totals &t) {
  auto opt = [](bool known, double v) { return known ? std::optional<double>(v) : std::nullopt; };
  bool cpu = t.cpu_known > 0 || t.core_s_cpu_known > 0;
  bool util = t.gpu_s_util_known > 0;
  return {t.jobs,
          t.wall_s / 3600,
          t.core_s / 3600,
          opt(cpu, t.used_cpu_s / 3600),
          opt(t.core_s_cpu_known > 0, 100 * t.used_cpu_s / t.core_s_cpu_known),
          t.gpu_s / 3600,
          opt(util, t.used_gpu_s / 3600),
          opt(util, 100 * t.used_gpu_s / t.gpu_s_util_known),
          opt(t.mem_req > 0, 100 * t.mem_peak / t.mem_req),
          opt(t.wait_jobs > 0, t.wait_s / 3600)};
}

records::ReportRow to_row(const Report &r, const Group &g) {
  records::ReportRow row;
  for (std::size_t i = 0; i < r.spec.dims.size(); ++i)
    row.dimensions.emplace_back(dim_name(r.spec.dims[i]), g.dims[i]);
  if (r.spec.period != Period::none)
    row.dimensions.emplace_back(period_name(r.spec.period), period_label(r.spec.period, g.period));
  auto m = metrics(g.totals);
  for (std::size_t i = 0; i < m.size(); ++i) row.metrics.emplace_back(metric_names()[i], m[i]);
  return row;
}

// --- the aggregator ----------------------------------------------------------------------

namespace {
// What a record adds, added straight into the Totals that `at(period)` gives: the in-memory
// engine passes its table's entries, shares() fresh zeros. Each field of a (record, period)
// gets one term at most, so the sums have the same bits either way. Everything that may
// refuse the record is checked before the first term is added.
template <class At>
[[gnu::always_inline]] inline void add_record(const ReportSpec &spec, const records::UsageView &u,
                                              At &&at) {
  if (!(std::fabs(u.start) < kMaxEpoch) || !(std::fabs(u.end) < kMaxEpoch))
    data_error("record '" + std::string(u.record_id) + "': start or end out of range");
  for (const auto &f : spec.where)
    if (!matches(f, u)) return;
  const Period p = spec.period;
  const double s = u.start, e = u.end;
  const double lo = spec.since.value_or(-1e300), hi = spec.until.value_or(1e300);
  // The period of the end: a job ending exactly at a period's start ran in the period before.
  std::int64_t pe = period_index(p, e);
  if (p != Period::none && e > s && period_start(p, pe) == e) --pe;
  const bool ended_inside = (e > lo || (e == lo && s == e)) && e <= hi;
  const bool whole = spec.by_end || e <= s || (p == Period::none && !spec.since && !spec.until);
  // Pro rata: the share of [cs, ce) inside each period from `first` on.
  const double cs = std::max(s, lo), ce = std::min(e, hi);
  std::int64_t first = 0;
  if (!whole && p != Period::none && ce > cs) {
    first = period_index(p, cs);
    if (period_index(p, ce) - first > kMaxPeriodsPerRecord)
      data_error("record '" + std::string(u.record_id) + "' spans more than " +
                 std::to_string(kMaxPeriodsPerRecord) + " " + period_name(p) +
                 "s: check its start and end");
  }
  if (ended_inside) {
    Totals &t = at(pe);
    if (t.jobs > 0) {
      t.first_end = std::min(t.first_end, e);
      t.last_end = std::max(t.last_end, e);
    } else {
      t.first_end = e;
      t.last_end = e;
    }
    t.jobs += 1;
    if (u.cpu_s) t.cpu_known += 1;
    if (u.mem_peak_bytes && u.mem_req_bytes && *u.mem_req_bytes > 0) {
      t.mem_peak += static_cast<double>(*u.mem_peak_bytes);
      t.mem_req += static_cast<double>(*u.mem_req_bytes);
    }
    if (u.submit) {
      t.wait_s += std::max(0.0, s - *u.submit);
      t.wait_jobs += 1;
    }
  }
  auto add_time = [&](Totals & t, double f) __attribute__((always_inline)) {
    const double wall = f * u.wall_s, core = wall * u.cores, gpu = wall * u.gpus;
    t.wall_s += wall;
    t.core_s += core;
    if (u.cpu_s) {
      t.used_cpu_s += f * *u.cpu_s;
      t.core_s_cpu_known += core;
    }
    t.gpu_s += gpu;
    if (u.gpu_util_mean && u.gpus > 0) {
      t.used_gpu_s += gpu * *u.gpu_util_mean / 100;
      t.gpu_s_util_known += gpu;
    }
  };
  if (whole) {
    if (ended_inside) add_time(at(pe), 1.0);
    return;
  }
  if (ce <= cs) return;
  const double span = e - s;
  if (p == Period::none) {
    add_time(at(0), (ce - cs) / span);
    return;
  }
  double from = period_start(p, first);
  for (std::int64_t i = first;; ++i) {
    const double to = period_start(p, i + 1); // each boundary computed once
    const double a = std::max(cs, from), b = std::min(ce, to);
    if (b > a) add_time(at(i), (b - a) / span);
    if (to >= ce) break;
    from = to;
  }
}
} // namespace

void shares(const ReportSpec &spec, const records::UsageView &u, std::vector<Share> &out) {
  out.clear();
  // Consecutive shares of one period are merged; otherwise each is its own entry.
  add_record(spec, u, [&](std::int64_t period) -> Totals & {
    if (out.empty() || out.back().period != period) out.push_back(Share{period, Totals{}});
    return out.back().totals;
  });
}

namespace {
// Sums per group of the records added: the group's name (its dimension values) is interned
// once per record, and each of the record's shares added under (name, period).
struct Groups {
  explicit Groups(const ReportSpec &s) : spec(&s) {}
  const ReportSpec *spec;
  detail::Names names;
  detail::SumTable sums;
  // Without a period every key is (name, 0): each name's entry in `sums` by the name's number
  // (entry + 1; 0 until the name's first record since the sums were cleared), an array
  // lookup in place of a second hash.
  std::vector<std::uint32_t> entry_of_name;
  std::uint64_t records = 0;
  std::string key;

  Totals &at(std::uint32_t name, std::int64_t period) {
    if (spec->period != Period::none) return sums.at(detail::group_key(name, period));
    if (name >= entry_of_name.size()) entry_of_name.resize(names.size(), 0);
    std::uint32_t &e = entry_of_name[name];
    if (e == 0) e = static_cast<std::uint32_t>(sums.entry(detail::group_key(name, period)) + 1);
    return sums.totals(e - 1);
  }
  void clear_sums() {
    sums.clear();
    std::fill(entry_of_name.begin(), entry_of_name.end(), 0);
  }

  void add(const records::UsageView &u) {
    ++records;
    // The group's name is interned on its first share: a record that --where leaves out
    // adds no name.
    std::uint32_t name = 0;
    bool named = false;
    // The entry of the last period asked for, while no other key has moved the table.
    std::int64_t last_period = 0;
    Totals *last = nullptr;
    add_record(
        *spec, u, [&](std::int64_t period) __attribute__((always_inline))->Totals & {
          if (last != nullptr && period == last_period) return *last;
          if (!named) {
            name = intern(u);
            named = true;
          }
          last_period = period;
          last = &at(name, period);
          return *last;
        });
  }

  // A group's name: with one dimension its value, with more each value after its length (4
  // bytes), so that any bytes may be in a value.
  bool name_is_value() const { return spec->dims.size() == 1 && spec->dims[0] != Dim::cores; }
  std::uint32_t intern(const records::UsageView &u) {
    if (name_is_value()) return names.intern(dim_value(u, spec->dims[0]));
    key.clear();
    for (Dim d : spec->dims) {
      char b[32];
      std::string_view value;
      if (d == Dim::cores) {
        auto [ptr, ec] = std::to_chars(b, b + sizeof b, u.cores);
        (void)ec;
        value = std::string_view(b, static_cast<std::size_t>(ptr - b));
      } else {
        value = dim_value(u, d);
      }
      const auto n = static_cast<std::uint32_t>(value.size());
      key.append(reinterpret_cast<const char *>(&n), sizeof n);
      key += value;
    }
    return names.intern(key);
  }
  // The dimension values of a group's name.
  std::vector<std::string> values(std::string_view name) const {
    if (name_is_value()) return {std::string(name)};
    std::vector<std::string> out;
    for (std::size_t d = 0; d < spec->dims.size(); ++d) {
      std::uint32_t n;
      std::memcpy(&n, name.data(), sizeof n);
      out.emplace_back(name.substr(sizeof n, n));
      name.remove_prefix(sizeof n + n);
    }
    return out;
  }

  Report finish() const {
    Report r;
    r.spec = *spec;
    r.records = records;
    r.groups.reserve(sums.size());
    for (std::size_t i = 0; i < sums.size(); ++i) {
      Group g;
      g.dims = values(names.name(detail::key_name(sums.key(i))));
      g.period = detail::key_period(sums.key(i));
      g.totals = sums.totals(i);
      r.groups.push_back(std::move(g));
    }
    order_groups(r);
    return r;
  }
};
} // namespace

struct Aggregator::Impl {
  explicit Impl(const ReportSpec &s) : spec(s), groups(spec) {}
  ReportSpec spec;
  Groups groups;
};

Aggregator::Aggregator(const ReportSpec &spec) : impl_(std::make_unique<Impl>(spec)) {}
Aggregator::~Aggregator() = default;
Aggregator::Aggregator(Aggregator &&) noexcept = default;
void Aggregator::add(const records::Usage &usage) { impl_->groups.add(records::view_of(usage)); }
void Aggregator::add(const records::UsageView &usage) { impl_->groups.add(usage); }
Report Aggregator::finish() { return impl_->groups.finish(); }

void order_groups(Report &r) {
  auto by_dims = [](const Group &a, const Group &b) {
    return a.dims != b.dims ? a.dims < b.dims : a.period < b.period;
  };
  std::sort(r.groups.begin(), r.groups.end(), by_dims);
  if (r.spec.top == 0) return;
  const auto &names = metric_names();
  auto at = std::find(names.begin(), names.end(), r.spec.sort);
  if (at == names.end()) usage_error("--sort: unknown metric '" + r.spec.sort + "'");
  const auto m = static_cast<std::size_t>(at - names.begin());
  // Rank the dimension groups by the metric over all their periods.
  std::map<std::vector<std::string>, Totals> sums;
  for (const auto &g : r.groups) sums[g.dims].add(g.totals);
  std::vector<std::pair<double, std::vector<std::string>>> ranked;
  for (const auto &[dims, t] : sums) ranked.emplace_back(metrics(t)[m].value_or(-1e300), dims);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto &a, const auto &b) { return a.first > b.first; });
  if (ranked.size() > r.spec.top) ranked.resize(r.spec.top);
  std::map<std::vector<std::string>, std::size_t> rank;
  for (std::size_t i = 0; i < ranked.size(); ++i) rank[ranked[i].second] = i;
  std::vector<Group> kept;
  for (auto &g : r.groups)
    if (rank.count(g.dims) != 0U) kept.push_back(std::move(g));
  std::stable_sort(kept.begin(), kept.end(),
                   [&](const Group &a, const Group &b) { return rank[a.dims] < rank[b.dims]; });
  r.groups = std::move(kept);
}

// --- reading files -----------------------------------------------------------------------

namespace {
template <class U> void check_range(const U &u, const jsonl::Location &where) {
  if (!(std::fabs(u.start) < kMaxEpoch)) jsonl::bad_record(where, "field 'start': out of range");
  if (!(std::fabs(u.end) < kMaxEpoch)) jsonl::bad_record(where, "field 'end': out of range");
}
// Aggregator::add's data errors, with the record's file and line.
const records::UsageView &view(const records::UsageView &u) { return u; }
records::UsageView view(const records::Usage &u) { return records::view_of(u); }
template <class A, class U> void add_at(A &a, const U &u, const jsonl::Location &where) {
  try {
    a.add(view(u));
  } catch (const Error &e) {
    if (e.status() != Exit::data) throw;
    jsonl::bad_record(where, e.what());
  }
}
} // namespace

Report aggregate_files(const std::vector<std::string> &paths, const ReportSpec &spec) {
  // Sums per chunk of input, added to the total in the chunks' order as they finish: the same
  // sums to the last bit for any number of threads and any scheduling. Each worker keeps its
  // names across chunks; at the end of a chunk it numbers its new names as the total does
  // (under the lock, which the total's tables need anyway) and hands over its sums.
  const std::size_t workers = jsonl::worker_count();
  Groups total(spec);
  // What each worker writes for every record, a cache line or two apart from the others'
  // (side by side in a vector, two workers' records shared a line: 9 to 45 % slower on two
  // cores, as the host placed them).
  struct alignas(128) Worker {
    std::optional<Groups> groups;
    std::vector<std::uint32_t> to_total; // the worker's name -> the total's
    records::UsageView view;
    records::Usage scratch;
  };
  std::vector<Worker> local(workers);
  using Sums = std::vector<std::pair<std::uint64_t, Totals>>;
  std::map<std::size_t, Sums> finished; // chunks done before the ones before them
  std::vector<Sums> spare;              // their emptied buffers, kept for their memory
  std::size_t next = 0;
  std::mutex merging;
  jsonl::ChunkHooks hooks;
  hooks.begin = [&](std::size_t w, std::size_t) {
    if (!local[w].groups) local[w].groups.emplace(spec);
  };
  hooks.end = [&](std::size_t w, std::size_t c) {
    Groups &mine = *local[w].groups;
    auto &names = local[w].to_total;
    std::unique_lock lock(merging);
    for (auto n = static_cast<std::uint32_t>(names.size()); n < mine.names.size(); ++n)
      names.push_back(total.names.intern(mine.names.name(n)));
    auto key = [&](std::size_t i) {
      const std::uint64_t k = mine.sums.key(i);
      return detail::group_key(names[detail::key_name(k)], detail::key_period(k));
    };
    if (c == next) {
      // This chunk's turn: its sums go to the total straight from the worker's table.
      for (std::size_t i = 0; i < mine.sums.size(); ++i)
        total.sums.at(key(i)).add(mine.sums.totals(i));
      ++next;
    } else {
      // Too early: a copy waits for the chunks before it (copied outside the lock).
      Sums sums;
      if (!spare.empty()) {
        sums = std::move(spare.back());
        spare.pop_back();
      }
      lock.unlock();
      sums.clear();
      sums.reserve(mine.sums.size());
      for (std::size_t i = 0; i < mine.sums.size(); ++i)
        sums.emplace_back(key(i), mine.sums.totals(i));
      lock.lock();
      finished.emplace(c, std::move(sums));
    }
    mine.clear_sums();
    for (auto it = finished.begin(); it != finished.end() && it->first == next; ++next) {
      for (const auto &[k, t] : it->second) total.sums.at(k).add(t);
      spare.push_back(std::move(it->second));
      it = finished.erase(it);
    }
  };
  // Runs of lines in the layout aip writes, read without looking for each line's end first.
  hooks.run = [&](std::size_t w, std::string_view text, jsonl::Location where) {
    const char *const start = text.data();
    Worker &mine = local[w];
    while (!text.empty()) {
      const std::size_t n = records::detail::decode_usage_layout_line(text, mine.view);
      if (n == 0) break;
      where.at = text.data();
      check_range(mine.view, where);
      add_at(*mine.groups, mine.view, where);
      text.remove_prefix(n + 1);
    }
    return static_cast<std::size_t>(text.data() - start);
  };
  std::uint64_t skipped = 0;
  std::string first_skipped;
  for (const auto &path : paths) {
    auto buffer = InputBuffer::open(path);
    if (!spec.skip_invalid) {
      next = 0;
      jsonl::parallel_for_each_record(
          buffer,
          [&](std::size_t w, std::string_view line, const jsonl::Location &where) {
            if (!records::decode_usage_line(line, local[w].view)) return false;
            check_range(local[w].view, where);
            add_at(*local[w].groups, local[w].view, where);
            return true;
          },
          [&](std::size_t w, simdjson::dom::object obj, const jsonl::Location &where) {
            records::decode_usage(obj, where, local[w].scratch);
            check_range(local[w].scratch, where);
            add_at(*local[w].groups, local[w].scratch, where);
          },
          4 << 20, &hooks);
      continue;
    }
    // --skip-invalid: one line at a time, so that a bad line (even broken JSON) is left out
    // and counted rather than ending the run.
    simdjson::dom::parser parser;
    std::string padded;
    std::string_view all = buffer.data();
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < all.size()) {
      auto nl = all.find('\n', pos);
      auto end = nl == std::string_view::npos ? all.size() : nl;
      std::string_view line = all.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
      jsonl::Location where{buffer.name(), line_no};
      try {
        padded.assign(line);
        padded.resize(line.size() + simdjson::SIMDJSON_PADDING, ' ');
        simdjson::dom::element doc;
        if (parser.parse(padded.data(), line.size(), false).get(doc) != simdjson::SUCCESS)
          jsonl::bad_record(where, "invalid JSON");
        simdjson::dom::object obj;
        if (doc.get_object().get(obj) != simdjson::SUCCESS)
          jsonl::bad_record(where, "expected a JSON object");
        records::decode_usage(obj, where, local[0].scratch);
        check_range(local[0].scratch, where);
        add_at(total, local[0].scratch, where);
      } catch (const Error &e) {
        if (e.status() != Exit::data) throw;
        if (skipped++ == 0) first_skipped = e.what();
      }
    }
  }
  for (const auto &g : local)
    if (g.groups) total.records += g.groups->records;
  Report r = total.finish();
  r.skipped = skipped;
  r.first_skipped = first_skipped;
  return r;
}

} // namespace aip::accounting
