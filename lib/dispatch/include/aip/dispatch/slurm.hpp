// The Slurm backend: an sbatch script per job (submitted with `sbatch --parsable` on its
// standard input), states from `squeue` and, for jobs squeue has forgotten or for exit codes,
// the job completion log through `sacct -c`; `scancel` to stop. The native job name is
// "aip-ID", which is how a restarted dispatcher finds what it submitted before a crash.
#pragma once

#include "aip/dispatch/backend.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace aip::dispatch {

std::unique_ptr<Backend> make_slurm_backend(const BackendOptions &options);

// POSIX shell single quoting: the text between quotes is never interpreted, and a quote is
// written '\'' . Any byte but NUL survives.
std::string shell_quote(std::string_view text);

// The sbatch script of a job. `logs` is the folder for ID.out and ID.err; `qos` maps
// priority classes to QOS names (a class without one gets no --qos).
std::string render_sbatch(const records::Job &job, const std::string &logs,
                          const std::map<std::string, std::string> &qos);

// Slurm's job states (long names as squeue %T and sacct print them, or squeue's short
// codes: PD R CG CD F CA TO OOM NF PR ...) as aip states; `reason` says more where the
// aip state loses something (out of memory, node failure). Unknown states are data errors.
records::JobState map_slurm_state(std::string_view state, std::string &reason);

// One line of `squeue -h -o "%i|%T|%j"`, or of
// `sacct -c -P -n -o jobid,jobname,state,exitcode,start,end`.
struct SlurmRow {
  std::string job_id, name, state;
  std::optional<int> exit_code;        // sacct's "code:signal": the code, or 128 + signal
  double started_at = 0, ended_at = 0; // sacct: local time of the machine; 0 when "Unknown"
};
std::vector<SlurmRow> parse_squeue(std::string_view text, const std::string &where);
std::vector<SlurmRow> parse_sacct(std::string_view text, const std::string &where);

// Slurm's --time form: D-HH:MM:SS, rounded up to whole minutes as slurm counts them.
std::string slurm_time(std::int64_t seconds);

} // namespace aip::dispatch
