// Importers on real output (the Slurm fixture's `sacct -c -P`, the EGI documentation's APEL
// example) and on lines in the shapes Slurm's documentation gives. Expected values are
// worked out by hand in the comments; epoch seconds from `date -u -d TIME +%s`.
#include <aip/accounting/import.hpp>

#include <aip/core/io.hpp>

#include <gtest/gtest.h>

#include <vector>

using namespace aip;
using namespace aip::accounting;

namespace {

std::vector<records::Usage> run(Source s, std::string_view text, ImportOptions o = {},
                                ImportStats *st = nullptr) {
  std::vector<records::Usage> out;
  auto stats =
      import_usage(s, text, "in.txt", o, [&](const records::Usage &u) { out.push_back(u); });
  if (st) *st = stats;
  return out;
}

std::string error_of(Source s, std::string_view text, ImportOptions o = {}) {
  try {
    run(s, text, o);
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    return e.what();
  }
  return "no error";
}

} // namespace

TEST(AccountSacctImport, RealJobCompletionLogFromTheSlurmFixture) {
  // tests/account/data/sacct-c-fixture.txt: `TZ=UTC sacct -c -P -o <XDMoD's fields>` from
  // the single-node Slurm fixture: jobs 1 (1 CPU, 2 s), 2 (--gres=gpu:1 -c 2), 3 and 5 (an
  // array of two tasks, exit 3), and 4 named "name|with pipe" and cancelled while pending;
  // sacct does not escape the '|' in its name, so its line has one field too many.
  auto text = read_file(AIP_SOURCE_DIR "/tests/account/data/sacct-c-fixture.txt");
  ImportOptions o;
  o.utc = true;
  auto message = error_of(Source::sacct, text, o);
  EXPECT_NE(message.find("in.txt:2: expected 26 '|'-separated fields as in the header, got 27"),
            std::string::npos)
      << message;
  o.skip_invalid = true;
  ImportStats st;
  auto u = run(Source::sacct, text, o, &st);
  ASSERT_EQ(u.size(), 4U);
  EXPECT_EQ(st.invalid, 1U);
  EXPECT_EQ(u[0].job_id, "1");
  EXPECT_EQ(u[0].user, "root"); // "root(0)" in the job completion log
  EXPECT_EQ(u[0].site, "unknown");
  EXPECT_EQ(u[0].queue, "debug");
  EXPECT_EQ(u[0].start, 1796189520); // 2026-12-02T05:32:00Z
  EXPECT_EQ(u[0].end, 1796189522);
  EXPECT_EQ(u[0].wall_s, 2);
  EXPECT_EQ(u[0].cores, 1);
  EXPECT_EQ(u[0].state, "succeeded");
  EXPECT_EQ(u[0].exit_code, 0);
  EXPECT_EQ(u[0].record_id, "sacct:unknown:1:1796189520");
  EXPECT_EQ(u[1].cores, 2);
  EXPECT_EQ(u[2].state, "failed");
  EXPECT_EQ(u[2].exit_code, 3);
  // Stable ids: a second import gives the same ids.
  auto again = run(Source::sacct, text, o);
  for (std::size_t i = 0; i < u.size(); ++i) EXPECT_EQ(again[i].record_id, u[i].record_id);
}

