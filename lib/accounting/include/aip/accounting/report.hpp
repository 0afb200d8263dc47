// Accounting reports: usage records grouped by dimensions and a calendar period (UTC), with
// XDMoD's meaning of the metrics. A job that spans periods is split pro rata by the share of
// its run time inside each period; its count, memory efficiency and wait go to the period in
// which it ended.
#pragma once

#include <aip/records/report.hpp>
#include <aip/records/usage.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::accounting {

// Times beyond about the year 5000 (either way) are refused: the calendar arithmetic of the
// periods stays within integer range, and no accounting record is that far out.
inline constexpr double kMaxEpoch = 1e11;
// A record spanning more periods than this is surely wrong (eleven years of hours), and would
// cost a table entry per period: a data error.
inline constexpr std::int64_t kMaxPeriodsPerRecord = 100000;

enum class Dim { user, project, vo, site, queue, state, gpu_model, cores };
enum class Period { none, hour, day, week, month, quarter, year };

Dim parse_dim(std::string_view name); // usage error otherwise
const char *dim_name(Dim dim);
Period parse_period(std::string_view name);
const char *period_name(Period period);

// Calendar periods in UTC, numbered so that consecutive periods have consecutive numbers.
// Weeks are ISO weeks (Monday first, labelled 2026-W48 by the ISO week-numbering year).
std::int64_t period_index(Period period, double epoch_seconds);
double period_start(Period period, std::int64_t index);
std::string period_label(Period period, std::int64_t index);

// A record filter from --where: FIELD OP VALUE with OP one of = != < <= > >=; FIELD is a
// dimension (string comparison; '=' takes alternatives separated by '|') or one of the
// numbers gpus, cores, wall_s, cpu_s, exit_code, gpu_util_mean.
struct Filter {
  std::string field;
  enum class Op { eq, ne, lt, le, gt, ge } op = Op::eq;
  std::vector<std::string> values;
  double number = 0;
  bool numeric = false;
};
Filter parse_filter(std::string_view text); // usage error otherwise
// A record's value of a text dimension (empty for cores).
std::string_view dim_value(const records::UsageView &usage, Dim dim);

bool matches(const Filter &filter, const records::Usage &usage);
bool matches(const Filter &filter, const records::UsageView &usage);

struct ReportSpec {
  std::vector<Dim> dims;
  Period period = Period::none;
  std::vector<Filter> where;
  std::optional<double> since, until; // clip to [since, until): time outside is not counted
  bool by_end = false;                // whole jobs in the period of their end (APEL), not pro rata
  std::size_t top = 0;                // keep the N dimension groups with the largest `sort` metric
  std::string sort = "cpu_hours";
  bool skip_invalid = false;
};

// Sums per group. Seconds everywhere; hours only in the rows.
struct Totals {
  double jobs = 0;
  double wall_s = 0;
  double core_s = 0;           // cores x wall
  double used_cpu_s = 0;       // consumed CPU, where known
  double core_s_cpu_known = 0; // cores x wall of the records whose cpu_s is known
  double gpu_s = 0;            // GPUs x wall
  double used_gpu_s = 0;       // GPUs x wall x utilisation, where known
  double gpu_s_util_known = 0;
  double mem_peak = 0, mem_req = 0;   // bytes, jobs with both known
  double wait_s = 0, wait_jobs = 0;   // jobs whose submit time is known
  double cpu_known = 0;               // jobs with cpu_s known (0: used CPU unknown)
  double first_end = 0, last_end = 0; // epoch seconds of the earliest and latest end
  void add(const Totals &o);
};

// What one record adds to one period of a report.
struct Share {
  std::int64_t period = 0;
  Totals totals;
};
// What `usage` adds to the report `spec` describes, period by period (none when a --where
// filter leaves it out): its count, memory and wait in the period of its end, its time
// split pro rata over the periods it ran in (or whole, where the spec says so). The
// in-memory engine and the database's roll-ups both add these up. Data error for a record
// out of range.
void shares(const ReportSpec &spec, const records::UsageView &usage, std::vector<Share> &out);

struct Group {
  std::vector<std::string> dims;
  std::int64_t period = 0;
  Totals totals;
};

struct Report {
  ReportSpec spec;
  std::vector<Group> groups; // ordered: by rank with --top, else by dimensions then period
  std::uint64_t records = 0, skipped = 0;
  std::string first_skipped;
};

// The metric names of a row, in order.
const std::vector<std::string> &metric_names();
std::vector<std::optional<double>> metrics(const Totals &totals);
records::ReportRow to_row(const Report &report, const Group &group);

// Aggregates records one at a time (tests, the importers' output) ...
class Aggregator {
public:
  explicit Aggregator(const ReportSpec &spec);
  ~Aggregator();
  Aggregator(Aggregator &&) noexcept;
  void add(const records::Usage &usage);
  void add(const records::UsageView &usage);
  Report finish();

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ... or reads aip.usage/v1 JSON Lines files ("-": stdin) on all threads.
Report aggregate_files(const std::vector<std::string> &paths, const ReportSpec &spec);
// Orders and cuts the groups as the spec asks (aggregate_files and the database path call it).
void order_groups(Report &report);

} // namespace aip::accounting
