#include "test_util.hpp"

#include <aip/core/jsonl.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <tbb/global_control.h>

using namespace aip;
using aip::test::TempDir;

namespace {

// Sums field "v" of every record; consumes each object fully as the reader requires.
double sum_v(simdjson::dom::object obj, const jsonl::Location &where) {
  simdjson::dom::element v;
  if (obj["v"].get(v) != simdjson::SUCCESS) jsonl::bad_record(where, "field 'v': missing");
  return jsonl::get_number(v, where, "v");
}

std::string error_of(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    return e.what();
  }
  return "(no error)";
}

} // namespace

TEST(JsonLines, ReadsRecordsSkippingBlankLines) {
  TempDir dir;
  auto p =
      dir.write("r.jsonl", "{\"v\": 1, \"x\": [1,2,{\"y\":null}]}\n\n  \n{\"v\":2.5}\r\n{\"v\":3}");
  auto lines = LineReader::open(p);
  double total = 0;
  std::vector<std::uint64_t> at;
  jsonl::for_each_object(*lines, [&](auto obj, const jsonl::Location &where) {
    total += sum_v(obj, where);
    at.push_back(where.line_number());
  });
  EXPECT_DOUBLE_EQ(total, 6.5);
  EXPECT_EQ(at, (std::vector<std::uint64_t>{1, 4, 5}));
}

TEST(JsonLines, MalformedLinesNameFileAndLine) {
  TempDir dir;
  struct Case {
    std::string line, expect;
  };
  for (const auto &c : std::vector<Case>{
           {"{\"v\": 1", "invalid JSON"},
           {"{\"v\": 1} trailing", "invalid JSON"},
           {"[1,2]", "expected a JSON object"},
           {"{\"v\": \"one\"}", "field 'v': expected a number"},
           {"{\"w\": 1}", "field 'v': missing"},
           {"{\"v\": 1, \"s\": \"unterminated}", "invalid JSON"},
           {"{\"v\": 1,}", "invalid JSON"},
       }) {
    auto p = dir.write("bad.jsonl", "{\"v\":0}\n{\"v\":0}\n" + c.line + "\n{\"v\":0}\n");
    auto msg = error_of([&] {
      auto lines = LineReader::open(p);
      jsonl::for_each_object(*lines, [](auto obj, const auto &where) { sum_v(obj, where); });
    });
    EXPECT_EQ(msg.rfind(p + ":3: ", 0), 0U) << c.line << " -> " << msg;
    EXPECT_NE(msg.find(c.expect), std::string::npos) << c.line << " -> " << msg;
  }
}

TEST(JsonLines, ParallelReadGivesTheSameSumForAnyThreadCount) {
  TempDir dir;
  std::string text;
  double expected = 0;
  for (int i = 0; i < 20000; ++i) {
    text += "{\"pad\":\"" + std::string(static_cast<std::size_t>(i % 37), 'p') +
            "\",\"v\":" + std::to_string(i) + "}\n";
    expected += i;
  }
  auto p = dir.write("many.jsonl", text);
  for (int threads : {1, 2, 4}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(threads));
    auto buf = InputBuffer::open(p);
    std::vector<double> partial(jsonl::worker_count(), 0);
    std::atomic<int> records{0};
    jsonl::parallel_for_each_object(
        buf,
        [&](std::size_t w, auto obj, const auto &where) {
          partial[w] += sum_v(obj, where);
          ++records;
        },
        4096);
    double total = 0;
    for (double x : partial) total += x;
    EXPECT_EQ(records.load(), 20000);
    EXPECT_DOUBLE_EQ(total, expected);
  }
}

TEST(JsonLines, ParallelReadReportsTheEarliestBadLine) {
  TempDir dir;
  std::string text;
  for (int i = 1; i <= 5000; ++i) {
    if (i == 1234 || i == 4000)
      text += "{\"v\": oops}\n";
    else
      text += "{\"v\":" + std::to_string(i) + "}\n";
  }
  text += "{\"v\":1"; // the last line, unterminated and without padding after it
  auto p = dir.write("bad.jsonl", text);
  auto buf = InputBuffer::open(p);
  auto msg = error_of([&] {
    jsonl::parallel_for_each_object(
        buf, [](std::size_t, auto obj, const auto &where) { sum_v(obj, where); }, 1024);
  });
  EXPECT_EQ(msg.rfind(p + ":1234: ", 0), 0U) << msg;
  auto tail = dir.write("tail.jsonl", "{\"v\":1}\n{\"v\":2");
  auto tbuf = InputBuffer::open(tail);
  msg = error_of([&] {
    jsonl::parallel_for_each_object(
        tbuf, [](std::size_t, auto obj, const auto &where) { sum_v(obj, where); });
  });
  EXPECT_EQ(msg.rfind(tail + ":2: invalid JSON", 0), 0U) << msg;
}

