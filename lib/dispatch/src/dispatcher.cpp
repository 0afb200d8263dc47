#include "aip/dispatch/dispatcher.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace aip::dispatch {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The crash tests kill the dispatcher at the two moments that matter (a job claimed but
// not submitted; submitted but its backend id not recorded): AIP_DISPATCH_CRASH_AT names one.
void crash_point(const char *where) {
  static const char *at = std::getenv("AIP_DISPATCH_CRASH_AT");
  if (at != nullptr && std::strcmp(at, where) == 0) ::raise(SIGKILL);
}

} // namespace

std::string cancel_request_path(const Queue &queue, const std::string &id) {
  return queue.state_dir() + "/queue/active/" + id + ".cancel";
}

Dispatcher::Dispatcher(Queue &queue, Backend &backend, const SiteConfig &site,
                       DispatchOptions options)
    : queue_(queue), backend_(backend), site_(site), opt_(std::move(options)), node_(site.node()) {}

void Dispatcher::emit(const Entry &e, records::JobState state, const std::string &reason,
                      std::optional<int> exit_code) {
  records::Event ev;
  ev.job_id = e.job.id;
  ev.backend = backend_.name();
  if (!e.track.backend_id.empty()) ev.backend_id = e.track.backend_id;
  ev.state = state;
  ev.at = now_s();
  ev.exit_code = exit_code;
  ev.reason = reason;
  queue_.append_event(ev);
  if (opt_.on_event) opt_.on_event(ev);
}

void Dispatcher::apply(Entry &e, const Observation &o) {
  using S = records::JobState;
  const Tracking before = e.track;
  if (!o.backend_id.empty()) e.track.backend_id = o.backend_id;
  if (!o.gpus.empty()) e.track.gpus = o.gpus;
  S state = o.state;
  std::string reason = o.reason;
  // A job stopped for preemption ends as preempted whatever the engine calls it.
  if (e.track.stopping == "preempted" && (state == S::cancelled || state == S::failed)) {
    state = S::preempted;
    if (reason.empty()) reason = "preempted for an interactive job";
  }
  // Every state passed through is reported once: queued -> submitted -> running -> end.
  // The events go out before the queue records the change: a crash in between repeats an
  // event on restart rather than losing it (events are delivered at least once).
  if (e.track.state == S::queued && state != S::queued) {
    e.track.state = S::submitted;
    emit(e, S::submitted, "", std::nullopt);
  }
  const bool ended = records::is_final(state) || state == S::preempted;
  if (state != e.track.state &&
      (state == S::running || (ended && e.track.state == S::submitted && o.started_at != 0))) {
    e.track.state = S::running;
    e.track.started_at = o.started_at != 0 ? o.started_at : now_s();
    emit(e, S::running, "", std::nullopt);
  }
  if (state == e.track.state || !ended) {
    if (state != e.track.state) { // a state between submitted and running (none today)
      e.track.state = state;
      emit(e, state, reason, o.exit_code);
    }
    if (e.track.state != before.state || e.track.backend_id != before.backend_id ||
        e.track.gpus != before.gpus)
      queue_.save(e);
    return;
  }
  e.track.state = state;
  e.track.exit_code = o.exit_code;
  e.track.reason = reason;
  e.track.ended_at = o.ended_at != 0 ? o.ended_at : now_s();
  emit(e, state, reason, o.exit_code);
  if (state == S::preempted && e.job.requeue) {
    const int requeues = e.track.requeues + 1;
    e.track = Tracking{};
    e.track.requeues = requeues;
    emit(e, S::queued, "requeued after preemption", std::nullopt);
    queue_.save(e);
    queue_.move(e.job.id, Stage::active, Stage::queued);
    e.stage = Stage::queued;
    return;
  }
  queue_.save(e);
  queue_.move(e.job.id, Stage::active, Stage::done);
  e.stage = Stage::done;
  if (queue_.cancel_requested(e.job.id)) ::unlink(cancel_request_path(queue_, e.job.id).c_str());
}

