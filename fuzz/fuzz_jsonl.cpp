// The JSON Lines reader and every record decoder: any bytes either decode or raise
// aip::Error; nothing else may escape, crash or leak.
#include <aip/core/jsonl.hpp>
#include <aip/records/records.hpp>

#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  int fds[2];
  if (::pipe(fds) != 0) return 0;
  // Small inputs fit in the pipe buffer; larger ones are cut (the reader's block logic is
  // exercised by the unit tests).
  std::size_t n = size < 60000 ? size : 60000;
  if (::write(fds[1], data, n) != static_cast<ssize_t>(n)) {
    ::close(fds[0]);
    ::close(fds[1]);
    return 0;
  }
  ::close(fds[1]);
  aip::LineReader lines(fds[0], "fuzz", true, 256); // small, so lines make it grow
  aip::records::Usage usage;
  try {
    aip::jsonl::for_each_object(lines,
                                [&](simdjson::dom::object obj, const aip::jsonl::Location &where) {
                                  try {
                                    aip::records::decode_usage(obj, where, usage);
                                  } catch (const aip::Error &) {
                                  }
                                });
  } catch (const aip::Error &) {
  }
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded()) return 0;
  auto attempt = [&](auto fn) {
    try {
      fn(json, "fuzz:1");
    } catch (const aip::Error &) {
    }
  };
  attempt(aip::records::job_from_json);
  attempt(aip::records::event_from_json);
  attempt(aip::records::sample_from_json);
  attempt(aip::records::usage_from_json);
  attempt(aip::records::drift_from_json);
  attempt(aip::records::module_from_json);
  attempt(aip::records::sqa_from_json);
  try {
    aip::records::report_from_json(nlohmann::ordered_json::parse(text), "fuzz:1");
  } catch (const aip::Error &) {
  }
  return 0;
}
