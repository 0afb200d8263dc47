// The textfile output against a small checker written from the Prometheus text exposition
// format (version 0.0.4, prometheus.io/docs/instrumenting/exposition_formats) and the naming
// practices (prometheus.io/docs/practices/naming): metric and label name syntax, escaped
// label values, HELP/TYPE once per family and before its samples, families not
// interleaved, no repeated series, counters ending in _total, base units.
#include <aip/metering/prometheus.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace aip;
using namespace aip::metering;

namespace {

struct Parsed {
  std::map<std::string, std::string> type;
  std::map<std::string, std::map<std::string, double>> series; // name -> labels -> value
};

// Returns the problems found; fills `out`.
std::vector<std::string> check_exposition(const std::string &text, Parsed &out) {
  std::vector<std::string> problems;
  if (!text.empty() && text.back() != '\n') problems.push_back("no final newline");
  static const std::regex name_re("[a-zA-Z_:][a-zA-Z0-9_:]*");
  static const std::regex label_re("[a-zA-Z_][a-zA-Z0-9_]*");
  std::set<std::string> help, closed;
  std::string current;
  std::istringstream in(text);
  std::string line;
  int no = 0;
  while (std::getline(in, line)) {
    ++no;
    auto bad = [&](const std::string &what) {
      problems.push_back("line " + std::to_string(no) + ": " + what);
    };
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream ls(line);
      std::string hash, word, name, rest;
      ls >> hash >> word >> name;
      std::getline(ls, rest);
      if (word != "HELP" && word != "TYPE") continue; // a plain comment
      if (!std::regex_match(name, name_re)) bad("bad metric name in " + word);
      if (word == "HELP" && !help.insert(name).second) bad("second HELP for " + name);
      if (word == "TYPE") {
        std::string t = rest.empty() ? "" : rest.substr(1);
        if (t != "counter" && t != "gauge" && t != "histogram" && t != "summary" && t != "untyped")
          bad("bad type " + t);
        if (out.type.count(name) != 0U) bad("second TYPE for " + name);
        if (out.series.count(name) != 0U) bad("TYPE after samples of " + name);
        out.type[name] = t;
      }
      continue;
    }
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    const std::string name = line.substr(0, i);
    if (!std::regex_match(name, name_re)) {
      bad("bad metric name '" + name + "'");
      continue;
    }
    if (name != current) {
      if (closed.count(name) != 0U) bad("family " + name + " interleaved with another");
      if (!current.empty()) closed.insert(current);
      current = name;
    }
    std::string labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      std::set<std::string> seen;
      while (i < line.size() && line[i] != '}') {
        std::size_t eq = line.find('=', i);
        if (eq == std::string::npos) {
          bad("label without '='");
          break;
        }
        std::string ln = line.substr(i, eq - i);
        if (!std::regex_match(ln, label_re) || ln.rfind("__", 0) == 0)
          bad("bad label name '" + ln + "'");
        if (!seen.insert(ln).second) bad("repeated label " + ln);
        i = eq + 1;
        if (i >= line.size() || line[i] != '"') {
          bad("label value not quoted");
          break;
        }
        ++i;
        std::string v;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            if (i + 1 >= line.size()) {
              bad("dangling escape");
              break;
            }
            char e = line[i + 1];
            if (e != '\\' && e != '"' && e != 'n') bad(std::string("bad escape \\") + e);
            v += e == 'n' ? '\n' : e;
            i += 2;
          } else {
            v += line[i++];
          }
        }
        if (i >= line.size()) {
          bad("unterminated label value");
          break;
        }
        ++i; // closing quote
        labels += ln + "=" + v + ";";
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) {
        bad("unterminated label set");
        continue;
      }
      ++i; // '}'
    }
    if (i >= line.size() || line[i] != ' ') {
      bad("no space before the value");
      continue;
    }
    std::istringstream vs(line.substr(i + 1));
    std::string value, ts, extra;
    vs >> value >> ts >> extra;
    double v = 0;
    if (value == "NaN")
      v = NAN;
    else if (value == "+Inf")
      v = INFINITY;
    else if (value == "-Inf")
      v = -INFINITY;
    else {
      std::size_t used = 0;
      try {
        v = std::stod(value, &used);
      } catch (...) {
        used = 0;
      }
      if (used != value.size() || value.empty()) bad("bad value '" + value + "'");
    }
    if (!ts.empty() && ts.find_first_not_of("-0123456789") != std::string::npos)
      bad("bad timestamp");
    if (!extra.empty()) bad("trailing text");
    if (out.type.count(name) == 0U) bad("sample of " + name + " before its TYPE");
    if (!out.series[name].emplace(labels, v).second)
      bad("repeated series " + name + "{" + labels + "}");
  }
  for (const auto &[name, t] : out.type) {
    const bool total = name.size() > 6 && name.substr(name.size() - 6) == "_total";
    if ((t == "counter") != total)
      problems.push_back(name + ": counters, and only counters, end in _total");
  }
  return problems;
}

} // namespace

