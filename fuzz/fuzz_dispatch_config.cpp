// Site configuration (limits, quotas, [node]) and fair-share files: any bytes either parse or
// raise aip::Error; a parsed configuration answers check_limits() for a job without crashing.
#include <aip/core/error.hpp>
#include <aip/dispatch/policy.hpp>
#include <aip/dispatch/site.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    aip::dispatch::SiteConfig site;
    site.parse(text, "fuzz.conf");
    aip::records::Job job;
    job.id = "j";
    job.owner = {"alice", "uc3", "vo.x"};
    job.queue = "gpu";
    job.command = {"true"};
    job.resources.gpus = 1;
    (void)aip::dispatch::check_limits(job, site, {job});
    (void)site.node();
  } catch (const aip::Error &) {
  }
  try {
    (void)aip::dispatch::FairShare::parse(text, "fuzz.fs");
  } catch (const aip::Error &) {
  }
  return 0;
}
