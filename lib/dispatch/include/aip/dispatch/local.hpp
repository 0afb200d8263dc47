// The local backend: each job runs as a process of this machine, started by a small
// supervisor (a fork of the dispatcher, named aip-supervisor) that lives in its own
// session, so neither dies with the dispatcher. The supervisor holds an flock(2) on the folder
// local/ID for its whole life (taken by the dispatcher before the supervisor exists and inherited
// by it), so "lock held" means "running", and "lock free, no status" means "never started" or
// "lost", told apart by local/ID/started. It runs the command without a shell in a process group of
// its own, with rlimits, CUDA_VISIBLE_DEVICES, per-job logs and the walltime, and writes
// local/ID/status.json atomically before it exits.
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
