// aip meter summarize's sample reader: decode_sample (simdjson DOM) and sample_from_json
// (nlohmann) must agree on every line: both accept it with equal records, or both reject it
// with the same message.
#include <aip/core/error.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/records/sample.hpp>

#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(text).get_object().get(obj) != simdjson::SUCCESS) return 0;
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return 0;
  // The two parsers may differ on duplicate keys (first or last wins): not the decoders' concern.
  std::size_t keys = 0;
  for (auto kv : obj) (void)kv, ++keys;
  if (keys != json.size()) return 0;
  std::string fast_result = "ok", general_result = "ok";
  aip::records::Sample fast, general;
  try {
    aip::records::decode_sample(obj, aip::jsonl::Location{"fuzz", 1}, fast);
  } catch (const aip::Error &e) {
    fast_result = e.what();
  }
  try {
    general = aip::records::sample_from_json(json, "fuzz:1");
  } catch (const aip::Error &e) {
    general_result = e.what();
  }
  if ((fast_result == "ok") != (general_result == "ok")) std::abort();
  if (fast_result == "ok" && !(fast == general)) std::abort();
  return 0;
}
