// aip-catalog: validate, migrate, sync, search and render a marketplace of ML modules.
// Options -> lib/catalog -> output.
#include <aip/catalog/metadata.hpp>
#include <aip/core/cli.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>

#include <iostream>
#include <memory>

namespace {

using namespace aip;
namespace po = boost::program_options;

nlohmann::ordered_json finding_json(const catalog::Finding &f) {
  nlohmann::ordered_json j;
  j["line"] = f.mark.line;
  j["column"] = f.mark.column;
  j["pointer"] = f.pointer;
  j["schema_pointer"] = f.schema_pointer;
  j["keyword"] = f.keyword;
  j["message"] = f.message;
  return j;
}

nlohmann::ordered_json report_json(const catalog::Report &r) {
  nlohmann::ordered_json j;
  j["file"] = r.file;
  j["metadata_version"] = r.metadata_version;
  j["schema_version"] = r.schema_version;
  j["valid"] = r.valid;
  j["errors"] = nlohmann::ordered_json::array();
  for (const auto &f : r.errors) j["errors"].push_back(finding_json(f));
  j["warnings"] = nlohmann::ordered_json::array();
  for (const auto &f : r.warnings) j["warnings"].push_back(finding_json(f));
  return j;
}

std::string where(const std::string &file, const catalog::Mark &m) {
  std::string w = file;
  if (m.line > 0) w += ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
  return w;
}

catalog::Limits limits_from(const po::variables_map &vm) {
  catalog::Limits l;
  if (vm.count("max-size") != 0U) l.max_bytes = static_cast<std::size_t>(parse_size(vm["max-size"].as<std::string>()));
  return l;
}

int validate(int argc, const char *const argv[]) {
  cli::Parser p({"catalog", "validate", "Check module metadata against the ai4-metadata schema of its version; exit 1 when a file is invalid.",
                 "aip catalog validate [OPTIONS] FILE...",
                 "  aip catalog validate ai4-metadata.yml\n"
                 "  aip catalog validate --strict modules/*/ai4-metadata.yml\n"
                 "  aip catalog validate --metadata-version 1.0.0 metadata.json\n"
                 "  aip catalog validate -f jsonl */ai4-metadata.yml | jq 'select(.valid|not)'\n"});
  p.add()("strict", po::bool_switch(), "also reject unknown keys, malformed URLs, dates and DOIs, duplicate keys, empty lists and impossible resources")(
      "metadata-version", po::value<std::string>()->value_name("V"), "check against this version's schema (1.0.0, 2.0.0 ... 2.3.0)")(
      "schema", po::value<std::string>()->value_name("FILE"), "check against this JSON Schema instead of the upstream one")(
      "max-size", po::value<std::string>()->default_value("4M")->value_name("SIZE"), "refuse larger files")(
      "quiet,q", po::bool_switch(), "text format: print nothing for valid files")(
      "files", po::value<std::vector<std::string>>()->value_name("FILE"), "metadata files ('-': stdin)");
  p.positional("files", -1);
  p.add_output();
  p.add_format({"text", "jsonl", "json"}, "text");
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  catalog::ValidateOptions o;
  o.strict = (*vm)["strict"].as<bool>();
  if (vm->count("metadata-version") != 0U) {
    o.metadata_version = (*vm)["metadata-version"].as<std::string>();
    bool known = false;
    for (const auto &v : catalog::known_versions()) known |= v == o.metadata_version;
    if (!known) usage_error("--metadata-version: expected one of " + cli::join_choices(catalog::known_versions()));
  }
  std::unique_ptr<catalog::Schema> schema;
  if (vm->count("schema") != 0U) {
    const auto path = (*vm)["schema"].as<std::string>();
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(read_file(path));
    } catch (const nlohmann::json::parse_error &e) {
      data_error(path + ": " + e.what());
    }
    schema = std::make_unique<catalog::Schema>(catalog::Schema::load(j, path));
    o.schema = schema.get();
  }
  const auto limits = limits_from(*vm);
  std::vector<std::string> files = vm->count("files") != 0U ? (*vm)["files"].as<std::vector<std::string>>() : std::vector<std::string>{"-"};
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  const auto format = p.format(*vm, out);
  const bool quiet = (*vm)["quiet"].as<bool>();
  std::size_t invalid = 0, unparsed = 0;
  auto json_all = nlohmann::ordered_json::array();
  jsonl::Writer writer(out);
  for (const auto &file : files) {
    auto r = catalog::validate_file(file, o, limits);
    invalid += r.valid ? 0 : 1;
    unparsed += r.parsed ? 0 : 1;
    if (format == "jsonl") writer.write(report_json(r));
    else if (format == "json") json_all.push_back(report_json(r));
    else {
      for (const auto &f : r.errors)
        out << where(r.file, f.mark) << ": error: " << (f.pointer.empty() && f.keyword != "required" ? "" : (f.pointer.empty() ? "(root)" : f.pointer) + ": ")
            << f.message << (f.schema_pointer.empty() ? "" : " [" + f.schema_pointer + "]") << "\n";
      for (const auto &f : r.warnings) out << where(r.file, f.mark) << ": warning: " << f.pointer << ": " << f.message << "\n";
      if (r.valid && !quiet) out << r.file << ": valid (ai4-metadata " << r.schema_version << (o.strict ? ", strict" : "") << ")\n";
    }
  }
  if (format == "json") out << json_all.dump(2) << "\n";
  out.commit();
  if (files.size() > 1 || invalid > 0)
    diag::note(std::to_string(files.size()) + " file(s), " + std::to_string(invalid) + " invalid" +
               (unparsed ? ", " + std::to_string(unparsed) + " unreadable" : ""));
  if (unparsed > 0) return static_cast<int>(Exit::data);
  return invalid > 0 ? static_cast<int>(Exit::finding) : 0;
}

