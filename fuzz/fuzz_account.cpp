// The importers of aip account (sacct, SWF, APEL), the share-tree reader of fairshare and
// the --where parser. Any bytes either give records or raise aip::Error; nothing else may
// escape, crash or leak, and every record given satisfies the usage record's checks.
#include <aip/accounting/fairshare.hpp>
#include <aip/accounting/import.hpp>
#include <aip/accounting/report.hpp>
#include <aip/core/error.hpp>
#include <aip/core/jsonl.hpp>

#include <cstdlib>
#include <string>
#include <vector>

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
  // The bytes as usage records, through the report engine's period arithmetic.
  {
    simdjson::dom::parser parser;
    aip::records::Usage u;
    std::vector<aip::accounting::Aggregator> aggs;
    for (auto p : {aip::accounting::Period::none, aip::accounting::Period::hour,
                   aip::accounting::Period::week, aip::accounting::Period::month,
                   aip::accounting::Period::quarter}) {
      aip::accounting::ReportSpec spec;
      spec.dims = {aip::accounting::Dim::user, aip::accounting::Dim::cores};
      spec.period = p;
      spec.since = 0;
      aggs.emplace_back(spec);
    }
    std::size_t pos = 0, line = 0;
    while (pos < bytes.size()) {
      auto nl = bytes.find('\n', pos);
      if (nl == std::string::npos) nl = bytes.size();
      std::string one = bytes.substr(pos, nl - pos);
      pos = nl + 1;
      aip::jsonl::Location where{"fuzz", ++line};
      simdjson::dom::element doc;
      if (parser.parse(one).get(doc) != simdjson::SUCCESS || !doc.is_object()) continue;
      try {
        aip::records::decode_usage(doc.get_object().value_unsafe(), where, u);
        for (auto &a : aggs) a.add(u);
      } catch (const aip::Error &) {
      }
    }
    for (auto &a : aggs) (void)a.finish();
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