TEST(AccountSacctImport, StepsArraysHeterogeneousJobsAndTypedGpus) {
  // The shapes of Slurm's documentation (sacct(1)): steps 123.batch, 123.extern, 123.0 after
  // their job; an array task 124_7; a heterogeneous component 125+1; a pending job.
  const char *text = "JobID|JobIDRaw|Cluster|Partition|Account|User|Submit|Start|End|Elapsed|"
                     "ExitCode|State|NNodes|NCPUS|ReqMem|"
                     "AllocTRES|TotalCPU|MaxRSS\n"
                     "123|123|hpc|gpu|proj-a|alice|2024-03-01T09:55:00|2024-03-01T10:00:00|2024-03-"
                     "01T11:30:00|01:30:00|0:0|"
                     "COMPLETED|2|10|4000M|billing=10,cpu=10,gres/gpu=4,mem=374000M,node=2||\n"
                     "123.batch|123.batch|hpc||proj-a||2024-03-01T10:00:00|2024-03-01T10:00:00|"
                     "2024-03-01T11:30:00|01:30:00|0:0|"
                     "COMPLETED|1|5||cpu=5,mem=187000M,node=1|01:00:00.500|3228K\n"
                     "123.extern|123.extern|hpc||proj-a||2024-03-01T10:00:00|2024-03-01T10:00:00|"
                     "2024-03-01T11:30:00|01:30:00|0:0|"
                     "COMPLETED|2|10||billing=10,cpu=10,node=2|00:00:00|0\n"
                     "123.0|123.0|hpc||proj-a||2024-03-01T10:01:00|2024-03-01T10:01:00|2024-03-"
                     "01T11:29:00|01:28:00|0:0|"
                     "COMPLETED|2|10||cpu=10,node=2|1-02:00:00|1.40G\n"
                     "124_7|130|hpc|gpu|proj-b|bob|2024-03-01T09:00:00|2024-03-01T10:00:00|2024-03-"
                     "01T10:10:00|00:10:00|0:9|"
                     "CANCELLED by 1000|1|4|2Gc|cpu=4,gres/gpu:a100=2,mem=8G,node=1|05:00.250|\n"
                     "125+1|126|hpc|cpu|proj-b|bob|2024-03-01T09:00:00|2024-03-01T10:00:00|2024-03-"
                     "01T10:00:30|00:00:30|1:0|"
                     "FAILED|1|1|1000Mn|cpu=1,mem=1000M,node=1||\n"
                     "127|127|hpc|cpu|proj-b|bob|2024-03-01T09:00:00|Unknown|Unknown|00:00:00|0:0|"
                     "PENDING|1|1|1G|||\n"
                     "999.batch|999.batch|hpc||proj-b||2024-03-01T10:00:00|2024-03-01T10:00:00|"
                     "2024-03-01T11:30:00|01:30:00|0:0|"
                     "COMPLETED|1|1||||\n";
  ImportOptions o;
  o.utc = true;
  o.vo = "vo.example.eu";
  ImportStats st;
  auto u = run(Source::sacct, text, o, &st);
  ASSERT_EQ(u.size(), 3U);
  EXPECT_EQ(st.steps, 3U);
  EXPECT_EQ(st.orphan_steps, 1U);
  EXPECT_EQ(st.not_ended, 1U);
  const auto &a = u[0];
  EXPECT_EQ(a.record_id, "sacct:hpc:123:1709286900"); // submit 2024-03-01T09:55:00Z
  EXPECT_EQ(*a.submit, 1709286900);
  EXPECT_EQ(a.start, 1709287200);
  EXPECT_EQ(a.end, 1709292600);
  EXPECT_EQ(a.wall_s, 5400);
  EXPECT_EQ(a.cores, 10);
  EXPECT_EQ(a.gpus, 4U);
  EXPECT_EQ(a.gpu_model, "");
  EXPECT_EQ(a.project, "proj-a");
  EXPECT_EQ(a.vo, "vo.example.eu");
  EXPECT_EQ(*a.mem_req_bytes, 4000ULL * 1048576);
  // No TotalCPU on the job line: the steps' sum, 3600.5 + 0 + 93600 seconds.
  EXPECT_DOUBLE_EQ(*a.cpu_s, 97200.5);
  // The largest step MaxRSS: 1.40G = 1.4 * 2^30 bytes, rounded.
  EXPECT_EQ(*a.mem_peak_bytes, 1503238554ULL);
  const auto &b = u[1];
  EXPECT_EQ(b.job_id, "124_7");
  EXPECT_EQ(b.record_id, "sacct:hpc:130:1709283600");
  EXPECT_EQ(b.state, "cancelled");
  EXPECT_EQ(b.exit_code, 137); // signal 9
  EXPECT_EQ(b.gpus, 2U);
  EXPECT_EQ(b.gpu_model, "a100");
  EXPECT_EQ(*b.mem_req_bytes, 4ULL * 2 * 1073741824); // 2G per CPU x 4 CPUs
  EXPECT_DOUBLE_EQ(*b.cpu_s, 300.25);
  const auto &c = u[2];
  EXPECT_EQ(c.job_id, "125+1");
  EXPECT_EQ(c.state, "failed");
  EXPECT_EQ(*c.mem_req_bytes, 1000ULL * 1048576); // 1000M per node x 1 node
  EXPECT_FALSE(c.cpu_s.has_value());
}

