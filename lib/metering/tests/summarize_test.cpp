// Summaries of samples, checked against numbers worked out by hand in the comments.
#include <aip/core/error.hpp>
#include <aip/metering/summarize.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace aip;
using namespace aip::metering;

namespace {
constexpr double T = 1764669600; // 2025-12-02T10:00:00Z

records::Sample S(const std::string &job, const std::string &host, double dt, double cpu,
                  std::uint64_t mem, std::vector<std::optional<double>> utils = {},
                  std::optional<std::uint64_t> peak = {}) {
  records::Sample s;
  s.job_id = job, s.host = host, s.at = T + dt, s.cpu_s = cpu, s.mem_bytes = mem,
  s.mem_peak_bytes = peak;
  for (std::size_t i = 0; i < utils.size(); ++i) {
    records::GpuSample g;
    g.uuid = "GPU-" + std::to_string(i);
    g.index = static_cast<int>(i);
    g.model = "A100";
    g.util_pct = utils[i];
    s.gpus.push_back(g);
  }
  return s;
}

MeterInput example() {
  MeterInput in;
  // Job a on h1: the counter resets between +60 and +90 (the group was recreated), and the
  // sample at +60 appears twice (a file ingested twice).
  in.samples = {S("a", "h1", 0, 10, 1000, {10, 50}), S("a", "h1", 30, 40, 2000, {20, 60}, 2500),
                S("a", "h1", 60, 70, 1500, {30}), S("a", "h1", 60, 70, 1500, {30}),
                S("a", "h1", 90, 5, 1200, {40}), S("a", "h1", 120, 35, 1300, {50}),
                // Job a also ran on h2 (a two-node job), with no GPU.
                S("a", "h2", 0, 100, 4000), S("a", "h2", 60, 160, 3000),
                // Job b: no job record, no events.
                S("b", "h1", 0, 1, 10), S("b", "h1", 60, 4, 20)};
  records::Job job;
  job.id = "a";
  job.owner = {"alice", "proj-x", "vo.test"};
  job.resources.cpus = 4;
  job.resources.memory_bytes = 8ULL << 30;
  job.resources.gpus = 2;
  job.resources.gpu_model = "A100-SXM4-80GB";
  job.queue = "gpu";
  job.submitted_at = T - 120;
  in.jobs = {job};
  in.samples[9].user = "carol"; // the /proc source's owner of job b
  auto ev = [](records::JobState st, double at, std::optional<int> code = {}) {
    records::Event e;
    e.job_id = "a", e.backend = "local", e.state = st, e.at = at, e.exit_code = code;
    return e;
  };
  in.events = {ev(records::JobState::succeeded, T + 130, 0), ev(records::JobState::queued, T - 100),
               ev(records::JobState::running, T - 10)};
  return in;
}
} // namespace

TEST(Summarize, CounterDifferencesSurviveResetsAndRepeats) {
  auto in = example();
  std::vector<const records::Sample *> h1;
  for (const auto &s : in.samples)
    if (s.job_id == "a" && s.host == "h1") h1.push_back(&s);
  // 10 (the first value) + 30 + 30 + 5 (after the reset, all of the new value) + 30 = 105;
  // the repeated sample at +60 adds nothing.
  EXPECT_DOUBLE_EQ(consumed_cpu(h1), 105.0);
}

TEST(Summarize, UsageRecordByHand) {
  auto out = summarize(example(), {});
  ASSERT_EQ(out.size(), 2U);
  const auto &a = out[0];
  EXPECT_EQ(a.job_id, "a");
  EXPECT_DOUBLE_EQ(*a.cpu_s, 105.0 + 160.0); // h1 as above; h2: 100 + 60
  // Peak per host: h1 max(2000, 2500 peak field) = 2500, h2 4000; held together 6500.
  EXPECT_EQ(a.mem_peak_bytes, 6500U);
  // GPU-time-weighted, each value held until the next sample of h1:
  // +0: (10+50)*30, +30: (20+60)*30, +60: 30*0 and (repeat) 30*30, +90: 40*30, +120: last
  // = 1800 + 2400 + 900 + 1200 = 6300 over 60 + 60 + 30 + 30 = 180 GPU-seconds -> 35 %.
  ASSERT_TRUE(a.gpu_util_mean);
  EXPECT_DOUBLE_EQ(*a.gpu_util_mean, 35.0);
  // From the events: started T-10, succeeded T+130 with exit 0; from the job record the rest.
  EXPECT_DOUBLE_EQ(a.start, T - 10);
  EXPECT_DOUBLE_EQ(a.end, T + 130);
  EXPECT_DOUBLE_EQ(a.wall_s, 140);
  EXPECT_EQ(a.state, "succeeded");
  EXPECT_EQ(a.exit_code, 0);
  EXPECT_EQ(a.submit, T - 120); // the job record's submitted_at is earlier than the queued event
  EXPECT_EQ(a.user, "alice");
  EXPECT_EQ(a.project, "proj-x");
  EXPECT_EQ(a.vo, "vo.test");
  EXPECT_EQ(a.queue, "gpu");
  EXPECT_DOUBLE_EQ(a.cores, 4);
  EXPECT_EQ(a.mem_req_bytes, 8ULL << 30);
  EXPECT_EQ(a.gpus, 2U);
  EXPECT_EQ(a.gpu_model, "A100-SXM4-80GB");
  EXPECT_EQ(a.source, "meter");
  // FNV-1a 64 of "aip.meter\0" "\0" "a\0", computed with Python's integers outside this code.
  EXPECT_EQ(a.record_id, "meter-bdf64ad9cb3a9dc7");
  const auto &b = out[1];
  EXPECT_DOUBLE_EQ(*b.cpu_s, 4.0);
  EXPECT_DOUBLE_EQ(b.start, T);
  EXPECT_DOUBLE_EQ(b.wall_s, 60);
  EXPECT_EQ(b.state, "running");
  EXPECT_FALSE(b.gpu_util_mean);
  EXPECT_EQ(b.gpus, 0U);
  EXPECT_EQ(b.user, "carol"); // no job record: the sample's owner
}

