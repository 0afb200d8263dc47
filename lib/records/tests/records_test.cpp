#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/records/records.hpp>

#include <gtest/gtest.h>

#include <functional>

using namespace aip;
using namespace aip::records;
using json = nlohmann::json;

namespace {

Job sample_job() {
  Job j;
  j.id = "job-0001";
  j.name = "train yolo";
  j.owner = {"alice", "imagine", "vo.imagine.eu"};
  j.image = "ai4oshub/yolo:1.2";
  j.command = {"python", "train.py", "--epochs", "10"};
  j.env = {{"OMP_NUM_THREADS", "4"}};
  j.workdir = "/srv/work";
  j.resources = {4, 16ULL << 30, 1, "a100", "1g.10gb", 50ULL << 30};
  j.walltime_s = 21600;
  j.priority_class = PriorityClass::interactive;
  j.queue = "gpu";
  j.site = "ifca";
  j.mounts = {{"/data", "/mnt/data", true}};
  j.labels = {{"team", "vision"}};
  j.requeue = true;
  j.submitted_at = 1795341600;
  return j;
}

// Only the required fields.
Usage minimal_usage() {
  Usage u;
  u.record_id = "r";
  u.job_id = "j";
  u.user = "u";
  u.source = "swf";
  u.start = 0;
  u.end = 10;
  u.wall_s = 10;
  u.cores = 1;
  return u;
}

Usage sample_usage() {
  Usage u;
  u.record_id = "slurm:ifca:123";
  u.job_id = "123";
  u.user = "alice";
  u.project = "imagine";
  u.vo = "vo.imagine.eu";
  u.site = "ifca";
  u.queue = "gpu";
  u.submit = 1795341000;
  u.start = 1795341600;
  u.end = 1795345200;
  u.wall_s = 3600;
  u.cores = 8;
  u.cpu_s = 20000.5;
  u.mem_req_bytes = 32ULL << 30;
  u.mem_peak_bytes = 20ULL << 30;
  u.gpus = 2;
  u.gpu_model = "a100";
  u.gpu_util_mean = 71.5;
  u.state = "COMPLETED";
  u.exit_code = 0;
  u.source = "sacct";
  return u;
}

// Every record survives to_json -> text -> from_json unchanged.
template <class T, class From> void round_trip(const T &value, From from) {
  std::string text = to_json(value).dump();
  T back = from(json::parse(text), "test:1");
  EXPECT_EQ(back, value) << text;
}

// The message an invalid record gets.
std::string rejection(const std::function<void()> &fn) {
  try {
    fn();
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::data);
    return e.what();
  }
  return "(accepted)";
}

} // namespace

// An aip.sqa/v1 criterion with only its required fields set.
aip::records::SqaCriterion sqa_criterion(const std::string &id, bool valid) {
  aip::records::SqaCriterion c;
  c.id = id;
  c.valid = valid;
  return c;
}

