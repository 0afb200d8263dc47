#include "aip/dispatch/queue.hpp"

#include "aip/dispatch/spec.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>
#include <aip/records/fields.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace aip::dispatch {
namespace {

nlohmann::ordered_json tracking_json(const Tracking &t) {
  nlohmann::ordered_json j;
  j["backend"] = t.backend;
  j["backend_id"] = t.backend_id;
  j["state"] = records::to_string(t.state);
  j["gpus"] = t.gpus;
  j["claimed_at"] = t.claimed_at;
  j["started_at"] = t.started_at;
  j["ended_at"] = t.ended_at;
  j["exit_code"] = records::value_or_null(t.exit_code);
  j["reason"] = t.reason;
  j["stopping"] = t.stopping;
  j["stop_asked_at"] = t.stop_asked_at;
  j["requeues"] = t.requeues;
  return j;
}

Tracking tracking_from(const nlohmann::json &j, const std::string &where) {
  records::FieldReader f(j, where, "dispatch.");
  Tracking t;
  t.backend = f.string_or("backend", "");
  t.backend_id = f.string_or("backend_id", "");
  t.state = records::parse_job_state(f.string_or("state", "queued"));
  if (f.has("gpus"))
    for (const auto &g : f.raw("gpus")) t.gpus.push_back(g.get<int>());
  t.claimed_at = f.optional_number("claimed_at").value_or(0);
  t.started_at = f.optional_number("started_at").value_or(0);
  t.ended_at = f.optional_number("ended_at").value_or(0);
  t.exit_code = f.optional_int("exit_code");
  t.reason = f.string_or("reason", "");
  t.stopping = f.string_or("stopping", "");
  t.stop_asked_at = f.optional_number("stop_asked_at").value_or(0);
  t.requeues = static_cast<int>(f.optional_integer("requeues").value_or(0));
  return t;
}

std::vector<std::pair<std::string, unsigned long>> json_files(const std::string &dir) {
  std::vector<std::pair<std::string, unsigned long>> names;
  DIR *d = ::opendir(dir.c_str());
  if (d == nullptr) fail(Exit::io, dir + ": " + std::strerror(errno));
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n[0] != '.' && n.compare(n.size() - 5, 5, ".json") == 0)
      names.emplace_back(n, e->d_ino);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

std::string dir_of(const std::string &path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

void replace_file(const std::string &path, std::string_view bytes, bool durable) {
  static std::atomic<unsigned> counter{0};
  const std::string dir = dir_of(path);
  const std::string tmp = dir + "/." + path.substr(dir.size() + 1) + ".tmp-" +
                          std::to_string(::getpid()) + "-" + std::to_string(counter++);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) fail(Exit::cant_create, "cannot create '" + path + "': " + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      fail(Exit::io, "cannot write '" + path + "': " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (durable && ::fsync(fd) != 0) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    fail(Exit::io, "cannot write '" + path + "': " + std::strerror(err));
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    fail(Exit::cant_create, "cannot create '" + path + "': " + std::strerror(err));
  }
  if (durable) {
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
}

const char *stage_dir(Stage s) {
  switch (s) {
  case Stage::queued: return "new";
  case Stage::active: return "active";
  case Stage::done: return "done";
  }
  return "new";
}

Queue::Queue(std::string state_dir) : dir_(std::move(state_dir)) {
  for (const char *sub : {"/queue/new", "/queue/active", "/queue/done", "/logs", "/local"})
    make_dirs(dir_ + sub);
}

Queue::~Queue() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::string Queue::path(Stage stage, const std::string &id) const {
  return dir_ + "/queue/" + stage_dir(stage) + "/" + id + ".json";
}

std::string Queue::log_path(const std::string &id, bool err) const {
  return dir_ + "/logs/" + id + (err ? ".err" : ".out");
}

void Queue::sync() const {
  int fd = ::open((dir_ + "/queue/new").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail(Exit::io, dir_ + "/queue/new: " + std::strerror(errno));
  int rc = ::syncfs(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) fail(Exit::io, "syncfs " + dir_ + ": " + std::strerror(err));
}

void Queue::enqueue(const records::Job &job, bool durable) {
  check_job(job, "job " + job.id);
  for (Stage s : {Stage::queued, Stage::active, Stage::done})
    if (::access(path(s, job.id).c_str(), F_OK) == 0)
      data_error("job " + job.id + ": field 'id': already in the queue (" + stage_dir(s) + ")");
  Entry e{job, {}, Stage::queued};
  save(e, durable);
}

Entry Queue::read_entry(const std::string &file, Stage stage) const {
  std::string text = read_file(file);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) data_error(file + ": not a JSON object");
  Entry e;
  e.stage = stage;
  if (j.contains("job")) {
    e.job = records::job_from_json(j["job"], file);
    if (j.contains("dispatch")) e.track = tracking_from(j["dispatch"], file);
  } else {
    e.job = records::job_from_json(j, file); // a bare aip.job/v1 dropped into new/
  }
  check_job(e.job, file);
  std::string base = file.substr(file.rfind('/') + 1);
  if (base != e.job.id + ".json")
    data_error(file + ": field 'id': '" + e.job.id + "' does not match the file name");
  return e;
}

std::vector<Entry> Queue::list(Stage stage) const {
  std::vector<Entry> out;
  std::string dir = dir_ + "/queue/" + stage_dir(stage);
  auto files = json_files(dir);
  if (stage == Stage::queued) {
    std::map<std::string, std::pair<unsigned long, Entry>> fresh;
    for (const auto &[n, ino] : files) {
      auto it = queued_cache_.find(n);
      if (it != queued_cache_.end() && it->second.first == ino) {
        fresh.emplace(n, std::move(it->second));
        continue;
      }
      try {
        fresh.emplace(n, std::make_pair(ino, read_entry(dir + "/" + n, stage)));
      } catch (const Error &) {
        if (::access((dir + "/" + n).c_str(), F_OK) != 0) continue;
        throw;
      }
    }
    queued_cache_ = std::move(fresh);
    for (const auto &[n, v] : queued_cache_) out.push_back(v.second);
    return out;
  }
  for (const auto &[n, ino] : files) {
    try {
      out.push_back(read_entry(dir + "/" + n, stage));
    } catch (const Error &e) {
      // Moved away by another process between the listing and the read.
      if (::access((dir + "/" + n).c_str(), F_OK) != 0) continue;
      throw;
    }
  }
  return out;
}

std::optional<Entry> Queue::find(const std::string &id) const {
  if (!is_safe_token(id)) return std::nullopt;
  for (Stage s : {Stage::active, Stage::queued, Stage::done}) {
    std::string p = path(s, id);
    if (::access(p.c_str(), F_OK) == 0) {
      try {
        return read_entry(p, s);
      } catch (const Error &) {
        if (::access(p.c_str(), F_OK) == 0) throw;
      }
    }
  }
  return std::nullopt;
}

bool Queue::move(const std::string &id, Stage from, Stage to) const {
  if (::rename(path(from, id).c_str(), path(to, id).c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  fail(Exit::io, "rename " + path(from, id) + ": " + std::strerror(errno));
}

void Queue::save(const Entry &e, bool durable) const {
  nlohmann::ordered_json j;
  j["job"] = records::to_json(e.job);
  j["dispatch"] = tracking_json(e.track);
  replace_file(path(e.stage, e.job.id), j.dump() + "\n", durable);
}

void Queue::append_event(const records::Event &event) const {
  std::string line = records::to_json(event).dump() + "\n";
  int fd = ::open(events_path().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail(Exit::cant_create, events_path() + ": " + std::strerror(errno));
  ssize_t n = ::write(fd, line.data(), line.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size()))
    fail(Exit::io, events_path() + ": " + std::strerror(err));
}

bool Queue::try_lock(long &holder) {
  std::string p = dir_ + "/queue/lock";
  int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail(Exit::cant_create, p + ": " + std::strerror(errno));
  // A moment's patience: a local supervisor forked by a dispatcher that was just killed
  // holds a copy of this lock for the microseconds before it closes it.
  bool got = false;
  for (int attempt = 0; attempt < 50 && !got; ++attempt) {
    got = ::flock(fd, LOCK_EX | LOCK_NB) == 0;
    if (!got) ::usleep(20000);
  }
  if (!got) {
    char b[32] = {};
    ssize_t n = ::pread(fd, b, sizeof b - 1, 0);
    holder = n > 0 ? std::atol(b) : 0;
    ::close(fd);
    return false;
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for messages; the lock is what counts.
  }
  lock_fd_ = fd;
  return true;
}

} // namespace aip::dispatch
