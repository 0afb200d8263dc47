// The report engine against hand calculations written beside each expectation, and ISO
// week numbers from Python's datetime.date.isocalendar().
#include <aip/accounting/render.hpp>
#include <aip/accounting/report.hpp>

#include <aip/core/io.hpp>
#include <aip/core/units.hpp>

#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <random>

using namespace aip;
using namespace aip::accounting;

namespace {

records::Usage job(std::string user, double start, double end, double cores) {
  records::Usage u;
  u.record_id = "t:" + user + ":" + std::to_string(start);
  u.job_id = "1";
  u.user = std::move(user);
  u.start = start;
  u.end = end;
  u.wall_s = end - start;
  u.cores = cores;
  u.source = "test";
  return u;
}

// 2024-02-29T22:00:00Z to 2024-03-01T02:00:00Z: 4 hours across a day and a month boundary;
// 2 cores, 1 GPU at 50 %, 14400 CPU s used, 1 GiB of 4 GiB, submitted an hour early.
records::Usage leap_job() {
  auto u = job("alice", 1709244000, 1709258400, 2);
  u.project = "p1";
  u.gpus = 1;
  u.gpu_model = "a100";
  u.gpu_util_mean = 50;
  u.cpu_s = 14400;
  u.mem_req_bytes = 4ULL << 30;
  u.mem_peak_bytes = 1ULL << 30;
  u.submit = u.start - 3600;
  return u;
}

Report report(const std::vector<records::Usage> &us, ReportSpec spec) {
  Aggregator a(spec);
  for (const auto &u : us) a.add(u);
  return a.finish();
}

double metric(const Group &g, const char *name) {
  const auto &n = metric_names();
  auto i = static_cast<std::size_t>(std::find(n.begin(), n.end(), name) - n.begin());
  auto v = metrics(g.totals)[i];
  return v ? *v : -1; // -1: null
}

} // namespace

TEST(AccountPeriods, IsoWeeksQuartersAndBoundaries) {
  auto week = [](const char *t) {
    return period_label(Period::week, period_index(Period::week, parse_timestamp(t)));
  };
  EXPECT_EQ(week("2026-01-01T12:00:00Z"), "2026-W01");
  EXPECT_EQ(week("2024-12-30T00:00:00Z"), "2025-W01");
  EXPECT_EQ(week("2021-01-03T23:59:59Z"), "2020-W53");
  EXPECT_EQ(week("2026-11-22T10:00:00Z"), "2026-W47");
  auto label = [](Period p, const char *t) {
    return period_label(p, period_index(p, parse_timestamp(t)));
  };
  EXPECT_EQ(label(Period::quarter, "2024-03-31T23:59:59Z"), "2024-Q1");
  EXPECT_EQ(label(Period::quarter, "2024-04-01T00:00:00Z"), "2024-Q2");
  EXPECT_EQ(label(Period::month, "2024-02-29T22:00:00Z"), "2024-02");
  EXPECT_EQ(label(Period::hour, "2024-02-29T22:10:00Z"), "2024-02-29T22");
  EXPECT_EQ(label(Period::day, "1969-12-31T23:00:00Z"), "1969-12-31");
  EXPECT_EQ(label(Period::year, "2024-12-31T23:59:59Z"), "2024");
  // Each period starts where the previous one ends.
  for (Period p :
       {Period::hour, Period::day, Period::week, Period::month, Period::quarter, Period::year}) {
    auto i = period_index(p, 1709244000);
    EXPECT_EQ(period_index(p, period_start(p, i)), i);
    EXPECT_EQ(period_index(p, period_start(p, i + 1) - 0.5), i);
  }
  EXPECT_EQ(period_start(Period::month, period_index(Period::month, 1709244000) + 1),
            1709251200); // 2024-03-01
}

