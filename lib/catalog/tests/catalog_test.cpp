// lib/catalog: the YAML 1.1 reading against PyYAML's own answers, the JSON reader, the
// JSON Schema keywords against the specification's examples, --strict, migration and the
// module record.
#include <aip/catalog/document.hpp>
#include <aip/catalog/metadata.hpp>
#include <aip/catalog/schema.hpp>
#include <aip/core/error.hpp>
#include <aip/core/io.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

using namespace aip::catalog;

namespace {

Value yaml_value(const std::string &scalar) {
  return parse_document("k: " + scalar + "\n", "t.yml", Syntax::yaml).root.members.at(0).second;
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

} // namespace

// What PyYAML 6.0's yaml.safe_load gives for `k: SCALAR` (recorded with /usr/bin/python3,
// the loader the upstream tool uses): type and value.
TEST(CatalogYaml11, ScalarsResolveAsPyYaml) {
  struct Case {
    const char *scalar;
    Type type;
    double number;
  };
  const Case cases[] = {
      {"yes", Type::boolean, 1},
      {"No", Type::boolean, 0},
      {"on", Type::boolean, 1},
      {"OFF", Type::boolean, 0},
      {"y", Type::string, 0},
      {"true", Type::boolean, 1},
      {"null", Type::null, 0},
      {"~", Type::null, 0},
      {"Null", Type::null, 0},
      {"nULL", Type::string, 0},
      {"1", Type::integer, 1},
      {"-1", Type::integer, -1},
      {"+1", Type::integer, 1},
      {"0", Type::integer, 0},
      {"012", Type::integer, 10},
      {"0o12", Type::string, 0},
      {"019", Type::string, 0},
      {"0x1F", Type::integer, 31},
      {"0b101", Type::integer, 5},
      {"1_000", Type::integer, 1000},
      {"1:30", Type::integer, 90},
      {"190:20:30", Type::integer, 685230},
      {"1.5", Type::number, 1.5},
      {"1.", Type::number, 1.0},
      {".5", Type::number, 0.5},
      {"-.5", Type::string, 0},
      {"1e3", Type::string, 0},
      {"1.0e3", Type::string, 0},
      {"1.0e+3", Type::number, 1000},
      {"1:30.5", Type::number, 90.5},
      {"2024-12-13", Type::timestamp, 0},
      {"2024-1-3", Type::string, 0},
      {"2024-12-13 10:00:00", Type::timestamp, 0},
      {"2024-12-13T10:00:00Z", Type::timestamp, 0},
      {"2024-12-13t10:00:00.5+02:00", Type::timestamp, 0},
      {"2.0.0", Type::string, 0},
      {"1.0", Type::number, 1.0},
      {"0.0", Type::number, 0},
      {"00", Type::integer, 0},
      {"+0.5", Type::number, 0.5},
      {"1_0.5", Type::number, 10.5},
      {"_1", Type::string, 0},
      {"'yes'", Type::string, 0},
      {"\"2024-12-13\"", Type::string, 0},
      {"!!str 12", Type::string, 0},
  };
  for (const auto &c : cases) {
    Value v = yaml_value(c.scalar);
    EXPECT_EQ(v.type, c.type) << c.scalar << " gave " << type_name(v.type);
    if (c.type == Type::integer || c.type == Type::number) {
      EXPECT_DOUBLE_EQ(v.number, c.number) << c.scalar;
    }
    if (c.type == Type::boolean) {
      EXPECT_EQ(v.boolean, c.number != 0) << c.scalar;
    }
  }
  EXPECT_TRUE(std::isinf(yaml_value(".inf").number));
  EXPECT_LT(yaml_value("-.INF").number, 0);
  EXPECT_TRUE(std::isnan(yaml_value(".nan").number));
  EXPECT_EQ(yaml_value("").type, Type::null);
}

// PyYAML fails on these (ValueError for the date, ConstructorError for the others).
TEST(CatalogYaml11, RefusesWhatPyYamlRefuses) {
  for (const char *bad : {"2024-02-30", "<<", "=", "!!python/object:os.system x", "!!int abc"})
    EXPECT_THROW(yaml_value(bad), ParseError) << bad;
}

TEST(CatalogDocument, PositionsDuplicatesAndLastWins) {
  auto doc = parse_document("a: 1\nb:\n  - x\n  - y\na: 2\n", "d.yml");
  ASSERT_EQ(doc.root.members.size(), 2U);
  EXPECT_EQ(doc.root.find("a")->number, 2); // PyYAML keeps the last
  EXPECT_EQ(doc.root.find("b")->items[1].mark.line, 4);
  EXPECT_EQ(doc.root.find("b")->items[1].mark.column, 5);
  ASSERT_EQ(doc.duplicates.size(), 1U);
  EXPECT_EQ(doc.duplicates[0].pointer, "/a");
  EXPECT_EQ(doc.duplicates[0].first.line, 1);
  EXPECT_EQ(doc.duplicates[0].second.line, 5);
}

TEST(CatalogDocument, MergeKeys) {
  auto doc = parse_document("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n", "m.yml");
  const Value *d = doc.root.find("d");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->find("x")->number, 1);
  EXPECT_EQ(d->find("y")->number, 3);
}