TEST(AccountSacctImport, TrailingSeparatorOfDashP) {
  const char *text = "JobID|User|Start|End|State|NCPUS|\n42|carol|2024-03-01T10:00:00|2024-03-"
                     "01T10:00:10|TIMEOUT|3|\n";
  ImportOptions o;
  o.utc = true;
  auto u = run(Source::sacct, text, o);
  ASSERT_EQ(u.size(), 1U);
  EXPECT_EQ(u[0].state, "timeout");
  EXPECT_EQ(u[0].wall_s, 10); // from End - Start without an Elapsed column
  EXPECT_EQ(u[0].cores, 3);
}

TEST(AccountSacctImport, BadInputNamesLineAndField) {
  ImportOptions o;
  o.utc = true;
  auto m = error_of(
      Source::sacct,
      "JobID|User|Start|End|State|NCPUS\n1|a|2024-03-01T10:00:00|2024-03-01T11:00:00|COMPLETED|1\n"
      "2|a|2024-03-01T10:00:00|2024-03-01T11:00:00|WEIRD|1\n",
      o);
  EXPECT_NE(m.find("in.txt:3: field 'State': unknown Slurm state 'WEIRD'"), std::string::npos) << m;
  m = error_of(
      Source::sacct,
      "JobID|User|Start|End|State|NCPUS\n1|a|2024-03-01T12:00:00|2024-03-01T11:00:00|COMPLETED|1\n",
      o);
  EXPECT_NE(m.find("in.txt:2: field 'end': is before start"), std::string::npos) << m;
  m = error_of(
      Source::sacct,
      "JobID|User|Start|End|State|NCPUS\n1|a|2024-03-01T10:00:00|2024-03-01T11:00:00|COMPLETED|x\n",
      o);
  EXPECT_NE(m.find("in.txt:2: field 'NCPUS': expected a number, got 'x'"), std::string::npos) << m;
  m = error_of(Source::sacct, "JobID|Start|End|State\n", o);
  EXPECT_NE(m.find("in.txt:1: the header has no User column"), std::string::npos) << m;
  m = error_of(Source::sacct,
               "JobID|User|Start|End|State|NCPUS|ElapsedRaw\n1|a|2024-03-01T10:00:00|2024-03-01T11:"
               "00:00|COMPLETED|1|-5\n",
               o);
  EXPECT_NE(m.find("in.txt:2: field 'wall_s': must not be negative"), std::string::npos) << m;
}

TEST(AccountSacctImport, LocalTimeFollowsTZ) {
  // sacct prints the client's local time; 10:00 in Europe/Rome in March is 09:00Z.
  setenv("TZ", "Europe/Rome", 1);
  tzset();
  auto t = slurm_time("2024-03-01T10:00:00", false);
  setenv("TZ", "UTC", 1);
  tzset();
  EXPECT_EQ(t, 1709287200 - 3600);
  EXPECT_EQ(slurm_time("2024-03-01T10:00:00", true), 1709287200);
}

TEST(AccountSacctImport, TresGpus) {
  std::string model;
  EXPECT_EQ(tres_gpus("billing=10,cpu=10,gres/gpu=4,mem=374000M,node=2", model), 4U);
  EXPECT_EQ(model, "");
  EXPECT_EQ(tres_gpus("cpu=8,gres/gpu:a100=2,mem=64G,node=1", model), 2U);
  EXPECT_EQ(model, "a100");
  EXPECT_EQ(tres_gpus("cpu=8,gres/gpu=3,gres/gpu:v100=3,node=1", model),
            3U); // total and typed both listed
  EXPECT_EQ(model, "v100");
  EXPECT_EQ(tres_gpus("cpu=8,gres/gpu:a100=1,gres/gpu:t4=2", model), 3U);
  EXPECT_EQ(model, "a100+t4");
  EXPECT_EQ(tres_gpus("cpu=8,mem=1G", model), 0U);
  EXPECT_THROW(tres_gpus("gres/gpu=x", model), Error);
}

