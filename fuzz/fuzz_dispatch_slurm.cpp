// Slurm's output as aip reads it (squeue -o "%i|%T|%j", sacct -c -P): any bytes either parse
// or raise aip::Error; every state read maps to an aip state or raises aip::Error.
#include <aip/core/error.hpp>
#include <aip/dispatch/slurm.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  std::string reason;
  for (int which = 0; which < 2; ++which) {
    try {
      auto rows = which == 0 ? aip::dispatch::parse_squeue(text, "fuzz")
                             : aip::dispatch::parse_sacct(text, "fuzz");
      for (const auto &r : rows) try {
          (void)aip::dispatch::map_slurm_state(r.state, reason);
        } catch (const aip::Error &) {
        }
    } catch (const aip::Error &) {
    }
  }
  return 0;
}
