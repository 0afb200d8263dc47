// aip-catalog: validate, migrate, sync, search and render a marketplace of ML modules.
// Options -> lib/catalog -> output.
#include <aip/catalog/index.hpp>
#include <aip/catalog/metadata.hpp>
#include <aip/catalog/site.hpp>
#include <aip/catalog/sync.hpp>
#include <aip/core/cli.hpp>
#include <aip/core/commands.hpp>
#include <aip/core/diag.hpp>
#include <aip/core/io.hpp>
#include <aip/core/jsonl.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/progress.hpp>
#include <aip/core/units.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <set>

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

// SARIF 2.1.0 (OASIS), so CI systems show the errors on the lines of the files.
nlohmann::ordered_json sarif(const std::vector<catalog::Report> &reports, bool strict) {
  auto results = nlohmann::ordered_json::array();
  std::set<std::string> rules;
  auto add = [&](const catalog::Report &r, const catalog::Finding &f, const char *level) {
    const std::string rule = f.keyword.empty() ? "schema" : f.keyword;
    rules.insert(rule);
    nlohmann::ordered_json region;
    if (f.mark.line > 0) {
      region["startLine"] = f.mark.line;
      region["startColumn"] = f.mark.column;
    }
    nlohmann::ordered_json loc;
    loc["physicalLocation"]["artifactLocation"]["uri"] = r.file;
    if (!region.empty()) loc["physicalLocation"]["region"] = region;
    if (!f.pointer.empty())
      loc["logicalLocations"] =
          nlohmann::ordered_json::array({{{"fullyQualifiedName", f.pointer}, {"kind", "member"}}});
    nlohmann::ordered_json res;
    res["ruleId"] = rule;
    res["level"] = level;
    res["message"]["text"] = (f.pointer.empty() ? "" : f.pointer + ": ") + f.message;
    res["locations"] = nlohmann::ordered_json::array({loc});
    if (!f.schema_pointer.empty()) res["properties"]["schemaPointer"] = f.schema_pointer;
    results.push_back(res);
  };
  for (const auto &r : reports) {
    for (const auto &f : r.errors) add(r, f, "error");
    for (const auto &f : r.warnings) add(r, f, "warning");
  }
  nlohmann::ordered_json driver;
  driver["name"] = "aip-catalog";
  driver["informationUri"] = "https://github.com/ai4os/ai4-metadata";
  driver["rules"] = nlohmann::ordered_json::array();
  for (const auto &rule : rules)
    driver["rules"].push_back(
        {{"id", rule}, {"shortDescription", {{"text", "ai4-metadata: " + rule}}}});
  nlohmann::ordered_json run;
  run["tool"]["driver"] = driver;
  run["properties"]["strict"] = strict;
  run["results"] = results;
  nlohmann::ordered_json doc;
  doc["$schema"] = "https://json.schemastore.org/sarif-2.1.0.json";
  doc["version"] = "2.1.0";
  doc["runs"] = nlohmann::ordered_json::array({run});
  return doc;
}

std::string where(const std::string &file, const catalog::Mark &m) {
  std::string w = file;
  if (m.line > 0) w += ":" + std::to_string(m.line) + ":" + std::to_string(m.column);
  return w;
}

catalog::Limits limits_from(const po::variables_map &vm) {
  catalog::Limits l;
  if (vm.count("max-size") != 0U)
    l.max_bytes = static_cast<std::size_t>(parse_size(vm["max-size"].as<std::string>()));
  return l;
}

