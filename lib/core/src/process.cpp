#include "aip/core/process.hpp"

#include "aip/core/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace aip {
namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0)
      fail(Exit::internal, std::string("pipe: ") + std::strerror(errno));
  }
  ~Pipe() { close_both(); }
  void close_end(int i) {
    if (fd[i] >= 0) ::close(fd[i]);
    fd[i] = -1;
  }
  void close_both() {
    close_end(0);
    close_end(1);
  }
};

bool executable(const std::string &path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

} // namespace

std::optional<std::string> find_on_path(const std::string &name) {
  if (name.find('/') != std::string::npos)
    return executable(name) ? std::optional(name) : std::nullopt;
  const char *path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    auto colon = p.find(':', start);
    std::string dir =
        p.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    if (executable(candidate)) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

ProcessResult run_process(const std::vector<std::string> &argv, const ProcessOptions &options) {
  if (argv.empty()) fail(Exit::internal, "run_process: empty argv");
  auto program = find_on_path(argv[0]);
  if (!program) fail(Exit::unavailable, "cannot run '" + argv[0] + "': not found on PATH");

  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], STDERR_FILENO);
  if (!options.workdir.empty())
    posix_spawn_file_actions_addchdir_np(&actions, options.workdir.c_str());

  std::vector<std::string> env_store;
  for (char **e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry = *e;
    auto eq = entry.find('=');
    bool replaced = false;
    for (const auto &add : options.set_env)
      if (add.compare(0, add.find('=') + 1, entry, 0, eq + 1) == 0) replaced = true;
    if (!replaced) env_store.push_back(std::move(entry));
  }
  for (const auto &add : options.set_env) env_store.push_back(add);
  std::vector<char *> envp, args;
  for (auto &e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto &a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  pid_t pid = -1;
  int rc = ::posix_spawn(&pid, program->c_str(), &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) fail(Exit::unavailable, "cannot run '" + argv[0] + "': " + std::strerror(rc));
  in.close_end(0);
  out.close_end(1);
  err.close_end(1);

  ProcessResult result;
  std::size_t written = 0;
  if (options.input.empty())
    in.close_end(1);
  else
    ::fcntl(in.fd[1], F_SETFL, O_NONBLOCK);
  auto deadline = options.timeout ? std::chrono::steady_clock::now() + *options.timeout
                                  : std::chrono::steady_clock::time_point::max();
  bool term_sent = false;
  char buf[65536];
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    int idx_out = -1, idx_err = -1, idx_in = -1;
    if (out.fd[0] >= 0) {
      fds[n] = {out.fd[0], POLLIN, 0};
      idx_out = n++;
    }
    if (err.fd[0] >= 0) {
      fds[n] = {err.fd[0], POLLIN, 0};
      idx_err = n++;
    }
    if (in.fd[1] >= 0) {
      fds[n] = {in.fd[1], POLLOUT, 0};
      idx_in = n++;
    }
    int wait_ms = -1;
    if (options.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      wait_ms = left > 0 ? static_cast<int>(left) : 0;
      if (left <= 0) {
        if (!term_sent) {
          ::kill(pid, SIGTERM);
          term_sent = true;
          result.timed_out = true;
          deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
          continue;
        }
        ::kill(pid, SIGKILL);
        break;
      }
    }
    int ready = ::poll(fds, static_cast<nfds_t>(n), wait_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      break;
    }
    auto drain = [&](int idx, Pipe &p, std::string &sink) {
      if (idx < 0 || (fds[idx].revents & (POLLIN | POLLHUP | POLLERR)) == 0) return;
      ssize_t got = ::read(p.fd[0], buf, sizeof buf);
      if (got > 0)
        sink.append(buf, static_cast<std::size_t>(got));
      else if (got == 0 || errno != EINTR)
        p.close_end(0);
    };
    drain(idx_out, out, result.out);
    drain(idx_err, err, result.err);
    if (idx_in >= 0 && (fds[idx_in].revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
      // SIGPIPE is blocked around the write: a child that exits without reading its input
      // must not kill us; the pending signal is then taken back.
      sigset_t pipe_set, old_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
      ssize_t put =
          ::write(in.fd[1], options.input.data() + written, options.input.size() - written);
      if (put < 0 && errno == EPIPE) {
        timespec zero{};
        ::sigtimedwait(&pipe_set, nullptr, &zero);
      }
      ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
      if (put > 0) written += static_cast<std::size_t>(put);
      if (put < 0 && errno != EAGAIN && errno != EINTR)
        in.close_end(1); // the child closed its stdin
      if (written == options.input.size()) in.close_end(1);
    }
  }
  in.close_end(1);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

} // namespace aip
