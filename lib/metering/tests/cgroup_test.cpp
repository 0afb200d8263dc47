// cgroup v2 source against fixture trees in the kernel's file formats (tests/meter/cgroup),
// one per layout of the issue. Expected numbers are the fixture's values added by hand.
#include <aip/core/error.hpp>
#include <aip/metering/cgroup.hpp>
#include <aip/metering/sampler.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace aip;
using namespace aip::metering;

namespace {
const std::string kRoot = std::string(AIP_SOURCE_DIR) + "/tests/meter/cgroup/root";
const std::string kProc = std::string(AIP_SOURCE_DIR) + "/tests/meter/cgroup/proc";

const CgroupJob *find(const std::vector<CgroupJob> &jobs, const std::string &id) {
  for (const auto &j : jobs)
    if (j.job_id == id) return &j;
  return nullptr;
}
} // namespace

TEST(CgroupParse, CpuStat) {
  auto st = parse_cpu_stat("usage_usec 12345\nuser_usec 10000\nsystem_usec 2345\nnr_periods 0\n",
                           "cpu.stat");
  EXPECT_EQ(st.usage_usec, 12345U);
  EXPECT_EQ(st.user_usec, 10000U);
  EXPECT_EQ(st.system_usec, 2345U);
}

TEST(CgroupParse, CpuStatErrorsNameFileLineAndKey) {
  try {
    parse_cpu_stat("usage_usec 1\nuser_usec x\n", "/g/cpu.stat");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    EXPECT_STREQ(e.what(), "/g/cpu.stat:2: key 'user_usec': expected a non-negative integer");
  }
  EXPECT_THROW(parse_cpu_stat("user_usec 1\n", "f"), Error); // no usage_usec
  EXPECT_THROW(parse_cpu_stat("usage_usec\n", "f"), Error);
  EXPECT_THROW(parse_cpu_stat("usage_usec -1\n", "f"), Error);
}

TEST(CgroupParse, IoStatSumsDevices) {
  auto io = parse_io_stat(
      "8:0 rbytes=100 wbytes=7 rios=1 wios=1 dbytes=0 dios=0\n259:1 rbytes=20 wbytes=3\n",
      "io.stat");
  EXPECT_EQ(io.rbytes, 120U);
  EXPECT_EQ(io.wbytes, 10U);
  EXPECT_EQ(parse_io_stat("", "io.stat").rbytes, 0U);
  try {
    parse_io_stat("8:0 rbytes=1\nsda rbytes=2\n", "/g/io.stat");
    FAIL();
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "/g/io.stat:2: expected a device 'MAJOR:MINOR', got 'sda'");
  }
  EXPECT_THROW(parse_io_stat("8:0 rbytes\n", "f"), Error);
}

TEST(CgroupParse, SingleValue) {
  EXPECT_EQ(parse_single_value("104857600\n", "m"), 104857600U);
  EXPECT_FALSE(parse_single_value("max\n", "m").has_value());
  EXPECT_THROW(parse_single_value("12k\n", "m"), Error);
  EXPECT_THROW(parse_single_value("", "m"), Error);
}

TEST(CgroupDiscover, EveryLayout) {
  ASSERT_TRUE(is_cgroup2(kRoot));
  auto jobs = discover_cgroup_jobs(kRoot);
  std::vector<std::pair<std::string, std::string>> got;
  for (const auto &j : jobs) got.emplace_back(to_string(j.layout), j.job_id);
  std::sort(got.begin(), got.end());
  std::vector<std::pair<std::string, std::string>> want = {
      {"aip", "42"},
      {"aip", "gone"},
      {"kubernetes", "11111111-2222-3333-4444-555555555555"}, // systemd driver, guaranteed
      {"kubernetes", "22222222-3333-4444-5555-666666666666"}, // cgroupfs driver, besteffort
      {"kubernetes", "6b1f2c3d-0a1b-4c2d-9e3f-123456789abc"}, // systemd driver, burstable
      {"nomad", "0f0e0d0c-0b0a-4909-8807-060504030201"},      // nomad.slice/<alloc>.<task>.scope
      {"nomad", "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"},      // share.slice + reserve.slice
      {"slurm", "1001"},                                      // slurmstepd.scope
      {"slurm", "1002"},                                      // node7_slurmstepd.scope
  };
  EXPECT_EQ(got, want);
  const auto *nomad = find(jobs, "a1b2c3d4-e5f6-4711-8899-aabbccddeeff");
  ASSERT_NE(nomad, nullptr);
  EXPECT_EQ(nomad->groups.size(), 2U); // the web task and the log.shipper task (a dotted name)
  EXPECT_EQ(find(jobs, "1001")->groups,
            std::vector<std::string>{"system.slice/slurmstepd.scope/job_1001"});
}