TEST(CatalogDocument, BadInputNamesThePlace) {
  try {
    parse_document("a: 1\nb: \"unterminated\n", "bad.yml");
    FAIL();
  } catch (const ParseError &e) {
    EXPECT_EQ(e.status(), aip::Exit::data);
    EXPECT_GT(e.mark.line, 0);
    EXPECT_NE(std::string(e.what()).find("bad.yml:"), std::string::npos);
  }
  EXPECT_THROW(parse_document("a: 'open\n", "open.yml"), ParseError);
  EXPECT_NO_THROW(parse_document("a: 'it''s'\nb: \"q\\\"\"\n", "closed.yml"));
  EXPECT_THROW(parse_document("a: \xff\xfe\n", "latin.yml"), ParseError);
  EXPECT_THROW(parse_document("a: &x [1, *x]\n", "self.yml"),
               ParseError); // a list that holds itself
  EXPECT_THROW(parse_document("a: 1\n---\nb: 2\n", "two.yml"), ParseError);
  Limits small;
  small.max_bytes = 8;
  EXPECT_THROW(parse_document("title: something long\n", "big.yml", Syntax::sniff, small),
               ParseError);
  // Billion laughs: aliases expanding past the node limit.
  std::string lol = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'j'; ++c, ++prev) {
    lol += std::string(1, c) + ": &" + c + " [";
    for (int k = 0; k < 10; ++k) lol += std::string(k ? ", *" : "*") + prev;
    lol += "]\n";
  }
  EXPECT_THROW(parse_document(lol, "lol.yml"), ParseError);
}

