// lib/dispatch: job specs, site limits, policy, Slurm rendering and parsing. Expected values
// are written out by hand in each test (limits, orders, Slurm's documented formats), and the
// sbatch quoting is checked by running the rendered script with the real bash.
#include <aip/core/error.hpp>
#include <aip/core/process.hpp>
#include <aip/dispatch/backend.hpp>
#include <aip/dispatch/local.hpp>
#include <aip/dispatch/policy.hpp>
#include <aip/dispatch/site.hpp>
#include <aip/dispatch/slurm.hpp>
#include <aip/dispatch/spec.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace aip;
using namespace aip::dispatch;
using records::Job;
using records::PriorityClass;

namespace {

Job job(const std::string &id, PriorityClass c = PriorityClass::batch, double cpus = 1,
        unsigned gpus = 0, double t = 1000) {
  Job j;
  j.id = id;
  j.owner.user = "alice";
  j.command = {"true"};
  j.resources.cpus = cpus;
  j.resources.gpus = gpus;
  j.priority_class = c;
  j.submitted_at = t;
  return j;
}

std::string error_of(const std::function<void()> &f, Exit *status = nullptr) {
  try {
    f();
  } catch (const Error &e) {
    if (status != nullptr) *status = e.status();
    return e.what();
  }
  return "";
}

Entry running(const Job &j, double started, std::vector<int> gpus = {}) {
  Entry e{j, {}, Stage::active};
  e.track.backend = "local";
  e.track.state = records::JobState::running;
  e.track.started_at = started;
  e.track.gpus = std::move(gpus);
  return e;
}

} // namespace

TEST(Spec, CompletesDefaultsAndNamesBadFields) {
  auto j = complete_job({{"command", {"python", "train.py"}}}, "job.json", 1795341600, "bob");
  EXPECT_EQ(j.owner.user, "bob");
  EXPECT_EQ(j.walltime_s, 3600);
  EXPECT_EQ(j.resources.cpus, 1);
  EXPECT_EQ(j.priority_class, PriorityClass::batch);
  EXPECT_EQ(j.submitted_at, 1795341600);
  EXPECT_TRUE(j.id.rfind("j20261122T100000-", 0) == 0) << j.id; // 1795341600 = 2026-11-22T10:00:00Z
  EXPECT_TRUE(is_safe_token(j.id));
  Exit st{};
  EXPECT_EQ(error_of(
                [] {
                  complete_job({{"command", {"x"}}, {"resources", {{"cpus", "four"}}}}, "job.json",
                               0, "u");
                },
                &st),
            "job.json: field 'resources.cpus': expected a number, got a string");
  EXPECT_EQ(st, Exit::data);
  EXPECT_EQ(error_of([] {
              complete_job({{"command", {"x"}}, {"id", "../etc"}}, "j", 0, "u");
            }),
            "j: field 'id': '../etc' is not a safe name ([A-Za-z0-9._-], at most 128, not starting "
            "with '.' or '-')");
  EXPECT_EQ(error_of([] {
              complete_job({{"command", {"x"}}, {"env", {{"A B", "1"}}}}, "j", 0, "u");
            }),
            "j: field 'env.A B': not a variable name ([A-Za-z_][A-Za-z0-9_]*)");
  EXPECT_EQ(error_of([] {
              complete_job({{"command", {"x"}}, {"queue", "gpu;rm"}}, "j", 0, "u");
            }),
            "j: field 'queue': 'gpu;rm' is not a safe name ([A-Za-z0-9._-])");
  EXPECT_EQ(error_of([] { complete_job(nlohmann::json::object(), "j", 0, "u"); }),
            "j: field 'command': no command: give it after -- or in the job file");
  EXPECT_EQ(error_of([] {
              complete_job({{"command", {std::string("a\0b", 3)}}}, "j", 0, "u");
            }),
            "j: field 'command[0]': contains a NUL byte");
  EXPECT_EQ(error_of([] {
              complete_job({{"command", {"x"}}, {"workdir", "rel"}}, "j", 0, "u");
            }),
            "j: field 'workdir': must be an absolute path");
}

