// The kernel-file parsers of aip meter (cgroup v2 cpu.stat, io.stat, single values; /proc
// stat, smaps_rollup, io): each either parses or raises aip::Error with the data status; a
// parsed single value prints and parses back to itself.
#include <aip/core/error.hpp>
#include <aip/metering/cgroup.hpp>
#include <aip/metering/procfs.hpp>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto guard = [](auto fn) {
    try {
      fn();
    } catch (const aip::Error &e) {
      if (e.status() != aip::Exit::data) std::abort();
    }
  };
  guard([&] { (void)aip::metering::parse_cpu_stat(text, "cpu.stat"); });
  guard([&] { (void)aip::metering::parse_io_stat(text, "io.stat"); });
  guard([&] {
    if (auto v = aip::metering::parse_single_value(text, "memory.current"))
      if (aip::metering::parse_single_value(std::to_string(*v) + "\n", "again") != v) std::abort();
  });
  guard([&] {
    auto st = aip::metering::parse_proc_stat(text, "stat");
    if (st.pid < 0 && text.find('-') == std::string_view::npos) std::abort();
  });
  (void)aip::metering::parse_kb_field(text, "Pss");
  (void)aip::metering::parse_proc_io(text);
  return 0;
}
