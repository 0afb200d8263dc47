// /proc source: the stat line's format (proc(5)), and real processes started here: a busy
// loop of a known CPU time (the child's own CLOCK_PROCESS_CPUTIME_ID, an outside clock) and
// an allocation of a known size.
#include <aip/core/error.hpp>
#include <aip/metering/procfs.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <cstring>
#include <ctime>
#include <sys/wait.h>
#include <unistd.h>

using namespace aip;
using namespace aip::metering;

TEST(ProcParse, StatLineWithAnAwkwardName) {
  // A real line of /proc/PID/stat (bash), with the name replaced by one holding ") (" and spaces.
  const char *line =
      "4242 (a) (b c) S 4200 4242 4100 34816 4242 4194304 1125 0 0 0 250 75 3 4 20 0 1 0 "
      "987654 12345678 2048 18446744073709551615 1 1 0 0 0 0 65536 3686404 1266761467 0 0 0 17 "
      "1 0 0 0 0 0\n";
  auto st = parse_proc_stat(line, "/proc/4242/stat");
  EXPECT_EQ(st.pid, 4242);
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 4200);
  EXPECT_EQ(st.pgrp, 4242);
  EXPECT_EQ(st.session, 4100);
  EXPECT_EQ(st.utime, 250U);
  EXPECT_EQ(st.stime, 75U);
  EXPECT_EQ(st.cutime, 3U);
  EXPECT_EQ(st.cstime, 4U);
  EXPECT_EQ(st.starttime, 987654U);
  EXPECT_EQ(st.rss_pages, 2048U);
}

TEST(ProcParse, BadStatNamesTheField) {
  try {
    parse_proc_stat("12 (x) S 1 12 12 0 -1 0 0 0 0 0 abc 0 0 0 20 0 1 0 5 6 7\n", "/proc/12/stat");
    FAIL();
  } catch (const Error &e) {
    EXPECT_STREQ(e.what(), "/proc/12/stat: field 'utime': not a /proc/PID/stat line");
  }
  EXPECT_THROW(parse_proc_stat("12 x S 1\n", "s"), Error);
  EXPECT_THROW(parse_proc_stat("12 (x) S 1 12\n", "s"), Error);
}

TEST(ProcParse, KbFieldsAndIo) {
  EXPECT_EQ(parse_kb_field("Rss:               10240 kB\nPss:                5120 kB\n", "Pss"),
            5120U * 1024);
  EXPECT_FALSE(parse_kb_field("Rss: 1 kB\n", "Pss"));
  EXPECT_FALSE(parse_kb_field("Pss_Anon: 1 kB\n", "Pss")); // another key with the same start
  auto io =
      parse_proc_io("rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\nread_bytes: 4096\nwrite_bytes: 8192\n"
                    "cancelled_write_bytes: 0\n");
  ASSERT_TRUE(io);
  EXPECT_EQ(io->read_bytes, 4096U);
  EXPECT_EQ(io->write_bytes, 8192U);
  EXPECT_FALSE(parse_proc_io("rchar: 1\n"));
}

TEST(ProcParse, JobFlags) {
  auto j = parse_proc_job("train-1=4242", ProcJob::By::session);
  EXPECT_EQ(j.job_id, "train-1");
  EXPECT_EQ(j.id, 4242);
  EXPECT_THROW(parse_proc_job("4242", ProcJob::By::pgid), Error);
  EXPECT_THROW(parse_proc_job("a=0", ProcJob::By::pgid), Error);
  EXPECT_THROW(parse_proc_job("=5", ProcJob::By::pgid), Error);
}

