// nvidia-smi's CSV (--query-gpu and --query-compute-apps, noheader, nounits): either rows
// within their ranges or aip::Error with the data status; and the GPU allocation read
// from a process environment.
#include <aip/core/error.hpp>
#include <aip/metering/gpu.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    for (const auto &d : aip::metering::parse_smi_gpus(text)) {
      if (d.index < 0 || d.uuid.empty()) std::abort();
      if (d.util_pct && !(*d.util_pct >= 0 && *d.util_pct <= 100)) std::abort();
      if (d.power_w && !(*d.power_w >= 0)) std::abort();
    }
  } catch (const aip::Error &e) {
    if (e.status() != aip::Exit::data) std::abort();
  }
  try {
    for (const auto &p : aip::metering::parse_smi_apps(text))
      if (p.pid <= 0 || p.gpu_uuid.empty()) std::abort();
  } catch (const aip::Error &e) {
    if (e.status() != aip::Exit::data) std::abort();
  }
  // The same bytes as a process environment: the GPUs named are never empty strings.
  for (const auto &g : aip::metering::allocated_gpus(text))
    if (g.empty() || g.front() == '-') std::abort();
  return 0;
}
