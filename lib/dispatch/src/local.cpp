#include "aip/dispatch/local.hpp"

#include "aip/dispatch/queue.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace aip::dispatch {

// The supervisor's body (below): runs the job, writes local/ID/status.json; the exit status.
int supervise(const std::string &state, const records::Job &job, const std::string &gpus,
              double grace, const std::string &runtime);

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string run_dir(const std::string &state, const std::string &id) {
  return state + "/local/" + id;
}

bool exists(const std::string &p) { return ::access(p.c_str(), F_OK) == 0; }

// The run folder's files only have to survive the dispatcher's and the supervisor's
// deaths, not a power cut (which ends the job too): rename without fsync.
void write_json(const std::string &path, const nlohmann::json &j) {
  replace_file(path, j.dump() + "\n", false);
}

std::optional<nlohmann::json> read_json(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  return j;
}

// Whether the supervisor of a run folder is alive: it holds the lock.
bool lock_held(const std::string &dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

Observation from_status(const nlohmann::json &s, const std::string &backend_id) {
  Observation o;
  o.backend_id = backend_id;
  o.state = records::parse_job_state(s.value("state", "failed"));
  if (s.contains("exit_code") && s["exit_code"].is_number_integer())
    o.exit_code = s["exit_code"].get<int>();
  o.reason = s.value("reason", "");
  o.started_at = s.value("started_at", 0.0);
  o.ended_at = s.value("ended_at", 0.0);
  return o;
}

// The supervisor's pid, from started.json (written once the job runs).
std::string read_pid(const std::string &dir) {
  auto j = read_json(dir + "/started.json");
  return j && j->contains("pid") && (*j)["pid"].is_number_integer()
             ? std::to_string((*j)["pid"].get<long>())
             : "";
}

// What a run folder says about its job; nothing when the supervisor never started it.
std::optional<Observation> observe(const std::string &dir) {
  if (!exists(dir)) return std::nullopt;
  // The lock first: a supervisor writes its status before it exits and releases the lock,
  // so "free, then no status" cannot be a status still on its way.
  if (lock_held(dir)) {
    Observation o;
    o.backend_id = read_pid(dir);
    o.state = records::JobState::running;
    if (auto st = read_json(dir + "/started.json")) {
      o.started_at = st->value("started_at", 0.0);
      if (st->contains("gpus") && (*st)["gpus"].is_array())
        for (const auto &g : (*st)["gpus"]) o.gpus.push_back(g.get<int>());
    }
    return o;
  }
  if (auto s = read_json(dir + "/status.json")) return from_status(*s, read_pid(dir));
  if (auto st = read_json(dir + "/started.json")) {
    // The supervisor was killed: its job may still run in its own group.
    long pgid = st->value("pgid", 0L);
    if (pgid > 1) ::kill(static_cast<pid_t>(-pgid), SIGKILL);
    Observation o;
    o.backend_id = read_pid(dir);
    o.state = records::JobState::failed;
    o.reason = "the local supervisor ended without a status (killed?)";
    o.started_at = st->value("started_at", 0.0);
    o.ended_at = now_s();
    return o;
  }
  return std::nullopt;
}

class LocalBackend : public Backend {
public:
  explicit LocalBackend(BackendOptions o) : opt_(std::move(o)) {}
  std::string name() const override { return "local"; }
  bool schedules_itself() const override { return false; }

  std::string render(const records::Job &job) const override {
    std::string out;
    for (const auto &a : container_argv(job, opt_.runtime, {})) out += (out.empty() ? "" : " ") + a;
    return out + "\n";
  }

  std::optional<Observation> find(const records::Job &job) override {
    std::string dir = run_dir(opt_.state_dir, job.id);
    auto o = observe(dir);
    if (!o && exists(dir)) std::filesystem::remove_all(dir); // claimed, never started
    return o;
  }

  Observation submit(const records::Job &job, const std::vector<int> &gpus) override {
    Observation o;
    if (!job.image.empty() && opt_.runtime == "none") {
      o.state = records::JobState::failed;
      o.reason = "image '" + job.image +
                 "' needs a container runtime: set runtime = podman or apptainer in [node]";
      return o;
    }
    std::string dir = run_dir(opt_.state_dir, job.id);
    std::filesystem::remove_all(dir);
    make_dirs(dir);
    // The lock is on the run folder itself (flock(2) works on a folder's descriptor).
    int lock = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0)
      fail(Exit::cant_create, dir + ": cannot lock: " + std::strerror(errno));
    std::string gpu_list;
    for (int g : gpus) gpu_list += (gpu_list.empty() ? "" : ",") + std::to_string(g);
    // The supervisor is a fork of the dispatcher (no exec: a job starts in about the time
    // of its own exec), in a session of its own so the dispatcher's terminal or process
    // group cannot take it down, holding the lock taken above through the inherited
    // descriptor, and nothing else of the dispatcher's: its output goes nowhere, so a
    // pipe from `aip dispatch` ends when the dispatcher does.
    // fork() without exec is sound because the dispatcher is single-threaded (no TBB or
    // other threads run in `run` or `submit`); keep it so.
    pid_t pid = ::fork();
    if (pid < 0) {
      int err = errno;
      ::close(lock);
      fail(Exit::unavailable,
           std::string("cannot start the local supervisor: fork: ") + std::strerror(err));
    }
    if (pid == 0) {
      // First of all, let go of every descriptor of the dispatcher's but the lock: the
      // queue's own lock among them, which a restarted dispatcher must find free.
      if (lock != 3) {
        ::dup2(lock, 3); // clears close-on-exec on 3; supervise() sets it again
        ::close(lock);
      }
      ::close_range(4, ~0U, 0);
      ::setsid();
      sigset_t mask;
      sigemptyset(&mask);
      for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&mask, sig);
      ::sigprocmask(SIG_SETMASK, &mask, nullptr); // taken with sigtimedwait by supervise()
      for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE}) ::signal(sig, SIG_DFL);
      int null = ::open("/dev/null", O_RDWR);
      if (null < 0) ::_exit(70);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2); // it says what goes wrong in status.json
      if (null > 2) ::close(null);
      ::prctl(PR_SET_NAME, "aip-supervisor", 0, 0, 0);
      ::_exit(supervise(opt_.state_dir, job, gpu_list, opt_.kill_grace_s, opt_.runtime));
    }
    ::close(lock);
    o.backend_id = std::to_string(pid);
    o.state = records::JobState::running;
    o.started_at = now_s();
    return o;
  }

  std::map<std::string, Observation> poll(const std::vector<Handle> &handles) override {
    std::map<std::string, Observation> out;
    for (const auto &h : handles) {
      std::string dir = run_dir(opt_.state_dir, h.job_id);
      auto o = observe(dir);
      if (!o) {
        o = Observation{};
        o->state = records::JobState::failed;
        o->reason = "the local run folder " + dir + " is missing";
      }
      if (o->backend_id.empty()) o->backend_id = h.backend_id;
      out[h.job_id] = *o;
    }
    return out;
  }

  void cancel(const Handle &h, const std::string &reason, double grace_s) override {
    std::string dir = run_dir(opt_.state_dir, h.job_id);
    write_json(dir + "/stop.json", {{"reason", reason}, {"grace_s", grace_s}});
    std::string pid = read_pid(dir);
    if (pid.empty()) pid = h.backend_id;
    // Only a supervisor that still holds the lock is signalled: a pid whose supervisor
    // ended may already name another process.
    if (!pid.empty() && lock_held(dir)) ::kill(static_cast<pid_t>(std::stol(pid)), SIGTERM);
  }

  bool reap() override {
    bool any = false;
    int status = 0;
    while (::waitpid(-1, &status, WNOHANG) > 0) any = true;
    return any;
  }

