// lib/dispatch: the queue's record files and the local backend's run records, on a real
// folder. The expectations are the record format written out by hand (aip-dispatch(1),
// CRASH SAFETY): a step is one appended line in the same file (same inode), a line cut short
// by a kill is skipped, and the next append starts on a fresh line.
#include <aip/core/error.hpp>
#include <aip/dispatch/backend.hpp>
#include <aip/dispatch/cgroup.hpp>
#include <aip/dispatch/queue.hpp>

#include "../../core/tests/test_util.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace aip;
using namespace aip::dispatch;
using records::Job;

namespace {

Job job(const std::string &id, std::vector<std::string> command = {"true"}) {
  Job j;
  j.id = id;
  j.owner.user = "alice";
  j.command = std::move(command);
  j.resources.cpus = 1;
  j.walltime_s = 60;
  j.submitted_at = 1000;
  return j;
}

unsigned long inode(const std::string &p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

std::vector<std::string> lines(const std::string &p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

void append_raw(const std::string &p, const std::string &bytes) {
  std::ofstream out(p, std::ios::app | std::ios::binary);
  out << bytes;
}

} // namespace

TEST(Queue, AStepIsOneAppendedLineInTheSameFile) {
  aip::test::TempDir d;
  Queue q(d.path().string());
  q.enqueue(job("a1"), false);
  ASSERT_TRUE(q.move("a1", Stage::queued, Stage::active));
  const std::string p = q.path(Stage::active, "a1");
  const unsigned long ino = inode(p);
  Entry e = *q.find("a1");
  EXPECT_EQ(e.track.state, records::JobState::queued);
  e.track.backend = "local";
  e.track.backend_id = "42";
  e.track.state = records::JobState::running;
  q.save(e);
  EXPECT_EQ(inode(p), ino); // appended, not replaced
  auto ls = lines(p);
  ASSERT_EQ(ls.size(), 2U);
  EXPECT_EQ(
      ls[1].rfind(
          "{\"dispatch\":{\"backend\":\"local\",\"backend_id\":\"42\",\"state\":\"running\"", 0),
      0U)
      << ls[1];
  auto back = q.find("a1");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->stage, Stage::active);
  EXPECT_EQ(back->track.backend_id, "42");
  EXPECT_EQ(back->track.state, records::JobState::running);
  EXPECT_EQ(back->job.command, std::vector<std::string>{"true"});
}

TEST(Queue, ALineCutShortByAKillIsSkippedAndTheNextStartsAfresh) {
  aip::test::TempDir d;
  Queue q(d.path().string());
  q.enqueue(job("b1"), false);
  ASSERT_TRUE(q.move("b1", Stage::queued, Stage::active));
  Entry e = *q.find("b1");
  e.track.backend = "local";
  e.track.backend_id = "42";
  e.track.state = records::JobState::running;
  q.save(e);
  const std::string p = q.path(Stage::active, "b1");
  // A write(2) cut short: half a line, no line break.
  append_raw(p, R"({"dispatch":{"backend":"local","backend_id":"99","sta)");
  EXPECT_EQ(q.find("b1")->track.backend_id, "42");
  e.track.state = records::JobState::succeeded;
  e.track.exit_code = 0;
  q.save(e);
  auto ls = lines(p);
  ASSERT_EQ(ls.size(), 4U);
  EXPECT_EQ(ls[2], R"({"dispatch":{"backend":"local","backend_id":"99","sta)");
  auto back = q.find("b1");
  EXPECT_EQ(back->track.state, records::JobState::succeeded);
  EXPECT_EQ(back->track.exit_code, std::optional<int>(0));
  EXPECT_EQ(back->track.backend_id, "42");
  // A file whose first line is cut short is no record at all: an error naming it.
  append_raw(q.path(Stage::active, "b2"), R"({"job":{"kind":"aip.job/v1","id":"b2")");
  EXPECT_THROW(q.find("b2"), Error);
}

TEST(Queue, ViewsFollowChangesMadeByOtherProcesses) {
  aip::test::TempDir d;
  Queue q(d.path().string());
  q.enqueue(job("c1"), false);
  EXPECT_EQ(q.view(Stage::queued).size(), 1U);
  {
    Queue other(d.path().string()); // as `aip submit --enqueue` would, meanwhile
    other.enqueue(job("c2"), false);
  }
  auto v = q.view(Stage::queued);
  ASSERT_EQ(v.size(), 2U);
  EXPECT_EQ(v[1]->job.id, "c2");
  // Our own move out of new/ is not taken for someone else's change, and is seen.
  ASSERT_TRUE(q.move("c1", Stage::queued, Stage::active));
  v = q.view(Stage::queued);
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0]->job.id, "c2");
  // An active record appended to by another process is read again (its size changed).
  auto a = q.view(Stage::active);
  ASSERT_EQ(a.size(), 1U);
  EXPECT_EQ(a[0]->track.backend_id, "");
  {
    Queue other(d.path().string());
    Entry e = *other.find("c1");
    e.track.backend_id = "7";
    other.save(e);
  }
  a = q.view(Stage::active);
  ASSERT_EQ(a.size(), 1U);
  EXPECT_EQ(a[0]->track.backend_id, "7");
  // A job moved back to new/ (requeued) is listed again.
  ASSERT_TRUE(q.move("c1", Stage::active, Stage::queued));
  EXPECT_EQ(q.view(Stage::queued).size(), 2U);
  EXPECT_EQ(q.view(Stage::active).size(), 0U);
}

