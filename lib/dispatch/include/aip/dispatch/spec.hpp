// Building a job record from what a user gives: a partial aip.job/v1 object (a job file,
// flags turned into fields, the current session), completed with an id, owner and time, then
// read back through the record reader so every field is checked by one piece of code.
#pragma once

#include <aip/records/job.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aip::dispatch {

// Ids, queue, project and GPU model names end up in file names, backend job names and
// `#SBATCH` lines, so they are held to [A-Za-z0-9._-], 1-128 bytes, not starting with '.'
// or '-' (a name that cannot be mistaken for an option or a hidden file).
bool is_safe_token(std::string_view text);

// A new job id: "j" + UTC time to the second + "-" + 8 random hex digits, e.g.
// "j20261202T053100-3f9a1c0d"; sortable by time and unique without a shared counter.
std::string new_job_id(double now);

// The login name of the calling user (getpwuid, else $USER); never empty.
std::string current_user();

// Turns a partial job object into a complete aip.job/v1 record: adds kind, id (new),
// owner.user (`user`), submitted_at (`now`), resources.cpus 1, resources.memory_bytes 0,
// walltime_s 3600 and priority_class batch where absent, then reads it with the record
// reader and check_job(). Errors name `where` and the field (65).
records::Job complete_job(nlohmann::json spec, const std::string &where, double now,
                          const std::string &user);

// What the record reader does not check but a dispatcher needs: safe id, queue, project
// and GPU model names, environment names that are names, no NUL byte in any string, an
// absolute or empty workdir. Throws Exit::data naming `where` and the field.
void check_job(const records::Job &job, const std::string &where);

// Reads one job object (a JSON object; "kind" optional) from a file ("-": stdin).
nlohmann::json read_job_file(const std::string &path);

// The current interactive session as the start of a job: the working folder, the
// variables named in `keep` (exact names, or prefixes ending in '*') that are set, the
// container image the session runs in (podman's /run/.containerenv, Apptainer's
// APPTAINER_CONTAINER / SINGULARITY_CONTAINER) and the active conda environment
// (CONDA_PREFIX, CONDA_DEFAULT_ENV, with its bin folder first on PATH).
// `environment` is "NAME=value" entries (the process's, or a test's).
nlohmann::json session_spec(const std::vector<std::string> &environment,
                            const std::vector<std::string> &keep, const std::string &cwd,
                            const std::string &containerenv_path = "/run/.containerenv");

// The variables --from-session keeps by default.
const std::vector<std::string> &default_session_keep();

} // namespace aip::dispatch
