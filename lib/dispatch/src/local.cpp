#include "aip/dispatch/local.hpp"

#include "aip/dispatch/cgroup.hpp"
#include "aip/dispatch/queue.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <map>
#include <poll.h>
#include <sched.h>
#include <set>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace aip::dispatch {

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string record_path(const std::string &state, const std::string &id) {
  return state + "/local/" + id + ".jsonl";
}

bool exists(const std::string &p) { return ::access(p.c_str(), F_OK) == 0; }

// ---- The run record: local/ID.jsonl, appended to, never replaced (see local.hpp). ----

struct RunRecord {
  std::optional<nlohmann::json> started, stop, status;
};

RunRecord parse_record(std::string_view text) {
  RunRecord r;
  std::size_t start = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) break; // cut short by a kill: not a record
    auto line = text.substr(start, nl - start);
    start = nl + 1;
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    if (j.contains("started") && j["started"].is_object()) r.started = j["started"];
    if (j.contains("stop") && j["stop"].is_object()) r.stop = j["stop"];
    if (j.contains("status") && j["status"].is_object()) r.status = j["status"];
  }
  return r;
}

std::string read_fd(int fd) {
  std::string text;
  char buf[4096];
  off_t at = 0;
  ssize_t n;
  while ((n = ::pread(fd, buf, sizeof buf, at)) > 0) {
    text.append(buf, static_cast<std::size_t>(n));
    at += n;
  }
  return text;
}

std::optional<RunRecord> read_record(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text = read_fd(fd);
  ::close(fd);
  return parse_record(text);
}

// One line with one write(2) on an O_APPEND descriptor; a line cut short before gets its
// line break first, so the new one stands alone.
bool append_line(int fd, const nlohmann::json &j) {
  std::string line = j.dump() + "\n";
  struct stat st {};
  char last = '\n';
  if (::fstat(fd, &st) == 0 && st.st_size > 0) (void)!::pread(fd, &last, 1, st.st_size - 1);
  if (last != '\n') line.insert(0, 1, '\n');
  return ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
}