TEST(AccountReport, ProRataAcrossTheMonthBoundary) {
  ReportSpec spec;
  spec.dims = {Dim::user};
  spec.period = Period::month;
  auto r = report({leap_job()}, spec);
  ASSERT_EQ(r.groups.size(), 2U);
  const auto &feb = r.groups[0], &mar = r.groups[1];
  EXPECT_EQ(period_label(Period::month, feb.period), "2024-02");
  // February holds 22:00-24:00, half of the 4 hours.
  EXPECT_DOUBLE_EQ(metric(feb, "jobs"), 0);
  EXPECT_DOUBLE_EQ(metric(feb, "wall_hours"), 2);
  EXPECT_DOUBLE_EQ(metric(feb, "cpu_hours"), 4);      // 2 cores x 2 h
  EXPECT_DOUBLE_EQ(metric(feb, "used_cpu_hours"), 2); // half of 14400 s
  EXPECT_DOUBLE_EQ(metric(feb, "cpu_eff_pct"), 50);
  EXPECT_DOUBLE_EQ(metric(feb, "gpu_hours"), 2);
  EXPECT_DOUBLE_EQ(metric(feb, "used_gpu_hours"), 1);
  EXPECT_DOUBLE_EQ(metric(feb, "mem_eff_pct"), -1); // the job ended in March
  EXPECT_DOUBLE_EQ(metric(feb, "wait_hours"), -1);
  EXPECT_DOUBLE_EQ(metric(mar, "jobs"), 1);
  EXPECT_DOUBLE_EQ(metric(mar, "wall_hours"), 2);
  EXPECT_DOUBLE_EQ(metric(mar, "mem_eff_pct"), 25); // 1 GiB of 4 GiB
  EXPECT_DOUBLE_EQ(metric(mar, "wait_hours"), 1);
  spec.period = Period::hour;
  r = report({leap_job()}, spec);
  ASSERT_EQ(r.groups.size(), 4U);
  for (const auto &g : r.groups) EXPECT_DOUBLE_EQ(metric(g, "cpu_hours"), 2);
  // APEL's way: the whole job in the month it ended.
  spec.period = Period::month;
  spec.by_end = true;
  r = report({leap_job()}, spec);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "cpu_hours"), 8);
}

TEST(AccountReport, EndOnABoundaryBelongsToThePeriodBefore) {
  ReportSpec spec;
  spec.period = Period::day;
  // 2024-02-29T23:00:00Z to 2024-03-01T00:00:00Z
  auto r = report({job("a", 1709247600, 1709251200, 1)}, spec);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_EQ(period_label(Period::day, r.groups[0].period), "2024-02-29");
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "jobs"), 1);
}

TEST(AccountReport, WindowClipsTime) {
  ReportSpec spec;
  spec.since = 1709251200; // 2024-03-01
  auto r = report({leap_job()}, spec);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "wall_hours"), 2);
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "jobs"), 1);
  spec.since.reset();
  spec.until = 1709251200;
  r = report({leap_job()}, spec);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "wall_hours"), 2);
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "jobs"), 0); // ended after the window
}

TEST(AccountReport, WhereTopAndNullMetrics) {
  std::vector<records::Usage> us = {job("a", 0, 3600, 1), job("b", 0, 3600, 4),
                                    job("c", 0, 3600, 2), job("b", 0, 7200, 1)};
  us[1].gpus = 2;
  ReportSpec spec;
  spec.dims = {Dim::user};
  spec.top = 2;
  auto r = report(us, spec);
  ASSERT_EQ(r.groups.size(), 2U);
  EXPECT_EQ(r.groups[0].dims[0], "b"); // 4 + 2 = 6 core hours
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "cpu_hours"), 6);
  EXPECT_EQ(r.groups[1].dims[0], "c");
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "used_cpu_hours"), -1); // no cpu_s anywhere
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "cpu_eff_pct"), -1);
  spec.top = 0;
  spec.where = {parse_filter("gpus>0")};
  r = report(us, spec);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "gpu_hours"), 2);
  spec.where = {parse_filter("user=a|c")};
  r = report(us, spec);
  ASSERT_EQ(r.groups.size(), 2U);
  spec.where = {parse_filter("user!=a")};
  r = report(us, spec);
  ASSERT_EQ(r.groups.size(), 2U);
  EXPECT_THROW(parse_filter("colour=red"), Error);
  EXPECT_THROW(parse_filter("gpus>many"), Error);
  EXPECT_THROW(parse_filter("user<3"), Error);
}

