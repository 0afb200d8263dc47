// The order in which queued jobs start, and which start now. Pure functions over the queue's
// entries, so tests give them any situation without running a job.
//
// Order: priority class (interactive, batch, opportunistic), then fair share (higher first;
// from `aip account fairshare` output when given), then submit time, then id.
// Start: a job starts when the node has its CPUs, memory and GPUs free (backends that
// schedule themselves, like Slurm, skip this check) and its project stays within its
// running quotas. A job that does not fit holds back every job of a lower class (jobs of its
// own class may pass it). An interactive job that does not fit because opportunistic jobs
// hold the resources has the newest of them preempted, as few as free enough room.
#pragma once

#include "aip/dispatch/queue.hpp"
#include "aip/dispatch/site.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace aip::dispatch {

// Fair-share factors in [0, 1] by user and by project (Slurm's convention: higher means
// more deserving). Read from JSON Lines or CSV with a `user` and/or `project` (or `account`)
// field and a `fairshare` (or `fair_share`, `factor`) number.
struct FairShare {
  std::map<std::string, double> user, project;
  // The user's factor, else the project's, else 0.5 (no information: neither favoured nor
  // held back).
  double of(const records::Job &job) const;
  static FairShare load(const std::string &path);
  static FairShare parse(std::string_view text, const std::string &name);
};

int class_rank(records::PriorityClass c); // interactive 0, batch 1, opportunistic 2

// The queued entries in start order.
std::vector<const Entry *> order_queue(const std::vector<Entry> &queued, const FairShare &fs);
std::vector<const Entry *> order_queue(std::vector<const Entry *> queued, const FairShare &fs);

struct Decision {
  enum class Kind { start, preempt, reject } kind;
  std::string job_id;
  std::vector<int> gpus;        // start on the local backend: the devices
  std::string reason;           // reject: why it can never run; preempt: for whom
  const Entry *entry = nullptr; // the entry decided on (from `ordered` or `active`)
};

// `node` is null for a backend that schedules itself. `active` are the claimed, not yet
// ended jobs (stopping ones included: they hold their resources until they end).
std::vector<Decision> plan(const std::vector<const Entry *> &ordered,
                           const std::vector<Entry> &active, const Node *node,
                           const SiteConfig &site);

} // namespace aip::dispatch
