// One interface for every batch engine aip dispatches to. The dispatcher owns the queue and
// the policy; a backend only renders, submits, observes and cancels, and finds a job again
// by its aip id after a crash (every backend puts the id in the native job's name).
#pragma once

#include <aip/records/event.hpp>
#include <aip/records/job.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aip::dispatch {

// What a backend says about one job.
struct Observation {
  std::string backend_id;
  records::JobState state = records::JobState::submitted;
  std::optional<int> exit_code;
  std::string reason;
  double started_at = 0, ended_at = 0;
  std::vector<int> gpus; // local: the devices the job holds (known again after a restart)
};

// A job the backend holds, as the dispatcher tracks it.
struct Handle {
  std::string job_id, backend_id;
};

struct BackendOptions {
  std::string state_dir;                  // logs/, local/
  std::map<std::string, std::string> qos; // slurm: priority class -> QOS
  std::string runtime = "none";           // local: podman or apptainer for `image`
  double kill_grace_s = 10;               // walltime: SIGTERM, then SIGKILL after this
  std::vector<std::string>
      config_files; // engines' [kubernetes] ... sections (default: the standard files)
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Slurm queues and places jobs itself; the local backend needs the dispatcher to keep
  // within the node's slots.
  virtual bool schedules_itself() const = 0;
  // The native form (an sbatch script), without submitting.
  virtual std::string render(const records::Job &job) const = 0;
  // The backend's own job named after `job` (reconciliation after a crash), or nothing.
  // Throws Exit::unavailable when the backend cannot be asked.
  virtual std::optional<Observation> find(const records::Job &job) = 0;
  // Submits; `gpus` are the local devices chosen by the dispatcher. A job the backend
  // refuses comes back `failed` with the reason; a backend that is down throws
  // Exit::unavailable and nothing was submitted.
  virtual Observation submit(const records::Job &job, const std::vector<int> &gpus) = 0;
  // The current state of each handle (jobs missing from the answer are unchanged).
  virtual std::map<std::string, Observation> poll(const std::vector<Handle> &handles) = 0;
  // Asks the job to stop: SIGTERM (or the engine's cancel), and after `grace_s` SIGKILL.
  // `reason` is "cancelled" or "preempted".
  virtual void cancel(const Handle &handle, const std::string &reason, double grace_s) = 0;
  // Reaps finished children and takes in what they reported; returns true when a job ended
  // (local backend).
  virtual bool reap() { return false; }
  // A descriptor that becomes readable when a job ends, for the dispatcher to wait on
  // between rounds; -1 when the backend has none (it is then asked every interval).
  virtual int wake_fd() const { return -1; }
};

// The native forms of every job in `text` (JSON Lines of aip.job/v1), in input order,
// rendered on all cores. A bad record is an error naming `name`, its line and the field; of
// several, the earliest line's.
std::string render_all(const Backend &backend, std::string_view text, const std::string &name);

// "local", "slurm", "slurmrestd", "kubernetes", "nomad" or "htcondor"; usage error (64) otherwise.
std::unique_ptr<Backend> make_backend(const std::string &name, const BackendOptions &options);

} // namespace aip::dispatch