TEST(Summarize, RecordIdIsStableAndNamesTheSite) {
  EXPECT_EQ(meter_record_id("site-x", "a"), "meter-ed35efd4c99b5cdd"); // Python, as above
  SummarizeOptions o;
  o.site = "site-x";
  auto first = summarize(example(), o);
  auto in = example();
  in.samples.push_back(S("a", "h1", 150, 50, 1300, {50})); // the job ran on; same id
  auto again = summarize(in, o);
  EXPECT_EQ(first[0].record_id, again[0].record_id);
  EXPECT_EQ(first[0].site, "site-x");
}

TEST(Summarize, ReadsMixedFilesAndNamesBadLines) {
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "/meter-in-" + std::to_string(::getpid()) + ".jsonl";
  std::ofstream(path)
      << R"({"kind":"aip.sample/v1","at":"2025-12-02T10:00:00Z","job_id":"x","host":"h","cpu_s":1.5,"mem_bytes":10})"
      << "\n"
      << R"({"kind":"aip.event/v1","job_id":"x","backend":"local","state":"running","at":1764669590})"
      << "\n\n"
      << R"({"kind":"aip.sample/v1","at":"2025-12-02T10:00:30Z","job_id":"x","host":"h","cpu_s":"many","mem_bytes":10})"
      << "\n";
  MeterInput in;
  try {
    read_meter_input(path, in);
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    EXPECT_NE(std::string(e.what()).find(".jsonl:4: field 'cpu_s'"), std::string::npos) << e.what();
  }
  std::ofstream(path) << R"({"kind":"aip.usage/v1"})"
                      << "\n";
  EXPECT_THROW(read_meter_input(path, in), Error);
  std::remove(path.c_str());
}

TEST(Idle, TrailingRunBelowThreshold) {
  MeterInput in;
  // Job c: GPU-0 at 50, 40, 3, 2, 4, 1, 0 % every 10 min; GPU-1 busy at 90 %. GPU-0 has been
  // below 5 % from +20 min to +60 min: 40 min >= 30 min, an idle GPU; its highest value 4 %.
  const double u0[] = {50, 40, 3, 2, 4, 1, 0};
  for (int i = 0; i < 7; ++i) in.samples.push_back(S("c", "n1", 600.0 * i, i, 1, {u0[i], 90}));
  // Job d: idle for only 10 min.
  in.samples.push_back(S("d", "n1", 0, 0, 1, {1}));
  in.samples.push_back(S("d", "n1", 600, 0, 1, {1}));
  // Job e: idle for an hour, but its last sample has no utilisation (unknown is not idle).
  for (int i = 0; i < 7; ++i)
    in.samples.push_back(
        S("e", "n1", 600.0 * i, 0, 1, {i == 6 ? std::nullopt : std::optional<double>(0)}));
  // Job f: no GPU.
  in.samples.push_back(S("f", "n1", 0, 0, 1));
  auto rows = find_idle(in, {5, 1800});
  ASSERT_EQ(rows.size(), 1U);
  const auto &r = rows[0];
  using D = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(r.dimensions, (D{{"job_id", "c"},
                             {"host", "n1"},
                             {"gpus", "GPU-0"},
                             {"since", "2025-12-02T10:20:00Z"},
                             {"until", "2025-12-02T11:00:00Z"}}));
  ASSERT_EQ(r.metrics.size(), 4U);
  EXPECT_EQ(r.metrics[0], (std::pair<std::string, std::optional<double>>{"idle_s", 2400}));
  EXPECT_EQ(r.metrics[1].second, 1);
  EXPECT_EQ(r.metrics[2].second, 2);
  EXPECT_EQ(r.metrics[3].second, 4);
  EXPECT_TRUE(find_idle(in, {5, 2401}).empty());   // 40 min is less than 40 min and 1 s
  EXPECT_EQ(find_idle(in, {2.5, 600}).size(), 2U); // c (1, 0 since +50 min) and d
}