TEST(Queue, TheLockHoldersOwnAppendsAreSeenWithoutRereading) {
  aip::test::TempDir d;
  Queue q(d.path().string());
  long holder = 0;
  ASSERT_TRUE(q.try_lock(holder)); // as the dispatcher: only it writes active/ now
  q.enqueue(job("e1"), false);
  ASSERT_TRUE(q.move("e1", Stage::queued, Stage::active));
  auto a = q.view(Stage::active);
  ASSERT_EQ(a.size(), 1U);
  Entry e = *a[0];
  for (const char *id : {"11", "12"}) {
    e.track.backend = "local";
    e.track.backend_id = id;
    e.track.state = records::JobState::running;
    q.save(e);
    a = q.view(Stage::active);
    ASSERT_EQ(a.size(), 1U);
    EXPECT_EQ(a[0]->track.backend_id, id);
    EXPECT_EQ(a[0]->track.state, records::JobState::running);
  }
  EXPECT_EQ(lines(q.path(Stage::active, "e1")).size(), 3U);
}

// The local backend with real processes: the run record's lines, the end reported on the
// wake descriptor, the exit code, and a stop request read by the supervisor.
TEST(LocalBackend, RunRecordAndReportedEnd) {
  aip::test::TempDir d;
  Queue q(d.path().string()); // creates logs/ and local/
  BackendOptions o;
  o.state_dir = d.path().string();
  o.kill_grace_s = 5;
  auto b = make_backend("local", o);
  auto wait_for = [&](const std::string &id) {
    for (int i = 0; i < 500; ++i) {
      pollfd p{b->wake_fd(), POLLIN, 0};
      if (p.fd >= 0) ::poll(&p, 1, 20);
      b->reap();
      auto seen = b->poll({{id, ""}});
      if (records::is_final(seen[id].state)) return seen[id];
    }
    return Observation{};
  };
  Observation s = b->submit(job("d1", {"sh", "-c", "echo out; exit 3"}), {});
  EXPECT_EQ(s.state, records::JobState::running);
  Observation end = wait_for("d1");
  EXPECT_EQ(end.state, records::JobState::failed);
  EXPECT_EQ(end.exit_code, std::optional<int>(3));
  auto ls = lines(d.file("local/d1.jsonl"));
  ASSERT_EQ(ls.size(), 2U);
  EXPECT_EQ(ls[0].rfind("{\"started\":{", 0), 0U) << ls[0];
  // This machine is cgroup v1: the job ran without a group, and the record says why.
  if (!detect_cgroup_v2().available) {
    EXPECT_NE(ls[0].find("\"cgroup\":\"none: no cgroup v2 at /sys/fs/cgroup"), std::string::npos)
        << ls[0];
  }
  EXPECT_EQ(ls[1].rfind("{\"status\":{", 0), 0U) << ls[1];
  EXPECT_NE(ls[1].find("\"exit_code\":3"), std::string::npos) << ls[1];
  EXPECT_EQ(lines(d.file("logs/d1.out")), std::vector<std::string>{"out"});
  // A job that ignores nothing: cancelled, SIGTERM, 128 + 15.
  b->submit(job("d2", {"sleep", "30"}), {});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  b->cancel({"d2", s.backend_id}, "cancelled", 5);
  end = wait_for("d2");
  EXPECT_EQ(end.state, records::JobState::cancelled);
  EXPECT_EQ(end.exit_code, std::optional<int>(143));
  ls = lines(d.file("local/d2.jsonl"));
  ASSERT_EQ(ls.size(), 3U);
  EXPECT_EQ(ls[1], R"({"stop":{"grace_s":5.0,"reason":"cancelled"}})");
  // What a restarted dispatcher's backend reads from the record alone.
  auto fresh = make_backend("local", o);
  auto again = fresh->find(job("d1"));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->state, records::JobState::failed);
  EXPECT_EQ(again->exit_code, std::optional<int>(3));
  EXPECT_FALSE(fresh->find(job("never-started")));
}