TEST(Records, EveryKindRoundTrips) {
  round_trip(sample_job(), job_from_json);
  Job minimal;
  minimal.id = "j";
  minimal.owner.user = "u";
  minimal.command = {"true"};
  round_trip(minimal, job_from_json);
  round_trip(Event{"job-1", "slurm", "4242", JobState::failed, 1795341600.5, 137, "OUT_OF_MEMORY"},
             event_from_json);
  round_trip(Event{"job-1", "local", std::nullopt, JobState::queued, 1795341600, std::nullopt, ""},
             event_from_json);
  Sample s{1795341600, "job-1", "node1", 12.5, 1 << 30, 2ULL << 30, 100, 200, {}, ""};
  s.gpus.push_back({"GPU-abc", 0, "NVIDIA A100", 87.0, 1ULL << 33, 250.5});
  s.gpus.push_back({"GPU-def", 1, "", std::nullopt, std::nullopt, std::nullopt});
  round_trip(s, sample_from_json);
  round_trip(sample_usage(), usage_from_json);
  Drift d;
  d.method = "ks";
  d.feature = "x0";
  d.statistic = 0.08225;
  d.p_value = 0.0046;
  d.threshold = 0.05;
  d.drift = true;
  d.n_ref = 1000;
  d.n_cur = 1000;
  d.params = {{"mode", "exact"}};
  round_trip(d, drift_from_json);
  Drift stream;
  stream.method = "adwin";
  stream.statistic = 0.3;
  stream.threshold = 0.002;
  stream.drift = true;
  stream.index = 14431;
  stream.level = "drift";
  round_trip(stream, drift_from_json);
  Drift raw = d;
  raw.method = "kl";
  raw.statistic = INFINITY; // a raw divergence with an empty bin
  round_trip(raw, drift_from_json);
  Module m{"ai4os-yolo",
           "YOLO",
           "Object detection",
           {"vision"},
           {"detection"},
           {"pytorch"},
           {{"source_code", "https://github.com/ai4os-hub/ai4os-yolov8-torch"}},
           {{"gpu", true}},
           "MIT",
           "10.5281/zenodo.1",
           "2.0.0",
           "ai4meta",
           {"AI4 trainable"},
           "Detects objects.",
           false,
           {"ai4-metadata.yml:26:3: /libraries/0: 'Pytorch' is not one of the allowed values"}};
  round_trip(m, module_from_json);
  SqaCriterion c = sqa_criterion("QC.Lic", true);
  c.subcriteria["QC.Lic01"].valid = true;
  c.subcriteria["QC.Lic01"].evidence = {"LICENSE: Apache-2.0"};
  c.badge = "silver";
  c.score = 82.5;
  Module unchecked{"demo", "Demo", {}, {}, {}, {}, {},           nlohmann::ordered_json::object(),
                   {},     {},     {}, {}, {}, {}, std::nullopt, {}};
  round_trip(unchecked, module_from_json);
  round_trip(c, sqa_from_json);
  SqaCriterion full{.id = "QC.Sec",
                    .valid = false,
                    .subcriteria = {{"QC.Sec01",
                                     {.valid = false,
                                      .evidence = {"unpinned action"},
                                      .level = "MAY",
                                      .status = "fail",
                                      .scorecard = {"Pinned-Dependencies"}}}},
                    .badge = "bronze",
                    .score = 71.0,
                    .name = "Security",
                    .assessed = true,
                    .next_badge = "silver",
                    .missing = {"QC.Sty", "QC.Sec"}};
  round_trip(full, sqa_from_json);
  ReportRow row{{{"project", "imagine"}, {"month", "2026-11"}},
                {{"jobs", 12}, {"gpu_hours", 3.5}, {"cpu_eff", std::nullopt}}};
  std::string text = to_json(row).dump();
  EXPECT_EQ(
      text,
      R"({"kind":"aip.report/v1","project":"imagine","month":"2026-11","jobs":12.0,"gpu_hours":3.5,"cpu_eff":null})");
  EXPECT_EQ(report_from_json(nlohmann::ordered_json::parse(text), "t:1"), row);
}

TEST(Records, MissingRequiredFieldsAreNamed) {
  const json job = to_json(sample_job());
  for (const char *field : {"kind", "id", "owner", "command", "resources", "walltime_s",
                            "priority_class", "submitted_at"}) {
    json j = job;
    j.erase(field);
    EXPECT_EQ(rejection([&] { job_from_json(j, "jobs.jsonl:7"); }),
              "jobs.jsonl:7: field '" + std::string(field) + "': missing");
  }
  json j = job;
  j["owner"].erase("user");
  EXPECT_EQ(rejection([&] { job_from_json(j, "jobs.jsonl:7"); }),
            "jobs.jsonl:7: field 'owner.user': missing");
  j = job;
  j["resources"].erase("cpus");
  EXPECT_EQ(rejection([&] { job_from_json(j, "x:1"); }), "x:1: field 'resources.cpus': missing");

  const json usage = to_json(sample_usage());
  for (const char *field :
       {"kind", "record_id", "job_id", "user", "start", "end", "wall_s", "cores", "source"}) {
    json u = usage;
    u.erase(field);
    EXPECT_EQ(rejection([&] { usage_from_json(u, "u:2"); }),
              "u:2: field '" + std::string(field) + "': missing");
  }
  const json event =
      to_json(Event{"j", "local", std::nullopt, JobState::running, 0, std::nullopt, ""});
  for (const char *field : {"job_id", "backend", "state", "at"}) {
    json e = event;
    e.erase(field);
    EXPECT_EQ(rejection([&] { event_from_json(e, "e:3"); }),
              "e:3: field '" + std::string(field) + "': missing");
  }
  const json sample =
      to_json(Sample{0, "j", "h", 1, 2, {}, {}, {}, {{"G", 0, "", {}, {}, {}}}, ""});
  for (const char *field : {"at", "job_id", "host", "cpu_s", "mem_bytes"}) {
    json s = sample;
    s.erase(field);
    EXPECT_EQ(rejection([&] { sample_from_json(s, "s:4"); }),
              "s:4: field '" + std::string(field) + "': missing");
  }
  json s = sample;
  s["gpus"][0].erase("uuid");
  EXPECT_EQ(rejection([&] { sample_from_json(s, "s:4"); }), "s:4: field 'gpus[0].uuid': missing");
  Drift d;
  d.method = "ks";
  const json drift = to_json(d);
  for (const char *field : {"method", "statistic", "threshold", "drift"}) {
    json x = drift;
    x.erase(field);
    EXPECT_EQ(rejection([&] { drift_from_json(x, "d:5"); }),
              "d:5: field '" + std::string(field) + "': missing");
  }
  const json module =
      to_json(Module{"id", "Title", {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}});
  for (const char *field : {"id", "title"}) {
    json x = module;
    x.erase(field);
    EXPECT_EQ(rejection([&] { module_from_json(x, "m:6"); }),
              "m:6: field '" + std::string(field) + "': missing");
  }
  const json sqa = to_json(sqa_criterion("QC.Doc", false));
  for (const char *field : {"id", "valid"}) {
    json x = sqa;
    x.erase(field);
    EXPECT_EQ(rejection([&] { sqa_from_json(x, "q:8"); }),
              "q:8: field '" + std::string(field) + "': missing");
  }
}