TEST(Spec, SessionKeepsChosenVariablesCondaAndContainer) {
  char tmpl[] = "/tmp/aip-session-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  std::string ce = "engine=\"podman-4.3.1\"\nimage=\"docker.io/ai4oshub/yolo:latest\"\n";
  ASSERT_EQ(::write(fd, ce.data(), ce.size()), static_cast<ssize_t>(ce.size()));
  ::close(fd);
  auto s =
      session_spec({"PATH=/usr/bin", "SECRET_TOKEN=x", "LC_ALL=C",
                    "CONDA_PREFIX=/opt/conda/envs/torch", "CONDA_DEFAULT_ENV=torch", "HOME=/root"},
                   default_session_keep(), "/srv/work", tmpl);
  ::unlink(tmpl);
  EXPECT_EQ(s["workdir"], "/srv/work");
  EXPECT_EQ(s["env"]["PATH"], "/opt/conda/envs/torch/bin:/usr/bin");
  EXPECT_EQ(s["env"]["LC_ALL"], "C");
  EXPECT_FALSE(s["env"].contains("SECRET_TOKEN"));
  EXPECT_FALSE(s["env"].contains("HOME"));
  EXPECT_EQ(s["env"]["CONDA_DEFAULT_ENV"], "torch");
  EXPECT_EQ(s["labels"]["conda_env"], "torch");
  EXPECT_EQ(s["image"], "docker.io/ai4oshub/yolo:latest");
  auto a = session_spec({"APPTAINER_CONTAINER=/images/lab.sif"}, {"PATH"}, "/w", "/nonexistent");
  EXPECT_EQ(a["image"], "/images/lab.sif");
}

