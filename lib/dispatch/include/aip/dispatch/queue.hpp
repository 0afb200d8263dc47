// The embedded queue: a folder under the state folder where every change is one rename, one
// atomic file replacement or one append, so a process killed at any moment leaves each job in
// exactly one place:
//
//   queue/new/ID.json     queued, waiting for the dispatcher (aip submit --enqueue puts
//                         jobs here; a bare aip.job/v1 object is accepted too)
//   queue/active/ID.json  claimed by the dispatcher: being submitted, or held by a backend
//   queue/done/ID.json    ended (its last state inside)
//   queue/lock            flock(2) of the one dispatcher that runs the queue
//   events.jsonl          every aip.event/v1, appended one write(2) per record
//   logs/ID.out, ID.err   the job's standard output and error
//   local/ID.jsonl        the local backend's run record (see local.hpp)
//
// A record file is JSON Lines: its first line is the job and its tracking
// ({"job":{...},"dispatch":{...}}, or a bare aip.job/v1), and every later line
// ({"dispatch":{...}}) replaces the tracking. The dispatcher records each step of a job by
// appending one line with one write(2), never by replacing the file: a replacement allocates a
// new inode and frees the old one, and on ext4 (without a journal, as here) every allocation
// scans past the inodes freed in the last seconds, which made each step cost milliseconds
// once thousands of jobs had passed. A line cut short by a kill -9 is skipped when read (and
// the next append starts on a fresh line), so the record is the last complete step.
//
// A job moves new -> active before anything is submitted, and its tracking (backend id, state)
// is appended after each step. A dispatcher that starts finds the active jobs whose
// submission it cannot prove and asks the backend for them by name (the name carries the aip
// id) before it submits anything again.
#pragma once

#include <aip/records/event.hpp>
#include <aip/records/job.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace aip::dispatch {

enum class Stage { queued, active, done };

// Replaces `path` with `bytes` through a hidden temporary and rename(2): a process killed
// at any moment leaves the old content or the new, never a mix. `durable` also fsyncs the
// file and its folder, so the change survives a power cut; the queue asks for that where
// losing the change would lose a job (enqueue), and not for each later step, which a
// restarted dispatcher finds again from the backend.
void replace_file(const std::string &path, std::string_view bytes, bool durable);
const char *stage_dir(Stage s); // "new", "active", "done"

// What the dispatcher knows about a job beyond its record.
struct Tracking {
  std::string backend, backend_id;
  records::JobState state = records::JobState::queued; // the last state reported
  std::vector<int> gpus;                               // local backend: the devices it holds
  double claimed_at = 0, started_at = 0, ended_at = 0;
  std::optional<int> exit_code;
  std::string reason;
  std::string stopping; // "cancelled" or "preempted" once a stop was asked
  double stop_asked_at = 0;
  int requeues = 0;
};

struct Entry {
  records::Job job;
  Tracking track;
  Stage stage = Stage::queued;
};

class Queue {
public:
  explicit Queue(std::string state_dir); // creates the folders
  const std::string &state_dir() const { return dir_; }
  std::string path(Stage stage, const std::string &id) const;
  std::string events_path() const { return dir_ + "/events.jsonl"; }
  std::string log_path(const std::string &id, bool err) const;

  // Puts a job in new/; an id already in the queue (any stage) is refused (65). With
  // `durable` false the caller calls sync() after a batch (one syncfs(2) for all).
  void enqueue(const records::Job &job, bool durable = true);
  void sync() const;
  // Every job of a stage, oldest file name first. A file that cannot be read is an error
  // naming it (65).
  std::vector<Entry> list(Stage stage) const;
  // The same without copies, for the dispatcher's rounds: pointers into the queue's cache,
  // valid until the next list(), view() or move() of that stage. new/ and active/ are
  // cached: a file is parsed again only when its inode or size changed, and new/ is listed
  // again only when the folder's mtime moved (or a second has passed, which covers a change
  // within the timestamp's granularity), so a round with a thousand queued jobs costs a
  // stat(2), not a thousand reads.
  std::vector<const Entry *> view(Stage stage) const;
  // Brings the cache of `stage` (new/ or active/) up to date and returns a number that changes
  // whenever a listing found a job added, changed or gone by another hand. Between two equal
  // numbers, the only changes are this process's own move()s, and the other entries keep
  // their addresses (so a caller may keep pointers from view(), dropping those it moved).
  std::uint64_t generation(Stage stage) const {
    refresh(stage);
    return generation_[stage == Stage::queued ? 0 : 1];
  }
  std::optional<Entry> find(const std::string &id) const; // in any stage
  // Moves a job between stages with one rename; false when it is not in `from` (another
  // process moved it first).
  bool move(const std::string &id, Stage from, Stage to) const;
  // Records the job's tracking in its stage's file: one appended line when the file exists,
  // else the whole record (replaced atomically; with `durable` always so, and fsynced).
  void save(const Entry &entry, bool durable = false) const;
  // Whether `aip dispatch cancel` left a request for this active job (as of the last listing
  // of active/, which view() and list() do).
  bool cancel_requested(const std::string &id) const { return cancels_.count(id) != 0U; }
  // Appends one event record to events.jsonl with a single write(2).
  void append_event(const records::Event &event) const;

  // The dispatcher's lock: true when taken (kept until the Queue is destroyed); false when
  // another process holds it, with its pid in `holder` when known.
  bool try_lock(long &holder);

  Queue(const Queue &) = delete;
  Queue &operator=(const Queue &) = delete;
  ~Queue();

private:
  Entry read_entry(const std::string &path, Stage stage) const;
  void refresh(Stage stage) const;
  struct Cached {
    unsigned long ino = 0;
    long long size = -1; // active/: appended in place, so the size tells a change too
    Entry entry;
  };
  std::string dir_;
  // Files in new/ never change in place (a job enters by rename; a requeued job's cache
  // entry is dropped by move()), so a parsed entry stays valid while its name and inode do.
  mutable std::map<std::string, Cached> cache_[2]; // new/, active/
  mutable bool listed_[2] = {false, false};
  mutable std::uint64_t generation_[2] = {0, 0};
  mutable long long new_mtime_ns_ = -1;
  mutable double new_listed_at_ = 0;
  mutable int events_fd_ = -1;
  mutable std::set<std::string> cancels_; // ids with a .cancel request in active/
  int lock_fd_ = -1;
};

} // namespace aip::dispatch
