#include "aip/catalog/metadata.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace aip::catalog {

// Generated from lib/catalog/schemata/*.json at configure time (schemata.cpp).
const std::map<std::string, std::string> &embedded_schemata();

const std::vector<std::string> &known_versions() {
  static const std::vector<std::string> v = [] {
    std::vector<std::string> out;
    for (const auto &[version, text] : embedded_schemata()) out.push_back(version);
    return out;
  }();
  return v;
}

const std::string &latest_version() { return known_versions().back(); }

const std::string &schema_text(const std::string &version) {
  auto it = embedded_schemata().find(version);
  if (it == embedded_schemata().end()) data_error("unknown metadata version '" + version + "'");
  return it->second;
}

const Schema &upstream_schema(const std::string &version) {
  static std::mutex lock;
  static std::map<std::string, std::unique_ptr<Schema>> cache;
  std::lock_guard<std::mutex> guard(lock);
  auto &slot = cache[version];
  if (!slot)
    slot = std::make_unique<Schema>(Schema::load(nlohmann::json::parse(schema_text(version)),
                                                 "ai4-apps-v" + version + ".json"));
  return *slot;
}

namespace {

std::string scalar_text(const Value &v) {
  if (v.type == Type::string || v.type == Type::timestamp || v.is_number())
    return v.text.empty() ? v.to_json().dump() : v.text;
  return "";
}

} // namespace

std::string schema_version_for(const Value &root) {
  std::string declared;
  if (root.type == Type::object)
    if (const Value *mv = root.find("metadata_version")) declared = scalar_text(*mv);
  if (declared.empty() || declared[0] == '1') return "1.0.0";
  // Same major.minor as a known schema.
  auto dot = declared.find('.');
  auto dot2 = dot == std::string::npos ? std::string::npos : declared.find('.', dot + 1);
  std::string minor = declared.substr(0, dot2);
  for (const auto &v : known_versions())
    if (v.substr(0, v.rfind('.')) == minor) return v;
  data_error("metadata_version '" + declared + "' is not a version aip knows (" +
             known_versions().front() + " to " + latest_version() + ")");
}

// ---- formats (--strict) ----

namespace {

bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

// RFC 3986 characters: unreserved, reserved, and %HH escapes.
std::string uri_chars(const std::string &s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      if (i + 2 >= s.size() || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
        return "a '%' not followed by two hex digits";
      i += 2;
      continue;
    }
    if (std::isalnum(c) || std::strchr("-._~:/?#[]@!$&'()*+,;=", c)) continue;
    if (c == ' ') return "a space (write %20)";
    return std::string("the character '") + static_cast<char>(c) + "' is not allowed in a URI";
  }
  return "";
}

std::string check_uri(const std::string &s, bool reference) {
  if (s.empty()) return "empty";
  if (auto bad = uri_chars(s); !bad.empty()) return bad;
  std::size_t colon = s.find(':');
  bool has_scheme =
      colon != std::string::npos && colon > 0 && is_alpha(s[0]) &&
      std::all_of(s.begin(), s.begin() + static_cast<long>(colon), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
      });
  if (!has_scheme) return reference ? "" : "no scheme (write https://...)";
  std::string scheme = s.substr(0, colon);
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme == "http" || scheme == "https" || scheme == "ftp") {
    if (s.compare(colon + 1, 2, "//") != 0) return "no '//' after '" + scheme + ":'";
    std::size_t start = colon + 3, end = s.find_first_of("/?#", start);
    std::string authority =
        s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    auto at = authority.rfind('@');
    std::string host = at == std::string::npos ? authority : authority.substr(at + 1);
    if (!host.empty() && host[0] != '[') {
      auto port = host.rfind(':');
      if (port != std::string::npos) {
        std::string p = host.substr(port + 1);
        if (!std::all_of(p.begin(), p.end(), is_digit)) return "port '" + p + "' is not a number";
        host = host.substr(0, port);
      }
    }
    if (host.empty()) return "no host";
    if (host[0] != '[')
      for (char c : host)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '%'))
          return "host '" + host + "' is not a host name";
    if (host.front() == '.' || host.back() == '-' || host.find("..") != std::string::npos)
      return "host '" + host + "' is not a host name";
  }
  return "";
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

std::string check_date(const std::string &s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return "expected YYYY-MM-DD";
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(s[static_cast<std::size_t>(i)])) return "expected YYYY-MM-DD";
  int y = std::stoi(s.substr(0, 4)), m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return "no month " + std::to_string(m);
  int dim = m == 2 && leap(y) ? 29 : days[m - 1];
  if (d < 1 || d > dim) return "no day " + std::to_string(d) + " in that month";
  return "";
}