TEST(AccountReport, ParallelFileReadEqualsASimpleSum) {
  // 20000 records written to a file, aggregated on all threads by project and month, then
  // compared with sums made here record by record.
  std::mt19937_64 rng(7);
  auto path = std::filesystem::temp_directory_path() /
              ("aip-report-test-" + std::to_string(::getpid()) + ".jsonl");
  std::string text;
  std::map<std::string, double> core_h, jobs;
  for (int i = 0; i < 20000; ++i) {
    auto u =
        job("u" + std::to_string(rng() % 7), 1704067200 + static_cast<double>(rng() % 20000000), 0,
            static_cast<double>(1 + rng() % 8));
    u.end = u.start + static_cast<double>(rng() % 20000);
    u.wall_s = u.end - u.start;
    u.project = "p" + std::to_string(rng() % 5);
    u.record_id = "r" + std::to_string(i);
    records::append_usage_line(text, u);
    core_h[u.project] += u.cores * u.wall_s / 3600;
    jobs[u.project] += 1;
  }
  {
    AtomicFile f(path.string());
    f.write(text);
    f.commit();
  }
  ReportSpec spec;
  spec.dims = {Dim::project};
  spec.period = Period::month;
  auto r = aggregate_files({path.string()}, spec);
  std::filesystem::remove(path);
  EXPECT_EQ(r.records, 20000U);
  std::map<std::string, double> got_h, got_jobs;
  for (const auto &g : r.groups) {
    got_h[g.dims[0]] += metric(g, "cpu_hours");
    got_jobs[g.dims[0]] += metric(g, "jobs");
  }
  ASSERT_EQ(got_h.size(), 5U);
  for (const auto &[p, h] : core_h) {
    EXPECT_NEAR(got_h[p], h, 1e-6 * h) << p;
    EXPECT_EQ(got_jobs[p], jobs[p]) << p;
  }
}

TEST(AccountRender, ApelSummaryAndFormats) {
  auto u = leap_job();
  u.site = "SITE-A";
  u.vo = "vo.example.eu";
  ReportSpec spec = apel_spec({});
  auto r = report({u}, spec);
  RenderOptions o;
  o.service_level = 10;
  auto text = render(r, Format::apel, o);
  EXPECT_NE(text.find("APEL-summary-job-message: v0.2\nSite: SITE-A\nMonth: 3\nYear: "
                      "2024\nGlobalUserName: alice\n"
                      "VO: vo.example.eu\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find(
          "Processors: 2\nEarliestEndTime: 1709258400\nLatestEndTime: 1709258400\nWallDuration: "
          "14400\n"
          "CpuDuration: 14400\nNormalisedWallDuration: 144000\nNormalisedCpuDuration: 144000\n"
          "NumberOfJobs: 1\n%%\n"),
      std::string::npos)
      << text;
  ReportSpec by_user;
  by_user.dims = {Dim::user};
  by_user.period = Period::month;
  r = report({u}, by_user);
  EXPECT_EQ(render(r, Format::csv).substr(0, 30), "user,month,jobs,wall_hours,cpu");
  EXPECT_NE(render(r, Format::csv).find("alice,2024-03,1,2,4,2,50,2,1,50,25,1\n"),
            std::string::npos)
      << render(r, Format::csv);
  auto jl = render(r, Format::jsonl);
  EXPECT_NE(
      jl.find("{\"kind\":\"aip.report/v1\",\"user\":\"alice\",\"month\":\"2024-02\",\"jobs\":0.0,"),
      std::string::npos)
      << jl;
  auto svg = render(r, Format::svg);
  EXPECT_EQ(svg.rfind("<svg", 0), 0U);
  EXPECT_NE(svg.find("2024-03"), std::string::npos);
}

