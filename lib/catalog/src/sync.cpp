#include "aip/catalog/sync.hpp"

#include "aip/catalog/metadata.hpp"

#include <aip/core/error.hpp>
#include <aip/core/io.hpp>
#include <aip/core/paths.hpp>
#include <aip/core/units.hpp>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

namespace aip::catalog {

namespace {

std::string trim(const std::string &s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

bool ends_with(const std::string &s, const std::string &suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string strip_repo_url(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (ends_with(url, ".git")) url.resize(url.size() - 4);
  return url;
}

std::string repo_name(const std::string &url) {
  auto u = strip_repo_url(url);
  auto slash = u.rfind('/');
  return slash == std::string::npos ? u : u.substr(slash + 1);
}

bool direct_metadata(const std::string &url) {
  return ends_with(url, ".yml") || ends_with(url, ".yaml") || ends_with(url, ".json");
}

// A module's id: its repository's name. For a direct metadata URL, the repository in a
// GitHub raw URL, the folder of a file with a standard name, or the file's own stem.
std::string module_id(const std::string &url) {
  if (!direct_metadata(url)) return repo_name(url);
  const std::string raw = "https://raw.githubusercontent.com/";
  if (url.rfind(raw, 0) == 0) {
    auto owner_end = url.find('/', raw.size());
    auto repo_end =
        owner_end == std::string::npos ? std::string::npos : url.find('/', owner_end + 1);
    if (repo_end != std::string::npos) return url.substr(owner_end + 1, repo_end - owner_end - 1);
  }
  auto slash = url.rfind('/');
  std::string file = url.substr(slash + 1);
  for (const char *standard :
       {"ai4-metadata.yml", "ai4-metadata.yaml", "ai4-metadata.json", "metadata.json"})
    if (file == standard) return repo_name(url.substr(0, slash));
  for (const char *suffix : {".ai4-metadata.yml", ".ai4-metadata.yaml", ".ai4-metadata.json",
                             ".metadata.json", ".yml", ".yaml", ".json"})
    if (ends_with(file, suffix)) return file.substr(0, file.size() - std::strlen(suffix));
  return file;
}

void check_url(const std::string &url, const std::string &where) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0 && url.rfind("file://", 0) != 0)
    data_error(where + ": '" + url + "' is not an http(s):// or file:// URL");
  for (unsigned char c : url)
    if (c <= ' ' || c == 0x7F)
      data_error(where + ": '" + url + "' has a space or control character");
}

std::string file_path_of(const std::string &url) {
  // file://HOST/path with an empty host, or file:/path.
  if (url.rfind("file://", 0) == 0) return url.substr(7);
  return "";
}

std::vector<ModuleSource> parse_gitmodules(const std::string &text, const std::string &name) {
  std::vector<ModuleSource> out;
  std::size_t start = 0;
  int line_no = 0;
  ModuleSource *current = nullptr;
  std::string section;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string line =
        trim(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const std::string where = name + ":" + std::to_string(line_no);
    if (line[0] == '[') {
      if (line.back() != ']') data_error(where + ": a section header must end with ']'");
      auto q1 = line.find('"'), q2 = line.rfind('"');
      if (line.rfind("[submodule", 0) != 0 || q1 == std::string::npos || q2 == q1)
        data_error(where + ": expected [submodule \"NAME\"]");
      out.push_back({line.substr(q1 + 1, q2 - q1 - 1), "", "", line_no});
      current = &out.back();
      continue;
    }
    auto eq = line.find('=');
    if (eq == std::string::npos) data_error(where + ": expected KEY = VALUE");
    if (!current) data_error(where + ": a setting before any [submodule] section");
    std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
    if (key == "url") {
      check_url(value, where);
      current->url = value;
    } else if (key == "branch") {
      current->branch = value;
    }
  }
  for (auto &m : out) {
    if (m.url.empty())
      data_error(name + ":" + std::to_string(m.line) + ": submodule '" + m.id + "' has no url");
    m.id = repo_name(m.url); // the repository's name, as the other list forms give it
  }
  return out;
}

std::vector<ModuleSource> parse_modules_yml(const std::string &text, const std::string &name) {
  auto doc = parse_document(text, name, Syntax::yaml);
  const Value &root = doc.root;
  if (root.type == Type::null) return {};
  if (root.type != Type::array)
    throw ParseError(name, root.mark, "expected a list of `- module: URL` entries");
  std::vector<ModuleSource> out;
  for (const auto &item : root.items) {
    const std::string where = name + ":" + std::to_string(item.mark.line);
    ModuleSource m;
    m.line = item.mark.line;
    if (item.type == Type::string)
      m.url = item.text;
    else if (item.type == Type::object) {
      const Value *u = item.find("module");
      if (!u) u = item.find("url");
      if (!u || u->type != Type::string)
        throw ParseError(name, item.mark, "an entry without `module: URL`");
      m.url = u->text;
      if (const Value *b = item.find("branch"); b && b->type == Type::string) m.branch = b->text;
    } else
      throw ParseError(name, item.mark, "expected `module: URL`");
    check_url(m.url, where);
    m.id = module_id(m.url);
    out.push_back(m);
  }
  return out;
}

std::vector<ModuleSource> parse_lines(const std::string &text, const std::string &name) {
  std::vector<ModuleSource> out;
  std::size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    auto nl = text.find('\n', start);
    std::string line =
        trim(text.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#') continue;
    ModuleSource m;
    m.line = line_no;
    auto space = line.find_first_of(" \t");
    m.url = line.substr(0, space);
    if (space != std::string::npos) m.branch = trim(line.substr(space));
    check_url(m.url, name + ":" + std::to_string(line_no));
    m.id = module_id(m.url);
    out.push_back(m);
  }
  return out;
}

} // namespace

std::vector<ModuleSource> parse_module_list(const std::string &text, const std::string &name,
                                            ListFormat format) {
  std::size_t bad = 0;
  if (!valid_utf8(text, bad)) data_error(name + ": not UTF-8 (byte " + std::to_string(bad) + ")");
  if (format == ListFormat::automatic) {
    const std::string head = trim(text.substr(0, 4096));
    if (ends_with(name, ".gitmodules") || head.rfind("[submodule", 0) == 0)
      format = ListFormat::gitmodules;
    else if (ends_with(name, ".yml") || ends_with(name, ".yaml") || head.rfind("---", 0) == 0 ||
             head.rfind("- ", 0) == 0)
      format = ListFormat::modules_yml;
    else
      format = ListFormat::lines;
  }
  auto out = format == ListFormat::gitmodules    ? parse_gitmodules(text, name)
             : format == ListFormat::modules_yml ? parse_modules_yml(text, name)
                                                 : parse_lines(text, name);
  // The same module twice is a mistake in the list, not two modules.
  for (std::size_t i = 0; i < out.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (strip_repo_url(out[i].url) == strip_repo_url(out[j].url))
        data_error(name + ":" + std::to_string(out[i].line) + ": " + out[i].url +
                   " is already listed at line " + std::to_string(out[j].line));
  return out;
}

std::vector<ModuleSource> read_module_list(const std::string &path, ListFormat format) {
  auto text = read_file(path);
  auto list = parse_module_list(text, display_name(path), format);
  // A list that names itself as a module (file://) would sync its own text as metadata.
  if (!is_stdio(path)) {
    std::error_code ec;
    const auto self = std::filesystem::weakly_canonical(path, ec);
    for (const auto &m : list) {
      auto urls = candidate_urls(m, SyncOptions{});
      urls.push_back(m.url);
      for (const auto &url : urls) {
        auto p = file_path_of(url);
        if (p.empty()) continue;
        std::error_code ec2;
        if (std::filesystem::weakly_canonical(p, ec2) == self && !ec2)
          data_error(display_name(path) + ":" + std::to_string(m.line) +
                     ": the list points at itself (" + m.url + ")");
      }
    }
  }
  return list;
}

std::vector<std::string> candidate_urls(const ModuleSource &m, const SyncOptions &o) {
  if (direct_metadata(m.url)) return {m.url};
  const std::string url = strip_repo_url(m.url);
  const std::string branch = m.branch.empty() ? "HEAD" : m.branch;
  std::string owner, repo = repo_name(url);
  {
    auto cut = url.rfind('/');
    auto before = cut == std::string::npos ? std::string::npos : url.rfind('/', cut - 1);
    if (before != std::string::npos) owner = url.substr(before + 1, cut - before - 1);
  }
  std::string tmpl;
  if (url.rfind("file://", 0) == 0)
    tmpl = "{url}/{file}";
  else if (!o.raw_url.empty())
    tmpl = o.raw_url;
  else if (url.rfind("https://github.com/", 0) == 0 || url.rfind("http://github.com/", 0) == 0)
    tmpl = "https://raw.githubusercontent.com/{owner}/{repo}/{branch}/{file}";
  else
    tmpl = "{url}/-/raw/{branch}/{file}"; // GitLab and its instances
  std::vector<std::string> out;
  for (const auto &file : o.files) {
    std::string s = tmpl;
    auto put = [&](const std::string &key, const std::string &value) {
      for (auto at = s.find(key); at != std::string::npos; at = s.find(key, at + value.size()))
        s.replace(at, key.size(), value);
    };
    put("{url}", url);
    put("{owner}", owner);
    put("{repo}", repo);
    put("{branch}", branch);
    put("{file}", file);
    out.push_back(s);
  }
  return out;
}

// ---- HTTP with libcurl ----

namespace {

struct Response {
  long status = 0; // HTTP status; 200 for a file:// read
  CURLcode code = CURLE_OK;
  std::string body, etag, last_modified, error;
  bool too_large = false;
};

struct Transfer {
  Response *r;
  std::size_t limit;
};

std::size_t on_body(char *data, std::size_t size, std::size_t n, void *user) {
  auto *t = static_cast<Transfer *>(user);
  if (t->r->body.size() + size * n > t->limit) {
    t->r->too_large = true;
    return 0; // aborts the transfer
  }
  t->r->body.append(data, size * n);
  return size * n;
}

std::size_t on_header(char *data, std::size_t size, std::size_t n, void *user) {
  auto *r = static_cast<Response *>(user);
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string key = line.substr(0, colon);
    for (auto &c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = trim(line.substr(colon + 1));
    if (key == "etag")
      r->etag = value;
    else if (key == "last-modified")
      r->last_modified = value;
  } else if (line.rfind("HTTP/", 0) == 0) {
    r->etag.clear(); // a new response (after a redirect) starts over
    r->last_modified.clear();
  }
  return size * n;
}

Response fetch_once(const std::string &url, const SyncOptions &o, const std::string &etag,
                    const std::string &last_modified) {
  Response r;
  CURL *curl = curl_easy_init();
  if (!curl) fail(Exit::internal, "curl_easy_init failed");
  Transfer t{&r, o.limits.max_bytes};
  char errbuf[CURL_ERROR_SIZE] = {0};
  struct curl_slist *headers = nullptr;
  if (!etag.empty()) headers = curl_slist_append(headers, ("If-None-Match: " + etag).c_str());
  if (!last_modified.empty())
    headers = curl_slist_append(headers, ("If-Modified-Since: " + last_modified).c_str());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,file");
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(o.timeout_s * 1000));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(o.connect_timeout_s * 1000));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT,
                   "aip-catalog/"
                   "1");
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);
  if (headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  r.code = curl_easy_perform(curl);
  if (r.code == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    if (url.rfind("file://", 0) == 0) r.status = 200;
  } else {
    r.error = errbuf[0] ? errbuf : curl_easy_strerror(r.code);
    if (r.too_large) r.error = "larger than " + std::to_string(o.limits.max_bytes) + " bytes";
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return r;
}

bool retryable(const Response &r) {
  if (r.code == CURLE_OPERATION_TIMEDOUT || r.code == CURLE_COULDNT_CONNECT ||
      r.code == CURLE_RECV_ERROR || r.code == CURLE_SEND_ERROR || r.code == CURLE_GOT_NOTHING ||
      r.code == CURLE_PARTIAL_FILE || r.code == CURLE_COULDNT_RESOLVE_HOST)
    return true;
  return r.code == CURLE_OK && (r.status >= 500 || r.status == 429);
}

bool missing(const Response &r) {
  return (r.code == CURLE_OK && (r.status == 404 || r.status == 410)) ||
         r.code == CURLE_FILE_COULDNT_READ_FILE;
}

// FNV-1a 64: a stable file name per URL for the cache.
std::string cache_key(const std::string &url) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : url) h = (h ^ c) * 1099511628211ULL;
  char b[20];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(h));
  return b;
}