// Crossref's recommended pattern for modern DOIs: 10.NNNN(N...)/suffix, printable suffix.
bool bare_doi(const std::string &s) {
  if (s.size() < 8 || s.compare(0, 3, "10.") != 0) return false;
  std::size_t i = 3, digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (digits < 4 || digits > 9) return false;
  while (i < s.size() && s[i] == '.') { // sub-prefixes (10.1000.10/...)
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
  }
  if (i >= s.size() || s[i] != '/' || i + 1 >= s.size()) return false;
  for (std::size_t k = i + 1; k < s.size(); ++k) {
    unsigned char c = static_cast<unsigned char>(s[k]);
    if (c <= ' ' || c == 0x7F) return false;
  }
  return true;
}

std::string check_doi(const std::string &s) {
  for (const char *prefix : {"https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"})
    if (s.rfind(prefix, 0) == 0)
      return bare_doi(s.substr(std::strlen(prefix))) ? ""
                                                     : "no DOI after '" + std::string(prefix) + "'";
  return bare_doi(s) ? "" : "expected a DOI such as 10.5281/zenodo.1234567";
}

// A Docker image reference ([registry/]path[:tag][@digest]) as the distribution project's
// reference grammar describes it; links.docker_image holds these, not URLs.
std::string check_docker_image(const std::string &s) {
  if (s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0) return check_uri(s, false);
  std::string rest = s;
  if (auto at = rest.find('@'); at != std::string::npos) {
    std::string digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    auto c = digest.find(':');
    if (c == std::string::npos || c == 0 || digest.size() - c - 1 < 32)
      return "digest '" + digest + "' is not algorithm:hex";
  }
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    std::string tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (tag.empty() || tag.size() > 128 ||
        !(std::isalnum(static_cast<unsigned char>(tag[0])) || tag[0] == '_'))
      return "tag '" + tag + "' is not a Docker tag";
    for (char c : tag)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-'))
        return "tag '" + tag + "' is not a Docker tag";
  }
  if (rest.empty()) return "no image name";
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto p = rest.find('/', start);
    parts.push_back(rest.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  std::size_t first = 0;
  if (parts.size() > 1 &&
      (parts[0].find_first_of(".:") != std::string::npos || parts[0] == "localhost"))
    first = 1; // a registry
  for (std::size_t i = first; i < parts.size(); ++i) {
    const auto &c = parts[i];
    if (c.empty()) return "an empty path component";
    if (!std::islower(static_cast<unsigned char>(c[0])) && !is_digit(c[0]))
      return "'" + c + "' must start with a lowercase letter or digit";
    for (char ch : c)
      if (!(std::islower(static_cast<unsigned char>(ch)) || is_digit(ch) || ch == '.' ||
            ch == '_' || ch == '-'))
        return "'" + c + "' may hold only lowercase letters, digits, '.', '_' and '-'";
    if (!std::isalnum(static_cast<unsigned char>(c.back())))
      return "'" + c + "' must end with a letter or digit";
  }
  return "";
}

} // namespace

std::string check_format(const std::string &format, const std::string &value) {
  if (format == "uri") return check_uri(value, false);
  if (format == "uri-reference") return check_uri(value, true);
  if (format == "date") return check_date(value);
  if (format == "doi") return check_doi(value);
  if (format == "docker-image") return check_docker_image(value);
  if (format == "date-time") {
    if (value.size() < 20) return "expected an RFC 3339 date-time";
    if (auto d = check_date(value.substr(0, 10)); !d.empty()) return d;
    if (value[10] != 'T' && value[10] != 't' && value[10] != ' ')
      return "expected 'T' between date and time";
    return "";
  }
  if (format == "email") {
    auto at = value.find('@');
    if (at == std::string::npos || at == 0 || at + 1 >= value.size() ||
        value.find('@', at + 1) != std::string::npos)
      return "expected name@domain";
    return "";
  }
  return ""; // formats aip does not know are annotations
}

// ---- validation ----

