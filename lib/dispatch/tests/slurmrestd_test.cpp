// The slurmrestd backend against the real slurmrestd (openapi/v0.0.38) of the Slurm test
// fixture, over its unix socket. What the backend reports is compared with what Slurm's own
// `scontrol show job` says about the same job.
#include <aip/core/error.hpp>
#include <aip/core/process.hpp>
#include <aip/dispatch/slurmrestd.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>
#include <unistd.h>

using namespace aip;
using namespace aip::dispatch;
using S = records::JobState;

namespace {

// KEY='VALUE' lines of the fixture's env file (a quote inside is written '\'').
std::map<std::string, std::string> fixture_env() {
  std::map<std::string, std::string> env;
  const char *path = std::getenv("AIP_SLURM_ENV");
  if (path == nullptr) return env;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1), out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v.compare(i, 4, "'\\''") == 0) {
        out += '\'';
        i += 3;
      } else if (v[i] != '\'') {
        out += v[i];
      }
    }
    env[line.substr(0, eq)] = out;
  }
  return env;
}

class SlurmrestdTest : public ::testing::Test {
protected:
  void SetUp() override {
    env_ = fixture_env();
    if (env_["AIP_TEST_SLURMRESTD_SOCKET"].empty())
      GTEST_FAIL() << "AIP_SLURM_ENV names no slurmrestd socket (run through ctest)";
    char tmpl[] = "/tmp/aip-restd-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    ::mkdir((dir_ + "/logs").c_str(), 0755);
    std::ofstream(dir_ + "/aip.conf")
        << "[slurmrestd]\nsocket = " << env_["AIP_TEST_SLURMRESTD_SOCKET"] << "\n";
    BackendOptions bo;
    bo.state_dir = dir_;
    bo.config_files = {dir_ + "/aip.conf"};
    backend_ = make_slurmrestd_backend(bo);
  }
  void TearDown() override { run_process({"rm", "-rf", "--", dir_}); }

  records::Job job(const std::string &id, std::vector<std::string> command) {
    records::Job j;
    j.id = id + "-" + std::to_string(::getpid());
    j.owner.user = "root";
    j.command = std::move(command);
    j.resources.cpus = 1;
    j.resources.memory_bytes = 100ULL << 20;
    j.walltime_s = 120;
    j.workdir = "/tmp";
    return j;
  }

  Observation wait_for(const Handle &h, const std::function<bool(const Observation &)> &done) {
    Observation last;
    for (int i = 0; i < 300; ++i) {
      auto seen = backend_->poll({h});
      if (auto it = seen.find(h.job_id); it != seen.end()) {
        last = it->second;
        if (done(last)) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "job " << h.job_id << " stayed " << records::to_string(last.state);
    return last;
  }

  // A field of `scontrol show job -o ID`: Slurm's own view, the peer.
  std::string scontrol(const std::string &id, const std::string &key) {
    ProcessOptions po;
    po.set_env = {"SLURM_CONF=" + env_["SLURM_CONF"]};
    auto r = run_process({"scontrol", "show", "job", "-o", id}, po);
    auto at = r.out.find(" " + key + "=");
    if (at == std::string::npos) return "";
    auto v = r.out.substr(at + key.size() + 2);
    return v.substr(0, v.find_first_of(" \n"));
  }

  std::map<std::string, std::string> env_;
  std::string dir_;
  std::unique_ptr<Backend> backend_;
};

} // namespace

TEST_F(SlurmrestdTest, ExitCodeMatchesScontrol) {
  auto j = job("restd-exit", {"bash", "-c", "echo out; exit 3"});
  auto o = backend_->submit(j, {});
  ASSERT_EQ(o.state, S::submitted) << o.reason;
  ASSERT_FALSE(o.backend_id.empty());
  auto end = wait_for({j.id, o.backend_id},
                      [](const Observation &x) { return records::is_final(x.state); });
  EXPECT_EQ(end.state, S::failed);
  EXPECT_EQ(end.exit_code, 3);
  EXPECT_EQ(scontrol(o.backend_id, "ExitCode"), "3:0");
  EXPECT_EQ(scontrol(o.backend_id, "JobState"), "FAILED");
  EXPECT_GT(end.ended_at, 0);
  // The job's output went where the backend said.
  std::ifstream out(dir_ + "/logs/" + j.id + ".out");
  std::string line;
  std::getline(out, line);
  EXPECT_EQ(line, "out");
}

TEST_F(SlurmrestdTest, SuccessFindAndCancel) {
  auto ok = job("restd-ok", {"true"});
  auto o = backend_->submit(ok, {});
  ASSERT_EQ(o.state, S::submitted) << o.reason;
  auto found = backend_->find(ok);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->backend_id, o.backend_id);
  auto end = wait_for({ok.id, o.backend_id},
                      [](const Observation &x) { return records::is_final(x.state); });
  EXPECT_EQ(end.state, S::succeeded);
  EXPECT_EQ(end.exit_code, 0);
  EXPECT_EQ(scontrol(o.backend_id, "JobState"), "COMPLETED");

  auto slow = job("restd-slow", {"sleep", "300"});
  auto s = backend_->submit(slow, {});
  Handle h{slow.id, s.backend_id};
  wait_for(h, [](const Observation &x) { return x.state == S::running; });
  EXPECT_EQ(scontrol(s.backend_id, "JobState"), "RUNNING");
  backend_->cancel(h, "cancelled", 1);
  auto c = wait_for(h, [](const Observation &x) { return records::is_final(x.state); });
  EXPECT_EQ(c.state, S::cancelled);
  EXPECT_EQ(scontrol(s.backend_id, "JobState"), "CANCELLED");
  EXPECT_FALSE(backend_->find(job("restd-never", {"true"})).has_value());
}

TEST_F(SlurmrestdTest, RefusedJobFailsWithSlurmsReason) {
  auto bad = job("restd-bad", {"true"});
  bad.queue = "no-such-partition";
  auto o = backend_->submit(bad, {});
  EXPECT_EQ(o.state, S::failed);
  EXPECT_NE(o.reason.find("slurmrestd refused the job"), std::string::npos) << o.reason;
  EXPECT_NE(o.reason.find("partition"), std::string::npos) << o.reason;
}

TEST_F(SlurmrestdTest, MissingSocketIsUnavailable) {
  std::ofstream(dir_ + "/gone.conf")
      << "[slurmrestd]\nsocket = " << dir_ << "/no.sock\nretries = 0\n";
  BackendOptions bo;
  bo.state_dir = dir_;
  bo.config_files = {dir_ + "/gone.conf"};
  auto b = make_slurmrestd_backend(bo);
  try {
    b->submit(job("restd-gone", {"true"}), {});
    ADD_FAILURE() << "no error";
  } catch (const Error &e) {
    EXPECT_EQ(e.status(), Exit::unavailable);
    EXPECT_NE(std::string(e.what()).find("cannot reach slurmrestd"), std::string::npos) << e.what();
  }
}