TEST(AccountSwfImport, FieldsAndHeader) {
  // SWF 2.2: job 2 submitted 100 s after UnixStartTime, waited 20 s, ran 3600 s on 8
  // processors at an average of 1800 CPU s each, 1024 KB used per processor, status 1.
  const char *text =
      "; Version: 2.2\n; Installation: Test Centre\n; UnixStartTime: 1000000000\n"
      "; Queue: 1 batch\n"
      "    2   100   20  3600   8  1800  1024   8  7200  2048  1  7  3  -1  1  -1  -1  -1\n"
      "    3   200   -1    -1   8    -1    -1   8    -1    -1  5  7  3  -1  1  -1  -1  -1\n";
  ImportStats st;
  auto u = run(Source::swf, text, {}, &st);
  ASSERT_EQ(u.size(), 1U);
  EXPECT_EQ(st.not_ended, 1U); // job 3 has no run time
  EXPECT_EQ(u[0].record_id, "swf:Test Centre:1000000000:2");
  EXPECT_EQ(*u[0].submit, 1000000100);
  EXPECT_EQ(u[0].start, 1000000120);
  EXPECT_EQ(u[0].end, 1000003720);
  EXPECT_EQ(u[0].cores, 8);
  EXPECT_EQ(*u[0].cpu_s, 14400);               // 1800 x 8
  EXPECT_EQ(*u[0].mem_peak_bytes, 8388608ULL); // 1024 KB x 1024 x 8
  EXPECT_EQ(*u[0].mem_req_bytes, 16777216ULL);
  EXPECT_EQ(u[0].queue, "batch");
  EXPECT_EQ(u[0].user, "7");
  EXPECT_EQ(u[0].project, "3");
  EXPECT_EQ(u[0].state, "succeeded");
  auto m = error_of(Source::swf, "; UnixStartTime: 0\n1 2 3\n");
  EXPECT_NE(m.find("in.txt:2: expected 18 fields (SWF 2.2), got 3"), std::string::npos) << m;
  m = error_of(Source::swf, "1 0 0 10 1 -1 -1 -1 -1 -1 1 1 1 -1 -1 -1 -1 -1\n");
  EXPECT_NE(m.find("UnixStartTime"), std::string::npos) << m;
}

TEST(AccountApelImport, TheEgiDocumentationExample) {
  // The example message of EGI's accounting documentation ("Individual Job Records").
  const char *text =
      "APEL-individual-job-message: v0.2\nSite: ExampleSite\nSubmitHost: host.domain:port/queue\n"
      "LocalJobId: 11111111\nLocalUserId: User1\nGlobalUserName: /C=whatever/D=someDN\n"
      "FQAN: /voname/Role=NULL/Capability=NULL\nWallDuration: 234256\nCpuDuration: 2345\n"
      "Processors: 2\nNodeCount: 2\nStartTime: 1234567890\nEndTime: 1234567899\nMemoryReal: 1000\n"
      "MemoryVirtual: 2000\nServiceLevelType: Si2k\nServiceLevel: 1000\n%%\n";
  auto u = run(Source::apel, text);
  ASSERT_EQ(u.size(), 1U);
  EXPECT_EQ(u[0].record_id, "apel:ExampleSite:host.domain:port/queue:11111111:1234567899");
  EXPECT_EQ(u[0].user, "User1");
  EXPECT_EQ(u[0].vo, "voname"); // from the FQAN
  EXPECT_EQ(u[0].wall_s, 234256);
  EXPECT_EQ(*u[0].cpu_s, 2345);
  EXPECT_EQ(u[0].cores, 2);
  EXPECT_EQ(u[0].start, 1234567890);
  EXPECT_EQ(*u[0].mem_peak_bytes, 1024000ULL);
  auto m = error_of(Source::apel,
                    "Site: S\nSubmitHost: h\nLocalJobId: 1\nLocalUserId: u\nCpuDuration: 1\n"
                    "StartTime: 1\nEndTime: 2\n%%\n");
  EXPECT_NE(m.find("in.txt:1: field 'WallDuration': missing"), std::string::npos) << m;
  ImportOptions skip;
  skip.skip_invalid = true;
  ImportStats st;
  auto kept = run(Source::apel, std::string("Site: S\nbroken line\n%%\n") + (text + 34), skip, &st);
  EXPECT_EQ(kept.size(), 1U);
  EXPECT_EQ(st.invalid, 1U);
}
