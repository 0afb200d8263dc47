// Module lists (.gitmodules, MODULES.yml, URL lines) and catalog indexes: any bytes parse
// or raise aip::Error; never a crash.
#include <aip/catalog/index.hpp>
#include <aip/catalog/sync.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  using aip::catalog::ListFormat;
  for (auto f : {ListFormat::automatic, ListFormat::gitmodules, ListFormat::modules_yml,
                 ListFormat::lines}) {
    try {
      for (const auto &m : aip::catalog::parse_module_list(text, "fuzz", f))
        (void)aip::catalog::candidate_urls(m, {});
    } catch (const aip::Error &) {
    }
  }
  try {
    auto index = aip::catalog::parse_index(text, "fuzz");
    aip::catalog::Filter filter;
    filter.words = {"a"};
    (void)aip::catalog::render_table(aip::catalog::select(index, filter));
  } catch (const aip::Error &) {
  }
  return 0;
}
