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
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <random>
#include <set>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
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

std::vector<std::pair<std::string, unsigned long>>
json_files(const std::string &dir, std::set<std::string> *cancels = nullptr) {
  std::vector<std::pair<std::string, unsigned long>> names;
  DIR *d = ::opendir(dir.c_str());
  if (d == nullptr) fail(Exit::io, dir + ": " + std::strerror(errno));
  while (dirent *e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 5 && n[0] != '.' && n.compare(n.size() - 5, 5, ".json") == 0)
      names.emplace_back(n, e->d_ino);
    else if (cancels != nullptr && n.size() > 7 && n[0] != '.' &&
             n.compare(n.size() - 7, 7, ".cancel") == 0)
      cancels->insert(n.substr(0, n.size() - 7));
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

namespace {
// Marks a folder as the top of a hierarchy for ext4's Orlov allocator (chattr +T): the
// folders made in it then get block groups of their own instead of their parent's. Every
// file creation on ext4 without a journal scans past the inodes of its group freed in the
// last minute or more (recently_deleted() in fs/ext4/ialloc.c), so in a group that the rest
// of the machine churns (say /tmp's) one creation cost 0.2 ms instead of 13 us here, and a
// job creates several files. Elsewhere (other file systems, no permission) this does nothing.
void spread_children(const std::string &dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  int flags = 0;
  if (::ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_TOPDIR_FL) == 0) {
    flags |= FS_TOPDIR_FL;
    (void)::ioctl(fd, FS_IOC_SETFLAGS, &flags);
  }
  ::close(fd);
}

// Makes `path` (its parent exists) under a random name first, then renames it: Orlov starts
// its search for a top folder's group at the hash of the folder's name, so every `logs` would
// start at the same group, and a state folder made just after another was deleted (a test's
// or a benchmark's) would land in the groups that deletion has just freed, the slowest for
// creating files in for the next minutes. A random name starts the search anywhere.
void make_spread(const std::string &path) {
  if (::access(path.c_str(), F_OK) == 0) return;
  std::random_device rd;
  char tmp_name[64];
  std::snprintf(tmp_name, sizeof tmp_name, "/.mkdir-%ld-%08x%08x", static_cast<long>(::getpid()),
                rd(), rd());
  const std::string tmp = dir_of(path) + tmp_name;
  if (::mkdir(tmp.c_str(), 0700) == 0) {
    if (::rename(tmp.c_str(), path.c_str()) == 0) return;
    ::rmdir(tmp.c_str()); // made meanwhile by another process
  }
  make_dirs(path);
}
} // namespace

Queue::Queue(std::string state_dir) : dir_(std::move(state_dir)) {
  if (::access((dir_ + "/queue").c_str(), F_OK) != 0) { // the first use of this state folder
    make_dirs(dir_);
    spread_children(dir_);
    make_spread(dir_ + "/queue");
    spread_children(dir_ + "/queue");
  }
  for (const char *sub : {"/queue/new", "/queue/active", "/queue/done", "/logs", "/local"})
    make_spread(dir_ + sub);
}

Queue::~Queue() {
  if (lock_fd_ >= 0) ::close(lock_fd_);
  if (events_fd_ >= 0) ::close(events_fd_);
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
  // What was just written need not be read back: the next listing finds it by name and inode.
  struct stat st {};
  if (::stat(path(Stage::queued, job.id).c_str(), &st) == 0)
    cache_[0].insert_or_assign(job.id + ".json",
                               Cached{static_cast<unsigned long>(st.st_ino), -1, std::move(e)});
  ++generation_[0];
}

Entry Queue::read_entry(const std::string &file, Stage stage) const {
  std::string text = read_file(file);
  // The first line is the record; each later complete line that parses replaces the
  // tracking (a line cut short by a kill, or without its line break, is skipped).
  std::size_t nl = text.find('\n');
  auto j = nlohmann::json::parse(std::string_view(text).substr(0, nl), nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    // A record written before appends existed may span lines (pretty-printed): the whole file.
    j = nlohmann::json::parse(text, nullptr, false);
    nl = std::string::npos;
  }
  if (j.is_discarded() || !j.is_object()) data_error(file + ": not a JSON object");
  Entry e;
  e.stage = stage;
  if (j.contains("job")) {
    e.job = records::job_from_json(j["job"], file);
    if (j.contains("dispatch")) e.track = tracking_from(j["dispatch"], file);
  } else {
    e.job = records::job_from_json(j, file); // a bare aip.job/v1 dropped into new/
  }
  while (nl != std::string::npos) {
    std::size_t start = nl + 1;
    nl = text.find('\n', start);
    if (nl == std::string::npos) break; // no line break: cut short
    auto line = std::string_view(text).substr(start, nl - start);
    if (line.empty()) continue;
    auto u = nlohmann::json::parse(line, nullptr, false);
    if (u.is_discarded() || !u.is_object() || !u.contains("dispatch")) continue;
    e.track = tracking_from(u["dispatch"], file);
  }
  check_job(e.job, file);
  std::string base = file.substr(file.rfind('/') + 1);
  if (base != e.job.id + ".json")
    data_error(file + ": field 'id': '" + e.job.id + "' does not match the file name");
  return e;
}

namespace {
long long mtime_ns(const std::string &dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return -1;
  return static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}
double mono_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
} // namespace