// Whether a supervisor holds the record's lock (the job is running or about to).
bool lock_held(const std::string &path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

std::string pid_of(const RunRecord &r) {
  return r.started && r.started->contains("pid") && (*r.started)["pid"].is_number_integer()
             ? std::to_string((*r.started)["pid"].get<long>())
             : "";
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

// What a run record says about its job; nothing when no supervisor ever started it.
std::optional<Observation> observe(const std::string &path) {
  if (!exists(path)) return std::nullopt;
  // The lock first: a supervisor appends the status before it lets the lock go, so "free,
  // then no status" cannot be a status still on its way.
  if (lock_held(path)) {
    Observation o;
    o.state = records::JobState::running;
    if (auto r = read_record(path); r && r->started) {
      o.backend_id = pid_of(*r);
      o.started_at = r->started->value("started_at", 0.0);
      if (r->started->contains("gpus") && (*r->started)["gpus"].is_array())
        for (const auto &g : (*r->started)["gpus"])
          if (g.is_number_integer()) o.gpus.push_back(g.get<int>());
    }
    return o;
  }
  auto r = read_record(path);
  if (!r) return std::nullopt;
  if (r->status) return from_status(*r->status, pid_of(*r));
  if (r->started) {
    // The supervisor was killed: its job may still run in its own group.
    long pgid = r->started->value("pgid", 0L);
    if (pgid > 1) ::kill(static_cast<pid_t>(-pgid), SIGKILL);
    Observation o;
    o.backend_id = pid_of(*r);
    o.state = records::JobState::failed;
    o.reason = "the local supervisor ended without a status (killed?)";
    o.started_at = r->started->value("started_at", 0.0);
    o.ended_at = now_s();
    return o;
  }
  return std::nullopt;
}

std::string join(const std::vector<int> &v) {
  std::string s;
  for (int g : v) s += (s.empty() ? "" : ",") + std::to_string(g);
  return s;
}

int supervisor_main(int sock, const std::string &state, double grace, const std::string &runtime);

// ---- The dispatcher's side. ----

class LocalBackend : public Backend {
public:
  explicit LocalBackend(BackendOptions o) : opt_(std::move(o)) {}
  ~LocalBackend() override {
    // Each supervisor sees the end of its socket, finishes the job it holds and exits.
    for (auto &sp : sups_)
      if (sp.sock >= 0) ::close(sp.sock);
    if (epoll_ >= 0) ::close(epoll_);
  }
  LocalBackend(const LocalBackend &) = delete;
  LocalBackend &operator=(const LocalBackend &) = delete;

  std::string name() const override { return "local"; }
  bool schedules_itself() const override { return false; }
  // Readable when any supervisor reported (an epoll descriptor over their sockets).
  int wake_fd() const override { return epoll_; }

  std::string render(const records::Job &job) const override {
    std::string out;
    for (const auto &a : container_argv(job, opt_.runtime, {})) out += (out.empty() ? "" : " ") + a;
    return out + "\n";
  }

  std::optional<Observation> find(const records::Job &job) override {
    std::string path = record_path(opt_.state_dir, job.id);
    auto o = observe(path);
    if (!o && exists(path)) ::unlink(path.c_str()); // claimed, never started
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
    // The run record, locked before a supervisor learns of the job: "lock held" means the
    // job runs or is about to, from the moment the job is handed over (the descriptor is
    // passed with the job, so the lock stays held while the message is in flight, even if
    // the dispatcher dies right after sending it).
    const std::string path = record_path(opt_.state_dir, job.id);
    // O_TRUNC: a requeued job's earlier run (ended, so no process holds its lock).
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) {
      int err = errno;
      if (fd >= 0) ::close(fd);
      fail(Exit::cant_create, path + ": " + std::strerror(err));
    }
    nlohmann::json frame{{"job", records::to_json(job)}, {"gpus", join(gpus)}};
    const std::string payload = frame.dump();
    Sup *sent = nullptr;
    for (int attempt = 0; attempt < 2 && sent == nullptr; ++attempt) {
      Sup &sp = pick_supervisor();
      if (send_job(sp, payload, fd))
        sent = &sp;
      else
        lost(sp); // it died: start another once
    }
    if (sent == nullptr) {
      int err = errno;
      ::unlink(path.c_str());
      ::close(fd);
      fail(Exit::unavailable,
           std::string("cannot hand the job to a local supervisor: ") + std::strerror(err));
    }
    ::close(fd);
    ++sent->running;
    launched_[job.id] = sent->pid;
    o.backend_id = std::to_string(sent->pid);
    o.state = records::JobState::running;
    o.started_at = now_s();
    return o;
  }

  std::map<std::string, Observation> poll(const std::vector<Handle> &handles) override {
    pump();
    std::map<std::string, Observation> out;
    for (const auto &h : handles) {
      if (auto it = ended_.find(h.job_id); it != ended_.end()) {
        out[h.job_id] = it->second;
        ended_.erase(it);
        continue;
      }
      if (launched_.count(h.job_id) != 0U) { // ours, still running: nothing to read
        Observation o;
        o.backend_id = h.backend_id;
        o.state = records::JobState::running;
        out[h.job_id] = o;
        continue;
      }
      // A job of an earlier dispatcher's supervisor: its run record says.
      std::string path = record_path(opt_.state_dir, h.job_id);
      auto o = observe(path);
      if (!o) {
        o = Observation{};
        o->state = records::JobState::failed;
        o->reason = "the local run record " + path + " is missing";
      }
      if (o->backend_id.empty()) o->backend_id = h.backend_id;
      out[h.job_id] = *o;
    }
    return out;
  }

  void cancel(const Handle &h, const std::string &reason, double grace_s) override {
    const std::string path = record_path(opt_.state_dir, h.job_id);
    int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC); // read: the last byte
    if (fd < 0) return; // never started: the dispatcher has nothing to stop
    append_line(fd, {{"stop", {{"reason", reason}, {"grace_s", grace_s}}}});
    ::close(fd);
    std::string pid;
    if (auto r = read_record(path)) pid = pid_of(*r);
    if (pid.empty()) pid = h.backend_id;
    // Only a supervisor that still holds the lock is signalled: a pid whose supervisor
    // ended may already name another process. SIGUSR1 asks it to read the stop requests.
    if (!pid.empty() && lock_held(path)) ::kill(static_cast<pid_t>(std::stol(pid)), SIGUSR1);
  }

  bool reap() override {
    int status = 0;
    pid_t p;
    std::vector<pid_t> gone;
    while ((p = ::waitpid(-1, &status, WNOHANG)) > 0) gone.push_back(p);
    bool any = pump(); // whatever they reported before they went is in
    for (pid_t g : gone)
      for (auto &sp : sups_)
        if (sp.pid == g) lost(sp);
    return any;
  }

private:
  // One supervisor per job running at once (per slot, in effect), each reused for job after
  // job: a supervisor blocked in one job's clone-and-exec does not delay another's report.
  struct Sup {
    int sock = -1;
    pid_t pid = -1;
    int running = 0; // jobs handed to it and not reported yet
    std::string in;  // a report's start, while the rest is on its way
  };

  Sup &pick_supervisor() {
    Sup *best = nullptr;
    for (auto &sp : sups_)
      if (sp.sock >= 0 && (best == nullptr || sp.running < best->running)) best = &sp;
    if (best != nullptr && (best->running == 0 || sups_.size() >= 256)) return *best;
    return start_supervisor();
  }

  Sup &start_supervisor() {
    if (epoll_ < 0) {
      epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
      if (epoll_ < 0)
        fail(Exit::unavailable, std::string("epoll_create1: ") + std::strerror(errno));
    }
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
      fail(Exit::unavailable, std::string("socketpair: ") + std::strerror(errno));
    // A supervisor is a fork of the dispatcher, started when no idle one is left (not per
    // job), in a session of its own so the dispatcher's terminal or process group cannot take
    // it down. fork() without exec is sound because the dispatcher is single-threaded (no TBB
    // or other threads run in `run` or `submit`); keep it so.
    pid_t pid = ::fork();
    if (pid < 0) {
      int err = errno;
      ::close(sv[0]);
      ::close(sv[1]);
      fail(Exit::unavailable,
           std::string("cannot start a local supervisor: fork: ") + std::strerror(err));
    }
    if (pid == 0) {
      // First of all, let go of every descriptor of the dispatcher's but the socket: the
      // queue's own lock among them, which a restarted dispatcher must find free, and the
      // other supervisors' sockets.
      ::dup2(sv[1], 3); // clears close-on-exec on 3; supervisor_main sets it again
      ::close_range(4, ~0U, 0);
      ::setsid();
      for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGPIPE, SIGUSR1}) ::signal(sig, SIG_DFL);
      int null = ::open("/dev/null", O_RDWR);
      if (null < 0) ::_exit(70);
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2); // it says what goes wrong in the run records
      if (null > 2) ::close(null);
      ::prctl(PR_SET_NAME, "aip-supervisor", 0, 0, 0);
      ::_exit(supervisor_main(3, opt_.state_dir, opt_.kill_grace_s, opt_.runtime));
    }
    ::close(sv[1]);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = sv[0];
    ::epoll_ctl(epoll_, EPOLL_CTL_ADD, sv[0], &ev);
    for (auto &sp : sups_)
      if (sp.sock < 0) { // reuse a lost one's place
        sp = Sup{sv[0], pid, 0, {}};
        return sp;
      }
    sups_.push_back(Sup{sv[0], pid, 0, {}});
    return sups_.back();
  }

  // A frame: the payload's length (4 bytes, little-endian), the payload, and the record's
  // descriptor attached with SCM_RIGHTS.
  static bool send_job(Sup &sp, const std::string &payload, int fd) {
    std::string frame(4, '\0');
    auto n = static_cast<std::uint32_t>(payload.size());
    for (int i = 0; i < 4; ++i) frame[i] = static_cast<char>((n >> (8 * i)) & 0xff);
    frame += payload;
    std::size_t done = 0;
    bool fd_sent = false;
    while (done < frame.size()) {
      iovec iov{frame.data() + done, frame.size() - done};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
      if (!fd_sent) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
      }
      ssize_t k = ::sendmsg(sp.sock, &msg, MSG_NOSIGNAL);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) return false;
      fd_sent = true;
      done += static_cast<std::size_t>(k);
    }
    return true;
  }

  // Takes in the supervisors' reports (one JSON line per ended job); true when one came.
  bool pump() {
    if (epoll_ < 0) return false;
    epoll_event evs[64];
    int n = ::epoll_wait(epoll_, evs, 64, 0);
    bool any = false;
    for (int i = 0; i < n; ++i)
      for (auto &sp : sups_)
        if (sp.sock == evs[i].data.fd) any = read_reports(sp) || any;
    return any;
  }

  bool read_reports(Sup &sp) {
    bool any = false, closed = false;
    char buf[16384];
    for (;;) {
      ssize_t n = ::recv(sp.sock, buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n == 0) closed = true;
      if (n <= 0) break;
      sp.in.append(buf, static_cast<std::size_t>(n));
    }
    std::size_t start = 0, nl;
    while ((nl = sp.in.find('\n', start)) != std::string::npos) {
      auto j =
          nlohmann::json::parse(std::string_view(sp.in).substr(start, nl - start), nullptr, false);
      start = nl + 1;
      if (j.is_discarded() || !j.is_object() || !j.contains("id") || !j["id"].is_string()) continue;
      std::string id = j["id"];
      ended_[id] = from_status(j, std::to_string(sp.pid));
      launched_.erase(id);
      --sp.running;
      any = true;
    }
    sp.in.erase(0, start);
    if (closed) lost(sp);
    return any;
  }

  // A supervisor is gone (or its socket is): the jobs it never reported are read from their
  // run records from now on.
  void lost(Sup &sp) {
    if (sp.sock >= 0) {
      ::epoll_ctl(epoll_, EPOLL_CTL_DEL, sp.sock, nullptr);
      ::close(sp.sock);
    }
    sp.sock = -1;
    for (auto it = launched_.begin(); it != launched_.end();)
      it = it->second == sp.pid ? launched_.erase(it) : std::next(it);
    sp.running = 0;
  }

  BackendOptions opt_;
  int epoll_ = -1;
  std::vector<Sup> sups_;
  std::map<std::string, pid_t> launched_;    // handed to a supervisor, not reported yet
  std::map<std::string, Observation> ended_; // reported, not yet polled
};

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