int validate(int argc, const char *const argv[]) {
  cli::Parser p({"catalog", "validate",
                 "Check module metadata against the ai4-metadata schema of its version; exit 1 "
                 "when a file is invalid.",
                 "aip catalog validate [OPTIONS] FILE...",
                 "  aip catalog validate ai4-metadata.yml\n"
                 "  aip catalog validate --strict modules/*/ai4-metadata.yml\n"
                 "  aip catalog validate --metadata-version 1.0.0 metadata.json\n"
                 "  aip catalog validate -f jsonl */ai4-metadata.yml | jq 'select(.valid|not)'\n"
                 "  aip catalog validate --strict -f sarif -o catalog.sarif ai4-metadata.yml   # "
                 "for CI code scanning\n"});
  p.add()("strict", po::bool_switch(),
          "also reject unknown keys, malformed URLs, dates and DOIs, duplicate keys, empty lists "
          "and impossible resources")(
      "metadata-version", po::value<std::string>()->value_name("V"),
      "check against this version's schema (1.0.0, 2.0.0 ... 2.3.0)")(
      "schema", po::value<std::string>()->value_name("FILE"),
      "check against this JSON Schema instead of the upstream one")(
      "max-size", po::value<std::string>()->default_value("4M")->value_name("SIZE"),
      "refuse larger files")("quiet,q", po::bool_switch(),
                             "text format: print nothing for valid files")(
      "files", po::value<std::vector<std::string>>()->value_name("FILE"),
      "metadata files ('-': stdin)");
  p.positional("files", -1);
  p.add_output();
  p.add_format({"text", "jsonl", "json", "sarif"}, "text");
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  catalog::ValidateOptions o;
  o.strict = (*vm)["strict"].as<bool>();
  if (vm->count("metadata-version") != 0U) {
    o.metadata_version = (*vm)["metadata-version"].as<std::string>();
    bool known = false;
    for (const auto &v : catalog::known_versions()) known |= v == o.metadata_version;
    if (!known)
      usage_error("--metadata-version: expected one of " +
                  cli::join_choices(catalog::known_versions()));
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
  std::vector<std::string> files = vm->count("files") != 0U
                                       ? (*vm)["files"].as<std::vector<std::string>>()
                                       : std::vector<std::string>{"-"};
  Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
  const auto format = p.format(*vm, out);
  const bool quiet = (*vm)["quiet"].as<bool>();
  std::size_t invalid = 0, unparsed = 0;
  auto json_all = nlohmann::ordered_json::array();
  std::vector<catalog::Report> all;
  jsonl::Writer writer(out);
  for (const auto &file : files) {
    auto r = catalog::validate_file(file, o, limits);
    invalid += r.valid ? 0 : 1;
    unparsed += r.parsed ? 0 : 1;
    if (format == "jsonl")
      writer.write(report_json(r));
    else if (format == "json")
      json_all.push_back(report_json(r));
    else if (format == "sarif")
      all.push_back(r);
    else {
      for (const auto &f : r.errors)
        out << where(r.file, f.mark) << ": error: "
            << (f.pointer.empty() && f.keyword != "required"
                    ? ""
                    : (f.pointer.empty() ? "(root)" : f.pointer) + ": ")
            << f.message << (f.schema_pointer.empty() ? "" : " [" + f.schema_pointer + "]") << "\n";
      for (const auto &f : r.warnings)
        out << where(r.file, f.mark) << ": warning: " << f.pointer << ": " << f.message << "\n";
      if (r.valid && !quiet)
        out << r.file << ": valid (ai4-metadata " << r.schema_version
            << (o.strict ? ", strict" : "") << ")\n";
    }
  }
  if (format == "json") out << json_all.dump(2) << "\n";
  if (format == "sarif") out << sarif(all, o.strict).dump(2) << "\n";
  out.commit();
  if (files.size() > 1 || invalid > 0)
    diag::note(std::to_string(files.size()) + " file(s), " + std::to_string(invalid) + " invalid" +
               (unparsed ? ", " + std::to_string(unparsed) + " unreadable" : ""));
  if (unparsed > 0) return static_cast<int>(Exit::data);
  return invalid > 0 ? static_cast<int>(Exit::finding) : 0;
}

int migrate(int argc, const char *const argv[]) {
  cli::Parser p(
      {"catalog", "migrate",
       "Convert module metadata to the latest ai4-metadata version (v1 JSON to v2 YAML or JSON).",
       "aip catalog migrate [OPTIONS] [FILE]",
       "  aip catalog migrate metadata.json -o ai4-metadata.yml\n"
       "  aip catalog migrate -f json metadata.json > ai4-metadata.json\n"
       "  aip catalog migrate ai4-metadata.yml -o ai4-metadata.yml   # v2.0 -> latest\n"});
  p.add()("max-size", po::value<std::string>()->default_value("4M")->value_name("SIZE"),
          "refuse larger files")("file", po::value<std::string>()->value_name("FILE"),
                                 "metadata file ('-': stdin)");
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
  if (format == "json")
    out << migrated.to_json().dump(2) << "\n";
  else
    out << "# Migrated by aip catalog migrate from " << doc.name << "\n"
        << catalog::to_yaml(migrated);
  // The result must pass the latest schema; say so before publishing it.
  catalog::Document check;
  check.name = doc.name + " (migrated)";
  check.root = migrated;
  auto r = catalog::validate(check, {});
  // The schema takes "" for a string; a marketplace entry without these is no entry.
  for (const char *k : {"/title", "/summary", "/description", "/links/source_code"}) {
    const auto j = migrated.to_json();
    const auto ptr = nlohmann::ordered_json::json_pointer(k);
    if (!j.contains(ptr) || !j[ptr].is_string() || j[ptr].get<std::string>().empty()) {
      r.valid = false;
      r.errors.push_back(
          {k, "", "empty", "empty after migration: the input has nothing to put here", {}});
    }
  }
  if (!r.valid) {
    for (const auto &f : r.errors)
      diag::error(doc.name + ": migrated " + (f.pointer.empty() ? "(root)" : f.pointer) + ": " +
                  f.message);
    return static_cast<int>(
        Exit::finding); // nothing written: the output is discarded without commit
  }
  out.commit();
  return 0;
}

std::string now_rfc3339() {
  return format_timestamp(
      static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count()));
}

