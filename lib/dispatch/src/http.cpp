#include "aip/dispatch/http.hpp"

#include <aip/core/error.hpp>

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <thread>

namespace aip::dispatch::http {
namespace {

CURL *handle(void *p) { return static_cast<CURL *>(p); }

std::size_t append_body(char *data, std::size_t size, std::size_t n, void *out) {
  static_cast<std::string *>(out)->append(data, size * n);
  return size * n;
}

void set(CURL *c, CURLoption option, long value) { curl_easy_setopt(c, option, value); }
void set(CURL *c, CURLoption option, const std::string &value) {
  curl_easy_setopt(c, option, value.c_str());
}

void set_blob(CURL *c, CURLoption option, const std::string &pem) {
  curl_blob blob{const_cast<char *>(pem.data()), pem.size(), CURL_BLOB_COPY};
  curl_easy_setopt(c, option, &blob);
}

// Failures after which the request cannot have reached the server's application.
bool not_sent(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
         code == CURLE_COULDNT_RESOLVE_PROXY;
}

bool transient(CURLcode code) {
  return not_sent(code) || code == CURLE_OPERATION_TIMEDOUT || code == CURLE_SEND_ERROR ||
         code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE;
}

bool tls_failure(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CERTPROBLEM ||
         code == CURLE_SSL_ISSUER_ERROR;
}

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max))
    out += (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) ? ' ' : c;
  if (text.size() > max) out += "...";
  return out;
}

} // namespace

Client::Client(ClientOptions options) : opt_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (opt_.base_url.rfind("https://", 0) != 0 && opt_.base_url.rfind("http://", 0) != 0)
    usage_error(opt_.service + ": expected an http:// or https:// address, got '" +
                printable(opt_.base_url, 200) + "'");
  while (!opt_.base_url.empty() && opt_.base_url.back() == '/') opt_.base_url.pop_back();
  CURL *c = curl_easy_init();
  if (c == nullptr) fail(Exit::internal, "curl_easy_init failed");
  curl_ = c;
  set(c, CURLOPT_NOSIGNAL, 1L);
  set(c, CURLOPT_TCP_KEEPALIVE, 1L);
  set(c, CURLOPT_TCP_NODELAY, 1L);
  set(c, CURLOPT_SSL_VERIFYPEER, 1L);
  set(c, CURLOPT_SSL_VERIFYHOST, 2L);
  set(c, CURLOPT_FOLLOWLOCATION, 0L);
  set(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt_.connect_timeout_s * 1000));
  set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(opt_.timeout_s * 1000));
  if (!opt_.ca_file.empty()) set(c, CURLOPT_CAINFO, opt_.ca_file);
  if (!opt_.ca_pem.empty()) set_blob(c, CURLOPT_CAINFO_BLOB, opt_.ca_pem);
  if (!opt_.cert_file.empty()) set(c, CURLOPT_SSLCERT, opt_.cert_file);
  if (!opt_.cert_pem.empty()) set_blob(c, CURLOPT_SSLCERT_BLOB, opt_.cert_pem);
  if (!opt_.key_file.empty()) set(c, CURLOPT_SSLKEY, opt_.key_file);
  if (!opt_.key_pem.empty()) set_blob(c, CURLOPT_SSLKEY_BLOB, opt_.key_pem);
  if (!opt_.cert_pem.empty() || !opt_.cert_file.empty())
    curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
  if (!opt_.unix_socket.empty()) set(c, CURLOPT_UNIX_SOCKET_PATH, opt_.unix_socket);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_slist *h = nullptr;
  h = curl_slist_append(h, "Accept: application/json");
  h = curl_slist_append(h, "Content-Type: application/json");
  h = curl_slist_append(h, "Expect:");
  h = curl_slist_append(h, "User-Agent: aip-dispatch");
  if (!opt_.bearer_token.empty()) {
    if (opt_.bearer_token.find_first_of("\r\n") != std::string::npos)
      usage_error(opt_.service + ": the token holds a line break");
    h = curl_slist_append(h, ("Authorization: Bearer " + opt_.bearer_token).c_str());
  }
  for (const auto &[name, value] : opt_.secret_headers) {
    if ((name + value).find_first_of("\r\n") != std::string::npos)
      usage_error(opt_.service + ": the " + name + " value holds a line break");
    h = curl_slist_append(h, (name + ": " + value).c_str());
  }
  headers_ = h;
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
}