namespace {

Finding finding(const SchemaError &e) {
  return {e.pointer, e.schema_pointer, e.keyword, e.message, e.mark};
}

void strict_checks(const Value &root, const std::string &version, Report &r) {
  auto add = [&](const std::string &pointer, const char *keyword, const std::string &message,
                 Mark mark) {
    r.errors.push_back({pointer, std::string("strict/") + keyword, keyword, message, mark});
  };
  if (root.type != Type::object) return;
  // Empty lists say nothing and break filters.
  for (const auto &[key, v] : root.members)
    if (v.type == Type::array && v.items.empty())
      add(pointer_append("", key), "empty", "empty list: leave '" + key + "' out or fill it",
          v.mark);
  // Docker image references are checked as such.
  if (const Value *links = root.find("links"); links && links->type == Type::object)
    if (const Value *img = links->find("docker_image"); img && img->type == Type::string)
      if (auto why = check_docker_image(img->text); !why.empty())
        add("/links/docker_image", "format",
            "'" + img->text + "' is not a Docker image name: " + why, img->mark);
  // Dates in order.
  if (const Value *dates = root.find("dates"); dates && dates->type == Type::object) {
    const Value *c = dates->find("created"), *u = dates->find("updated");
    if (c && u && c->type == Type::string && u->type == Type::string &&
        check_date(c->text).empty() && check_date(u->text).empty() && u->text < c->text)
      add("/dates/updated", "dates", "updated " + u->text + " is before created " + c->text,
          u->mark);
  }
  // Resources that cannot be.
  if (const Value *res = root.find("resources");
      res && res->type == Type::object && version != "1.0.0") {
    for (const auto &member : res->members) {
      const std::string &phase = member.first;
      const Value &cfg = member.second;
      if (cfg.type != Type::object) continue;
      const std::string base = "/resources/" + pointer_escape(phase);
      auto num = [&](const char *k) -> const Value * {
        const Value *x = cfg.find(k);
        return x && x->is_number() ? x : nullptr;
      };
      const Value *gpu = num("gpu"), *gmem = num("gpu_memory_MB"),
                  *cc = num("gpu_compute_capability"), *cpu = num("cpu"), *mem = num("memory_MB");
      const bool gpus = gpu && gpu->number > 0;
      if (gpus && (!gmem || gmem->number <= 0))
        add(base + (gmem ? "/gpu_memory_MB" : ""), "resources",
            std::to_string(static_cast<long long>(gpu->number)) +
                " GPU(s) with no GPU memory: set gpu_memory_MB",
            gmem ? gmem->mark : cfg.mark);
      if (!gpus && gmem && gmem->number > 0)
        add(base + "/gpu_memory_MB", "resources",
            "GPU memory without a GPU: set gpu or drop gpu_memory_MB", gmem->mark);
      if (!gpus && cc && cc->number > 0)
        add(base + "/gpu_compute_capability", "resources", "a GPU compute capability without a GPU",
            cc->mark);
      // NVIDIA compute capabilities run from 1.0 to 12.x (developer.nvidia.com/cuda-gpus).
      if (gpus && cc && (cc->number < 1.0 || cc->number >= 13.0))
        add(base + "/gpu_compute_capability", "resources",
            "compute capability " + cc->to_json().dump() + " does not exist (1.0 to 12.x)",
            cc->mark);
      if (cpu && cpu->number == 0)
        add(base + "/cpu", "resources", "a task needs at least one CPU", cpu->mark);
      if (mem && mem->number == 0)
        add(base + "/memory_MB", "resources", "a task needs some memory", mem->mark);
    }
  }
}

} // namespace

Report validate(const Document &doc, const ValidateOptions &options) {
  Report r;
  r.file = doc.name;
  const Value &root = doc.root;
  if (root.type == Type::object)
    if (const Value *mv = root.find("metadata_version")) r.metadata_version = scalar_text(*mv);
  try {
    r.schema_version =
        options.metadata_version.empty() ? schema_version_for(root) : options.metadata_version;
    if (!options.metadata_version.empty()) (void)schema_text(options.metadata_version);
  } catch (const Error &e) {
    const Value *mv = root.type == Type::object ? root.find("metadata_version") : nullptr;
    r.valid = false;
    r.errors.push_back(
        {"/metadata_version", "", "metadata_version", e.what(), mv ? mv->mark : root.mark});
    return r;
  }
  const Schema &schema = options.schema ? *options.schema : upstream_schema(r.schema_version);
  Schema::Options so;
  if (options.strict) {
    so.unknown_properties = true;
    so.formats = [](const std::string &format, const std::string &value) {
      return check_format(format, value);
    };
  }
  for (const auto &e : schema.validate(root, so)) {
    if (options.strict && e.keyword == "format" && e.pointer == "/links/docker_image")
      continue; // an image name, checked below
    r.errors.push_back(finding(e));
  }
  for (const auto &d : doc.duplicates) {
    Finding f{d.pointer, "strict/duplicate", "duplicate",
              "key written twice (first at line " + std::to_string(d.first.line) +
                  "); the last value wins",
              d.second};
    (options.strict ? r.errors : r.warnings).push_back(f);
  }
  if (options.strict) strict_checks(root, r.schema_version, r);
  std::stable_sort(r.errors.begin(), r.errors.end(), [](const Finding &a, const Finding &b) {
    return std::tie(a.mark.line, a.mark.column) < std::tie(b.mark.line, b.mark.column);
  });
  r.valid = r.errors.empty();
  return r;
}

