// Units: sizes, durations and timestamps either parse or raise aip::Error; a parsed
// timestamp formats and parses back to itself (to the millisecond).
#include <aip/core/units.hpp>

#include <cmath>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  try {
    (void)aip::parse_size(text);
  } catch (const aip::Error &) {
  }
  try {
    (void)aip::parse_duration(text);
  } catch (const aip::Error &) {
  }
  try {
    double t = aip::parse_timestamp(text);
    if (std::fabs(t) < 1e13) {
      double back = aip::parse_timestamp(aip::format_timestamp(t));
      if (std::fabs(back - t) > 0.0005 + 1e-9 * std::fabs(t)) std::abort();
    }
  } catch (const aip::Error &) {
  }
  return 0;
}