TEST(Records, MistypedFieldsAreNamed) {
  json job = to_json(sample_job());
  auto with = [&](const json &base, const json::json_pointer &ptr, json value) {
    json j = base;
    j[ptr] = std::move(value);
    return j;
  };
  EXPECT_EQ(
      rejection([&] { job_from_json(with(job, "/kind"_json_pointer, "aip.event/v1"), "j:1"); }),
      "j:1: field 'kind': expected 'aip.job/v1', got 'aip.event/v1'");
  EXPECT_EQ(rejection([&] { job_from_json(with(job, "/walltime_s"_json_pointer, "6h"), "j:1"); }),
            "j:1: field 'walltime_s': expected an integer, got a string");
  EXPECT_EQ(rejection([&] { job_from_json(with(job, "/walltime_s"_json_pointer, 1.5), "j:1"); }),
            "j:1: field 'walltime_s': expected an integer, got a fraction");
  EXPECT_EQ(rejection([&] { job_from_json(with(job, "/resources/cpus"_json_pointer, 0), "j:1"); }),
            "j:1: field 'resources.cpus': must be greater than 0");
  EXPECT_EQ(rejection([&] {
              job_from_json(with(job, "/resources/memory_bytes"_json_pointer, -1), "j:1");
            }),
            "j:1: field 'resources.memory_bytes': expected a non-negative integer, got -1");
  EXPECT_EQ(
      rejection([&] { job_from_json(with(job, "/command"_json_pointer, json::array()), "j:1"); }),
      "j:1: field 'command': must have at least one item");
  EXPECT_EQ(rejection([&] { job_from_json(with(job, "/command/1"_json_pointer, 5), "j:1"); }),
            "j:1: field 'command': item 1: expected a string, got a number");
  EXPECT_EQ(rejection([&] { job_from_json(with(job, "/env/X"_json_pointer, true), "j:1"); }),
            "j:1: field 'env': key 'X': expected a string, got a boolean");
  EXPECT_NE(rejection([&] {
              job_from_json(with(job, "/priority_class"_json_pointer, "urgent"), "j:1");
            }).find("field 'priority_class': unknown priority class 'urgent'"),
            std::string::npos);
  EXPECT_NE(rejection([&] {
              job_from_json(with(job, "/submitted_at"_json_pointer, "yesterday"), "j:1");
            }).find("field 'submitted_at': invalid timestamp 'yesterday'"),
            std::string::npos);
  json usage = to_json(sample_usage());
  EXPECT_EQ(rejection([&] { usage_from_json(with(usage, "/cores"_json_pointer, "8"), "u:1"); }),
            "u:1: field 'cores': expected a number, got a string");
  EXPECT_EQ(rejection([&] {
              usage_from_json(with(usage, "/end"_json_pointer, "2026-11-22T00:00:00Z"), "u:1");
            }),
            "u:1: field 'end': is before start");
  EXPECT_EQ(
      rejection([&] { usage_from_json(with(usage, "/gpu_util_mean"_json_pointer, 120), "u:1"); }),
      "u:1: field 'gpu_util_mean': must be within 0..100");
  json event = to_json(Event{"j", "local", std::nullopt, JobState::running, 0, std::nullopt, ""});
  EXPECT_NE(rejection([&] {
              event_from_json(with(event, "/state"_json_pointer, "done"), "e:1");
            }).find("field 'state': unknown state 'done'"),
            std::string::npos);
  Drift d;
  d.method = "ks";
  EXPECT_EQ(
      rejection([&] { drift_from_json(with(to_json(d), "/drift"_json_pointer, "yes"), "d:1"); }),
      "d:1: field 'drift': expected true or false, got a string");
  EXPECT_EQ(
      rejection([&] { drift_from_json(with(to_json(d), "/p_value"_json_pointer, 1.5), "d:1"); }),
      "d:1: field 'p_value': must be within 0..1");
  EXPECT_EQ(rejection([&] {
              sqa_from_json(
                  with(to_json(sqa_criterion("QC.Doc", true)), "/badge"_json_pointer, "platinum"),
                  "q:1");
            }),
            "q:1: field 'badge': expected gold, silver, bronze or none, got 'platinum'");
  EXPECT_EQ(rejection([&] {
              report_from_json(
                  nlohmann::ordered_json{{"kind", "aip.report/v1"}, {"x", json::array()}}, "r:1");
            }),
            "r:1: field 'x': expected a string (dimension) or a number (metric)");
}