void Queue::refresh(Stage stage) const {
  const int k = stage == Stage::queued ? 0 : 1;
  const std::string dir = dir_ + "/queue/" + stage_dir(stage);
  if (stage == Stage::queued) {
    // Listing new/ again only when it changed: its mtime moves with every rename in or out.
    // Our own moves out of it update the remembered mtime (move()); a change by another
    // process within the same timestamp tick is caught by the listing every second.
    long long m = mtime_ns(dir);
    double now = mono_s();
    if (listed_[k] && m == new_mtime_ns_ && now - new_listed_at_ < 1.0) return;
    new_mtime_ns_ = m;
    new_listed_at_ = now;
  }
  if (stage == Stage::active) cancels_.clear();
  auto files = json_files(dir, stage == Stage::active ? &cancels_ : nullptr);
  std::map<std::string, Cached> fresh;
  auto &cache = cache_[k];
  bool changed = false;
  // Active records are appended to in place: their size tells a change, except while this
  // process holds the queue lock, when no other process writes them (our own appends keep
  // the cache up to date, see save()).
  const bool sized = stage == Stage::active && lock_fd_ < 0;
  for (const auto &[n, ino] : files) {
    long long size = -1;
    if (sized) {
      struct stat st {};
      if (::stat((dir + "/" + n).c_str(), &st) != 0) continue; // moved meanwhile
      size = static_cast<long long>(st.st_size);
    }
    auto it = cache.find(n);
    if (it != cache.end() && it->second.ino == ino && (!sized || it->second.size == size)) {
      fresh.insert(cache.extract(it)); // the node itself: the entry keeps its address
      continue;
    }
    changed = true;
    try {
      fresh.emplace(n, Cached{ino, size, read_entry(dir + "/" + n, stage)});
    } catch (const Error &) {
      // Moved away by another process between the listing and the read.
      if (::access((dir + "/" + n).c_str(), F_OK) != 0) continue;
      throw;
    }
  }
  if (!cache.empty()) changed = true; // names gone
  cache = std::move(fresh);
  if (changed) ++generation_[k];
  listed_[k] = true;
}

std::vector<const Entry *> Queue::view(Stage stage) const {
  std::vector<const Entry *> out;
  if (stage == Stage::done) return out;
  refresh(stage);
  const auto &cache = cache_[stage == Stage::queued ? 0 : 1];
  out.reserve(cache.size());
  for (const auto &[n, c] : cache) out.push_back(&c.entry);
  return out;
}

std::vector<Entry> Queue::list(Stage stage) const {
  std::vector<Entry> out;
  if (stage != Stage::done) {
    for (const Entry *e : view(stage)) out.push_back(*e);
    return out;
  }
  std::string dir = dir_ + "/queue/" + stage_dir(stage);
  for (const auto &[n, ino] : json_files(dir)) {
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
  const std::string name = id + ".json";
  for (Stage s : {from, to})
    if (s != Stage::done) cache_[s == Stage::queued ? 0 : 1].erase(name);
  if (to == Stage::queued) listed_[0] = false; // a requeued job: list new/ again
  if (::rename(path(from, id).c_str(), path(to, id).c_str()) != 0) {
    if (errno == ENOENT) return false;
    fail(Exit::io, "rename " + path(from, id) + ": " + std::strerror(errno));
  }
  if (from == Stage::queued && listed_[0]) new_mtime_ns_ = mtime_ns(dir_ + "/queue/new");
  return true;
}

void Queue::save(const Entry &e, bool durable) const {
  const std::string p = path(e.stage, e.job.id);
  if (!durable) {
    // One appended line (see the header): no inode is allocated or freed.
    int fd = ::open(p.c_str(), O_RDWR | O_APPEND | O_CLOEXEC); // read: the last byte
    if (fd >= 0) {
      nlohmann::ordered_json u;
      u["dispatch"] = tracking_json(e.track);
      std::string line = u.dump() + "\n";
      // A line cut short by a kill before has no line break: start on a fresh line.
      struct stat st {};
      char last = '\n';
      if (::fstat(fd, &st) == 0 && st.st_size > 0) (void)!::pread(fd, &last, 1, st.st_size - 1);
      if (last != '\n') line.insert(0, 1, '\n');
      ssize_t n = ::write(fd, line.data(), line.size());
      int err = errno;
      ::close(fd);
      if (n != static_cast<ssize_t>(line.size()))
        fail(Exit::io, "cannot write '" + p + "': " + std::strerror(n < 0 ? err : ENOSPC));
      // The cache knows what was appended: no read of our own line next round.
      if (e.stage != Stage::done) {
        auto &cache = cache_[e.stage == Stage::queued ? 0 : 1];
        const auto ino = static_cast<unsigned long>(st.st_ino);
        const auto size = static_cast<long long>(st.st_size + static_cast<off_t>(line.size()));
        if (auto it = cache.find(e.job.id + ".json"); it == cache.end()) {
          if (listed_[e.stage == Stage::queued ? 0 : 1])
            cache.emplace(e.job.id + ".json", Cached{ino, size, e}); // just moved here by us
        } else if (it->second.ino == ino &&
                   (lock_fd_ >= 0 || it->second.size == static_cast<long long>(st.st_size))) {
          it->second.size = size; // we hold the queue lock, or nobody wrote since our read
          it->second.entry = e;
        } else {
          cache.erase(it); // changed by someone else too: read it again
        }
      }
      return;
    }
    if (errno != ENOENT) fail(Exit::io, "cannot write '" + p + "': " + std::strerror(errno));
  }
  nlohmann::ordered_json j;
  j["job"] = records::to_json(e.job);
  j["dispatch"] = tracking_json(e.track);
  replace_file(p, j.dump() + "\n", durable);
}

void Queue::append_event(const records::Event &event) const {
  std::string line = records::to_json(event).dump() + "\n";
  if (events_fd_ < 0) {
    events_fd_ = ::open(events_path().c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (events_fd_ < 0) fail(Exit::cant_create, events_path() + ": " + std::strerror(errno));
  }
  ssize_t n = ::write(events_fd_, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size()))
    fail(Exit::io, events_path() + ": " + std::strerror(n < 0 ? errno : ENOSPC));
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