int sync(int argc, const char *const argv[]) {
  cli::Parser p(
      {"catalog", "sync",
       "Fetch every module's metadata from a module list into an index; invalid and unreachable "
       "modules stay in it with their errors.",
       "aip catalog sync [OPTIONS] LIST --out INDEX",
       "  aip catalog sync .gitmodules --out index.json          # the AI4OS modules catalog\n"
       "  aip catalog sync MODULES.yml --out index.json          # the DEEP Open Catalog\n"
       "  aip catalog sync repos.txt --out index.json --jobs 16 --timeout 20s\n"
       "  aip catalog sync repos.txt --out index.json --raw-url "
       "'https://git.example.org/{owner}/{repo}/raw/{branch}/{file}'\n"});
  p.add()("out", po::value<std::string>()->required()->value_name("INDEX"),
          "the index to write (atomically)")(
      "list-format", po::value<std::string>()->default_value("auto")->value_name("F"),
      "auto, gitmodules, modules-yml or lines")(
      "jobs,j", po::value<std::size_t>()->default_value(8)->value_name("N"),
      "concurrent downloads")(
      "timeout", po::value<std::string>()->default_value("30s")->value_name("T"), "per request")(
      "connect-timeout", po::value<std::string>()->default_value("10s")->value_name("T"),
      "per connection")("retries", po::value<int>()->default_value(2)->value_name("N"),
                        "retries after timeouts, 5xx and 429 (doubling delay)")(
      "retry-delay", po::value<std::string>()->default_value("500ms")->value_name("T"),
      "first delay between tries")("raw-url", po::value<std::string>()->value_name("TEMPLATE"),
                                   "metadata URL from {owner} {repo} {branch} {file} {url} "
                                   "(default: by host: GitHub raw, GitLab /-/raw/)")(
      "state-dir", po::value<std::string>()->value_name("DIR"),
      "where the ETag/Last-Modified cache lives (default $XDG_STATE_HOME/aip)")(
      "no-cache", po::bool_switch(), "download everything, keep no cache")(
      "strict", po::bool_switch(), "validate modules with --strict")(
      "max-size", po::value<std::string>()->default_value("4M")->value_name("SIZE"),
      "refuse larger metadata files")(
      "fail-invalid", po::bool_switch(),
      "exit 1 when a module is invalid or unreachable (the index is written anyway)")(
      "list", po::value<std::string>()->value_name("LIST"), "the module list ('-': stdin)");
  p.positional("list", 1);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  const auto list_path = vm->count("list") != 0U ? (*vm)["list"].as<std::string>() : "-";
  const auto lf = (*vm)["list-format"].as<std::string>();
  catalog::ListFormat format = catalog::ListFormat::automatic;
  if (lf == "gitmodules")
    format = catalog::ListFormat::gitmodules;
  else if (lf == "modules-yml")
    format = catalog::ListFormat::modules_yml;
  else if (lf == "lines")
    format = catalog::ListFormat::lines;
  else if (lf != "auto")
    usage_error("--list-format: expected auto, gitmodules, modules-yml or lines");
  catalog::SyncOptions o;
  o.jobs = (*vm)["jobs"].as<std::size_t>();
  if (o.jobs == 0 || o.jobs > 256) usage_error("--jobs: expected 1 to 256");
  o.timeout_s = parse_duration((*vm)["timeout"].as<std::string>());
  o.connect_timeout_s = parse_duration((*vm)["connect-timeout"].as<std::string>());
  o.retries = (*vm)["retries"].as<int>();
  if (o.retries < 0 || o.retries > 10) usage_error("--retries: expected 0 to 10");
  o.retry_delay_s = parse_duration((*vm)["retry-delay"].as<std::string>());
  if (!(o.timeout_s > 0) || !(o.connect_timeout_s > 0)) usage_error("timeouts must be positive");
  if (vm->count("raw-url") != 0U) o.raw_url = (*vm)["raw-url"].as<std::string>();
  if (!(*vm)["no-cache"].as<bool>())
    o.cache_dir =
        state_dir(vm->count("state-dir") != 0U ? (*vm)["state-dir"].as<std::string>() : "") +
        "/catalog/http-cache";
  o.strict = (*vm)["strict"].as<bool>();
  o.limits.max_bytes = static_cast<std::size_t>(parse_size((*vm)["max-size"].as<std::string>()));
  const auto list = catalog::read_module_list(list_path, format);
  const auto out_path = (*vm)["out"].as<std::string>();
  Output out(out_path); // opened before the downloads: an unwritable place fails early
  catalog::SyncStats stats;
  Progress progress("sync", list.size()); // drawn only on a terminal
  o.progress = [&](std::size_t done) { progress.update(done); };
  auto index = catalog::sync(list, o, stats);
  progress.finish();
  index.list = display_name(list_path);
  index.generated_at = now_rfc3339();
  out << catalog::index_to_json(index);
  out.commit();
  for (const auto &m : index.modules)
    if (m.valid == false && !m.errors.empty())
      diag::warning(
          m.id + ": " + m.errors.front() +
          (m.errors.size() > 1 ? " (and " + std::to_string(m.errors.size() - 1) + " more)" : ""));
  diag::note(std::to_string(stats.modules) + " modules: " + std::to_string(stats.downloaded) +
             " downloaded, " + std::to_string(stats.not_modified) + " not modified, " +
             std::to_string(stats.from_files) + " from files, " + std::to_string(stats.invalid) +
             " invalid, " + std::to_string(stats.unreachable) + " unreachable; " +
             std::to_string(stats.requests) + " requests");
  if ((*vm)["fail-invalid"].as<bool>() && stats.invalid + stats.unreachable > 0)
    return static_cast<int>(Exit::finding);
  return 0;
}