struct CacheEntry {
  std::string etag, last_modified, body;
  bool found = false;
};

CacheEntry cache_read(const std::string &dir, const std::string &url) {
  CacheEntry e;
  if (dir.empty()) return e;
  std::string path = dir + "/" + cache_key(url) + ".json";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return e;
  try {
    auto j = nlohmann::json::parse(read_file(path));
    if (j.value("url", "") != url) return e; // a hash collision: ignore
    e.etag = j.value("etag", "");
    e.last_modified = j.value("last_modified", "");
    e.body = j.value("body", "");
    e.found = true;
  } catch (const std::exception &) {
    // A damaged cache entry only costs a download.
  }
  return e;
}

void cache_write(const std::string &dir, const std::string &url, const Response &r) {
  if (dir.empty() || (r.etag.empty() && r.last_modified.empty())) return;
  nlohmann::json j = {
      {"url", url}, {"etag", r.etag}, {"last_modified", r.last_modified}, {"body", r.body}};
  AtomicFile f(dir + "/" + cache_key(url) + ".json");
  f.write(j.dump());
  f.commit();
}

struct Fetched {
  std::string url, body, error;
  bool ok = false, not_modified = false, downloaded = false;
  std::size_t requests = 0;
};

Fetched fetch_module(const ModuleSource &m, const SyncOptions &o) {
  Fetched f;
  std::vector<std::string> misses;
  for (const auto &url : candidate_urls(m, o)) {
    const bool is_file = url.rfind("file://", 0) == 0;
    CacheEntry cached = is_file ? CacheEntry{} : cache_read(o.cache_dir, url);
    Response r;
    double delay = o.retry_delay_s;
    for (int attempt = 0;; ++attempt) {
      r = fetch_once(url, o, cached.found ? cached.etag : "",
                     cached.found ? cached.last_modified : "");
      ++f.requests;
      if (!retryable(r) || attempt >= o.retries) break;
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
      delay *= 2;
    }
    if (missing(r)) {
      misses.push_back(url + (r.code == CURLE_OK ? " (HTTP " + std::to_string(r.status) + ")"
                                                 : " (no such file)"));
      continue;
    }
    f.url = url;
    if (r.code != CURLE_OK) {
      f.error =
          url + ": " + r.error +
          (o.retries > 0 && retryable(r) ? " (after " + std::to_string(o.retries + 1) + " tries)"
                                         : "");
      return f;
    }
    if (r.status == 304 && cached.found) {
      f.ok = f.not_modified = true;
      f.body = cached.body;
      return f;
    }
    if (r.status != 200) {
      f.error = url + ": HTTP " + std::to_string(r.status) +
                (retryable(r) ? " (after " + std::to_string(o.retries + 1) + " tries)" : "");
      return f;
    }
    if (!is_file) cache_write(o.cache_dir, url, r);
    f.ok = true;
    f.downloaded = !is_file;
    f.body = std::move(r.body);
    return f;
  }
  f.error = "no metadata file found: ";
  for (std::size_t i = 0; i < misses.size(); ++i) f.error += (i ? ", " : "") + misses[i];
  return f;
}