const char *kSite = R"(# global options of other tools are ignored
format = table
[drift]
method = ks
[limits]
max-walltime = 2d
max-user-gpus = 4
images = ai4oshub/*, docker.io/library/python:*
[queue gpu]
max-gpus = 2
min-gpus = 1
max-memory = 64G
[vo vo.imagine-ai.eu]
max-cpus = 8
classes = batch, opportunistic
[user carol]
max-user-gpus = 1
[project uc3]
max-running-jobs = 1
max-running-gpus = 2
[node]
cpus = 4
memory = 8G
gpus = 2
gpu-model = A100
)";

TEST(Site, RefusalsNameTheLimitSectionAndLine) {
  SiteConfig site;
  site.parse(kSite, "aip.conf");
  Job j = job("a", PriorityClass::batch, 2, 4);
  j.image = "ai4oshub/yolo:latest";
  j.queue = "gpu";
  j.walltime_s = 3600;
  auto r = check_limits(j, site, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->limit, "max-gpus");
  EXPECT_EQ(r->message, "refused by max-gpus = 2 of queue 'gpu' (aip.conf:10): the job asks for 4, "
                        "at most 2 allowed");
  j.resources.gpus = 1;
  j.resources.memory_bytes = 65ULL << 30;
  EXPECT_EQ(check_limits(j, site, {})->message,
            "refused by max-memory = 64G of queue 'gpu' (aip.conf:12): the job asks for 65 GiB, at "
            "most 64 GiB allowed");
  j.resources.memory_bytes = 1 << 30;
  EXPECT_FALSE(check_limits(j, site, {}));
  j.walltime_s = 3 * 86400;
  EXPECT_EQ(check_limits(j, site, {})->message,
            "refused by max-walltime = 2d of the site limits [limits] (aip.conf:6): the job asks "
            "for 259200 s, at most 172800 s allowed");
  j.walltime_s = 60;
  j.image = "evil/miner";
  EXPECT_EQ(check_limits(j, site, {})->limit, "images");
  j.image = "docker.io/library/python:3.11";
  EXPECT_FALSE(check_limits(j, site, {}));
  j.owner.vo = "vo.imagine-ai.eu";
  j.priority_class = PriorityClass::interactive;
  EXPECT_EQ(check_limits(j, site, {})->message,
            "refused by classes = batch, opportunistic of vo 'vo.imagine-ai.eu' (aip.conf:15): "
            "priority class 'interactive' is not allowed");
}

TEST(Site, PerUserGpuCapCountsRunningAndQueuedJobs) {
  SiteConfig site;
  site.parse(kSite, "aip.conf");
  Job j = job("new", PriorityClass::batch, 1, 2);
  j.image = "ai4oshub/x";
  j.queue = "gpu";
  // alice holds 1 + 2 GPUs; 3 + 2 = 5 > 4 (the [limits] cap).
  std::vector<Job> live{job("q1", PriorityClass::batch, 1, 1),
                        job("r1", PriorityClass::batch, 1, 2),
                        job("o", PriorityClass::batch, 1, 8)};
  live[2].owner.user = "bob";
  auto r = check_limits(j, site, live);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message, "refused by max-user-gpus = 4 of the site limits [limits] (aip.conf:7): "
                        "user 'alice' holds 3 GPUs in running "
                        "and queued jobs and the job asks for 2 more; at most 4 allowed");
  live.pop_back();
  live.pop_back(); // 1 + 2 = 3 <= 4
  EXPECT_FALSE(check_limits(j, site, live));
  // carol's own section is more specific: 1 GPU in all.
  j.owner.user = "carol";
  j.resources.gpus = 1;
  EXPECT_FALSE(check_limits(j, site, {}));
  Job held = job("c", PriorityClass::batch, 1, 1);
  held.owner.user = "carol";
  EXPECT_EQ(check_limits(j, site, {held})->limit, "max-user-gpus");
}

TEST(Site, BadConfigurationNamesFileAndLine) {
  SiteConfig site;
  Exit st{};
  EXPECT_EQ(error_of([&] { site.parse("[queue gpu]\nmax-gpus = two\n", "x.conf"); }, &st),
            "x.conf:2: max-gpus: expected a non-negative number, got 'two'");
  EXPECT_EQ(st, Exit::usage);
  EXPECT_EQ(error_of([&] { site.parse("[limits]\nmax-gpu = 2\n", "x.conf"); }),
            "x.conf:2: unknown key 'max-gpu' in [limits]");
  EXPECT_EQ(error_of([&] { site.parse("[queue]\n", "x.conf"); }),
            "x.conf:1: [queue NAME] needs a name");
  EXPECT_EQ(error_of([&] { site.parse("[node]\nruntime = docker\n", "x.conf"); }),
            "x.conf:2: runtime: expected none, podman or apptainer, got 'docker'");
  EXPECT_NE(error_of([&] {
              site.parse("[limits]\nmax-walltime = forever\n", "x.conf");
            }).find("x.conf:2: max-walltime"),
            std::string::npos);
}

TEST(Site, NodeFromConfigAndRequestsLargerThanTheNode) {
  SiteConfig site;
  site.parse(kSite, "aip.conf");
  Node n = site.node();
  EXPECT_EQ(n.cpus, 4);
  EXPECT_EQ(n.memory_bytes, 8ULL << 30);
  EXPECT_EQ(n.gpus, 2U);
  EXPECT_EQ(*exceeds_node(job("a", PriorityClass::batch, 64), n),
            "asks for 64 CPUs; the node has 4");
  EXPECT_EQ(*exceeds_node(job("a", PriorityClass::batch, 1, 3), n),
            "asks for 3 GPUs; the node has 2");
  Job h = job("a", PriorityClass::batch, 1, 1);
  h.resources.gpu_model = "H100";
  EXPECT_EQ(*exceeds_node(h, n), "asks for GPU model 'H100'; the node has 'A100'");
  EXPECT_FALSE(exceeds_node(job("a", PriorityClass::batch, 4, 2), n));
}

TEST(Policy, OrderByClassThenFairShareThenSubmitTime) {
  std::vector<Entry> q;
  auto add = [&](const std::string &id, PriorityClass c, const std::string &user, double t) {
    Job j = job(id, c, 1, 0, t);
    j.owner.user = user;
    q.push_back({j, {}, Stage::queued});
  };
  add("opp-early", PriorityClass::opportunistic, "alice", 1);
  add("batch-bob-late", PriorityClass::batch, "bob", 30);
  add("batch-alice", PriorityClass::batch, "alice", 20);
  add("batch-bob-early", PriorityClass::batch, "bob", 10);
  add("inter", PriorityClass::interactive, "carol", 99);
  auto fs = FairShare::parse("user,fairshare\nalice,0.9\nbob,0.2\n", "fs.csv");
  std::vector<std::string> got;
  for (const auto *e : order_queue(q, fs)) got.push_back(e->job.id);
  EXPECT_EQ(got, (std::vector<std::string>{"inter", "batch-alice", "batch-bob-early",
                                           "batch-bob-late", "opp-early"}));
  // Without fair share: submit time within a class.
  got.clear();
  for (const auto *e : order_queue(q, {})) got.push_back(e->job.id);
  EXPECT_EQ(got, (std::vector<std::string>{"inter", "batch-bob-early", "batch-alice",
                                           "batch-bob-late", "opp-early"}));
  auto js = FairShare::parse(
      "{\"user\":\"bob\",\"fairshare\":0.75}\n{\"account\":\"uc3\",\"fair_share\":0.1}\n",
      "fs.jsonl");
  EXPECT_EQ(js.user.at("bob"), 0.75);
  EXPECT_EQ(js.project.at("uc3"), 0.1);
  EXPECT_EQ(error_of([] { FairShare::parse("user,fairshare\nbob,high\n", "fs.csv"); }),
            "fs.csv:2: field 'fairshare': 'high' is not a number");
  EXPECT_EQ(error_of([] { FairShare::parse("{\"user\":\"bob\",\"fairshare\":3}\n", "fs.jsonl"); }),
            "fs.jsonl:1: field 'fairshare': expected a number from 0 to 1");
}

TEST(Policy, SlotsGpusAndProjectQuotas) {
  SiteConfig site;
  site.parse(kSite, "aip.conf");
  Node node = site.node(); // 4 CPUs, 8 GiB, 2 GPUs
  std::vector<Entry> active{running(job("r", PriorityClass::batch, 1, 1), 10, {0})};
  std::vector<Entry> q;
  q.push_back({job("a", PriorityClass::batch, 2, 1, 1), {}, Stage::queued}); // fits: GPU 1
  q.push_back({job("b", PriorityClass::batch, 2, 0, 2), {}, Stage::queued}); // 1 CPU left: no
  q.push_back(
      {job("c", PriorityClass::batch, 1, 0, 3), {}, Stage::queued}); // same class passes: fits
  q.push_back(
      {job("d", PriorityClass::opportunistic, 0.5, 0, 0), {}, Stage::queued}); // held back by b
  q.push_back({job("huge", PriorityClass::batch, 16, 0, 5), {}, Stage::queued});
  auto d = plan(order_queue(q, {}), active, &node, site);
  ASSERT_EQ(d.size(), 3U);
  EXPECT_EQ(d[0].kind, Decision::Kind::start);
  EXPECT_EQ(d[0].job_id, "a");
  EXPECT_EQ(d[0].gpus, std::vector<int>{1});
  EXPECT_EQ(d[1].job_id, "c");
  EXPECT_EQ(d[2].kind, Decision::Kind::reject);
  EXPECT_EQ(d[2].reason, "larger than the node: asks for 16 CPUs; the node has 4");
  // Project uc3 may run one job at a time; its second waits, bob's passes.
  std::vector<Entry> q2;
  Job u1 = job("u1", PriorityClass::batch, 1, 0, 1), u2 = job("u2", PriorityClass::batch, 1, 0, 2),
      o = job("o", PriorityClass::batch, 1, 0, 3);
  u1.owner.project = u2.owner.project = "uc3";
  q2 = {{u1, {}, Stage::queued}, {u2, {}, Stage::queued}, {o, {}, Stage::queued}};
  d = plan(order_queue(q2, {}), {}, &node, site);
  ASSERT_EQ(d.size(), 2U);
  EXPECT_EQ(d[0].job_id, "u1");
  EXPECT_EQ(d[1].job_id, "o");
  // A backend that schedules itself (node = null): only the quotas count.
  d = plan(order_queue(q, {}), active, nullptr, site);
  EXPECT_EQ(d.size(), 5U);
}

TEST(Policy, InteractiveJobPreemptsTheNewestOpportunisticJobs) {
  SiteConfig site;
  site.parse("[node]\ncpus = 4\nmemory = 0\ngpus = 2\n", "n.conf");
  Node node = site.node();
  node.memory_bytes = 0;
  std::vector<Entry> active{running(job("old", PriorityClass::opportunistic, 1, 1), 100, {0}),
                            running(job("batch", PriorityClass::batch, 1), 150),
                            running(job("mid", PriorityClass::opportunistic, 1, 0), 200),
                            running(job("new", PriorityClass::opportunistic, 1, 1), 300, {1})};
  std::vector<Entry> q{{job("ia", PriorityClass::interactive, 1, 1, 1), {}, Stage::queued},
                       {job("opp", PriorityClass::opportunistic, 1, 0, 0), {}, Stage::queued}};
  auto d = plan(order_queue(q, {}), active, &node, site);
  // Needs 1 GPU: the newest opportunistic job that frees one is "new" (300); "mid" (no GPU)
  // would not help, but it is newer than "old", so the newest-first walk stops at "new".
  ASSERT_EQ(d.size(), 1U);
  EXPECT_EQ(d[0].kind, Decision::Kind::preempt);
  EXPECT_EQ(d[0].job_id, "new");
  EXPECT_EQ(d[0].reason, "for interactive job ia");
  // Next round: "new" is stopping; the interactive job waits for it and preempts nothing
  // more, and the opportunistic job stays behind it.
  active[3].track.stopping = "preempted";
  d = plan(order_queue(q, {}), active, &node, site);
  EXPECT_TRUE(d.empty());
  // Two GPUs wanted: "new" then "mid" then "old" are taken newest first until 2 are free.
  active[3].track.stopping.clear();
  q[0].job.resources.gpus = 2;
  d = plan(order_queue(q, {}), active, &node, site);
  ASSERT_EQ(d.size(), 3U);
  EXPECT_EQ(d[0].job_id, "new");
  EXPECT_EQ(d[1].job_id, "mid");
  EXPECT_EQ(d[2].job_id, "old");
  // A batch job is never preempted: 3 GPUs cannot be had, nothing is preempted... and the
  // job is larger than the node anyway.
  q[0].job.resources.gpus = 1;
  q[0].job.priority_class = PriorityClass::batch;
  d = plan(order_queue(q, {}), active, &node, site);
  EXPECT_TRUE(d.empty());
}

TEST(Slurm, StateMappingAndParsers) {
  std::string reason;
  EXPECT_EQ(map_slurm_state("PENDING", reason), records::JobState::submitted);
  EXPECT_EQ(map_slurm_state("R", reason), records::JobState::running);
  EXPECT_EQ(map_slurm_state("CD", reason), records::JobState::succeeded);
  EXPECT_EQ(map_slurm_state("F", reason), records::JobState::failed);
  EXPECT_EQ(map_slurm_state("CANCELLED by 0", reason), records::JobState::cancelled);
  EXPECT_EQ(map_slurm_state("CANCELLED+", reason), records::JobState::cancelled);
  EXPECT_EQ(map_slurm_state("TO", reason), records::JobState::timeout);
  EXPECT_EQ(map_slurm_state("OUT_OF_MEMORY", reason), records::JobState::failed);
  EXPECT_EQ(reason, "out of memory");
  EXPECT_EQ(map_slurm_state("NF", reason), records::JobState::failed);
  EXPECT_EQ(reason, "node failure");
  EXPECT_EQ(map_slurm_state("PR", reason), records::JobState::preempted);
  EXPECT_EQ(error_of([&] { map_slurm_state("WEIRD", reason); }), "unknown Slurm job state 'WEIRD'");
  auto sq = parse_squeue("12|RUNNING|aip-j1\n13|PENDING|aip-a|b\n", "squeue");
  ASSERT_EQ(sq.size(), 2U);
  EXPECT_EQ(sq[1].name, "aip-a|b");
  EXPECT_EQ(error_of([] { parse_squeue("x|R|n\n", "squeue"); }),
            "squeue:1: expected 'jobid|state|name', got 'x|R|n'");
  // sacct's ExitCode is "code:signal" (sacct(1)): 2:0 exits 2; 0:9 was killed by SIGKILL.
  auto sa = parse_sacct("20|aip-j2|FAILED|2:0|2026-12-02T05:45:31|2026-12-02T05:45:33\n21|aip-j3|"
                        "CANCELLED by 0|0:9|Unknown|"
                        "2026-12-02T05:45:39\n22|n|a|COMPLETED|0:0|None|None\n",
                        "sacct");
  ASSERT_EQ(sa.size(), 3U);
  EXPECT_EQ(*sa[0].exit_code, 2);
  EXPECT_EQ(*sa[1].exit_code, 137);
  EXPECT_EQ(sa[1].state, "CANCELLED by 0");
  EXPECT_EQ(*sa[2].exit_code, 0);
  EXPECT_EQ(sa[2].name, "n|a");
  EXPECT_EQ(sa[0].ended_at - sa[0].started_at, 2);
  EXPECT_EQ(sa[1].started_at, 0);
  EXPECT_EQ(error_of([] { parse_sacct("20|x|FAILED|2:0\n", "sacct"); }),
            "sacct:1: expected 'jobid|jobname|state|exitcode|start|end', got '20|x|FAILED|2:0'");
  // Slurm's --time: minutes, rounded up; "days-hours:minutes:seconds".
  EXPECT_EQ(slurm_time(1), "0-00:01:00");
  EXPECT_EQ(slurm_time(3600), "0-01:00:00");
  EXPECT_EQ(slurm_time(90061), "1-01:02:00");
}

TEST(Slurm, RenderedScriptDirectives) {
  Job j = job("j1", PriorityClass::opportunistic, 2.5, 2);
  j.queue = "gpu";
  j.owner.project = "uc3";
  j.resources.gpu_model = "A100";
  j.resources.memory_bytes = 1536ULL << 20; // 1.5 GiB = 1536 MiB
  j.walltime_s = 5400;
  j.workdir = "/srv/my work";
  auto s = render_sbatch(j, "/var/aip/logs", {{"opportunistic", "scavenger"}});
  for (const char *line :
       {"#SBATCH --job-name=aip-j1\n", "#SBATCH --output=/var/aip/logs/j1.out\n",
        "#SBATCH --partition=gpu\n", "#SBATCH --account=uc3\n", "#SBATCH --qos=scavenger\n",
        "#SBATCH --cpus-per-task=3\n", "#SBATCH --mem=1536M\n", "#SBATCH --gres=gpu:A100:2\n",
        "#SBATCH --time=0-01:30:00\n", "cd -- '/srv/my work' || exit 1\n", "exec 'true'\n"})
    EXPECT_NE(s.find(line), std::string::npos) << line << " missing in\n" << s;
  EXPECT_NE(error_of([] {
              render_sbatch(job("j2"), "/var/my logs", {});
            }).find("cannot go into an #SBATCH line"),
            std::string::npos);
}

// The hostile corpus: each argument and environment value goes through the rendered script
// and comes back byte for byte from the real bash, with nothing expanded or run.
TEST(Slurm, HostileArgumentsRunLiterallyUnderBash) {
  const std::vector<std::string> hostile{"$(touch /tmp/aip-pwned)",
                                         "`touch /tmp/aip-pwned`",
                                         "'",
                                         "\"",
                                         "'\"'\"",
                                         "a b  c",
                                         "*",
                                         "/*",
                                         "~",
                                         "$HOME",
                                         "${PATH}",
                                         "\\",
                                         "\\'",
                                         "line1\nline2",
                                         ";rm -rf /tmp/x;",
                                         "|",
                                         "&",
                                         ">",
                                         "<(ls)",
                                         "!!",
                                         "#not a comment",
                                         "--",
                                         "-e",
                                         "%j",
                                         "\t",
                                         "é ü 中",
                                         "'$(id)'",
                                         "\r",
                                         ""};
  Job j = job("hostile");
  j.command = {"printf", "[%s]\n"};
  j.command.insert(j.command.end(), hostile.begin(), hostile.end());
  for (std::size_t i = 0; i < hostile.size(); ++i) j.env["V" + std::to_string(i)] = hostile[i];
  std::string script = render_sbatch(j, "/tmp", {});
  // Run the script's body with bash, then print the environment values the same way.
  std::string body = script + "\n";
  body.replace(body.rfind("exec "), 5, "");
  std::string printenv = "printf '[%s]\\n'";
  for (std::size_t i = 0; i < hostile.size(); ++i) printenv += " \"$V" + std::to_string(i) + "\"";
  body += printenv + "\n";
  ::unlink("/tmp/aip-pwned");
  auto r = run_process({"bash", "-c", body});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string expected;
  for (int pass = 0; pass < 2; ++pass)
    for (const auto &h : hostile) expected += "[" + h + "]\n";
  EXPECT_EQ(r.out, expected);
  EXPECT_NE(::access("/tmp/aip-pwned", F_OK), 0) << "a hostile value was run";
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

TEST(Local, ContainerArgvKeepsValuesOutOfArgv) {
  Job j = job("c1", PriorityClass::batch, 1, 1);
  j.image = "ai4oshub/yolo";
  j.env = {{"TOKEN", "s3cret"}};
  j.workdir = "/w";
  j.mounts = {{"/data", "/mnt/data", true}};
  auto p = container_argv(j, "podman", {1});
  EXPECT_EQ(
      p, (std::vector<std::string>{"podman", "run", "--rm", "--init", "--name", "aip-c1", "--env",
                                   "TOKEN", "--env", "AIP_JOB_ID", "--workdir", "/w", "--mount",
                                   "type=bind,source=/data,target=/mnt/data,readonly", "--device",
                                   "nvidia.com/gpu=1", "--", "ai4oshub/yolo", "true"}));
  auto a = container_argv(j, "apptainer", {1});
  EXPECT_EQ(a, (std::vector<std::string>{"apptainer", "exec", "--nv", "--pwd", "/w", "--bind",
                                         "/data:/mnt/data:ro", "docker://ai4oshub/yolo", "true"}));
  for (const auto &arg : p) EXPECT_EQ(arg.find("s3cret"), std::string::npos);
  EXPECT_EQ(container_argv(job("plain"), "podman", {}), std::vector<std::string>{"true"});
}

TEST(Render, AllJobsInInputOrderAndTheEarliestBadLine) {
  BackendOptions o;
  o.state_dir = "/tmp";
  auto local = make_backend("local", o);
  std::string text;
  for (int i = 0; i < 1000; ++i)
    text +=
        R"({"kind":"aip.job/v1","id":"j)" + std::to_string(i) +
        R"(","owner":{"user":"u"},"command":["echo",")" + std::to_string(i) +
        R"("],"resources":{"cpus":1,"memory_bytes":0},"walltime_s":5,"priority_class":"batch","submitted_at":0})" +
        "\n";
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "echo " + std::to_string(i) + "\n";
  EXPECT_EQ(render_all(*local, text, "jobs.jsonl"), expected);
  // Lines 700 and 300 are bad: line 300 is reported, whichever thread saw it first.
  std::string bad = text;
  auto line_start = [&](int n) {
    std::size_t p = 0;
    for (int i = 1; i < n; ++i) p = bad.find('\n', p) + 1;
    return p;
  };
  bad.insert(line_start(700), "{\"kind\":\"aip.job/v1\"}\n");
  bad.insert(line_start(300), "not json\n");
  EXPECT_EQ(error_of([&] { render_all(*local, bad, "jobs.jsonl"); }),
            "jobs.jsonl:300: not a JSON object");
}