// The same file gives the same report to the last bit whatever the thread count: sums are
// made per chunk of input and combined in the chunks' order. (Per-thread sums merged in the
// order the threads happened to finish changed the last digits from run to run.)
TEST(AccountReport, SameBitsForAnyThreadCount) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("aip-report-bits-" + std::to_string(::getpid()) + ".jsonl");
  {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> unit(0, 1);
    std::string text;
    for (int i = 0; i < 40000; ++i) {
      auto u = job("user" + std::to_string(i % 37), 1767225600 + unit(rng) * 1e7, 0,
                   1 + static_cast<double>(i % 7));
      u.end = u.start + unit(rng) * 3e5;
      u.wall_s = (u.end - u.start) * unit(rng);
      u.cpu_s = u.wall_s * u.cores * unit(rng);
      u.project = "p" + std::to_string(i % 5);
      u.record_id = "bits:" + std::to_string(i);
      records::append_usage_line(text, u);
    }
    std::FILE *f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(text.data(), 1, text.size(), f), text.size());
    std::fclose(f);
    ASSERT_GT(text.size(), 8U << 20); // several of the report's 4 MiB chunks
  }
  ReportSpec spec;
  spec.dims = {Dim::project};
  spec.period = Period::week;
  std::string first;
  for (int threads : {1, 2, 3, 4, 1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(threads));
    const std::string out = render(aggregate_files({path.string()}, spec), Format::jsonl, {});
    if (first.empty()) first = out;
    EXPECT_EQ(out, first) << threads << " threads";
  }
  std::filesystem::remove(path);
}

// Lines in aip's own layout are read in runs, others one at a time: a file that mixes them
// gives the report of the same records all in one layout, and a run's error names its line.
TEST(AccountReport, LayoutRunsAndOtherLinesGiveOneReport) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto mixed = dir / ("aip-report-mixed-" + std::to_string(::getpid()) + ".jsonl");
  const auto plain = dir / ("aip-report-plain-" + std::to_string(::getpid()) + ".jsonl");
  std::string mixed_text, plain_text;
  for (int i = 0; i < 30000; ++i) {
    auto u = job("user" + std::to_string(i % 11), 1767225600 + i * 97.0, 0, 1 + i % 5);
    u.end = u.start + (i % 13) * 1000.0;
    u.wall_s = u.end - u.start;
    u.project = "p" + std::to_string(i % 3);
    u.record_id = "mix:" + std::to_string(i);
    std::string line;
    records::append_usage_line(line, u);
    plain_text += line;
    if (i % 4 == 1) line = to_json(u).dump() + "\n"; // other order, 3600.0 style numbers
    if (i % 9 == 2) line.insert(1, " ");             // white space
    mixed_text += line;
  }
  auto write = [](const std::filesystem::path &p, const std::string &t) {
    AtomicFile f(p.string());
    f.write(t);
    f.commit();
  };
  write(mixed, mixed_text);
  write(plain, plain_text);
  ReportSpec spec;
  spec.dims = {Dim::user};
  spec.period = Period::day;
  const auto a = render(aggregate_files({mixed.string()}, spec), Format::csv, {});
  const auto b = render(aggregate_files({plain.string()}, spec), Format::csv, {});
  EXPECT_EQ(a, b);
  EXPECT_GT(std::count(a.begin(), a.end(), '\n'), 100);
  // A time the layout reads but the report refuses (year 6000), on line 20001.
  std::string bad = plain_text;
  std::size_t at = 0;
  for (int n = 0; n < 20000; ++n) at = bad.find('\n', at) + 1;
  const auto start = bad.find("\"start\":\"", at) + 9;
  bad.replace(start, 4, "6000");
  bad.replace(bad.find("\"end\":\"", at) + 7, 4, "6000");
  write(plain, bad);
  try {
    aggregate_files({plain.string()}, spec);
    ADD_FAILURE() << "no error";
  } catch (const Error &e) {
    EXPECT_EQ(
        std::string(e.what()).rfind(plain.string() + ":20001: field 'start': out of range", 0), 0U)
        << e.what();
  }
  std::filesystem::remove(mixed);
  std::filesystem::remove(plain);
}

