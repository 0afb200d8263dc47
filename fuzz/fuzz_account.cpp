// The importers of aip account (sacct, SWF, APEL), the share-tree reader of fairshare and
// the --where parser. Any bytes either give records or raise aip::Error; nothing else may
// escape, crash or leak, and every record given satisfies the usage record's checks.
#include <aip/accounting/fairshare.hpp>
#include <aip/accounting/import.hpp>
#include <aip/accounting/report.hpp>
#include <aip/core/error.hpp>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  for (auto source : {aip::accounting::Source::sacct, aip::accounting::Source::swf,
                      aip::accounting::Source::apel}) {
    for (bool skip : {false, true}) {
      aip::accounting::ImportOptions o;
      o.skip_invalid = skip;
      o.utc = true;
      try {
        aip::accounting::import_usage(source, bytes, "fuzz", o, [](const aip::records::Usage &u) {
          if (u.record_id.empty() || u.end < u.start || u.wall_s < 0 || u.cores < 0) std::abort();
        });
      } catch (const aip::Error &) {
      }
    }
  }
  try {
    (void)aip::accounting::ShareTree::parse(bytes, "fuzz");
  } catch (const aip::Error &) {
  }
  try {
    (void)aip::accounting::parse_filter(bytes);
  } catch (const aip::Error &) {
  }
  return 0;
}