void add_filters(cli::Parser &p) {
  p.add()("tag", po::value<std::vector<std::string>>()->composing()->value_name("T"),
          "has this tag (repeatable: all of them)")(
      "task", po::value<std::vector<std::string>>()->composing()->value_name("T"),
      "has this task, e.g. 'Computer Vision'")(
      "library", po::value<std::vector<std::string>>()->composing()->value_name("L"),
      "uses this library, e.g. PyTorch")(
      "category", po::value<std::vector<std::string>>()->composing()->value_name("C"),
      "in this platform category, e.g. 'AI4 trainable'")("gpu", po::bool_switch(),
                                                         "needs a GPU (for inference or training)")(
      "no-gpu", po::bool_switch(), "runs inference without a GPU")(
      "max-memory", po::value<std::string>()->value_name("SIZE"),
      "inference memory at most SIZE, e.g. 8G (modules that state none pass)")(
      "valid", po::bool_switch(), "only modules whose metadata is valid")(
      "invalid", po::bool_switch(), "only modules whose metadata is invalid or unreachable");
}

catalog::Filter filter_from(const po::variables_map &vm) {
  catalog::Filter f;
  auto many = [&](const char *k) {
    return vm.count(k) != 0U ? vm[k].as<std::vector<std::string>>() : std::vector<std::string>{};
  };
  f.tags = many("tag");
  f.tasks = many("task");
  f.libraries = many("library");
  f.categories = many("category");
  f.gpu = vm["gpu"].as<bool>();
  f.no_gpu = vm["no-gpu"].as<bool>();
  if (f.gpu && f.no_gpu) usage_error("--gpu and --no-gpu exclude each other");
  if (vm.count("max-memory") != 0U) f.max_memory = parse_size(vm["max-memory"].as<std::string>());
  if (vm["valid"].as<bool>() && vm["invalid"].as<bool>())
    usage_error("--valid and --invalid exclude each other");
  if (vm["valid"].as<bool>()) f.validity = catalog::Validity::valid;
  if (vm["invalid"].as<bool>()) f.validity = catalog::Validity::invalid;
  return f;
}