// Months, quarters and years come from a table for 1970 to 2225 and from the calendar beyond
// it: both agree with civil dates (core's, tested against GNU date) on every day around the
// table's edges and on a stride through it, and with Python's calendar.timegm by hand.
TEST(AccountReport, CalendarPeriodsInsideAndOutsideTheTable) {
  auto check_day = [](std::int64_t day) {
    std::int64_t y;
    unsigned m, d;
    civil_from_days(day, y, m, d);
    const double t = static_cast<double>(day) * 86400 + 43200;
    const std::int64_t month = y * 12 + (m - 1);
    ASSERT_EQ(period_index(Period::month, t), month) << day;
    ASSERT_EQ(period_index(Period::quarter, t), y * 4 + (m - 1) / 3) << day;
    ASSERT_EQ(period_index(Period::year, t), y) << day;
    ASSERT_LE(period_start(Period::month, month), t);
    ASSERT_GT(period_start(Period::month, month + 1), t);
    ASSERT_EQ(period_start(Period::month, month),
              static_cast<double>(days_from_civil(y, m, 1)) * 86400);
    ASSERT_EQ(period_start(Period::quarter, y * 4 + (m - 1) / 3),
              static_cast<double>(days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)) * 86400);
    ASSERT_EQ(period_start(Period::year, y), static_cast<double>(days_from_civil(y, 1, 1)) * 86400);
  };
  const std::int64_t end_of_table = days_from_civil(2226, 1, 1);
  for (std::int64_t day = -800; day < 800; ++day) check_day(day);
  for (std::int64_t day = end_of_table - 800; day < end_of_table + 800; ++day) check_day(day);
  for (std::int64_t day = -200000; day < 300000; day += 97) check_day(day);
  // calendar.timegm((2226, 1, 1, 0, 0, 0)), ((2225, 12, 1, ...)), ((1969, 12, 1, ...)),
  // ((1600, 3, 1, ...)).
  EXPECT_EQ(period_start(Period::month, 2226 * 12), 8078572800.0);
  EXPECT_EQ(period_start(Period::month, 2225 * 12 + 11), 8075894400.0);
  EXPECT_EQ(period_start(Period::month, 1969 * 12 + 11), -2678400.0);
  EXPECT_EQ(period_start(Period::month, 1600 * 12 + 2), -11670912000.0);
  EXPECT_EQ(period_index(Period::month, 8078572800.0), 2226 * 12);
  EXPECT_EQ(period_index(Period::month, 8078572799.0), 2225 * 12 + 11);
}

// Group values may hold any bytes, the unit separator and NUL too: two users x projects that
// read the same when joined with a separator stay two groups, and each value comes back whole.
TEST(AccountReport, GroupValuesKeepEveryByte) {
  auto a = job(std::string("a\x1f"
                           "b"),
               0, 3600, 1),
       b = job("a", 0, 3600, 2);
  a.project = "c";
  b.project = std::string("b\x1f"
                          "c");
  auto c = job(std::string("x\0y", 3), 0, 3600, 4);
  c.project = "";
  ReportSpec spec;
  spec.dims = {Dim::user, Dim::project};
  auto r = report({a, b, c}, spec);
  ASSERT_EQ(r.groups.size(), 3U);
  EXPECT_EQ(r.groups[0].dims, (std::vector<std::string>{"a", "b\x1f"
                                                             "c"}));
  EXPECT_DOUBLE_EQ(metric(r.groups[0], "cpu_hours"), 2);
  EXPECT_EQ(r.groups[1].dims, (std::vector<std::string>{"a\x1f"
                                                        "b",
                                                        "c"}));
  EXPECT_DOUBLE_EQ(metric(r.groups[1], "cpu_hours"), 1);
  EXPECT_EQ(r.groups[2].dims, (std::vector<std::string>{std::string("x\0y", 3), ""}));
  spec.dims = {Dim::user};
  r = report({a, b, c}, spec);
  ASSERT_EQ(r.groups.size(), 3U);
  EXPECT_EQ(r.groups[0].dims, std::vector<std::string>{"a"});
  EXPECT_EQ(r.groups[1].dims, std::vector<std::string>{"a\x1f"
                                                       "b"});
  spec.dims = {Dim::cores, Dim::user};
  r = report({a, b, c}, spec);
  ASSERT_EQ(r.groups.size(), 3U);
  EXPECT_EQ(r.groups[0].dims, (std::vector<std::string>{"1", "a\x1f"
                                                             "b"}));
}