private:
  BackendOptions opt_;
};

std::string join(const std::vector<int> &v) {
  std::string s;
  for (int g : v) s += (s.empty() ? "" : ",") + std::to_string(g);
  return s;
}

} // namespace

std::unique_ptr<Backend> make_local_backend(const BackendOptions &options) {
  return std::make_unique<LocalBackend>(options);
}

std::vector<std::string> container_argv(const records::Job &job, const std::string &runtime,
                                        const std::vector<int> &gpus) {
  if (job.image.empty() || runtime == "none") return job.command;
  std::vector<std::string> a;
  if (runtime == "podman") {
    a = {"podman", "run", "--rm", "--init", "--name", "aip-" + job.id};
    for (const auto &[k, v] : job.env)
      a.insert(a.end(), {"--env", k}); // the value comes from our environment
    a.insert(a.end(), {"--env", "AIP_JOB_ID"});
    if (!job.workdir.empty()) a.insert(a.end(), {"--workdir", job.workdir});
    for (const auto &m : job.mounts)
      a.insert(a.end(), {"--mount", "type=bind,source=" + m.source + ",target=" + m.target +
                                        (m.read_only ? ",readonly" : "")});
    for (int g : gpus) a.insert(a.end(), {"--device", "nvidia.com/gpu=" + std::to_string(g)});
    a.insert(a.end(), {"--", job.image});
  } else if (runtime == "apptainer") {
    a = {"apptainer", "exec"};
    if (!gpus.empty()) a.push_back("--nv");
    if (!job.workdir.empty()) a.insert(a.end(), {"--pwd", job.workdir});
    for (const auto &m : job.mounts)
      a.insert(a.end(), {"--bind", m.source + ":" + m.target + (m.read_only ? ":ro" : "")});
    a.push_back(job.image.find("://") != std::string::npos || job.image[0] == '/'
                    ? job.image
                    : "docker://" + job.image);
  } else {
    usage_error("unknown container runtime '" + runtime + "': expected none, podman or apptainer");
  }
  a.insert(a.end(), job.command.begin(), job.command.end());
  return a;
}