void Dispatcher::reconcile() {
  for (auto &e : queue_.list(Stage::active)) {
    if (!e.track.backend.empty() && e.track.backend != backend_.name()) continue;
    if (!e.track.backend_id.empty() || e.track.state != records::JobState::queued) continue;
    // Claimed, but whether it reached the backend is not recorded: ask by name.
    if (auto o = backend_.find(e.job)) {
      e.track.backend = backend_.name();
      apply(e, *o);
    } else {
      e.track = Tracking{};
      queue_.save(e);
      queue_.move(e.job.id, Stage::active, Stage::queued);
    }
  }
}

void Dispatcher::process_cancels() {
  auto active = queue_.list(Stage::active);
  handle_cancel_requests(active);
}

void Dispatcher::handle_cancel_requests(std::vector<Entry> &active) {
  for (auto &e : active) {
    if (e.stage != Stage::active || !queue_.cancel_requested(e.job.id)) continue;
    if (e.track.stopping.empty()) {
      e.track.stopping = "cancelled";
      e.track.stop_asked_at = now_s();
      queue_.save(e);
      backend_.cancel({e.job.id, e.track.backend_id}, "cancelled", opt_.grace_s);
    }
  }
}

bool Dispatcher::cancel(const std::string &id) {
  auto e = queue_.find(id);
  if (!e || e->stage == Stage::done) return false;
  if (e->stage == Stage::queued) {
    if (queue_.move(id, Stage::queued, Stage::done)) {
      e->stage = Stage::done;
      e->track.state = records::JobState::cancelled;
      e->track.ended_at = now_s();
      e->track.reason = "cancelled before it started";
      queue_.save(*e);
      emit(*e, records::JobState::cancelled, e->track.reason, std::nullopt);
      return true;
    }
    e = queue_.find(id); // claimed meanwhile
    if (!e || e->stage == Stage::done) return false;
  }
  AtomicFile req(cancel_request_path(queue_, id));
  req.write("cancel\n");
  req.commit();
  return true;
}