Client::~Client() {
  curl_slist_free_all(static_cast<curl_slist *>(headers_));
  curl_easy_cleanup(handle(curl_));
}

Response Client::request(std::string_view method, const std::string &target,
                         const std::string &body, Retry retry) {
  CURL *c = handle(curl_);
  const std::string url = opt_.base_url + target;
  const std::string m(method);
  set(c, CURLOPT_URL, url);
  if (m == "GET" && body.empty()) {
    set(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, nullptr);
  } else if (body.empty() && m != "POST") {
    set(c, CURLOPT_HTTPGET, 1L);
    set(c, CURLOPT_CUSTOMREQUEST, m);
  } else {
    set(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    set(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    if (m == "POST")
      curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, nullptr);
    else
      set(c, CURLOPT_CUSTOMREQUEST, m);
  }
  char errbuf[CURL_ERROR_SIZE];
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  Response r;
  double wait = opt_.backoff_s;
  for (int attempt = 0;; ++attempt) {
    r.body.clear();
    errbuf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
    CURLcode code = curl_easy_perform(c);
    long connects = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &connects);
    connects_ += connects;
    r.attempts = attempt + 1;
    bool again = false;
    curl_off_t retry_after = 0;
    if (code != CURLE_OK) {
      std::string why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(code);
      if (tls_failure(code))
        fail(Exit::unavailable, opt_.service + " at " + opt_.base_url +
                                    ": TLS verification failed (" + why +
                                    "); aip never turns verification off: give the server's CA");
      bool may_retry = retry == Retry::always ? transient(code) : not_sent(code);
      if (!may_retry || attempt >= opt_.retries)
        fail(Exit::unavailable,
             "cannot reach " + opt_.service + " at " + url.substr(0, url.find('?')) + ": " + why +
                 (attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : ""));
      again = true;
    } else {
      curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
      char *ct = nullptr;
      curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
      r.content_type = ct != nullptr ? ct : "";
      curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after);
      bool busy = r.status == 429 || r.status == 503;
      bool server_error = r.status >= 500 && r.status <= 599;
      again = attempt < opt_.retries && (busy || (server_error && retry == Retry::always));
      if (!again) return r;
    }
    double pause = std::min(wait, opt_.max_backoff_s);
    if (retry_after > 0) pause = std::min(static_cast<double>(retry_after), opt_.max_backoff_s);
    std::this_thread::sleep_for(std::chrono::duration<double>(pause));
    wait *= 2;
  }
}

void fail_response(const Response &r, const std::string &service, const std::string &doing) {
  std::string what = service + ": " + doing + ": HTTP " + std::to_string(r.status);
  if (r.status == 401)
    what += " (unauthorised: the token is missing, wrong or expired)";
  else if (r.status == 403)
    what += " (forbidden: the account may not do this)";
  else if (r.status == 429)
    what += " (too many requests, still after " + std::to_string(r.attempts) + " attempts)";
  else if (r.status >= 500)
    what += " (server error, still after " + std::to_string(r.attempts) + " attempts)";
  std::string msg = excerpt(r);
  if (!msg.empty()) what += ": " + msg;
  fail(r.status == 429 ? Exit::temp_fail : Exit::unavailable, what);
}

std::string escape(std::string_view text) {
  static const char *hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string base64_decode(std::string_view text, const std::string &what) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0, pad = 0;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') continue;
    if (c == '=') {
      ++pad;
      continue;
    }
    int v = value(c);
    if (v < 0 || pad > 0) data_error(what + ": not valid base64");
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  if (pad > 2 || bits >= 6) data_error(what + ": not valid base64");
  return out;
}

std::string excerpt(const Response &response) {
  auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (!j.is_discarded() && j.is_object()) {
    if (j.contains("message") && j["message"].is_string())
      return printable(j["message"].get<std::string>(), 300);
    if (j.contains("errors") && j["errors"].is_array()) {
      std::string all;
      for (const auto &e : j["errors"]) {
        if (!e.is_object()) continue;
        for (const char *k : {"error", "description"})
          if (e.contains(k) && e[k].is_string() && !e[k].get<std::string>().empty()) {
            all += (all.empty() ? "" : "; ") + e[k].get<std::string>();
            break;
          }
      }
      if (!all.empty()) return printable(all, 300);
    }
  }
  std::string_view b = response.body;
  while (!b.empty() && (b.back() == '\n' || b.back() == '\r' || b.back() == ' '))
    b.remove_suffix(1);
  return printable(b, 200);
}

} // namespace aip::dispatch::http
