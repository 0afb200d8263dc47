// Test helper: reads records of any kind (JSON Lines on stdin), decodes each with the
// library's reader for its kind and writes it back with the library's writer, so a schema
// check can validate what the C++ side writes.
#include <aip/core/cli.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/records/records.hpp>

int main() {
  return aip::cli::run("records-roundtrip", [] {
    using namespace aip::records;
    auto lines = aip::LineReader::open("-");
    aip::Output out("-");
    aip::jsonl::Writer writer(out);
    aip::jsonl::for_each_json(*lines, [&](nlohmann::json &j, const aip::jsonl::Location &where) {
      const std::string kind = j.value("kind", "");
      const std::string at = where.str();
      if (kind == kJobKind)
        writer.write(to_json(job_from_json(j, at)));
      else if (kind == kEventKind)
        writer.write(to_json(event_from_json(j, at)));
      else if (kind == kSampleKind)
        writer.write(to_json(sample_from_json(j, at)));
      else if (kind == kUsageKind)
        writer.write(to_json(usage_from_json(j, at)));
      else if (kind == kDriftKind)
        writer.write(to_json(drift_from_json(j, at)));
      else if (kind == kModuleKind)
        writer.write(to_json(module_from_json(j, at)));
      else if (kind == kSqaKind)
        writer.write(to_json(sqa_from_json(j, at)));
      else if (kind == kReportKind)
        writer.write(to_json(report_from_json(nlohmann::ordered_json::parse(j.dump()), at)));
      else
        aip::jsonl::bad_record(where, "field 'kind': unknown kind '" + kind + "'");
    });
    out.commit();
    return 0;
  });
}