TEST(CatalogJson, ParsesWithPositionsAndRejectsBadJson) {
  auto doc = parse_document(
      "{\n  \"a\": [1, 2.5, \"x\\u00e9\\ud83d\\ude00\"],\n  \"b\": {\"c\": null, \"c\": true}\n}",
      "j.json");
  EXPECT_FALSE(doc.yaml);
  const Value *a = doc.root.find("a");
  EXPECT_EQ(a->items[0].type, Type::integer);
  EXPECT_EQ(a->items[1].type, Type::number);
  EXPECT_EQ(a->items[2].text, "x\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(a->items[2].mark.line, 2);
  EXPECT_EQ(a->items[2].mark.column, 17);
  EXPECT_EQ(doc.root.find("b")->find("c")->type, Type::boolean);
  ASSERT_EQ(doc.duplicates.size(), 1U);
  EXPECT_EQ(doc.duplicates[0].pointer, "/b/c");
  for (const char *bad : {"{\"a\": 1,}", "[1 2]", "{\"a\" 1}", "[01]", "[1.]", "\"\\x\"",
                          "[\"\\ud800\"]", "{} x", "[tru]", "[\"a\nb\"]"})
    EXPECT_THROW(parse_document(bad, "bad.json", Syntax::json), ParseError) << bad;
}

namespace {

std::vector<SchemaError> check(const char *schema, const char *instance) {
  auto s = Schema::load(nlohmann::json::parse(schema), "test");
  return s.validate(parse_document(instance, "i.json", Syntax::json).root);
}

bool ok(const char *schema, const char *instance) { return check(schema, instance).empty(); }

} // namespace

// Expected results from the JSON Schema specification (2020-12 Validation; draft-07 where
// it differs), one keyword at a time.
TEST(CatalogSchema, KeywordsFollowTheSpecification) {
  EXPECT_TRUE(ok(R"({"type":"integer"})", "1.0")); // integers may be written 1.0 (draft-06 on)
  EXPECT_FALSE(ok(R"({"type":"integer"})", "1.5"));
  EXPECT_FALSE(ok(R"({"type":"integer"})", "true")); // booleans are not numbers
  EXPECT_TRUE(ok(R"({"type":["string","null"]})", "null"));
  EXPECT_TRUE(ok(R"({"enum":[1,"a",[1]]})", "1.0"));
  EXPECT_FALSE(ok(R"({"enum":[1]})", "true"));
  EXPECT_TRUE(ok(R"({"const":{"a":1,"b":2}})", R"({"b":2,"a":1})"));
  EXPECT_FALSE(ok(R"({"uniqueItems":true})", "[1, 1.0]"));
  EXPECT_TRUE(ok(R"({"uniqueItems":true})", "[1, true]"));
  EXPECT_TRUE(
      ok(R"({"minLength":2,"maxLength":2})", "\"\xc3\xa9\xc3\xa9\"")); // code points, not bytes
  EXPECT_TRUE(ok(R"({"pattern":"b"})", "\"abc\""));                    // not anchored
  EXPECT_FALSE(ok(R"({"pattern":"^b"})", "\"abc\""));
  EXPECT_TRUE(ok(R"({"minimum":0,"exclusiveMaximum":3})", "2.999"));
  EXPECT_FALSE(ok(R"({"exclusiveMaximum":3})", "3"));
  EXPECT_TRUE(ok(R"({"multipleOf":0.1})", "0.3"));
  EXPECT_FALSE(ok(R"({"multipleOf":2})", "7"));
  EXPECT_TRUE(ok(
      R"({"properties":{"a":{"type":"string"}},"additionalProperties":false,"patternProperties":{"^x-":{}}})",
      R"({"a":"s","x-1":1})"));
  EXPECT_FALSE(ok(R"({"additionalProperties":false,"properties":{"a":{}}})", R"({"b":1})"));
  EXPECT_TRUE(ok(R"({"anyOf":[{"type":"string"},{"minimum":2}]})", "3"));
  EXPECT_FALSE(ok(R"({"oneOf":[{"type":"integer"},{"minimum":2}]})", "3"));
  EXPECT_FALSE(ok(R"({"not":{"anyOf":[{"required":["a"]},{"required":["b"]}]}})", R"({"b":1})"));
  EXPECT_TRUE(ok(R"({"if":{"required":["gpu"]},"then":{"required":["mem"]}})", R"({"cpu":1})"));
  EXPECT_FALSE(ok(R"({"if":{"required":["gpu"]},"then":{"required":["mem"]}})", R"({"gpu":1})"));
  EXPECT_TRUE(
      ok(R"({"prefixItems":[{"type":"string"}],"items":{"type":"integer"}})", R"(["a",1,2])"));
  EXPECT_FALSE(
      ok(R"({"prefixItems":[{"type":"string"}],"items":{"type":"integer"}})", R"(["a","b"])"));
  EXPECT_FALSE(ok(R"({"contains":{"const":1},"minContains":2})", "[1,2]"));
  EXPECT_FALSE(ok(R"({"dependentRequired":{"a":["b"]}})", R"({"a":1})"));
  EXPECT_TRUE(ok(
      R"({"$defs":{"p":{"type":"integer","minimum":0}},"properties":{"n":{"$ref":"#/$defs/p"}}})",
      R"({"n":3})"));
  EXPECT_FALSE(ok(
      R"({"$defs":{"p":{"type":"integer","minimum":0}},"properties":{"n":{"$ref":"#/$defs/p","maximum":2}}})",
      R"({"n":3})"));
  // draft-07: siblings of $ref are ignored.
  EXPECT_TRUE(ok(
      R"({"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"p":{"type":"integer"}},"properties":{"n":{"$ref":"#/definitions/p","maximum":2}}})",
      R"({"n":3})"));
  EXPECT_FALSE(ok(
      R"({"$schema":"http://json-schema.org/draft-07/schema#","items":[{"type":"string"}],"additionalItems":false})",
      R"(["a",1])"));
  EXPECT_TRUE(ok(R"({"format":"uri"})", "\"not a uri\"")); // formats are annotations by default
  // A recursive schema.
  EXPECT_FALSE(ok(R"({"properties":{"child":{"$ref":"#"}},"required":["id"]})",
                  R"({"id":1,"child":{"child":{}}})"));
}