// ---- The supervisor: one process per dispatcher run, holding every job it started. ----

namespace {

// What the job's child needs, prepared before clone(): the child shares the supervisor's
// memory until it execs, so it only makes system calls (no allocation, no locks).
struct SpawnArgs {
  char *const *argv;
  char *const *envp;
  const char *out_log, *err_log, *workdir;
  const char *cannot_run;   // "aip-dispatch: cannot run 'X': "
  const char *cannot_cd;    // "aip-dispatch: cannot enter DIR: "
  rlim_t memory;            // RLIMIT_AS, 0 for none
  const char *cgroup_procs; // the job's group's cgroup.procs, or null
};

void say(const char *prefix, int err) {
  const char *why = ::strerrordesc_np(err);
  if (why == nullptr) why = "error";
  (void)!::write(2, prefix, std::strlen(prefix));
  (void)!::write(2, why, std::strlen(why));
  (void)!::write(2, "\n", 1);
}

int spawn_child(void *p) {
  const auto *a = static_cast<const SpawnArgs *>(p);
  ::setpgid(0, 0);
  if (a->cgroup_procs != nullptr) { // into the job's group before the exec ("0": this process)
    int cg = ::open(a->cgroup_procs, O_WRONLY | O_CLOEXEC);
    if (cg >= 0) {
      (void)!::write(cg, "0", 1);
      ::close(cg);
    }
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int in = ::open("/dev/null", O_RDONLY);
  int out = ::open(a->out_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  int err = ::open(a->err_log, O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (in < 0 || out < 0 || err < 0) ::_exit(126);
  ::dup2(in, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  if (in > 2) ::close(in);
  if (out > 2) ::close(out);
  if (err > 2) ::close(err);
  if (a->workdir[0] != '\0' && ::chdir(a->workdir) != 0) {
    say(a->cannot_cd, errno);
    ::_exit(127);
  }
  rlimit core{0, 0};
  ::setrlimit(RLIMIT_CORE, &core);
  if (a->memory > 0) {
    rlimit as{a->memory, a->memory};
    ::setrlimit(RLIMIT_AS, &as);
  }
  ::execvpe(a->argv[0], a->argv, a->envp);
  say(a->cannot_run, errno);
  ::_exit(127);
}

struct Run {
  std::string id;
  int fd = -1; // the run record: its lock, held until the status is appended
  pid_t child = -1;
  double started = 0, deadline = 0, kill_at = 0;
  long long walltime = 0;
  std::string stopped, reason; // cancelled, preempted or timeout
  std::string cgroup;          // the job's cgroup v2 group, when it has one
};

class Supervisor {
public:
  Supervisor(int sock, std::string state, double grace, std::string runtime)
      : sock_(sock), state_(std::move(state)), grace_(grace), runtime_(std::move(runtime)),
        cgroups_(detect_cgroup_v2()) {
    stack_.resize(256 * 1024);
  }

  int loop() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1}) sigaddset(&set, s);
    ::sigprocmask(SIG_BLOCK, &set, nullptr);
    int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
    if (sfd < 0) return 70;
    for (;;) {
      if (sock_ < 0 && runs_.empty()) return 0;
      double now = now_s(), next = now + 1;
      for (const auto &[pid, r] : runs_) {
        if (r.stopped.empty()) next = std::min(next, r.deadline);
        if (r.kill_at > 0) next = std::min(next, r.kill_at);
      }
      int ms = static_cast<int>(std::ceil(std::clamp(next - now, 0.0, 1.0) * 1000));
      pollfd fds[2] = {{sfd, POLLIN, 0}, {sock_, POLLIN, 0}};
      int n = ::poll(fds, sock_ >= 0 ? 2 : 1, ms);
      if (n > 0 && sock_ >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) receive();
      if (n > 0 && (fds[0].revents & POLLIN) != 0) {
        signalfd_siginfo si{};
        while (::read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
          if (si.ssi_signo == SIGCHLD) reap();
          if (si.ssi_signo == SIGUSR1) read_stop_requests();
          if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP)
            for (auto &[pid, r] : runs_) stop(r, "cancelled", grace_);
        }
      }
      reap(); // a SIGCHLD merged with another or read before the child was registered
      timers();
    }
  }

private:
  void receive() {
    char buf[65536];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 64)];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(sock_, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (std::size_t i = 0; i < k; ++i) {
          int fd;
          std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          fds_.push_back(fd);
        }
      }
    if (n <= 0) { // the dispatcher is gone: finish what is held, take nothing new
      ::close(sock_);
      sock_ = -1;
      return;
    }
    in_.append(buf, static_cast<std::size_t>(n));
    while (in_.size() >= 4) {
      std::uint32_t len = 0;
      for (int i = 0; i < 4; ++i)
        len |= static_cast<std::uint32_t>(static_cast<unsigned char>(in_[i])) << (8 * i);
      if (in_.size() < 4 + static_cast<std::size_t>(len)) break;
      std::string payload = in_.substr(4, len);
      in_.erase(0, 4 + static_cast<std::size_t>(len));
      int fd = -1;
      if (!fds_.empty()) {
        fd = fds_.front();
        fds_.pop_front();
      }
      start(payload, fd);
    }
  }

  void report(const Run &r, const nlohmann::json &status) {
    if (r.fd >= 0) {
      append_line(r.fd, {{"status", status}});
      ::close(r.fd); // lets the lock go: the status is in the record first
    }
    if (sock_ < 0) return;
    nlohmann::json m = status;
    m["id"] = r.id;
    std::string line = m.dump() + "\n";
    std::size_t done = 0;
    while (done < line.size()) {
      ssize_t k = ::send(sock_, line.data() + done, line.size() - done, MSG_NOSIGNAL);
      if (k < 0 && errno == EINTR) continue;
      if (k <= 0) return; // the dispatcher is gone: the record is what counts
      done += static_cast<std::size_t>(k);
    }
  }

  static nlohmann::json status_json(const std::string &state, std::optional<int> code,
                                    const std::string &reason, double started) {
    nlohmann::json s{{"state", state},
                     {"exit_code", code ? nlohmann::json(*code) : nlohmann::json(nullptr)},
                     {"started_at", started},
                     {"ended_at", now_s()}};
    if (!reason.empty()) s["reason"] = reason;
    return s;
  }

  void start(const std::string &payload, int fd) {
    Run r;
    r.fd = fd;
    r.started = now_s();
    try {
      auto frame = nlohmann::json::parse(payload);
      if (frame.contains("job") && frame["job"].is_object())
        r.id = frame["job"].value("id", ""); // for the report, should the record be bad
      records::Job job = records::job_from_json(frame.at("job"), "supervisor");
      r.id = job.id;
      if (fd < 0) { // no record came with the job (a bug): say so rather than keep it
        report(r, status_json("failed", std::nullopt,
                              "supervisor: the job came without its run record", r.started));
        return;
      }
      ::fcntl(fd, F_SETFD, FD_CLOEXEC);
      // A stop asked before the job started (the record is empty otherwise).
      struct stat st {};
      if (::fstat(fd, &st) == 0 && st.st_size > 0) {
        auto rec = parse_record(read_fd(fd));
        if (rec.stop) {
          report(r, status_json(rec.stop->value("reason", "cancelled"), std::nullopt,
                                "stopped before it started", r.started));
          return;
        }
      }
      std::vector<int> gpus;
      const std::string gpu_arg = frame.value("gpus", "");
      for (std::size_t at = 0; at < gpu_arg.size();) {
        auto comma = gpu_arg.find(',', at);
        gpus.push_back(std::stoi(gpu_arg.substr(at, comma - at)));
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
      std::vector<std::string> cmd = container_argv(job, runtime_, gpus);
      // The job's environment: a few variables of the dispatcher's (never all of them: it
      // may hold secrets such as AIP_DB), then the job's own, then what aip sets.
      std::vector<std::string> env;
      for (const char *keep : {"PATH", "HOME", "USER", "LOGNAME", "LANG", "TZ", "TMPDIR"})
        if (const char *v = std::getenv(keep); v != nullptr && job.env.count(keep) == 0U)
          env.push_back(std::string(keep) + "=" + v);
      for (const auto &[k, v] : job.env) env.push_back(k + "=" + v);
      env.push_back("AIP_JOB_ID=" + job.id);
      env.push_back("CUDA_VISIBLE_DEVICES=" + join(gpus));
      const std::string out_log = state_ + "/logs/" + job.id + ".out",
                        err_log = state_ + "/logs/" + job.id + ".err";
      const std::string cannot_run = "aip-dispatch: cannot run '" + cmd[0] + "': ",
                        cannot_cd = "aip-dispatch: cannot enter " + job.workdir + ": ";
      // A cgroup v2 group with the job's limits, where the machine allows it.
      std::string cgroup_note, procs;
      if (cgroups_.available) {
        std::string group = cgroups_.parent + "/aip-" + job.id, why;
        if (make_job_cgroup(group, cgroup_files(job), why)) {
          r.cgroup = group;
          procs = group + "/cgroup.procs";
          cgroup_note = group;
        } else {
          cgroup_note = "none: " + why;
        }
      } else {
        cgroup_note = "none: " + cgroups_.reason;
      }
      std::vector<char *> a, e;
      for (auto &s : cmd) a.push_back(s.data());
      a.push_back(nullptr);
      for (auto &s : env) e.push_back(s.data());
      e.push_back(nullptr);
      SpawnArgs args{a.data(),
                     e.data(),
                     out_log.c_str(),
                     err_log.c_str(),
                     job.workdir.c_str(),
                     cannot_run.c_str(),
                     cannot_cd.c_str(),
                     job.resources.memory_bytes > 0 && runtime_ == "none"
                         ? static_cast<rlim_t>(job.resources.memory_bytes)
                         : 0,
                     procs.empty() ? nullptr : procs.c_str()};
      // clone(CLONE_VM | CLONE_VFORK): the child borrows the supervisor's memory until its
      // exec, so starting a job copies no page tables (a fork of the supervisor did, and
      // cost more than the job's own exec); the supervisor waits only for that exec.
      pid_t child = ::clone(spawn_child, stack_.data() + stack_.size(),
                            CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
      if (child < 0) {
        int err = errno;
        if (!r.cgroup.empty()) ::rmdir(r.cgroup.c_str());
        report(r, status_json("failed", std::nullopt, std::string("clone: ") + std::strerror(err),
                              r.started));
        return;
      }
      r.child = child;
      r.walltime = job.walltime_s;
      r.deadline = r.started + static_cast<double>(job.walltime_s);
      append_line(fd, {{"started",
                        {{"pid", ::getpid()},
                         {"pgid", child},
                         {"started_at", r.started},
                         {"gpus", gpus},
                         {"cgroup", cgroup_note}}}});
      runs_.emplace(child, std::move(r));
    } catch (const std::exception &ex) {
      report(r, status_json("failed", std::nullopt, std::string("supervisor: ") + ex.what(),
                            r.started));
    }
  }

  void stop(Run &r, const std::string &why, double grace) {
    if (!r.stopped.empty()) return;
    r.stopped = why;
    r.reason = why == "preempted" ? "preempted for an interactive job" : "cancelled";
    ::kill(-r.child, SIGTERM);
    r.kill_at = now_s() + grace;
  }

  void read_stop_requests() {
    for (auto &[pid, r] : runs_) {
      if (!r.stopped.empty()) continue;
      auto rec = parse_record(read_fd(r.fd));
      if (rec.stop)
        stop(r, rec.stop->value("reason", "cancelled"), rec.stop->value("grace_s", grace_));
    }
  }

  void timers() {
    double now = now_s();
    // Groups whose last processes were still exiting at the job's end.
    leftover_.erase(std::remove_if(leftover_.begin(), leftover_.end(),
                                   [](const std::string &g) {
                                     return ::rmdir(g.c_str()) == 0 || errno == ENOENT;
                                   }),
                    leftover_.end());
    for (auto &[pid, r] : runs_) {
      if (r.stopped.empty() && now >= r.deadline) {
        r.stopped = "timeout";
        char b[96];
        std::snprintf(b, sizeof b, "walltime of %lld s reached", r.walltime);
        r.reason = b;
        ::kill(-r.child, SIGTERM);
        r.kill_at = now + grace_;
      }
      if (r.kill_at > 0 && now >= r.kill_at) {
        ::kill(-r.child, SIGKILL);
        r.kill_at = 0;
      }
    }
  }

  void reap() {
    int ws = 0;
    pid_t p;
    while ((p = ::waitpid(-1, &ws, WNOHANG)) > 0) {
      auto it = runs_.find(p);
      if (it == runs_.end()) continue;
      Run &r = it->second;
      ::kill(-r.child, SIGKILL); // whatever the job left behind in its group
      int code = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
      nlohmann::json st =
          !r.stopped.empty()
              ? status_json(r.stopped, code, r.reason, r.started)
              : status_json(code == 0 ? "succeeded" : "failed", code,
                            code == 127 ? "the command could not be run (see the .err log)" : "",
                            r.started);
      if (!r.cgroup.empty()) { // the group's usage, then the group goes
        auto u = read_cgroup_usage(r.cgroup);
        if (u.memory_peak_bytes) st["memory_peak_bytes"] = *u.memory_peak_bytes;
        if (u.cpu_s) st["cpu_s"] = *u.cpu_s;
        if (::rmdir(r.cgroup.c_str()) != 0) leftover_.push_back(r.cgroup); // still emptying
      }
      report(r, st);
      runs_.erase(it);
    }
  }

  int sock_;
  std::string state_;
  double grace_;
  std::string runtime_;
  std::vector<char> stack_;
  std::string in_;
  std::deque<int> fds_;
  std::map<pid_t, Run> runs_;
  CgroupSupport cgroups_;
  std::vector<std::string> leftover_;
};

int supervisor_main(int sock, const std::string &state, double grace, const std::string &runtime) {
  ::fcntl(sock, F_SETFD, FD_CLOEXEC);
  try {
    return Supervisor(sock, state, grace, runtime).loop();
  } catch (const std::exception &) {
    return 70;
  }
}

} // namespace

} // namespace aip::dispatch