TEST(Prometheus, CheckerRejectsBrokenText) {
  Parsed p;
  EXPECT_FALSE(check_exposition("x{a=\"1\"} 1\n", p).empty()); // no TYPE
  Parsed q;
  EXPECT_FALSE(check_exposition("# TYPE x gauge\nx{a=\"\\t\"} 1\n", q).empty()); // bad escape
  Parsed r;
  EXPECT_FALSE(check_exposition("# TYPE x gauge\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 2\n", r)
                   .empty()); // interleaved
  Parsed s;
  EXPECT_FALSE(check_exposition("# TYPE x_total gauge\nx_total 1\n", s)
                   .empty()); // gauge named like a counter
  Parsed t;
  EXPECT_TRUE(
      check_exposition("# HELP x X.\n# TYPE x gauge\nx{a=\"q\\\"\\\\\\n\"} 1.5e3\n", t).empty());
  EXPECT_EQ(t.series["x"].begin()->first, "a=q\"\\\n;");
}

TEST(Prometheus, TextfileIsValidAndCarriesTheNumbers) {
  records::Sample a;
  a.at = 1764669600, a.job_id = "1001", a.host = "gpu1", a.cpu_s = 7200.5, a.mem_bytes = 8589934592;
  a.mem_peak_bytes = 10737418240ULL, a.io_read_bytes = 1000, a.io_write_bytes = 2000;
  records::GpuSample g;
  g.uuid = "GPU-5a9e", g.index = 0, g.model = "NVIDIA A100-SXM4-80GB", g.util_pct = 87,
  g.mem_used_bytes = 41943040000ULL, g.power_w = 312.45;
  a.gpus = {g};
  records::Sample b;
  b.at = 1764669600, b.job_id = "we\"ird\\job\nid", b.host = "gpu1", b.cpu_s = 1, b.mem_bytes = 2;
  b.user = "dave"; // from the /proc source, no job record
  JobOwners owners{{"1001", {"alice", "proj-x", "vo"}}};
  const auto text = render_prometheus({a, b}, owners, 1764669600);
  Parsed p;
  auto problems = check_exposition(text, p);
  EXPECT_TRUE(problems.empty()) << problems.front() << "\n" << text;
  EXPECT_EQ(p.type["aip_job_cpu_seconds_total"], "counter");
  EXPECT_EQ(p.type["aip_job_memory_bytes"], "gauge");
  EXPECT_DOUBLE_EQ(
      p.series["aip_job_cpu_seconds_total"]["job_id=1001;host=gpu1;user=alice;project=proj-x;"],
      7200.5);
  EXPECT_DOUBLE_EQ(
      p.series["aip_job_memory_peak_bytes"]["job_id=1001;host=gpu1;user=alice;project=proj-x;"],
      10737418240.0);
  // Percent becomes a 0..1 ratio (base units).
  EXPECT_DOUBLE_EQ(
      p.series["aip_job_gpu_utilization_ratio"]["job_id=1001;host=gpu1;user=alice;project=proj-x;"
                                                "gpu=0;uuid=GPU-5a9e;model=NVIDIA A100-SXM4-80GB;"],
      0.87);
  // The awkward id survives escaping and comes back as it was.
  EXPECT_DOUBLE_EQ(
      p.series["aip_job_cpu_seconds_total"]["job_id=we\"ird\\job\nid;host=gpu1;user=dave;"], 1.0);
  EXPECT_DOUBLE_EQ(p.series["aip_meter_jobs"][""], 2.0);
}