TEST(Records, UnknownFieldsAreIgnored) {
  json u = to_json(sample_usage());
  u["future_field"] = {{"nested", 1}};
  EXPECT_EQ(usage_from_json(u, "u:1"), sample_usage());
}

// The simdjson hot path and the nlohmann path agree on values and on messages.
TEST(Records, FastUsageDecoderMatchesTheGeneralOne) {
  std::vector<json> cases;
  json full = to_json(sample_usage());
  full["extra"] = {1, 2, {{"a", "b"}}};
  cases.push_back(full);
  const Usage minimal = minimal_usage();
  cases.push_back(to_json(minimal));
  json epoch = full;
  epoch["start"] = 1795341600;
  epoch["end"] = 1795345200.0;
  cases.push_back(epoch);
  for (const char *field : {"record_id", "user", "start", "cores", "source", "kind"}) {
    json missing = full;
    missing.erase(field);
    cases.push_back(missing);
  }
  auto patched = [&](const char *field, json value) {
    json j = full;
    j[field] = std::move(value);
    return j;
  };
  cases.push_back(patched("cores", "8"));
  cases.push_back(patched("gpus", -1));
  cases.push_back(patched("kind", "aip.job/v1"));
  cases.push_back(patched("start", "not a time"));
  cases.push_back(patched("gpu_util_mean", 101));
  cases.push_back(patched("exit_code", 1.5));
  simdjson::dom::parser parser;
  Usage fast;
  for (const auto &c : cases) {
    std::string text = c.dump();
    std::string general_result, fast_result;
    Usage general;
    try {
      general = usage_from_json(c, "f:9");
      general_result = "ok";
    } catch (const Error &e) {
      general_result = e.what();
    }
    try {
      simdjson::dom::object obj = parser.parse(text).get_object();
      decode_usage(obj, jsonl::Location{"f", 9}, fast);
      fast_result = "ok";
    } catch (const Error &e) {
      fast_result = e.what();
    }
    EXPECT_EQ(fast_result.substr(0, fast_result.find(" (")),
              general_result.substr(0, general_result.find(" (")))
        << text;
    if (general_result == "ok" && fast_result == "ok") {
      EXPECT_EQ(fast, general) << text;
    }
  }
}