int print_modules(const cli::Parser &p, const po::variables_map &vm,
                  const std::vector<const records::Module *> &modules) {
  Output out(vm.count("output") != 0U ? vm["output"].as<std::string>() : "-");
  const auto format = p.format(vm, out);
  if (format == "table")
    out << catalog::render_table(modules);
  else if (format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const auto *m : modules) arr.push_back(records::to_json(*m));
    out << arr.dump(2) << "\n";
  } else {
    jsonl::Writer w(out);
    for (const auto *m : modules) w.write(records::to_json(*m));
  }
  out.commit();
  return 0;
}

int list_or_search(int argc, const char *const argv[], bool search) {
  cli::Parser p(
      {"catalog", search ? "search" : "list",
       search ? "Search an index by text (every word must appear) and filters, best matches first; "
                "exit 1 when nothing matches."
              : "List the modules of an index, filtered.",
       search ? "aip catalog search [OPTIONS] INDEX WORD..." : "aip catalog list [OPTIONS] [INDEX]",
       search ? "  aip catalog search index.json plankton\n"
                "  aip catalog search index.json 'object detection' --library PyTorch -f jsonl\n"
              : "  aip catalog list index.json\n"
                "  aip catalog list index.json --task 'Computer Vision' --gpu --max-memory 8G\n"
                "  aip catalog list index.json --category 'AI4 trainable' -f jsonl | jq -r .id\n"
                "  aip catalog list index.json --invalid -f json\n"});
  add_filters(p);
  p.add()("index", po::value<std::string>()->value_name("INDEX"),
          "index.json or JSON Lines of aip.module/v1 ('-': stdin)");
  if (search)
    p.add()("words", po::value<std::vector<std::string>>()->value_name("WORD"),
            "words to look for");
  p.positional("index", 1);
  if (search) p.positional("words", -1);
  p.add_output();
  p.add_format({"table", "jsonl", "json"});
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto f = filter_from(*vm);
  if (search) {
    if (vm->count("words") == 0U) usage_error("search: give at least one WORD");
    for (const auto &w : (*vm)["words"].as<std::vector<std::string>>()) {
      std::size_t start = 0;
      while (start < w.size()) {
        auto sp = w.find(' ', start);
        auto word = w.substr(start, sp == std::string::npos ? std::string::npos : sp - start);
        if (!word.empty()) f.words.push_back(word);
        if (sp == std::string::npos) break;
        start = sp + 1;
      }
    }
  }
  auto index =
      catalog::read_index(vm->count("index") != 0U ? (*vm)["index"].as<std::string>() : "-");
  auto modules = catalog::select(index, f);
  print_modules(p, *vm, modules);
  return search && modules.empty() ? static_cast<int>(Exit::finding) : 0;
}

