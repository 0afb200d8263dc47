#include "aip/dispatch/local.hpp"

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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace aip::dispatch {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string run_dir(const std::string &state, const std::string &id) { return state + "/local/" + id; }

bool exists(const std::string &p) { return ::access(p.c_str(), F_OK) == 0; }

void write_json(const std::string &path, const nlohmann::json &j) {
  AtomicFile f(path);
  f.write(j.dump() + "\n");
  f.commit();
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
  int fd = ::open((dir + "/lock").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

Observation from_status(const nlohmann::json &s, const std::string &backend_id) {
  Observation o;
  o.backend_id = backend_id;
  o.state = records::parse_job_state(s.value("state", "failed"));
  if (s.contains("exit_code") && s["exit_code"].is_number_integer()) o.exit_code = s["exit_code"].get<int>();
  o.reason = s.value("reason", "");
  o.started_at = s.value("started_at", 0.0);
  o.ended_at = s.value("ended_at", 0.0);
  return o;
}

std::string read_pid(const std::string &dir) {
  auto j = read_json(dir + "/pid.json");
  return j && j->contains("pid") ? std::to_string((*j)["pid"].get<long>()) : "";
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
    if (auto st = read_json(dir + "/started.json")) o.started_at = st->value("started_at", 0.0);
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
  explicit LocalBackend(BackendOptions o) : opt_(std::move(o)) {
    if (opt_.self_exe.empty()) {
      std::error_code ec;
      opt_.self_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
      if (ec) fail(Exit::internal, "cannot find my own program in /proc/self/exe");
    }
  }
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
      o.reason = "image '" + job.image + "' needs a container runtime: set runtime = podman or apptainer in [node]";
      return o;
    }
    std::string dir = run_dir(opt_.state_dir, job.id);
    std::filesystem::remove_all(dir);
    make_dirs(dir);
    write_json(dir + "/job.json", records::to_json(job));
    int lock = ::open((dir + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) fail(Exit::cant_create, dir + "/lock: " + std::strerror(errno));
    std::string gpu_list;
    for (int g : gpus) gpu_list += (gpu_list.empty() ? "" : ",") + std::to_string(g);
    std::vector<std::string> args{"aip-dispatch", "__supervise", opt_.state_dir, job.id, gpu_list.empty() ? "-" : gpu_list,
                                  std::to_string(opt_.kill_grace_s), opt_.runtime};
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, (dir + "/supervisor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, lock, 3); // inherited: the lock stays held
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // The supervisor starts with the signals it handles blocked, so a cancel that comes
    // before it is ready waits instead of killing it; and in a session of its own, so the
    // dispatcher's terminal or process group cannot take it down.
    sigset_t mask, dflt;
    sigemptyset(&mask);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&mask, s);
    sigemptyset(&dflt);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE}) sigaddset(&dflt, s);
    posix_spawnattr_setsigmask(&attr, &mask);
    posix_spawnattr_setsigdefault(&attr, &dflt);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int rc = ::posix_spawn(&pid, opt_.self_exe.c_str(), &fa, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    ::close(lock);
    if (rc != 0) fail(Exit::unavailable, "cannot start the local supervisor " + opt_.self_exe + ": " + std::strerror(rc));
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

std::unique_ptr<Backend> make_local_backend(const BackendOptions &options) { return std::make_unique<LocalBackend>(options); }

std::vector<std::string> container_argv(const records::Job &job, const std::string &runtime, const std::vector<int> &gpus) {
  if (job.image.empty() || runtime == "none") return job.command;
  std::vector<std::string> a;
  if (runtime == "podman") {
    a = {"podman", "run", "--rm", "--init", "--name", "aip-" + job.id};
    for (const auto &[k, v] : job.env) a.insert(a.end(), {"--env", k}); // the value comes from our environment
    a.insert(a.end(), {"--env", "AIP_JOB_ID"});
    if (!job.workdir.empty()) a.insert(a.end(), {"--workdir", job.workdir});
    for (const auto &m : job.mounts)
      a.insert(a.end(), {"--mount", "type=bind,source=" + m.source + ",target=" + m.target + (m.read_only ? ",readonly" : "")});
    for (int g : gpus) a.insert(a.end(), {"--device", "nvidia.com/gpu=" + std::to_string(g)});
    a.insert(a.end(), {"--", job.image});
  } else if (runtime == "apptainer") {
    a = {"apptainer", "exec"};
    if (!gpus.empty()) a.push_back("--nv");
    if (!job.workdir.empty()) a.insert(a.end(), {"--pwd", job.workdir});
    for (const auto &m : job.mounts) a.insert(a.end(), {"--bind", m.source + ":" + m.target + (m.read_only ? ":ro" : "")});
    a.push_back(job.image.find("://") != std::string::npos || job.image[0] == '/' ? job.image : "docker://" + job.image);
  } else {
    usage_error("unknown container runtime '" + runtime + "': expected none, podman or apptainer");
  }
  a.insert(a.end(), job.command.begin(), job.command.end());
  return a;
}

int supervise_main(int argc, const char *const argv[]) {
  // argv: STATE ID GPUS GRACE RUNTIME. Runs with TERM, INT, HUP and CHLD blocked (the
  // dispatcher spawned it so); fd 3 is the lock, kept for life but not given to the job.
  if (argc < 5) return 64;
  const std::string state = argv[0], id = argv[1], gpu_arg = argv[2];
  const double grace = std::atof(argv[3]);
  const std::string runtime = argc > 4 ? argv[4] : "none";
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
    write_json(dir + "/pid.json", {{"pid", ::getpid()}});
    auto jj = read_json(dir + "/job.json");
    if (!jj) return finish("failed", std::nullopt, "cannot read " + dir + "/job.json");
    records::Job job = records::job_from_json(*jj, dir + "/job.json");
    if (auto stop = read_json(dir + "/stop.json")) return finish(stop->value("reason", "cancelled"), std::nullopt, "stopped before it started");
    std::vector<int> gpus;
    if (gpu_arg != "-") {
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
      if (const char *v = std::getenv(keep); v != nullptr && job.env.count(keep) == 0U) env.push_back(std::string(keep) + "=" + v);
    for (const auto &[k, v] : job.env) env.push_back(k + "=" + v);
    env.push_back("AIP_JOB_ID=" + job.id);
    env.push_back("CUDA_VISIBLE_DEVICES=" + join(gpus));
    const std::string out_log = state + "/logs/" + id + ".out", err_log = state + "/logs/" + id + ".err";

    pid_t child = ::fork();
    if (child < 0) return finish("failed", std::nullopt, std::string("fork: ") + std::strerror(errno));
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
    write_json(dir + "/started.json", {{"pgid", child}, {"started_at", started}});

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
        std::snprintf(b, sizeof b, "walltime of %lld s reached", static_cast<long long>(job.walltime_s));
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
    return finish(code == 0 ? "succeeded" : "failed", code, code == 127 ? "the command could not be run (see the .err log)" : "");
  } catch (const std::exception &e) {
    return finish("failed", std::nullopt, std::string("supervisor: ") + e.what());
  }
}

} // namespace aip::dispatch