// The flat fast path (decode_usage_line) takes what aip writes, gives the record decode_usage
// gives, and leaves everything it does not handle to decode_usage.
TEST(Records, FlatUsageDecoderTakesWhatAipWritesAndAgreesWithTheDomOne) {
  simdjson::dom::parser parser;
  auto both = [&](const std::string &line) {
    std::string padded = line;
    padded.append(simdjson::SIMDJSON_PADDING, ' ');
    UsageView view;
    const bool fast = decode_usage_line(std::string_view(padded.data(), line.size()), view);
    Usage dom;
    std::string dom_error;
    try {
      decode_usage(parser.parse(line).get_object(), jsonl::Location{"f", 1}, dom);
    } catch (const Error &e) {
      dom_error = e.what();
    }
    if (fast) {
      EXPECT_EQ(dom_error, "") << line;
      EXPECT_TRUE(view_of(dom) == view) << line;
      Usage owned;
      assign(owned, view);
      EXPECT_EQ(owned, dom) << line;
    }
    return fast;
  };
  const Usage minimal = minimal_usage();
  for (const Usage &u : {sample_usage(), minimal}) {
    std::string line;
    append_usage_line(line, u);
    line.pop_back();
    EXPECT_TRUE(both(line)) << line; // the writer's own form is the fast path's
    EXPECT_TRUE(both(json(to_json(u)).dump())) << line;
  }
  json full = to_json(sample_usage());
  auto patched = [&](const char *field, json value) {
    json j = full;
    j[field] = std::move(value);
    return j.dump();
  };
  // Valid, but outside the fast subset: decode_usage decides.
  for (const std::string &line :
       {patched("user", "caf\u00e9"), patched("extra", json::array({1})),
        patched("user", "quote\""), patched("cores", "8"), patched("gpus", -1),
        patched("exit_code", 1.5), patched("kind", "aip.job/v1"), patched("start", "not a time"),
        patched("gpu_util_mean", 101), patched("record_id", ""), patched("end", 0)}) {
    EXPECT_FALSE(both(line)) << line;
  }
  json missing = full;
  missing.erase("source");
  EXPECT_FALSE(both(missing.dump()));
  // Fast, and equal: nulls, epoch numbers, unknown flat fields, duplicate keys (the last
  // wins, as in decode_usage), 29 February.
  EXPECT_TRUE(both(patched("gpu_util_mean", nullptr)));
  EXPECT_TRUE(both(patched("start", 1700000000)));
  EXPECT_TRUE(both(patched("future", "x")));
  EXPECT_TRUE(both(patched("submit", "2024-02-29T12:00:00Z")));
  std::string dup = full.dump();
  dup.insert(dup.size() - 1, ",\"user\":\"second\"");
  EXPECT_TRUE(both(dup));
}

// The first reader of decode_usage_line, decode_usage_layout, takes every line the writer
// makes (each optional member present or not, fractions, negative exit codes, long numbers)
// and gives decode_usage's record; a line in any other layout goes on to the flat scanner.
TEST(Records, UsageLayoutReaderTakesEveryWriterLineAndNothingElse) {
  simdjson::dom::parser parser;
  auto read = [&](const std::string &line, bool expect_layout) {
    std::string padded = line;
    padded.append(simdjson::SIMDJSON_PADDING, '9'); // digits: never read as the line's
    const std::string_view text(padded.data(), line.size());
    UsageView layout, any;
    EXPECT_EQ(detail::decode_usage_layout(text, layout), expect_layout) << line;
    ASSERT_TRUE(decode_usage_line(text, any)) << line;
    Usage dom;
    decode_usage(parser.parse(line).get_object(), jsonl::Location{"f", 1}, dom);
    EXPECT_TRUE(view_of(dom) == any) << line;
    if (expect_layout) {
      EXPECT_TRUE(view_of(dom) == layout) << line;
    }
  };
  int lines = 0;
  for (unsigned leave_out = 0; leave_out < (1U << 11); leave_out += 7) {
    Usage u = sample_usage();
    if (leave_out & 1U) u.project.clear();
    if (leave_out & 2U) u.vo.clear();
    if (leave_out & 4U) u.site.clear();
    if (leave_out & 8U) u.queue.clear();
    if (leave_out & 16U) u.submit.reset();
    if (leave_out & 32U) u.cpu_s.reset();
    if (leave_out & 64U) u.mem_req_bytes.reset();
    if (leave_out & 128U) u.mem_peak_bytes.reset();
    if (leave_out & 256U) u.gpu_model.clear();
    if (leave_out & 512U) u.gpu_util_mean.reset();
    if (leave_out & 1024U) u.state.clear(), u.exit_code.reset();
    u.wall_s = 0.25 * leave_out;
    u.cores = leave_out % 3 == 0 ? 123456789012.0 : 1.5;
    if (u.exit_code) u.exit_code = -static_cast<int>(leave_out);
    std::string line;
    append_usage_line(line, u);
    line.pop_back();
    read(line, true);
    ++lines;
  }
  EXPECT_GT(lines, 250);
  std::string line;
  append_usage_line(line, sample_usage());
  line.pop_back();
  auto replaced = [&](const std::string &from, const std::string &to) {
    std::string l = line;
    l.replace(l.find(from), from.size(), to);
    return l;
  };
  // Valid, in another layout: the flat scanner reads them.
  read(replaced("\"user\":", "\"user\" : "), false);
  read(replaced("\"start\":\"2026-11-22T10:00:00Z\"", "\"start\":1795341600"), false);
  std::string kind_last = replaced("{\"kind\":\"aip.usage/v1\",", "{");
  kind_last.insert(kind_last.size() - 1, ",\"kind\":\"aip.usage/v1\"");
  read(kind_last, false);
  read(replaced("}", ",\"extra\":1}"), false);
  // Still the layout: null where aip writes null, numbers in other forms.
  read(replaced("\"exit_code\":0", "\"exit_code\":null"), true);
  read(replaced("\"cores\":8", "\"cores\":8e0"), true);
}