int migrate(int argc, const char *const argv[]) {
  cli::Parser p({"catalog", "migrate", "Convert module metadata to the latest ai4-metadata version (v1 JSON to v2 YAML or JSON).",
                 "aip catalog migrate [OPTIONS] [FILE]",
                 "  aip catalog migrate metadata.json -o ai4-metadata.yml\n"
                 "  aip catalog migrate -f json metadata.json > ai4-metadata.json\n"
                 "  aip catalog migrate ai4-metadata.yml -o ai4-metadata.yml   # v2.0 -> latest\n"});
  p.add()("max-size", po::value<std::string>()->default_value("4M")->value_name("SIZE"), "refuse larger files")(
      "file", po::value<std::string>()->value_name("FILE"), "metadata file ('-': stdin)");
  p.positional("file", 1);
  p.add_output();
  p.add_format({"yaml", "json"}, "yaml");
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  const auto file = vm->count("file") != 0U ? (*vm)["file"].as<std::string>() : "-";
  auto doc = catalog::load_document(file, catalog::Syntax::sniff, limits_from(*vm));
  std::vector<std::string> notes;
  auto migrated = catalog::migrate(doc.root, notes);
  for (const auto &n : notes) diag::note(doc.name + ": " + n);
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  const auto format = p.format(*vm, out);
  if (format == "json") out << migrated.to_json().dump(2) << "\n";
  else out << "# Migrated by aip catalog migrate from " << doc.name << "\n" << catalog::to_yaml(migrated);
  // The result must pass the latest schema; say so before publishing it.
  catalog::Document check;
  check.name = doc.name + " (migrated)";
  check.root = migrated;
  auto r = catalog::validate(check, {});
  if (!r.valid) {
    for (const auto &f : r.errors) diag::error(doc.name + ": migrated " + (f.pointer.empty() ? "(root)" : f.pointer) + ": " + f.message);
    return static_cast<int>(Exit::finding); // nothing written: the output is discarded without commit
  }
  out.commit();
  return 0;
}

int catalog_main(int argc, char **argv) {
  const std::string usage = "Usage: aip catalog validate [--strict] FILE...\n"
                            "       aip catalog migrate [FILE] [-o OUT] [-f yaml|json]\n"
                            "       aip catalog sync LIST --out index.json\n"
                            "       aip catalog list|search|show [OPTIONS] INDEX ...\n"
                            "       aip catalog render INDEX --out SITE\n\n"
                            "Validate, migrate, sync, search and render a marketplace of ML modules (ai4-metadata).\n"
                            "Run 'aip catalog COMMAND --help' for a command's options; full documentation: man aip-catalog\n";
  if (argc < 2) {
    std::cerr << usage;
    return static_cast<int>(Exit::usage);
  }
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h") {
    std::cout << usage;
    return 0;
  }
  if (cmd == "--version") {
    std::cout << cli::Parser({"catalog", "", "", "", ""}).version();
    return 0;
  }
  if (cmd == "--describe") {
    std::cout << "Validate, migrate, sync, search and render a marketplace of ML modules\n";
    return 0;
  }
  if (cmd == "validate") return validate(argc - 1, argv + 1);
  if (cmd == "migrate") return migrate(argc - 1, argv + 1);
  usage_error("unknown command '" + cmd + "': expected validate, migrate, sync, list, search, show or render (try --help)");
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-catalog", [&] { return catalog_main(argc, argv); });
}