Report validate_file(const std::string &path, const ValidateOptions &options,
                     const Limits &limits) {
  try {
    Document doc = load_document(path, Syntax::sniff, limits);
    return validate(doc, options);
  } catch (const ParseError &e) {
    Report r;
    r.file = display_name(path);
    r.parsed = false;
    r.valid = false;
    r.errors.push_back({"", "", "syntax", e.problem, e.mark});
    return r;
  }
}

// ---- migration v1 -> v2 ----

namespace {

Value str(const std::string &s) {
  Value v;
  v.type = Type::string;
  v.text = s;
  return v;
}

Value list(const std::vector<std::string> &items) {
  Value v;
  v.type = Type::array;
  for (const auto &s : items) v.items.push_back(str(s));
  return v;
}

void put(Value &obj, const std::string &key, Value v) {
  obj.type = Type::object;
  if (Value *old = obj.find(key))
    *old = std::move(v);
  else {
    obj.members.emplace_back(key, std::move(v));
    obj.key_marks.emplace_back();
  }
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

void add_unique(std::vector<std::string> &v, const std::string &s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

} // namespace

Value migrate_v1(const Value &v1, std::vector<std::string> &notes) {
  if (v1.type != Type::object) data_error("v1 metadata must be a mapping");
  Value out;
  out.type = Type::object;
  put(out, "metadata_version", str(latest_version()));
  auto text = [&](const char *k) -> std::string {
    const Value *v = v1.find(k);
    return v && (v->type == Type::string || v->type == Type::timestamp) ? v->text : "";
  };
  put(out, "title", str(text("title")));
  put(out, "summary", str(text("summary")));
  // v1 keeps the description as a list of paragraphs or lines.
  std::string description;
  if (const Value *d = v1.find("description")) {
    if (d->type == Type::array) {
      for (std::size_t i = 0; i < d->items.size(); ++i)
        description += (i ? "\n" : "") + d->items[i].text;
    } else
      description = d->text;
  }
  put(out, "description", str(description));
  // Links from v1's sources and URLs.
  Value links;
  links.type = Type::object;
  const Value *sources = v1.find("sources");
  auto source = [&](const char *k) -> std::string {
    const Value *v = sources && sources->type == Type::object ? sources->find(k) : nullptr;
    return v && v->type == Type::string ? v->text : "";
  };
  std::string code = source("code");
  if (code.empty()) {
    code = source("dockerfile_repo");
    if (!code.empty())
      notes.push_back("links.source_code: no sources.code; used sources.dockerfile_repo");
  } else if (!source("dockerfile_repo").empty()) {
    notes.push_back("dropped sources.dockerfile_repo (" + source("dockerfile_repo") +
                    "): v2 has no link for it");
  }
  if (code.empty())
    notes.push_back("links.source_code: no source repository in the v1 file; left empty");
  put(links, "source_code", str(code));
  if (auto img = source("docker_registry_repo"); !img.empty()) put(links, "docker_image", str(img));
  if (auto w = source("pre_trained_weights"); !w.empty()) put(links, "weights", str(w));
  if (auto c = text("cite_url"); !c.empty()) put(links, "citation", str(c));
  if (auto d = text("dataset_url"); !d.empty()) put(links, "dataset", str(d));
  put(out, "links", links);
  // Dates: v1 has only the creation date.
  if (auto created = text("date_creation"); !created.empty()) {
    Value dates;
    put(dates, "created", str(created));
    put(dates, "updated", str(created));
    put(out, "dates", dates);
    notes.push_back("dates.updated: v1 has no update date; set to date_creation (" + created + ")");
  }
  // Keywords become tags; the closed lists of v2 are derived from them where they say so.
  std::vector<std::string> tags, libraries, tasks, categories, data_types;
  if (const Value *kw = v1.find("keywords"); kw && kw->type == Type::array)
    for (const auto &k : kw->items) {
      if (k.type != Type::string) continue;
      add_unique(tags, k.text);
      const std::string l = lower(k.text);
      static const std::vector<std::pair<const char *, const char *>> libs = {
          {"tensorflow", "TensorFlow"},     {"pytorch", "PyTorch"},      {"keras", "Keras"},
          {"scikit-learn", "Scikit-learn"}, {"sklearn", "Scikit-learn"}, {"xgboost", "XGBoost"},
          {"lightgbm", "LightGBM"},         {"catboost", "CatBoost"}};
      for (const auto &[needle, name] : libs)
        if (l.find(needle) != std::string::npos) add_unique(libraries, name);
      if (l == "trainable") add_unique(categories, "AI4 trainable");
      if (l == "inference") add_unique(categories, "AI4 inference");
      if (l == "pre-trained" || l == "pretrained" || l == "pre trained")
        add_unique(categories, "AI4 pre trained");
      if (l.find("image") != std::string::npos || l.find("vision") != std::string::npos ||
          l.find("object detection") != std::string::npos) {
        add_unique(tasks, "Computer Vision");
        add_unique(data_types, "Image");
      }
      if (l.find("classification") != std::string::npos) add_unique(tasks, "Classification");
      if (l.find("audio") != std::string::npos || l.find("speech") != std::string::npos)
        add_unique(data_types, "Audio");
      if (l.find("time series") != std::string::npos || l.find("timeseries") != std::string::npos) {
        add_unique(tasks, "Time Series");
        add_unique(data_types, "Time Series");
      }
      if (l.find("nlp") != std::string::npos || l.find("natural language") != std::string::npos) {
        add_unique(tasks, "Natural Language Processing");
        add_unique(data_types, "Text");
      }
      if (l.find("regression") != std::string::npos) add_unique(tasks, "Regression");
      if (l.find("anomaly") != std::string::npos) add_unique(tasks, "Anomaly Detection");
      if (l.find("segmentation") != std::string::npos) add_unique(tasks, "Computer Vision");
    }
  auto fallback = [&](std::vector<std::string> &v, const char *field, const char *value) {
    if (v.empty()) {
      v.push_back(value);
      notes.push_back(std::string(field) + ": nothing in the v1 keywords says; set to '" + value +
                      "'");
    }
  };
  fallback(libraries, "libraries", "Other");
  fallback(tasks, "tasks", "Other");
  fallback(categories, "categories", "AI4 tools");
  put(out, "libraries", list(libraries));
  put(out, "tasks", list(tasks));
  put(out, "categories", list(categories));
  if (tags.empty()) {
    tags.push_back("deep learning");
    notes.push_back("tags: no v1 keywords; set to 'deep learning'");
  }
  put(out, "tags", list(tags));
  if (!data_types.empty()) put(out, "data-type", list(data_types));
  // What v2 has no place for.
  for (const auto &[k, v] : v1.members) {
    static const std::vector<std::string> handled = {
        "title",       "summary",       "description", "sources",         "cite_url",
        "dataset_url", "date_creation", "keywords",    "metadata_version"};
    if (std::find(handled.begin(), handled.end(), k) == handled.end())
      notes.push_back(
          "dropped '" + k + "': v2 has no place for it" +
          (k == "license" ? " (keep the licence in the repository's LICENSE file)" : ""));
  }
  return out;
}

Value migrate(const Value &root, std::vector<std::string> &notes) {
  if (root.type != Type::object) data_error("metadata must be a mapping");
  const std::string version = schema_version_for(root);
  if (version == "1.0.0" && !root.find("links")) return migrate_v1(root, notes);
  Value out = root;
  if (version == "1.0.0")
    notes.push_back("declares metadata_version 1.0.0 but holds v2 content; migrated as v2");
  if (Value *mv = out.find("metadata_version"))
    *mv = str(latest_version());
  else {
    out.members.insert(out.members.begin(), {"metadata_version", str(latest_version())});
    out.key_marks.insert(out.key_marks.begin(), Mark{});
  }
  // Unquoted YAML dates become the strings the schema wants.
  if (Value *dates = out.find("dates"); dates && dates->type == Type::object)
    for (auto &[k, v] : dates->members)
      if (v.type == Type::timestamp) {
        v.type = Type::string;
        notes.push_back("dates." + k + ": the unquoted date " + v.text + " is now a string");
      }
  return out;
}

// ---- aip.module/v1 ----

namespace {

std::vector<std::string> strings_of(const Value *v) {
  std::vector<std::string> out;
  if (!v) return out;
  if (v->type == Type::array) {
    for (const auto &i : v->items)
      if (i.type == Type::string) out.push_back(i.text);
  } else if (v->type == Type::string)
    out.push_back(v->text);
  return out;
}

// MB in ai4-metadata are the mebibytes Nomad (which runs AI4OS modules) counts memory in.
nlohmann::ordered_json resources_of(const Value &cfg) {
  nlohmann::ordered_json r = nlohmann::ordered_json::object();
  auto num = [&](const char *k) -> const Value * {
    const Value *x = cfg.find(k);
    return x && x->is_number() ? x : nullptr;
  };
  if (auto *c = num("cpu")) r["cpus"] = c->number;
  if (auto *g = num("gpu")) r["gpus"] = g->number;
  if (auto *m = num("memory_MB"))
    r["memory_bytes"] = static_cast<std::int64_t>(m->number * 1048576.0);
  if (auto *m = num("gpu_memory_MB"))
    r["gpu_memory_bytes"] = static_cast<std::int64_t>(m->number * 1048576.0);
  if (auto *s = num("storage_MB"))
    r["disk_bytes"] = static_cast<std::int64_t>(s->number * 1048576.0);
  if (auto *c = num("gpu_compute_capability")) r["gpu_compute_capability"] = c->number;
  for (auto it = r.begin(); it != r.end(); ++it)
    if (it.value().is_number_float() &&
        std::floor(it.value().get<double>()) == it.value().get<double>() &&
        it.key() != "gpu_compute_capability")
      it.value() = static_cast<std::int64_t>(it.value().get<double>());
  return r;
}

} // namespace

records::Module to_module(const Value &root, const std::string &schema_version,
                          const std::string &id, const std::string &source) {
  records::Module m;
  m.id = id;
  m.source = source;
  if (root.type != Type::object) return m;
  auto text = [&](const Value *v) {
    return v && (v->type == Type::string || v->type == Type::timestamp) ? v->text : std::string();
  };
  m.title = text(root.find("title"));
  m.summary = text(root.find("summary"));
  m.metadata_version = text(root.find("metadata_version"));
  if (m.metadata_version.empty()) m.metadata_version = schema_version;
  if (const Value *d = root.find("description")) {
    if (d->type == Type::array) {
      for (std::size_t i = 0; i < d->items.size(); ++i)
        m.description += (i ? "\n" : "") + d->items[i].text;
    } else
      m.description = text(d);
  }
  if (schema_version == "1.0.0" && !root.find("links")) {
    m.tags = strings_of(root.find("keywords"));
    m.license = text(root.find("license"));
    if (const Value *s = root.find("sources"); s && s->type == Type::object) {
      if (auto c = text(s->find("code")); !c.empty()) m.links["source_code"] = c;
      if (auto d = text(s->find("docker_registry_repo")); !d.empty()) m.links["docker_image"] = d;
      if (auto d = text(s->find("dockerfile_repo")); !d.empty()) m.links["dockerfile_repo"] = d;
      if (auto w = text(s->find("pre_trained_weights")); !w.empty()) m.links["weights"] = w;
    }
    if (auto c = text(root.find("cite_url")); !c.empty()) m.links["citation"] = c;
    if (auto d = text(root.find("dataset_url")); !d.empty()) m.links["dataset"] = d;
    for (const auto &k : m.tags) {
      const std::string l = lower(k);
      if (l == "trainable") add_unique(m.categories, "AI4 trainable");
      if (l == "inference") add_unique(m.categories, "AI4 inference");
    }
    return m;
  }
  m.tags = strings_of(root.find("tags"));
  m.tasks = strings_of(root.find("tasks"));
  m.libraries = strings_of(root.find("libraries"));
  m.categories = strings_of(root.find("categories"));
  m.doi = text(root.find("doi"));
  m.license = text(root.find("license"));
  if (const Value *links = root.find("links"); links && links->type == Type::object)
    for (const auto &[k, v] : links->members)
      if (v.type == Type::string) m.links[k] = v.text;
  if (const Value *res = root.find("resources"); res && res->type == Type::object) {
    nlohmann::ordered_json r = nlohmann::ordered_json::object();
    if (const Value *inf = res->find("inference"); inf && inf->type == Type::object)
      r = resources_of(*inf);
    if (const Value *tr = res->find("training"); tr && tr->type == Type::object)
      r["training"] = resources_of(*tr);
    m.resources = r;
  }
  return m;
}

} // namespace aip::catalog