namespace {

double cpu_clock() {
  timespec ts{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

// A child in its own process group (or session) that burns `cpu_s` of CPU by its own clock,
// then touches `bytes` of fresh memory, reports on `ready` and waits to be killed.
pid_t start_child(double cpu_s, std::size_t bytes, bool new_session, int ready) {
  pid_t pid = ::fork();
  if (pid != 0) return pid;
  if (new_session)
    ::setsid();
  else
    ::setpgid(0, 0);
  volatile double x = 0;
  while (cpu_clock() < cpu_s) x = x + 1;
  if (bytes > 0) {
    auto *p = static_cast<char *>(std::malloc(bytes));
    std::memset(p, 1, bytes);
    asm volatile("" : : "r"(p) : "memory"); // keep the allocation: the compiler may not elide it
  }
  char c = 'r';
  if (::write(ready, &c, 1) != 1) ::_exit(3);
  for (;;) ::pause();
}

void wait_ready(int fd) {
  char c = 0;
  ASSERT_EQ(::read(fd, &c, 1), 1);
}

void stop(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

} // namespace

TEST(ProcReal, BusyLoopCpuWithinTenPercent) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = start_child(0.8, 0, false, fds[1]);
  wait_ready(fds[0]);
  WarnOnce warn;
  auto scan = scan_proc("/proc", {{"busy", ProcJob::By::pgid, child}}, false, warn);
  stop(child);
  ASSERT_EQ(scan.jobs.size(), 1U);
  EXPECT_EQ(scan.jobs[0].first.job_id, "busy");
  EXPECT_EQ(scan.jobs[0].second.pids, std::vector<int>{child});
  EXPECT_NEAR(scan.jobs[0].second.cpu_s, 0.8, 0.08); // the child's own clock said 0.8 s
  EXPECT_EQ(scan.jobs[0].second.uid, ::getuid());
}

TEST(ProcReal, SessionCountsEveryProcess) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = start_child(0.3, 0, true, fds[1]);
  wait_ready(fds[0]);
  WarnOnce warn;
  auto scan = scan_proc("/proc", {{"sess", ProcJob::By::session, child}}, false, warn);
  stop(child);
  ASSERT_EQ(scan.jobs.size(), 1U);
  EXPECT_NEAR(scan.jobs[0].second.cpu_s, 0.3, 0.03);
}

TEST(ProcReal, KnownAllocation) {
  // Memory of the job before and after the child touches 64 MiB: the difference is the
  // allocation (within 10 %), whatever the forked test binary itself maps.
  constexpr std::size_t kBytes = 64U << 20;
  int a[2], b[2];
  ASSERT_EQ(::pipe(a), 0);
  ASSERT_EQ(::pipe(b), 0);
  const pid_t base = start_child(0.0, 0, false, a[1]);
  const pid_t big = start_child(0.0, kBytes, false, b[1]);
  wait_ready(a[0]);
  wait_ready(b[0]);
  WarnOnce warn;
  auto scan = scan_proc(
      "/proc", {{"base", ProcJob::By::pgid, base}, {"big", ProcJob::By::pgid, big}}, false, warn);
  stop(base);
  stop(big);
  ASSERT_EQ(scan.jobs.size(), 2U);
  const double diff = static_cast<double>(scan.jobs[1].second.mem_bytes) -
                      static_cast<double>(scan.jobs[0].second.mem_bytes);
  EXPECT_NEAR(diff, static_cast<double>(kBytes), 0.1 * kBytes);
}

TEST(ProcReal, DiscoversJobsByTheirEnvironment) {
  const pid_t child = ::fork();
  if (child == 0) {
    ::setpgid(0, 0);
    const char *argv[] = {"sleep", "30", nullptr};
    const char *envp[] = {"AIP_JOB_ID=local-77", "CUDA_VISIBLE_DEVICES=1,3", "PATH=/usr/bin:/bin",
                          nullptr};
    ::execve("/bin/sleep", const_cast<char **>(argv), const_cast<char **>(envp));
    ::_exit(127);
  }
  ::setpgid(child, child);
  // Wait until the exec has happened (the environment is the new one).
  std::vector<std::pair<ProcJob, ProcReading>> found;
  for (int i = 0; i < 200 && found.empty(); ++i) {
    WarnOnce warn;
    for (auto &j : scan_proc("/proc", {}, true, warn).jobs)
      if (j.first.job_id == "local-77") found.push_back(j);
    if (found.empty()) ::usleep(10000);
  }
  stop(child);
  ASSERT_EQ(found.size(), 1U);
  EXPECT_EQ(found[0].first.id, child);
  EXPECT_EQ(found[0].second.pids, std::vector<int>{child});
  EXPECT_EQ(found[0].second.allocated_gpus, (std::vector<std::string>{"1", "3"}));
}

TEST(ProcReal, EndedJobIsLeftOut) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = start_child(0.0, 0, false, fds[1]);
  wait_ready(fds[0]);
  stop(child);
  WarnOnce warn;
  EXPECT_TRUE(scan_proc("/proc", {{"gone", ProcJob::By::pgid, child}}, false, warn).jobs.empty());
  EXPECT_EQ(warn.count(), 0U);
}