std::string finding_text(const std::string &file, const Finding &e) {
  std::string w = file;
  if (e.mark.line > 0) w += ":" + std::to_string(e.mark.line) + ":" + std::to_string(e.mark.column);
  return w + ": " + (e.pointer.empty() ? "" : e.pointer + ": ") + e.message;
}

} // namespace

Index sync(const std::vector<ModuleSource> &modules, const SyncOptions &options, SyncStats &stats) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (!options.cache_dir.empty()) make_dirs(options.cache_dir);
  Index index;
  index.modules.resize(modules.size());
  std::vector<Fetched> fetched(modules.size());
  std::atomic<std::size_t> next{0};
  std::size_t finished = 0;
  std::exception_ptr failure;
  std::mutex failure_lock;
  auto worker = [&] {
    for (std::size_t i = next++; i < modules.size(); i = next++) {
      try {
        fetched[i] = fetch_module(modules[i], options);
      } catch (...) {
        std::lock_guard<std::mutex> g(failure_lock);
        if (!failure) failure = std::current_exception();
      }
      if (options.progress) {
        std::lock_guard<std::mutex> g(failure_lock);
        options.progress(++finished);
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < std::max<std::size_t>(1, std::min(options.jobs, modules.size())); ++t)
    threads.emplace_back(worker);
  for (auto &t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  stats = {};
  stats.modules = modules.size();
  std::map<std::string, int> seen_ids; // two repositories of the same name keep apart
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const auto &src = modules[i];
    auto &f = fetched[i];
    stats.requests += f.requests;
    records::Module &m = index.modules[i];
    if (!f.ok) {
      ++stats.unreachable;
      m.id = src.id;
      m.source = f.url.empty() ? src.url : f.url;
      m.links["source_code"] = src.url;
      m.valid = false;
      m.errors.push_back("unreachable: " + f.error);
      continue;
    }
    stats.downloaded += f.downloaded ? 1 : 0;
    stats.not_modified += f.not_modified ? 1 : 0;
    stats.from_files += f.url.rfind("file://", 0) == 0 ? 1 : 0;
    const std::string file = f.url.substr(f.url.rfind('/') + 1);
    ValidateOptions vo;
    vo.strict = options.strict;
    try {
      Document doc = parse_document(f.body, file, Syntax::sniff, options.limits);
      Report r = validate(doc, vo);
      m = to_module(doc.root, r.schema_version, src.id, f.url);
      if (m.links.find("source_code") == m.links.end()) m.links["source_code"] = src.url;
      m.valid = r.valid;
      for (const auto &e : r.errors) m.errors.push_back(finding_text(file, e));
    } catch (const ParseError &e) {
      m = records::Module{};
      m.id = src.id;
      m.source = f.url;
      m.links["source_code"] = src.url;
      m.valid = false;
      m.errors.push_back(e.what());
    }
    if (m.valid == false) ++stats.invalid;
  }
  for (auto &m : index.modules)
    if (int n = ++seen_ids[m.id]; n > 1) m.id += "-" + std::to_string(n);
  return index;
}

} // namespace aip::catalog