// The parallel reader must reject exactly what the line-by-line reader rejects.
TEST(JsonLines, ParallelAndSequentialReadersAgreeOnBadInput) {
  TempDir dir;
  const std::string good = "{\"v\":1}\n";
  for (const std::string bad : {"{\"v\": 1} {\"v\": 2}", "{\"v\":\n 1}", "{\"v\": 1", "[1]", "3",
                                "{\"v\": 1} x", "\"s\"", "{\"v\": 1}}", "{\"v\": tru}", "\xff{}"}) {
    std::string text;
    for (int i = 0; i < 300; ++i) text += good;
    text += bad + "\n";
    for (int i = 0; i < 300; ++i) text += good;
    auto p = dir.write("x.jsonl", text);
    auto seq = error_of([&] {
      auto lines = LineReader::open(p);
      jsonl::for_each_object(*lines, [](auto obj, const auto &where) { sum_v(obj, where); });
    });
    auto buf = InputBuffer::open(p);
    auto par = error_of([&] {
      jsonl::parallel_for_each_object(
          buf, [](std::size_t, auto obj, const auto &where) { sum_v(obj, where); }, 512);
    });
    EXPECT_EQ(seq.rfind(p + ":301: ", 0), 0U) << bad << " -> " << seq;
    EXPECT_EQ(par.rfind(p + ":301: ", 0), 0U) << bad << " -> " << par;
  }
}

TEST(JsonLines, NlohmannPathAndWriterRoundTrip) {
  TempDir dir;
  auto p = dir.file("out.jsonl");
  {
    Output out(p);
    jsonl::Writer w(out);
    w.write(nlohmann::json{{"kind", "t"}, {"s", "é\n\"q\""}});
    w.write(nlohmann::ordered_json{{"b", 1}, {"a", 2}});
    out.commit();
  }
  EXPECT_EQ(test::slurp(p), "{\"kind\":\"t\",\"s\":\"é\\n\\\"q\\\"\"}\n{\"b\":1,\"a\":2}\n");
  auto lines = LineReader::open(p);
  std::vector<nlohmann::json> got;
  jsonl::for_each_json(*lines, [&](nlohmann::json &j, const auto &) { got.push_back(j); });
  ASSERT_EQ(got.size(), 2U);
  EXPECT_EQ(got[0]["s"], "é\n\"q\"");
  auto bad = dir.write("bad.jsonl", "{\"a\":1}\n{\"a\":\n");
  auto msg = error_of([&] {
    auto l = LineReader::open(bad);
    jsonl::for_each_json(*l, [](auto &, const auto &) {});
  });
  EXPECT_EQ(msg.rfind(bad + ":2: invalid JSON", 0), 0U) << msg;
}

// Runs of lines (ChunkHooks::run) take what they can and leave the rest to the line and
// object readers: every line is read once, by one of them, in any mix and thread count; the
// run never sees the last bytes of the file that lack padding; a run's error names its line.
TEST(JsonLines, RunsTakeWhatTheyCanAndTheReadersTheRest) {
  TempDir dir;
  std::string text;
  long long expected = 0;
  for (int i = 0; i < 6000; ++i) {
    // Runs take lines that start with 'R' (not JSON: nothing else could read them).
    if (i % 5 == 3 || i % 7 == 0) {
      text += "{\"v\":" + std::to_string(i) + "}\n";
    } else {
      text += "R" + std::to_string(i) + "\n";
    }
    expected += i;
  }
  for (int i = 6000; i < 6010; ++i) { // the last lines, within the padding: not for a run
    text += "{\"v\":" + std::to_string(i) + "}\n";
    expected += i;
  }
  auto p = dir.write("runs.jsonl", text);
  for (int threads : {1, 2, 3}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism,
                              static_cast<std::size_t>(threads));
    auto buf = InputBuffer::open(p);
    std::vector<long long> sum(jsonl::worker_count(), 0);
    std::vector<long long> by_run(jsonl::worker_count(), 0);
    jsonl::ChunkHooks hooks;
    hooks.run = [&](std::size_t w, std::string_view t, jsonl::Location) {
      std::size_t taken = 0;
      while (taken < t.size() && t[taken] == 'R') {
        const auto nl = t.find('\n', taken);
        if (nl == std::string_view::npos) break; // a whole line or nothing
        const long long v = std::stoll(std::string(t.substr(taken + 1, nl - taken - 1)));
        sum[w] += v;
        by_run[w] += 1;
        taken = nl + 1;
      }
      return taken;
    };
    jsonl::parallel_for_each_record(
        buf, nullptr,
        [&](std::size_t w, auto obj, const auto &where) {
          sum[w] += static_cast<long long>(sum_v(obj, where));
        },
        2048, &hooks);
    long long total = 0, runs = 0;
    for (std::size_t w = 0; w < sum.size(); ++w) total += sum[w], runs += by_run[w];
    EXPECT_EQ(total, expected) << threads;
    EXPECT_GT(runs, 3000) << threads; // the runs did take lines
  }
  // The same file with line 4242 ("R4241") refused by the run: its error names that line.
  auto buf = InputBuffer::open(p);
  jsonl::ChunkHooks hooks;
  hooks.run = [&](std::size_t, std::string_view t, jsonl::Location where) {
    std::size_t taken = 0;
    while (taken < t.size() && t[taken] == 'R') {
      const auto nl = t.find('\n', taken);
      if (nl == std::string_view::npos) break;
      where.at = t.data() + taken;
      if (t.substr(taken, nl - taken) == "R4241") jsonl::bad_record(where, "run says no");
      taken = nl + 1;
    }
    return taken;
  };
  auto msg = error_of([&] {
    jsonl::parallel_for_each_record(
        buf, nullptr, [](std::size_t, auto obj, const auto &where) { sum_v(obj, where); }, 2048,
        &hooks);
  });
  EXPECT_EQ(msg, p + ":4242: run says no");
}
