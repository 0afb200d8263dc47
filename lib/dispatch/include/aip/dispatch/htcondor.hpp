// The HTCondor backend: a submit description per job (universe = container) submitted with
// `condor_submit -terse` on its standard input, observed with `condor_q -json` and
// `condor_history -json`, removed with `condor_rm`. Settings: the [htcondor] section.
#pragma once

#include "aip/dispatch/backend.hpp"
#include "aip/dispatch/engine.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace aip::dispatch {

struct HTCondorConfig {
  std::string logs;                              // log, output and error files
  std::map<std::string, std::string> accounting; // aip class -> accounting_group prefix
  std::string universe = "container";
};

// [htcondor] keys: accounting-groups (CLASS=GROUP, ...), universe (container or vanilla).
HTCondorConfig htcondor_config(const EngineSettings &settings, const std::string &state_dir);

// The "new syntax" of condor_submit's `arguments` (and `environment`) values: the whole list
// in double quotes; an argument holding blanks or quotes in single quotes, a single quote
// written '' and a double quote "" ; and, because condor_submit expands $(NAME) macros in
// every value, every '$' written $(DOLLAR). Line breaks cannot be written
// and are refused (65).
std::string condor_arguments(const std::vector<std::string> &args, const std::string &where);
std::string condor_environment(const std::map<std::string, std::string> &env,
                               const std::string &where);

// The submit description of a job.
std::string render_condor_submit(const records::Job &job, const HTCondorConfig &config);

// One job ClassAd of condor_q/condor_history -json as an observation: JobStatus 1 idle,
// 2 running, 3 removed, 4 completed (ExitCode, or ExitSignal as 128 + signal), 5 held,
// 6 transferring output, 7 suspended.
Observation condor_observation(const nlohmann::json &ad);

// "12.0 - 12.0" (condor_submit -terse) -> "12.0"; throws Exit::unavailable otherwise.
std::string parse_condor_terse(std::string_view out);

std::unique_ptr<Backend> make_htcondor_backend(const BackendOptions &options);

} // namespace aip::dispatch