TEST(CgroupRead, ValuesOfEachLayout) {
  auto jobs = discover_cgroup_jobs(kRoot);
  WarnOnce warn;
  auto r = read_cgroup_job(kRoot, *find(jobs, "42"), warn);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->cpu_s, 90.5); // usage_usec 90500000
  EXPECT_EQ(r->mem_bytes, 104857600U);
  EXPECT_EQ(r->mem_peak_bytes, 209715200U);
  EXPECT_EQ(r->io_read_bytes, 1048576U + 2097152U); // two devices
  EXPECT_EQ(r->io_write_bytes, 4096U + 8192U);
  r = read_cgroup_job(kRoot, *find(jobs, "1001"), warn);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->cpu_s, 7200.0); // the job level, which includes its steps
  EXPECT_EQ(r->mem_peak_bytes, 10737418240U);
  // Nomad: the allocation's two tasks summed: 120 s + 30 s, 100 MB + 20 MB, peaks 150 + 25 MB.
  r = read_cgroup_job(kRoot, *find(jobs, "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"), warn);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->cpu_s, 150.0);
  EXPECT_EQ(r->mem_bytes, 120000000U);
  EXPECT_EQ(r->mem_peak_bytes, 175000000U);
  EXPECT_EQ(r->io_read_bytes, 110U);
  EXPECT_EQ(r->io_write_bytes, 220U);
  // A kernel before 5.19 has no memory.peak, and io.stat only with the io controller on.
  r = read_cgroup_job(kRoot, *find(jobs, "0f0e0d0c-0b0a-4909-8807-060504030201"), warn);
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->cpu_s, 45.0);
  EXPECT_FALSE(r->mem_peak_bytes);
  EXPECT_FALSE(r->io_read_bytes);
  EXPECT_EQ(warn.count(), 0U);
}

TEST(CgroupRead, GroupGoneMidReadIsSkippedQuietly) {
  auto jobs = discover_cgroup_jobs(kRoot);
  WarnOnce warn;
  EXPECT_FALSE(
      read_cgroup_job(kRoot, *find(jobs, "gone"), warn)); // memory.current vanished after cpu.stat
  EXPECT_EQ(warn.count(), 0U);
}

