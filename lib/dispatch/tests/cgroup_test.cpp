// lib/dispatch: the cgroup v2 part of the local backend. This machine is cgroup v1, so the
// kernel's side cannot run here: the limit files' contents are checked against values
// written out by hand from the kernel's documented formats (Documentation/admin-guide/
// cgroup-v2.rst: memory.max in bytes or "max"; cpu.max "$MAX $PERIOD" in microseconds;
// pids.max a number or "max"; memory.peak bytes; cpu.stat "usage_usec N"), the detection
// is run against fixture folders shaped as cgroupfs and /proc/self/cgroup are, and on this
// machine it must say "not available" while the job still runs (queue_test.cpp).
#include <aip/dispatch/cgroup.hpp>

#include "../../core/tests/test_util.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace aip::dispatch;

namespace {

void put(const std::string &path, const std::string &text) { std::ofstream(path) << text; }

std::string get(const std::string &path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

aip::records::Job job(double cpus, std::uint64_t memory) {
  aip::records::Job j;
  j.id = "j1";
  j.resources.cpus = cpus;
  j.resources.memory_bytes = memory;
  return j;
}

} // namespace

TEST(Cgroup, LimitFilesComputedFromTheJobSpec) {
  auto f = cgroup_files(job(2, 4ULL << 30), 512);
  EXPECT_EQ(f.memory_max, "4294967296"); // 4 GiB = 4 * 1024^3
  EXPECT_EQ(f.cpu_max, "200000 100000"); // 2 CPUs: 200 ms per 100 ms period
  EXPECT_EQ(f.pids_max, "512");
  f = cgroup_files(job(0.5, 0));
  EXPECT_EQ(f.memory_max, "max");
  EXPECT_EQ(f.cpu_max, "50000 100000");
  EXPECT_EQ(f.pids_max, "max");
  EXPECT_EQ(cgroup_files(job(0.333, 0)).cpu_max, "33300 100000");
  EXPECT_EQ(cgroup_files(job(1.000001, 0)).cpu_max, "100001 100000"); // rounded up
  EXPECT_EQ(cgroup_files(job(0.001, 0)).cpu_max, "1000 100000");      // the kernel's 1 ms floor
}

TEST(Cgroup, DetectionAgainstFixtureFolders) {
  aip::test::TempDir d;
  const std::string root = d.file("cgroup"), self = d.file("self-cgroup");
  std::filesystem::create_directories(root);
  put(self, "0::/user.slice/aip.service\n");
  // cgroup v1: no cgroup.controllers at the root.
  auto s = detect_cgroup_v2(root, self);
  EXPECT_FALSE(s.available);
  EXPECT_EQ(s.reason, "no cgroup v2 at " + root + " (no cgroup.controllers: cgroup v1 or hybrid)");
  // v2, but our group is not there (not delegated to us).
  put(root + "/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
  s = detect_cgroup_v2(root, self);
  EXPECT_FALSE(s.available);
  EXPECT_EQ(s.reason, root + "/user.slice/aip.service: not writable (not a delegated subtree)");
  // Delegated, but without the pids controller for the children.
  std::filesystem::create_directories(root + "/user.slice/aip.service");
  put(root + "/user.slice/aip.service/cgroup.subtree_control", "cpu memory\n");
  s = detect_cgroup_v2(root, self);
  EXPECT_FALSE(s.available);
  EXPECT_EQ(s.reason, root +
                          "/user.slice/aip.service/cgroup.subtree_control: the pids controller is "
                          "not enabled");
  put(root + "/user.slice/aip.service/cgroup.subtree_control", "cpu io memory pids\n");
  s = detect_cgroup_v2(root, self);
  EXPECT_TRUE(s.available) << s.reason;
  EXPECT_EQ(s.parent, root + "/user.slice/aip.service");
  // A /proc/self/cgroup of a v1 machine has no "0::" line with a path of its own... but a
  // hybrid one does ("0::/"); without any, the reason names the file.
  put(self, "4:memory:/x\n");
  EXPECT_EQ(detect_cgroup_v2(root, self).reason, self + ": no cgroup v2 entry (0::PATH)");
}

TEST(Cgroup, ThisMachineIsCgroupV1SoNotAvailable) {
  if (::access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0)
    GTEST_SKIP() << "this machine has cgroup v2";
  auto s = detect_cgroup_v2();
  EXPECT_FALSE(s.available);
  EXPECT_EQ(s.reason.rfind("no cgroup v2 at /sys/fs/cgroup", 0), 0U) << s.reason;
}

TEST(Cgroup, JobGroupFilesAndUsageInAnOrdinaryFolder) {
  aip::test::TempDir d;
  std::string why;
  const std::string group = d.file("aip-j1");
  ASSERT_TRUE(make_job_cgroup(group, cgroup_files(job(1.5, 1000000), 64), why)) << why;
  EXPECT_EQ(get(group + "/memory.max"), "1000000");
  EXPECT_EQ(get(group + "/cpu.max"), "150000 100000");
  EXPECT_EQ(get(group + "/pids.max"), "64");
  // What the kernel would have written by the job's end.
  put(group + "/memory.peak", "52428800\n");
  put(group + "/cpu.stat", "usage_usec 2500000\nuser_usec 2000000\nsystem_usec 500000\n");
  auto u = read_cgroup_usage(group);
  ASSERT_TRUE(u.memory_peak_bytes);
  EXPECT_EQ(*u.memory_peak_bytes, 52428800ULL);
  ASSERT_TRUE(u.cpu_s);
  EXPECT_DOUBLE_EQ(*u.cpu_s, 2.5);
  EXPECT_FALSE(make_job_cgroup(d.file("no/such/parent/aip-j2"), cgroup_files(job(1, 0)), why));
  EXPECT_NE(why.find("No such file or directory"), std::string::npos) << why;
}
