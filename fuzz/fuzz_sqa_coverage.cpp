// Coverage readers: lcov tracefiles and Cobertura XML either parse into counts with covered
// <= valid and a percentage within 0..100, or raise aip::Error with the data status.
#include <aip/core/error.hpp>
#include <aip/sqa/formats.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  for (int kind = 0; kind < 2; ++kind) {
    try {
      auto c = kind == 0 ? aip::sqa::parse_lcov(text, "fuzz.info")
                         : aip::sqa::parse_cobertura(text, "fuzz.xml");
      if (c.lines_covered > c.lines_valid) std::abort();
      const double p = c.percent();
      if (!(p >= 0 && p <= 100)) std::abort();
    } catch (const aip::Error &e) {
      if (e.status() != aip::Exit::data) std::abort();
    }
  }
  return 0;
}