TEST(CatalogSchema, ErrorsCarryPointersAndPositions) {
  auto e = check(
      R"({"properties":{"tags":{"type":"array","items":{"enum":["A","B"]}}},"required":["title"]})",
      "{\n \"tags\": [\"A\", \"b\"]\n}");
  ASSERT_EQ(e.size(), 2U);
  EXPECT_EQ(e[0].keyword, "required");
  EXPECT_EQ(e[0].pointer, "");
  EXPECT_EQ(e[0].schema_pointer, "/required");
  EXPECT_EQ(e[1].pointer, "/tags/1");
  EXPECT_EQ(e[1].schema_pointer, "/properties/tags/items/enum");
  EXPECT_EQ(e[1].mark.line, 2);
  EXPECT_EQ(e[1].mark.column, 16);
  EXPECT_NE(e[1].message.find("did you mean 'B'"), std::string::npos);
}

TEST(CatalogSchema, RefusesWhatItCannotCheck) {
  EXPECT_THROW(Schema::load(nlohmann::json::parse(R"({"unevaluatedProperties":false})"), "s"),
               aip::Error);
  EXPECT_THROW(
      Schema::load(nlohmann::json::parse(R"({"$ref":"https://example.org/other.json"})"), "s"),
      aip::Error);
  EXPECT_THROW(
      Schema::load(
          nlohmann::json::parse(R"({"$schema":"http://json-schema.org/draft-04/schema#"})"), "s"),
      aip::Error);
}

TEST(CatalogMetadata, SchemataMatchShared) {
  for (const auto &v : known_versions()) {
    std::string shared =
        std::string(AIP_SHARED_DATA_DIR) + "/catalog/schemata/ai4-apps-v" + v + ".json";
    EXPECT_EQ(schema_text(v), slurp(shared)) << v;
  }
  EXPECT_EQ(known_versions().size(), 5U);
  EXPECT_EQ(latest_version(), "2.3.0");
}

TEST(CatalogMetadata, VersionChoice) {
  auto v = [](const char *yaml) { return schema_version_for(parse_document(yaml, "v.yml").root); };
  EXPECT_EQ(v("title: x\n"), "1.0.0");
  EXPECT_EQ(v("metadata_version: 1.0.0\n"), "1.0.0");
  EXPECT_EQ(v("metadata_version: 2.0.0\n"), "2.0.0");
  EXPECT_EQ(v("metadata_version: 2.2.1\n"), "2.2.0");
  EXPECT_THROW(v("metadata_version: 3.0.0\n"), aip::Error);
}

namespace {

const char *kGood = R"(metadata_version: 2.3.0
title: Demo
summary: A demo
description: Longer text
dates:
  created: '2024-01-02'
  updated: '2024-03-04'
links:
  source_code: https://github.com/ai4os-hub/demo
  docker_image: ai4oshub/demo:latest
libraries: [PyTorch]
tasks: [Computer Vision]
categories: [AI4 inference]
tags: [demo]
resources:
  inference: {cpu: 1, gpu: 1, memory_MB: 2000, gpu_memory_MB: 8000, gpu_compute_capability: 7.5}
)";

Report strict(const std::string &yaml) {
  ValidateOptions o;
  o.strict = true;
  return validate(parse_document(yaml, "s.yml"), o);
}

bool has(const Report &r, const std::string &pointer, const std::string &keyword) {
  for (const auto &e : r.errors)
    if (e.pointer == pointer && e.keyword == keyword) return true;
  return false;
}

std::string replace(std::string s, const std::string &from, const std::string &to) {
  auto at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return s.replace(at, from.size(), to);
}

} // namespace

TEST(CatalogMetadata, StrictChecks) {
  auto good = strict(kGood);
  EXPECT_TRUE(good.valid) << (good.errors.empty()
                                  ? ""
                                  : good.errors[0].pointer + ": " + good.errors[0].message);
  EXPECT_TRUE(has(strict(std::string(kGood) + "sata-type: [Image]\n"), "/sata-type",
                  "additionalProperties"));
  EXPECT_TRUE(validate(parse_document(std::string(kGood) + "sata-type: [Image]\n", "p.yml"), {})
                  .valid); // the permissive upstream verdict
  EXPECT_TRUE(
      has(strict(replace(kGood, "https://github.com/ai4os-hub/demo", "github.com/ai4os-hub/demo")),
          "/links/source_code", "format"));
  EXPECT_TRUE(
      has(strict(replace(kGood, "https://github.com/ai4os-hub/demo", "https://github .com/x")),
          "/links/source_code", "format"));
  EXPECT_TRUE(has(strict(replace(kGood, "ai4oshub/demo:latest", "AI4OSHub/Demo")),
                  "/links/docker_image", "format"));
  EXPECT_TRUE(
      has(strict(replace(kGood, "'2024-03-04'", "'2024-02-30'")), "/dates/updated", "format"));
  EXPECT_TRUE(
      has(strict(replace(kGood, "'2024-03-04'", "'2023-03-04'")), "/dates/updated", "dates"));
  EXPECT_TRUE(has(strict(replace(kGood, "tags: [demo]", "tags: []")), "/tags", "empty"));
  EXPECT_TRUE(has(strict(std::string(kGood) + "doi: zenodo 123\n"), "/doi", "format"));
  EXPECT_TRUE(strict(std::string(kGood) + "doi: 10.5281/zenodo.1234567\n").valid);
  EXPECT_TRUE(has(strict(replace(kGood, "gpu_memory_MB: 8000", "gpu_memory_MB: 0")),
                  "/resources/inference/gpu_memory_MB", "resources"));
  EXPECT_TRUE(
      has(strict(replace(kGood, "gpu_compute_capability: 7.5", "gpu_compute_capability: 100.0")),
          "/resources/inference/gpu_compute_capability", "resources"));
  EXPECT_TRUE(has(strict(replace(kGood, "gpu: 1,", "gpu: 0,")),
                  "/resources/inference/gpu_memory_MB", "resources"));
  EXPECT_TRUE(has(strict(std::string(kGood) + "title: Again\n"), "/title", "duplicate"));
  auto dup = validate(parse_document(std::string(kGood) + "title: Again\n", "d.yml"), {});
  EXPECT_TRUE(dup.valid); // upstream: the last one wins
  EXPECT_EQ(dup.warnings.size(), 1U);
}

TEST(CatalogMetadata, FormatChecks) {
  EXPECT_EQ(check_format("uri", "https://example.org/a?b=c#d"), "");
  EXPECT_NE(check_format("uri", "ai4oshub/x"), "");
  EXPECT_NE(check_format("uri", "https:///path"), "");
  EXPECT_NE(check_format("uri", "https://exa mple.org"), "");
  EXPECT_EQ(check_format("uri-reference", "ai4oshub/x"), "");
  EXPECT_EQ(check_format("date", "2024-02-29"), "");
  EXPECT_NE(check_format("date", "2023-02-29"), "");
  EXPECT_NE(check_format("date", "2024-2-9"), "");
  EXPECT_EQ(check_format("doi", "https://doi.org/10.5281/zenodo.13343448"), "");
  EXPECT_NE(check_format("doi", "10.52/x"), "");
  EXPECT_EQ(check_format("docker-image", "registry.services.ai4os.eu/ai4os/ai4-cvat-ui"), "");
  EXPECT_EQ(check_format("docker-image", "tensorflow/tensorflow:2.10.0-gpu"), "");
  EXPECT_EQ(
      check_format("docker-image", "localhost:5000/x@sha256:0123456789abcdef0123456789abcdef"), "");
  EXPECT_NE(check_format("docker-image", "ai4oshub/x:"), "");
  EXPECT_NE(check_format("docker-image", "Ai4oshub/x"), "");
}

TEST(CatalogMetadata, MigratedV1FilesValidateAsLatest) {
  const std::string dir = std::string(AIP_SHARED_DATA_DIR) + "/catalog/deepmeta";
  std::size_t n = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    auto doc = load_document(entry.path().string());
    std::vector<std::string> notes;
    Value v2 = migrate(doc.root, notes);
    // Through YAML text and back, as a user gets it.
    auto again =
        parse_document(to_yaml(v2), entry.path().filename().string() + ".yml", Syntax::yaml);
    auto r = validate(again, {});
    EXPECT_EQ(r.schema_version, latest_version());
    EXPECT_TRUE(r.valid) << entry.path() << ": "
                         << (r.errors.empty() ? ""
                                              : r.errors[0].pointer + " " + r.errors[0].message);
    EXPECT_EQ(again.root.find("title")->text, doc.root.find("title")->text);
    ++n;
  }
  EXPECT_EQ(n, 30U);
}

TEST(CatalogMetadata, YamlWriterRoundTrips) {
  Value v = Value::from_json(nlohmann::json::parse(
      R"({"a":"yes","b":"2024-01-02","c":"multi\nline\n","d":" lead","e":["x: y","#no",""],
    "f":{"g":[{"h":1,"i":[true,null]}]},"j":"tab\there","k":"null","l":"-","m":"é","n":"line1\n\nline3"})"));
  auto back = parse_document(to_yaml(v), "w.yml", Syntax::yaml).root;
  EXPECT_EQ(back.to_json().dump(), v.to_json().dump()) << to_yaml(v);
}

TEST(CatalogMetadata, ModuleRecord) {
  auto doc = parse_document(kGood, "m.yml");
  auto m = to_module(doc.root, "2.3.0", "demo", "m.yml");
  EXPECT_EQ(m.title, "Demo");
  EXPECT_EQ(m.links.at("docker_image"), "ai4oshub/demo:latest");
  EXPECT_EQ(m.resources["gpus"], 1);
  EXPECT_EQ(m.resources["memory_bytes"], 2000LL * 1048576); // MB are Nomad's MiB
  EXPECT_EQ(m.categories, std::vector<std::string>{"AI4 inference"});
}

// ---- module lists, the index and the site ----

#include <aip/catalog/index.hpp>
#include <aip/catalog/site.hpp>
#include <aip/catalog/sync.hpp>

// Counts from the shared lists themselves (grep -c 'url = ' and 'module:': 33 and 30;
// branches: 25 main, 8 master).
TEST(CatalogSync, ReadsTheRealLists) {
  const std::string dir = std::string(AIP_SHARED_DATA_DIR) + "/catalog";
  auto ai4 = read_module_list(dir + "/modules-catalog.gitmodules");
  ASSERT_EQ(ai4.size(), 33U);
  std::size_t main = 0, master = 0;
  for (const auto &m : ai4) (m.branch == "main" ? main : m.branch == "master" ? master : main) += 1;
  EXPECT_EQ(main, 25U);
  EXPECT_EQ(master, 8U);
  EXPECT_EQ(ai4[0].id, "dogs-breed-detector");
  EXPECT_EQ(ai4[0].line, 1);
  auto deep = read_module_list(dir + "/deep-oc.MODULES.yml");
  ASSERT_EQ(deep.size(), 30U);
  EXPECT_EQ(deep[0].id, "DEEP-OC-dogs_breed_det");
  EXPECT_EQ(deep[0].line, 2);
}

TEST(CatalogSync, RawUrls) {
  SyncOptions o;
  o.files = {"ai4-metadata.yml"};
  EXPECT_EQ(candidate_urls({"x", "https://github.com/ai4os-hub/ai4os-demo-app.git/", "", 1}, o)[0],
            "https://raw.githubusercontent.com/ai4os-hub/ai4os-demo-app/HEAD/ai4-metadata.yml");
  EXPECT_EQ(candidate_urls({"x", "https://github.com/deephdc/DEEP-OC-mods", "master", 1}, o)[0],
            "https://raw.githubusercontent.com/deephdc/DEEP-OC-mods/master/ai4-metadata.yml");
  EXPECT_EQ(candidate_urls({"x", "https://codebase.helmholtz.cloud/grp/repo", "dev", 1}, o)[0],
            "https://codebase.helmholtz.cloud/grp/repo/-/raw/dev/ai4-metadata.yml");
  EXPECT_EQ(candidate_urls({"x", "file:///srv/repo", "", 1}, o)[0],
            "file:///srv/repo/ai4-metadata.yml");
  EXPECT_EQ(candidate_urls({"x", "https://example.org/m/ai4-metadata.json", "", 1}, o)[0],
            "https://example.org/m/ai4-metadata.json");
  o.raw_url = "http://127.0.0.1:9/{owner}/{repo}/{branch}/{file}";
  EXPECT_EQ(candidate_urls({"x", "https://github.com/a/b", "", 1}, o)[0],
            "http://127.0.0.1:9/a/b/HEAD/ai4-metadata.yml");
  EXPECT_THROW(parse_module_list("ftp://example.org/x\n", "l.txt"), aip::Error);
  EXPECT_THROW(parse_module_list("https://github.com/a/b\nhttps://github.com/a/b/\n", "l.txt"),
               aip::Error);
  EXPECT_THROW(parse_module_list("[submodule \"x\"]\n\tpath = x\n", ".gitmodules"), aip::Error);
}

namespace {

aip::records::Module mod(const std::string &id, std::vector<std::string> tags, double gpus,
                         double mem_gib) {
  aip::records::Module m;
  m.id = id;
  m.title = "Module " + id;
  m.tags = std::move(tags);
  if (gpus >= 0) m.resources["gpus"] = gpus;
  if (mem_gib >= 0) m.resources["memory_bytes"] = mem_gib * 1073741824.0;
  m.valid = true;
  return m;
}

} // namespace

TEST(CatalogIndex, FiltersAndSearch) {
  Index idx;
  idx.modules = {mod("a", {"vision"}, 1, 16), mod("b", {"Vision", "audio"}, 0, 4),
                 mod("c", {"audio"}, -1, -1)};
  idx.modules[2].title = "Plankton audio";
  Filter f;
  f.tags = {"vision"};
  EXPECT_EQ(select(idx, f).size(), 2U); // case-insensitive
  Filter gpu;
  gpu.gpu = true;
  ASSERT_EQ(select(idx, gpu).size(), 1U);
  EXPECT_EQ(select(idx, gpu)[0]->id, "a");
  Filter mem;
  mem.max_memory = 8ULL << 30; // 8G: b (4 GiB) and c (unstated) pass, a (16 GiB) does not
  auto m = select(idx, mem);
  ASSERT_EQ(m.size(), 2U);
  EXPECT_EQ(m[0]->id, "b");
  EXPECT_EQ(m[1]->id, "c");
  Filter words;
  words.words = {"audio"};
  auto r = select(idx, words); // title hit (c) ranks above tag hit (b)
  ASSERT_EQ(r.size(), 2U);
  EXPECT_EQ(r[0]->id, "c");
  words.words = {"audio", "nothing"};
  EXPECT_TRUE(select(idx, words).empty());
  auto back = parse_index(index_to_json(idx), "i.json");
  ASSERT_EQ(back.modules.size(), 3U);
  EXPECT_EQ(back.modules[0], idx.modules[0]);
}

TEST(CatalogSite, Escaping) {
  auto j = script_json(nlohmann::ordered_json{{"t", "</script><!-- \xe2\x80\xa8 &"}});
  EXPECT_EQ(j.find('<'), std::string::npos);
  EXPECT_EQ(j.find('&'), std::string::npos);
  EXPECT_NE(j.find("\\u2028"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(j)["t"], "</script><!-- \xe2\x80\xa8 &");
  EXPECT_EQ(safe_href("javascript:alert(1)"), "");
  EXPECT_EQ(safe_href(" JavaScript:alert(1)"), "");
  EXPECT_EQ(safe_href("data:text/html,x"), "");
  EXPECT_EQ(safe_href("https://x.org/a\"onclick=1"), "");
  EXPECT_EQ(safe_href("HTTPS://x.org/a"), "HTTPS://x.org/a");
  EXPECT_EQ(page_name("../../etc/passwd"), "m.._.._etc_passwd.html");
  EXPECT_EQ(page_name("ok-name_1.2"), "ok-name_1.2.html");
}
