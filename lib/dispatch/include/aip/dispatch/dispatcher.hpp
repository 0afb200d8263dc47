// The dispatcher: reconciles the queue with the backend after a restart, observes the jobs
// it holds, applies the policy to the queued ones and reports every change as an
// aip.event/v1 (appended to events.jsonl and handed to `on_event`).
#pragma once

#include "aip/dispatch/backend.hpp"
#include "aip/dispatch/policy.hpp"
#include "aip/dispatch/queue.hpp"
#include "aip/dispatch/site.hpp"

#include <functional>

namespace aip::dispatch {

struct DispatchOptions {
  enum class Mode { once, follow, until_idle } mode = Mode::once;
  double interval_s = 1; // how often the backend and the queue folder are looked at
  double grace_s = 30;   // preemption: SIGTERM, then SIGKILL after this long
  FairShare fairshare;
  std::function<void(const records::Event &)> on_event;
  std::function<void()> on_round_end; // after each round (to flush what on_event wrote)
  std::function<void(const std::string &)> on_warning;
};

class Dispatcher {
public:
  Dispatcher(Queue &queue, Backend &backend, const SiteConfig &site, DispatchOptions options);
  // Active jobs whose submission is not recorded: adopted when the backend has them under
  // their name, else put back in the queue. Runs before anything is submitted.
  void reconcile();
  // One round: observe, then start, preempt or reject. True while jobs are queued or held.
  bool step();
  // reconcile(), then rounds as the mode says. Returns the exit status.
  int run();
  // Stops a job: a queued one ends at once; a held one is asked to stop. False when the id
  // is unknown or the job has ended.
  bool cancel(const std::string &id);
  // Passes the cancel requests of held jobs to the backend (the dispatcher that holds the
  // queue lock does it every round; `cancel` does it when no dispatcher runs).
  void process_cancels();

private:
  void emit(const Entry &e, records::JobState state, const std::string &reason,
            std::optional<int> exit_code);
  void apply(Entry &e, const Observation &o);
  void handle_cancel_requests(std::vector<Entry> &active);
  Queue &queue_;
  Backend &backend_;
  const SiteConfig &site_;
  DispatchOptions opt_;
  Node node_;
  // The queued jobs in start order, kept while the queue's listing shows no change but our
  // own moves (Queue::generation): a round then orders nothing.
  std::vector<const Entry *> ordered_;
  std::uint64_t ordered_generation_ = ~std::uint64_t{0};
};

// The request file a `cancel` leaves for a dispatcher that holds the queue lock.
std::string cancel_request_path(const Queue &queue, const std::string &id);

} // namespace aip::dispatch
