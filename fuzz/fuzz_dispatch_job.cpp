// aip dispatch's job reader: any bytes either become a job that passes check_job() and
// renders to an sbatch script whose every value is quoted, or raise aip::Error.
#include <aip/core/error.hpp>
#include <aip/dispatch/slurm.hpp>
#include <aip/dispatch/spec.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  auto j = nlohmann::json::parse(data, data + size, nullptr, false);
  if (j.is_discarded()) return 0;
  try {
    auto job = aip::dispatch::complete_job(j, "fuzz", 1795341600, "fuzz");
    std::string script = aip::dispatch::render_sbatch(job, "/tmp/logs", {{"batch", "normal"}});
    // Every line that is not a directive or comment is one of ours: export, cd or exec.
    if (script.rfind("#!/bin/bash\n", 0) != 0) std::abort();
    if (!aip::dispatch::is_safe_token(job.id)) std::abort();
  } catch (const aip::Error &) {
  }
  return 0;
}
