// Module metadata: any bytes either parse as YAML or JSON (then validate against every
// upstream schema, strict and not, and migrate without crashing, and a JSON document
// written out reads back to the same value) or raise aip::Error with a place.
#include <aip/catalog/document.hpp>
#include <aip/catalog/metadata.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  aip::catalog::Limits limits;
  limits.max_nodes = 100000;
  for (auto syntax : {aip::catalog::Syntax::yaml, aip::catalog::Syntax::json}) {
    try {
      auto doc = aip::catalog::parse_document(text, "fuzz", syntax, limits);
      for (bool strict : {false, true}) {
        aip::catalog::ValidateOptions o;
        o.strict = strict;
        for (const auto &v : aip::catalog::known_versions()) {
          o.metadata_version = v;
          (void)aip::catalog::validate(doc, o);
        }
      }
      std::vector<std::string> notes;
      try {
        (void)aip::catalog::migrate(doc.root, notes);
      } catch (const aip::Error &) {
      }
      // A JSON document survives a trip through the YAML writer and back.
      if (syntax == aip::catalog::Syntax::json) {
        auto yaml = aip::catalog::to_yaml(doc.root);
        auto back = aip::catalog::parse_document(yaml, "back", aip::catalog::Syntax::yaml, limits);
        if (doc.root.type == aip::catalog::Type::object &&
            back.root.to_json().dump() != doc.root.to_json().dump())
          std::abort();
      }
    } catch (const aip::Error &) {
    }
  }
  return 0;
}