int show(int argc, const char *const argv[]) {
  cli::Parser p({"catalog", "show",
                 "Show one module of an index in full; exit 1 when there is none with that id.",
                 "aip catalog show [OPTIONS] INDEX ID",
                 "  aip catalog show index.json ai4os-demo-app\n  aip catalog show index.json "
                 "yolov8 -f json\n"});
  p.add()("index", po::value<std::string>()->value_name("INDEX"),
          "index.json or JSON Lines of aip.module/v1")(
      "id", po::value<std::string>()->value_name("ID"), "the module");
  p.positional("index", 1);
  p.positional("id", 1);
  p.add_output();
  p.add_format({"text", "json", "jsonl"}, "text");
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  if (vm->count("index") == 0U || vm->count("id") == 0U) usage_error("show: give INDEX and ID");
  auto index = catalog::read_index((*vm)["index"].as<std::string>());
  const auto id = (*vm)["id"].as<std::string>();
  for (const auto &m : index.modules)
    if (m.id == id) {
      Output out(vm->count("output") != 0U ? (*vm)["output"].as<std::string>() : "-");
      const auto format = p.format(*vm, out);
      if (format == "json")
        out << records::to_json(m).dump(2) << "\n";
      else if (format == "jsonl")
        out << records::to_json(m).dump() << "\n";
      else
        out << catalog::render_details(m);
      out.commit();
      return 0;
    }
  diag::error("no module '" + id + "' in " + display_name((*vm)["index"].as<std::string>()));
  return static_cast<int>(Exit::finding);
}

int render(int argc, const char *const argv[]) {
  cli::Parser p({"catalog", "render",
                 "Write a static marketplace (index page, a page per module, filtering in the "
                 "browser) from an index.",
                 "aip catalog render [OPTIONS] INDEX --out DIR",
                 "  aip catalog render index.json --out site/\n"
                 "  aip catalog render index.json --out /var/www/modules --title 'AI4OS modules'\n"
                 "  python3 -m http.server -d site 8000   # or open site/index.html\n"});
  p.add()("out", po::value<std::string>()->required()->value_name("DIR"),
          "the site folder (replaced as a whole)")(
      "title", po::value<std::string>()->default_value("ML modules")->value_name("TEXT"),
      "the site's title")("index", po::value<std::string>()->value_name("INDEX"),
                          "index.json or JSON Lines of aip.module/v1 ('-': stdin)");
  p.positional("index", 1);
  auto vm = p.parse(argc, argv);
  if (!vm) return 0;
  auto index =
      catalog::read_index(vm->count("index") != 0U ? (*vm)["index"].as<std::string>() : "-");
  catalog::SiteOptions so;
  so.title = (*vm)["title"].as<std::string>();
  so.generated_at = index.generated_at.empty() ? now_rfc3339() : index.generated_at;
  const auto dir = (*vm)["out"].as<std::string>();
  catalog::write_site(catalog::render_site(index, so), dir);
  diag::note(std::to_string(index.modules.size()) + " modules rendered; open " + dir +
             (dir.back() == '/' ? "" : "/") + "index.html");
  return 0;
}

int catalog_main(int argc, char **argv) {
  const std::string usage =
      "Usage: aip catalog validate [--strict] FILE...\n"
      "       aip catalog migrate [FILE] [-o OUT] [-f yaml|json]\n"
      "       aip catalog sync LIST --out index.json\n"
      "       aip catalog list|search|show [OPTIONS] INDEX ...\n"
      "       aip catalog render INDEX --out SITE\n\n"
      "Validate, migrate, sync, search and render a marketplace of ML modules (ai4-metadata).\n"
      "Run 'aip catalog COMMAND --help' for a command's options; full documentation: man "
      "aip-catalog\n";
  return cli::run_subcommands(
      "catalog", usage, "Validate, migrate, sync, search and render a marketplace of ML modules",
      {{"validate", [](int c, const char *const v[]) { return validate(c, v); }},
       {"migrate", [](int c, const char *const v[]) { return migrate(c, v); }},
       {"sync", [](int c, const char *const v[]) { return sync(c, v); }},
       {"list", [](int c, const char *const v[]) { return list_or_search(c, v, false); }},
       {"search", [](int c, const char *const v[]) { return list_or_search(c, v, true); }},
       {"show", [](int c, const char *const v[]) { return show(c, v); }},
       {"render", [](int c, const char *const v[]) { return render(c, v); }}},
      argc, argv);
}

} // namespace

int main(int argc, char **argv) {
  return aip::cli::run("aip-catalog", [&] { return catalog_main(argc, argv); });
}