bool Dispatcher::step() {
  using S = records::JobState;
  backend_.reap();
  // The active jobs are few (as many as run): copies, changed by apply(). The queued ones
  // may be thousands: pointers into the queue's cache, valid until a move (see Queue::view).
  std::vector<Entry> active;
  for (const Entry *p : queue_.view(Stage::active)) active.push_back(*p);
  // A dispatcher killed after recording a job's end but before moving it: finish the move
  // (its event went out before the record was saved).
  for (auto &e : active)
    if (records::is_final(e.track.state) || (e.track.state == S::preempted && !e.job.requeue)) {
      queue_.move(e.job.id, Stage::active, Stage::done);
      e.stage = Stage::done;
    }
  handle_cancel_requests(active);
  std::vector<Handle> handles;
  for (const auto &e : active)
    if (e.stage == Stage::active && e.track.backend == backend_.name() &&
        (!e.track.backend_id.empty() || e.track.state != S::queued))
      handles.push_back({e.job.id, e.track.backend_id});
  // Ends are recorded after this round's starts: the slot a job frees is taken first, and its
  // events, record and move follow (a crash in between finds the end again in the backend).
  std::vector<std::pair<Entry *, Observation>> ended;
  if (!handles.empty()) {
    auto seen = backend_.poll(handles);
    for (auto &e : active)
      if (auto it = seen.find(e.job.id); it != seen.end()) {
        if (records::is_final(it->second.state) || it->second.state == S::preempted)
          ended.emplace_back(&e, it->second);
        else
          apply(e, it->second);
      }
  }
  std::vector<Entry> held;
  for (auto &e : active)
    if (e.stage == Stage::active &&
        std::none_of(ended.begin(), ended.end(), [&](const auto &x) { return x.first == &e; }))
      held.push_back(e);

  if (auto g = queue_.generation(Stage::queued); g != ordered_generation_) {
    ordered_ = order_queue(queue_.view(Stage::queued), opt_.fairshare);
    ordered_generation_ = g;
  }
  auto decisions = plan(ordered_, held, backend_.schedules_itself() ? nullptr : &node_, site_);
  std::size_t left = ordered_.size(), running = held.size();
  std::vector<const Entry *> moved; // out of new/ by this round: dropped from ordered_
  for (const auto &d : decisions) {
    Entry e = *d.entry; // a copy: the move below drops the queue's cached entry
    switch (d.kind) {
    case Decision::Kind::reject:
      moved.push_back(d.entry);
      if (!queue_.move(e.job.id, Stage::queued, Stage::done)) break;
      --left;
      e.stage = Stage::done;
      e.track.state = S::failed;
      e.track.reason = d.reason;
      e.track.ended_at = now_s();
      queue_.save(e);
      emit(e, S::failed, d.reason, std::nullopt);
      break;
    case Decision::Kind::preempt:
      e.track.stopping = "preempted";
      e.track.stop_asked_at = now_s();
      queue_.save(e);
      backend_.cancel({e.job.id, e.track.backend_id}, "preempted", opt_.grace_s);
      break;
    case Decision::Kind::start: {
      moved.push_back(d.entry);
      if (!queue_.move(e.job.id, Stage::queued, Stage::active)) break; // cancelled meanwhile
      --left;
      e.stage = Stage::active;
      e.track = Tracking{};
      e.track.backend = backend_.name();
      e.track.claimed_at = now_s();
      e.track.gpus = d.gpus;
      // No save here: the rename is the claim. A dispatcher killed now finds the job in
      // active/ with nothing recorded and asks the backend for it by name.
      crash_point("claimed");
      Observation o;
      try {
        o = backend_.submit(e.job, d.gpus);
      } catch (const Error &err) {
        if (err.status() == Exit::unavailable) {
          // Nothing was submitted: the job goes back, and the caller learns the backend is down.
          e.track = Tracking{};
          queue_.save(e);
          queue_.move(e.job.id, Stage::active, Stage::queued);
        }
        throw;
      }
      crash_point("submitted");
      if (o.state == S::failed && o.backend_id.empty()) {
        e.track.state = S::failed;
        e.track.reason = o.reason;
        e.track.ended_at = now_s();
        queue_.save(e);
        queue_.move(e.job.id, Stage::active, Stage::done);
        emit(e, S::failed, o.reason, std::nullopt);
      } else {
        apply(e, o);
        if (e.stage == Stage::active) ++running;
      }
      break;
    }
    }
  }
  // The pointers are only compared, never followed: move() has freed those entries.
  if (!moved.empty())
    ordered_.erase(std::remove_if(ordered_.begin(), ordered_.end(),
                                  [&](const Entry *p) {
                                    return std::find(moved.begin(), moved.end(), p) != moved.end();
                                  }),
                   ordered_.end());
  for (auto &[e, o] : ended) {
    apply(*e, o);
    if (e->stage == Stage::queued) ++left; // requeued after preemption
    if (e->stage == Stage::active) ++running;
  }
  if (opt_.on_round_end) opt_.on_round_end();
  // Jobs queued by others meanwhile are seen next round; a round with nothing left says so.
  return left > 0 || running > 0;
}

int Dispatcher::run() {
  // Between rounds the dispatcher waits for the backend's wake descriptor (the local
  // supervisor reports each job's end on it), SIGCHLD, or SIGINT and SIGTERM, which end a
  // --follow run between rounds (the jobs keep running and are found again).
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGINT, SIGTERM}) sigaddset(&set, s);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  int sfd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) fail(Exit::internal, std::string("signalfd: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{sfd};
  reconcile();
  for (;;) {
    bool more = step();
    if (opt_.mode == DispatchOptions::Mode::once) break;
    if (opt_.mode == DispatchOptions::Mode::until_idle && !more) break;
    double w = std::max(0.001, opt_.interval_s);
    pollfd fds[2] = {{sfd, POLLIN, 0}, {backend_.wake_fd(), POLLIN, 0}};
    int n = ::poll(fds, fds[1].fd >= 0 ? 2 : 1, static_cast<int>(std::ceil(w * 1000)));
    bool stop = false;
    if (n > 0 && (fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo si{};
      while (::read(sfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si))
        if (si.ssi_signo == SIGINT || si.ssi_signo == SIGTERM) stop = true;
    }
    if (stop) break;
  }
  return 0;
}

} // namespace aip::dispatch