int supervise(const std::string &state, const records::Job &job, const std::string &gpu_arg,
              double grace, const std::string &runtime) {
  const std::string &id = job.id;
  // Runs with TERM, INT, HUP and CHLD blocked; fd 3 is the lock, kept for life but not
  // given to the job.
  ::fcntl(3, F_SETFD, FD_CLOEXEC);
  const std::string dir = run_dir(state, id);
  const double started = now_s();
  nlohmann::json status{{"state", "failed"}, {"exit_code", nullptr}, {"started_at", started}};
  auto finish = [&](const std::string &st, std::optional<int> code, const std::string &reason) {
    status["state"] = st;
    status["exit_code"] = code ? nlohmann::json(*code) : nlohmann::json(nullptr);
    if (!reason.empty()) status["reason"] = reason;
    status["ended_at"] = now_s();
    write_json(dir + "/status.json", status);
    return 0;
  };
  try {
    if (auto stop = read_json(dir + "/stop.json"))
      return finish(stop->value("reason", "cancelled"), std::nullopt, "stopped before it started");
    std::vector<int> gpus;
    if (!gpu_arg.empty()) {
      std::size_t start = 0;
      while (start < gpu_arg.size()) {
        auto comma = gpu_arg.find(',', start);
        gpus.push_back(std::stoi(gpu_arg.substr(start, comma - start)));
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    }
    std::vector<std::string> cmd = container_argv(job, runtime, gpus);
    // The job's environment: a few variables of the dispatcher's (never all of them: it
    // may hold secrets such as AIP_DB), then the job's own, then what aip sets.
    std::vector<std::string> env;
    for (const char *keep : {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR"})
      if (const char *v = std::getenv(keep); v != nullptr && job.env.count(keep) == 0U)
        env.push_back(std::string(keep) + "=" + v);
    for (const auto &[k, v] : job.env) env.push_back(k + "=" + v);
    env.push_back("AIP_JOB_ID=" + job.id);
    env.push_back("CUDA_VISIBLE_DEVICES=" + join(gpus));
    const std::string out_log = state + "/logs/" + id + ".out",
                      err_log = state + "/logs/" + id + ".err";

    pid_t child = ::fork();
    if (child < 0)
      return finish("failed", std::nullopt, std::string("fork: ") + std::strerror(errno));
    if (child == 0) {
      ::setpgid(0, 0);
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      int in = ::open("/dev/null", O_RDONLY);
      int out = ::open(out_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      int err = ::open(err_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (in < 0 || out < 0 || err < 0) _exit(126);
      ::dup2(in, 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      auto say = [](const std::string &m) { (void)!::write(2, m.data(), m.size()); };
      if (!job.workdir.empty() && ::chdir(job.workdir.c_str()) != 0) {
        say("aip-dispatch: cannot enter " + job.workdir + ": " + std::strerror(errno) + "\n");
        _exit(127);
      }
      rlimit core{0, 0};
      ::setrlimit(RLIMIT_CORE, &core);
      if (job.resources.memory_bytes > 0 && runtime == "none") {
        rlimit as{job.resources.memory_bytes, job.resources.memory_bytes};
        ::setrlimit(RLIMIT_AS, &as);
      }
      std::vector<char *> a, e;
      for (auto &s : cmd) a.push_back(s.data());
      a.push_back(nullptr);
      for (auto &s : env) e.push_back(s.data());
      e.push_back(nullptr);
      ::execvpe(a[0], a.data(), e.data());
      say("aip-dispatch: cannot run '" + cmd[0] + "': " + std::strerror(errno) + "\n");
      _exit(127);
    }
    ::setpgid(child, child);
    write_json(dir + "/started.json",
               {{"pid", ::getpid()}, {"pgid", child}, {"started_at", started}, {"gpus", gpus}});

    sigset_t wait_set;
    sigemptyset(&wait_set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&wait_set, s);
    const double deadline = started + static_cast<double>(job.walltime_s);
    double kill_at = 0;
    std::string stopped; // cancelled, preempted or timeout
    std::string reason;
    int wstatus = 0;
    for (;;) {
      pid_t r = ::waitpid(child, &wstatus, WNOHANG);
      if (r == child) break;
      double now = now_s();
      if (stopped.empty() && now >= deadline) {
        stopped = "timeout";
        char b[96];
        std::snprintf(b, sizeof b, "walltime of %lld s reached",
                      static_cast<long long>(job.walltime_s));
        reason = b;
        ::kill(-child, SIGTERM);
        kill_at = now + grace;
      }
      if (kill_at > 0 && now >= kill_at) {
        ::kill(-child, SIGKILL);
        kill_at = 0;
      }
      double next = stopped.empty() ? deadline : (kill_at > 0 ? kill_at : now + 1);
      double wait = std::clamp(next - now, 0.001, 1.0);
      timespec ts{static_cast<time_t>(wait), static_cast<long>((wait - std::floor(wait)) * 1e9)};
      int sig = ::sigtimedwait(&wait_set, nullptr, &ts);
      if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
        if (stopped.empty()) {
          auto stop = read_json(dir + "/stop.json");
          stopped = stop ? stop->value("reason", "cancelled") : "cancelled";
          double g = stop ? stop->value("grace_s", grace) : grace;
          reason = stopped == "preempted" ? "preempted for an interactive job" : "cancelled";
          ::kill(-child, SIGTERM);
          kill_at = now_s() + g;
        }
      }
    }
    ::kill(-child, SIGKILL); // whatever the job left behind in its group
    int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    if (!stopped.empty()) return finish(stopped, code, reason);
    return finish(code == 0 ? "succeeded" : "failed", code,
                  code == 127 ? "the command could not be run (see the .err log)" : "");
  } catch (const std::exception &e) {
    return finish("failed", std::nullopt, std::string("supervisor: ") + e.what());
  }
}

} // namespace aip::dispatch