TEST(CgroupRead, GroupRemovedBetweenDiscoveryAndRead) {
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path() / ("aip-meter-cg-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::copy(kRoot, tmp, fs::copy_options::recursive);
  auto jobs = discover_cgroup_jobs(tmp.string());
  fs::remove_all(tmp / "system.slice/node7_slurmstepd.scope/job_1002"); // the job ended
  WarnOnce warn;
  EXPECT_FALSE(read_cgroup_job(tmp.string(), *find(jobs, "1002"), warn));
  EXPECT_TRUE(read_cgroup_job(tmp.string(), *find(jobs, "42"), warn));
  EXPECT_EQ(warn.count(), 0U);
  // A malformed file warns once, however many jobs have one.
  std::ofstream(tmp / "aip.slice/aip-42.scope/cpu.stat") << "usage_usec many\n";
  std::ofstream(tmp / "kubepods/besteffort/pod22222222-3333-4444-5555-666666666666/cpu.stat")
      << "usage_usec x\n";
  EXPECT_FALSE(read_cgroup_job(tmp.string(), *find(jobs, "42"), warn));
  EXPECT_FALSE(
      read_cgroup_job(tmp.string(), *find(jobs, "22222222-3333-4444-5555-666666666666"), warn));
  EXPECT_EQ(warn.count(), 1U);
  fs::remove_all(tmp);
}

TEST(CgroupRead, UnreadableFilesWarnOnce) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  namespace fs = std::filesystem;
  const fs::path tmp = fs::temp_directory_path() / ("aip-meter-perm-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::copy(kRoot, tmp, fs::copy_options::recursive);
  auto jobs = discover_cgroup_jobs(tmp.string());
  for (const char *g : {"aip.slice/aip-42.scope", "system.slice/slurmstepd.scope/job_1001"})
    fs::permissions(tmp / g / "memory.current", fs::perms::none);
  WarnOnce warn;
  testing::internal::CaptureStderr();
  EXPECT_FALSE(read_cgroup_job(tmp.string(), *find(jobs, "42"), warn));
  EXPECT_FALSE(read_cgroup_job(tmp.string(), *find(jobs, "1001"), warn));
  const auto err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(warn.count(), 1U);
  EXPECT_NE(err.find("aip.slice/aip-42.scope/memory.current: Permission denied (further such files "
                     "are skipped quietly)"),
            std::string::npos)
      << err;
  EXPECT_TRUE(read_cgroup_job(tmp.string(), *find(jobs, "1002"), warn)); // the others still read
  fs::remove_all(tmp);
}

TEST(CgroupRead, ProcessCgroupLine) {
  EXPECT_EQ(process_cgroup(kProc, 4242), "/aip.slice/aip-42.scope");
  EXPECT_FALSE(process_cgroup(kProc, 1234567));
}

TEST(Sampler, CgroupFixtureWithoutGpus) {
  SampleOptions o;
  o.cgroup_root = kRoot;
  o.proc_root = kProc;
  o.host = "node7";
  o.only_jobs = {"42", "1002", "gone"};
  Sampler s(o, nullptr);
  auto got = s.sample(1764669600);
  ASSERT_EQ(got.size(), 2U); // "gone" vanished
  EXPECT_EQ(got[0].sample.job_id, "1002");
  EXPECT_EQ(got[0].source, "cgroup:slurm");
  EXPECT_DOUBLE_EQ(got[0].sample.cpu_s, 60.0);
  EXPECT_EQ(got[0].sample.host, "node7");
  EXPECT_EQ(got[1].sample.job_id, "42");
  EXPECT_TRUE(got[1].sample.gpus.empty());
}

TEST(Sampler, AutoAlsoFindsLocalJobsOutsideTheLayouts) {
  // A job of aip's local backend that runs in no aip.slice group (the dispatcher made none):
  // found through /proc by its AIP_JOB_ID, beside the cgroup jobs; not with --source cgroup.
  const pid_t child = ::fork();
  if (child == 0) {
    ::setpgid(0, 0);
    const char *argv[] = {"sleep", "30", nullptr};
    const char *envp[] = {"AIP_JOB_ID=mixed-1", nullptr};
    ::execve("/bin/sleep", const_cast<char **>(argv), const_cast<char **>(envp));
    ::_exit(127);
  }
  ::setpgid(child, child);
  SampleOptions o;
  o.cgroup_root = kRoot;
  o.host = "n";
  o.only_jobs = {"42", "mixed-1"};
  Sampler automatic(o, nullptr);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) { // until the exec has happened
    ids.clear();
    for (const auto &j : automatic.sample(0)) ids.push_back(j.sample.job_id + " " + j.source);
    if (ids.size() == 2) break;
    ::usleep(10000);
  }
  o.source = "cgroup";
  Sampler cgroup_only(o, nullptr);
  auto only = cgroup_only.sample(0);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  EXPECT_EQ(ids, (std::vector<std::string>{"42 cgroup:aip", "mixed-1 proc"}));
  ASSERT_EQ(only.size(), 1U);
  EXPECT_EQ(only[0].sample.job_id, "42");
}

TEST(Sampler, NextAlignedIsAWholeMultiple) {
  EXPECT_DOUBLE_EQ(next_aligned(1000.0, 30), 1020.0);
  EXPECT_DOUBLE_EQ(next_aligned(1020.0, 30), 1050.0); // strictly after now
  EXPECT_DOUBLE_EQ(next_aligned(59.5, 60), 60.0);
  EXPECT_THROW(next_aligned(1, 0), Error);
}
