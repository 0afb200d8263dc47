// The local backend: each job runs as a process of this machine, started by a supervisor (a
// fork of the dispatcher, named aip-supervisor) that lives in its own session, so neither it
// nor its jobs die with the dispatcher. Supervisors are started as needed and reused: one per
// job running at once (per slot, in effect), not one per job, so that one supervisor's wait
// for a job's exec never delays another job's report.
//
// Per job, the dispatcher creates the run record STATE/local/ID.jsonl, takes an flock(2) on
// it, and hands the job with that descriptor (SCM_RIGHTS over a socket pair) to the
// supervisor, which keeps it until the job has ended and its status is in the record. So
// "lock held" means "running, or handed over and about to run" from before the dispatcher
// lets go of its own copy (a job in flight in the socket keeps the lock too), and "lock
// free, no status" means "never started" or "lost", told apart by the `started` line. The
// record is JSON Lines, appended to and never replaced (no inode churn per job):
//   {"started":{"pid":SUPERVISOR,"pgid":JOB,"started_at":T,"gpus":[...]}}
//   {"stop":{"reason":"cancelled"|"preempted","grace_s":G}}    (cancel: then SIGUSR1)
//   {"status":{"state":S,"exit_code":C,"reason":R,"started_at":T,"ended_at":T}}
// The supervisor starts each job with clone(CLONE_VM|CLONE_VFORK) (no page tables copied),
// without a shell, in a process group of its own, with rlimits, CUDA_VISIBLE_DEVICES, per-job
// logs and the walltime, and reports each end on the socket as well (one JSON line), so the
// dispatcher (waiting on an epoll descriptor over the sockets) wakes at once and reads no
// file for its own jobs. Jobs of an earlier,
// killed dispatcher's supervisors are read from their records. SIGTERM, SIGINT or SIGHUP to
// a supervisor cancel its jobs; SIGUSR1 makes it read the records' stop requests.
#pragma once

#include "aip/dispatch/backend.hpp"

#include <string>
#include <vector>

namespace aip::dispatch {

std::unique_ptr<Backend> make_local_backend(const BackendOptions &options);

// The argv that runs a job's command in its container (podman run / apptainer exec), or the
// command itself when the job has no image. Environment values never appear in argv: they
// pass by name (podman --env NAME) or through the environment (apptainer).
std::vector<std::string> container_argv(const records::Job &job, const std::string &runtime,
                                        const std::vector<int> &gpus);

} // namespace aip::dispatch
