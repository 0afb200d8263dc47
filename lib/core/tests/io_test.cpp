#include "test_util.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>

#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace aip;
using aip::test::slurp;
using aip::test::TempDir;

TEST(InputBuffer, MapsFilesAndNamesMissingOnes) {
  TempDir dir;
  auto p = dir.write("a.txt", "hello\nworld\n");
  auto in = InputBuffer::open(p);
  EXPECT_EQ(in.data(), "hello\nworld\n");
  EXPECT_EQ(in.name(), p);
  auto empty = InputBuffer::open(dir.write("empty", ""));
  EXPECT_EQ(empty.size(), 0U);
  try {
    InputBuffer::open(dir.file("missing.jsonl"));
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::no_input);
    EXPECT_NE(std::string(e.what()).find("missing.jsonl"), std::string::npos);
  }
  try {
    InputBuffer::open(dir.path().string());
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::no_input);
  }
}

TEST(LineReader, SplitsLinesCrlfAndLastLine) {
  TempDir dir;
  auto p = dir.write("l.txt", "a\r\nbb\n\nccc");
  auto r = LineReader::open(p);
  std::string_view line;
  std::vector<std::string> got;
  while (r->next(line)) {
    got.emplace_back(line);
    EXPECT_GE(r->capacity_from(line), line.size() + LineReader::kPadding);
  }
  EXPECT_EQ(got, (std::vector<std::string>{"a", "bb", "", "ccc"}));
  EXPECT_EQ(r->line_number(), 4U);
}

TEST(LineReader, LongLinesGrowTheBuffer) {
  TempDir dir;
  std::string big(3 << 20, 'x');
  auto p = dir.write("big.txt", "s\n" + big + "\nt\n");
  auto r = LineReader::open(p);
  std::string_view line;
  ASSERT_TRUE(r->next(line));
  EXPECT_EQ(line, "s");
  ASSERT_TRUE(r->next(line));
  EXPECT_EQ(line.size(), big.size());
  ASSERT_TRUE(r->next(line));
  EXPECT_EQ(line, "t");
  EXPECT_FALSE(r->next(line));
}

TEST(LineReader, YieldsLinesFromAPipeAsTheyArrive) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  LineReader r(fds[0], "<pipe>", true);
  ASSERT_EQ(::write(fds[1], "first\nsec", 9), 9);
  std::string_view line;
  ASSERT_TRUE(r.next(line)); // must not wait for the writer to close
  EXPECT_EQ(line, "first");
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    (void)!::write(fds[1], "ond\n", 4);
    ::close(fds[1]);
  });
  ASSERT_TRUE(r.next(line));
  EXPECT_EQ(line, "second");
  EXPECT_FALSE(r.next(line));
  writer.join();
}

TEST(AtomicFile, CommitPublishesAndDiscardLeavesNothing) {
  TempDir dir;
  auto target = dir.file("out.jsonl");
  {
    AtomicFile f(target);
    f.write("partial");
    EXPECT_FALSE(std::filesystem::exists(target));
  } // no commit
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  {
    AtomicFile f(target);
    f.write("one\n");
    f.commit();
  }
  EXPECT_EQ(slurp(target), "one\n");
  {
    AtomicFile f(target);
    f.write("two\n");
    EXPECT_EQ(slurp(target), "one\n"); // old content until commit
    f.commit();
  }
  EXPECT_EQ(slurp(target), "two\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, KilledWriterLeavesNoPartialFile) {
  TempDir dir;
  auto fresh = dir.file("fresh.jsonl");
  auto existing = dir.write("existing.jsonl", "old content\n");
  for (const auto &target : {fresh, existing}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      AtomicFile f(target);
      std::string chunk(1 << 20, 'z');
      for (int i = 0; i < 8; ++i) f.write(chunk);
      ::raise(SIGKILL); // dies mid-write, before commit
      ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
  }
  EXPECT_FALSE(std::filesystem::exists(fresh));
  EXPECT_EQ(slurp(existing), "old content\n");
  // With O_TMPFILE the killed writer leaves not even a temporary file behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);
}

TEST(AtomicFile, KeepsPermissionsOfReplacedFile) {
  TempDir dir;
  auto target = dir.write("conf", "x");
  std::filesystem::permissions(target, std::filesystem::perms::owner_read |
                                           std::filesystem::perms::owner_write);
  AtomicFile f(target);
  f.write("y");
  f.commit();
  auto perms = std::filesystem::status(target).permissions();
  EXPECT_EQ(perms & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST(AtomicFile, MissingFolderIsCannotCreate) {
  try {
    AtomicFile f("/nonexistent-aip-dir/out.json");
    FAIL();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::cant_create);
    EXPECT_NE(std::string(e.what()).find("/nonexistent-aip-dir/out.json"), std::string::npos);
  }
}

TEST(Output, FileOutputOnlyAppearsOnCommit) {
  TempDir dir;
  auto target = dir.file("o.txt");
  {
    Output out(target);
    out << "a"
        << "b\n";
    out.flush();
    EXPECT_FALSE(std::filesystem::exists(target));
    out.commit();
  }
  EXPECT_EQ(slurp(target), "ab\n");
  {
    Output out(target);
    out << "lost\n";
  }
  EXPECT_EQ(slurp(target), "ab\n");
}
