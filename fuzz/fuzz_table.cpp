// The table readers of aip drift: CSV, JSON Lines and .npy. Any bytes either give a table
// or raise aip::Error; nothing else may escape, crash or leak.
#include <aip/core/error.hpp>
#include <aip/core/table.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string bytes(reinterpret_cast<const char *>(data), size);
  for (auto format : {aip::table::Format::csv, aip::table::Format::jsonl, aip::table::Format::npy,
                      aip::table::Format::automatic}) {
    for (auto nan : {aip::table::Nan::error, aip::table::Nan::drop}) {
      aip::table::Options o;
      o.format = format;
      o.nan = nan;
      try {
        (void)aip::table::parse(bytes, "fuzz", o);
      } catch (const aip::Error &) {
      }
    }
  }
  aip::table::Options emb;
  emb.format = aip::table::Format::jsonl;
  emb.array_field = "e";
  try {
    (void)aip::table::parse(bytes, "fuzz", emb);
  } catch (const aip::Error &) {
  }
  return 0;
}