TEST(Records, UsageLineWriterIsValidJsonAndRoundTrips) {
  Usage u = sample_usage();
  u.user = "quote\" back\\slash\nnewline\x01";
  std::string line;
  append_usage_line(line, u);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(usage_from_json(json::parse(line), "l:1"), u);
  EXPECT_EQ(json::parse(line), json(to_json(u)));
}

TEST(Records, SampleFastDecoderAgreesWithTheGeneralOne) {
  const json full = json::parse(
      R"({"kind":"aip.sample/v1","at":"2026-11-22T10:30:00Z","job_id":"j","host":"h","user":"u","cpu_s":6890.5,)"
      R"("mem_bytes":9663676416,"mem_peak_bytes":10200547328,"io_read_bytes":5,"io_write_bytes":6,"extra":[1],)"
      R"("gpus":[{"uuid":"GPU-a","index":0,"model":"A100","util_pct":87.0,"mem_used_bytes":3,"power_w":312.4},)"
      R"({"uuid":"MIG-b","index":1,"util_pct":null,"mem_used_bytes":null,"power_w":null}]})");
  std::vector<json> cases{full};
  for (const char *field : {"kind", "at", "job_id", "host", "cpu_s", "mem_bytes"}) {
    json missing = full;
    missing.erase(field);
    cases.push_back(missing);
    json null = full;
    null[field] = nullptr;
    cases.push_back(null);
  }
  auto patched = [&](const char *field, json value) {
    json j = full;
    j[field] = std::move(value);
    return j;
  };
  cases.push_back(patched("at", 1795341600.5));
  cases.push_back(patched("at", "yesterday"));
  cases.push_back(patched("cpu_s", -1));
  cases.push_back(patched("cpu_s", "1"));
  cases.push_back(patched("mem_bytes", -5));
  cases.push_back(patched("mem_bytes", 2.5));
  cases.push_back(patched("mem_peak_bytes", 7.0));
  cases.push_back(patched("kind", "aip.usage/v1"));
  cases.push_back(patched("gpus", "none"));
  cases.push_back(patched("gpus", json::array({1})));
  for (const char *g : {"uuid", "index"}) {
    json j = full;
    j["gpus"][1].erase(g);
    cases.push_back(j);
  }
  for (auto [g, value] : std::vector<std::pair<const char *, json>>{{"util_pct", 101},
                                                                    {"power_w", -1},
                                                                    {"index", 2000000},
                                                                    {"mem_used_bytes", "x"},
                                                                    {"model", 3}}) {
    json j = full;
    j["gpus"][0][g] = value;
    cases.push_back(j);
  }
  simdjson::dom::parser parser;
  for (const auto &c : cases) {
    const std::string text = c.dump();
    std::string general_result, fast_result;
    Sample general, fast;
    try {
      general = sample_from_json(c, "f:9");
      general_result = "ok";
    } catch (const Error &e) {
      general_result = e.what();
    }
    try {
      simdjson::dom::object obj = parser.parse(text).get_object();
      decode_sample(obj, jsonl::Location{"f", 9}, fast);
      fast_result = "ok";
    } catch (const Error &e) {
      fast_result = e.what();
    }
    EXPECT_EQ(fast_result, general_result) << text;
    if (general_result == "ok" && fast_result == "ok") {
      EXPECT_EQ(fast, general) << text;
    }
  }
}
