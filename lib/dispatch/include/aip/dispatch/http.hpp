// A small HTTP client over libcurl for the backends that speak an engine's REST interface
// (Kubernetes, Nomad, slurmrestd). One Client holds one curl handle, so consecutive requests
// reuse the connection (keep-alive). TLS peer and host verification are always on; a CA
// file or PEM text adds trust, it never removes the check. Secrets (a bearer token, a Nomad
// or Slurm token header) go into request headers only: never into argv, URLs, logs or the
// messages of errors.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace aip::dispatch::http {

struct ClientOptions {
  std::string base_url;    // "https://10.0.0.1:6443", "http://localhost" (with unix_socket)
  std::string unix_socket; // talk to this AF_UNIX socket instead of TCP (slurmrestd)
  std::string service;     // "the Kubernetes API server": how errors name the other end
  // Trust: a CA bundle file and/or PEM text (kubeconfig's certificate-authority-data).
  std::string ca_file, ca_pem;
  // Client certificate and key, as files or PEM text (kubeconfig's client-*-data).
  std::string cert_file, cert_pem, key_file, key_pem;
  std::string bearer_token; // secret: sent as "Authorization: Bearer ..."
  // Secret headers ("X-Nomad-Token", value), never shown anywhere.
  std::vector<std::pair<std::string, std::string>> secret_headers;
  double connect_timeout_s = 10;
  double timeout_s = 60;   // a whole request
  int retries = 4;         // further attempts after a 5xx, a 429 or a failed connection
  double backoff_s = 0.25; // first wait; doubles each time up to max_backoff_s
  double max_backoff_s = 8;
};

struct Response {
  long status = 0;
  std::string body;
  std::string content_type;
  int attempts = 1;
};

enum class Retry {
  always,      // GET, DELETE, PUT, and creates the server refuses to repeat (Kubernetes: 409)
  unprocessed, // not idempotent: only when the server cannot have acted (connect failed, 429, 503)
};

class Client {
public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  // One request to base_url + target (path and query, already escaped). 5xx and 429 answers
  // are retried with exponential backoff (honouring Retry-After up to max_backoff_s) and
  // then returned as they are; the caller decides what a status means. A server that cannot
  // be reached after the retries throws Exit::unavailable naming `service` and the URL.
  Response request(std::string_view method, const std::string &target, const std::string &body = {},
                   Retry retry = Retry::always);

  // Connections opened so far (1 for any number of requests while keep-alive holds).
  long connections_opened() const { return connects_; }
  const ClientOptions &options() const { return opt_; }

private:
  ClientOptions opt_;
  void *curl_ = nullptr;
  void *headers_ = nullptr; // curl_slist with the fixed headers
  long connects_ = 0;
};

// An answer that is neither success nor a refusal of the job itself, as an error: 401 and
// 403 (credentials, permissions) and 5xx -> Exit::unavailable, 429 -> Exit::temp_fail,
// anything else -> Exit::unavailable; the message names the service, what was being done,
// the status and the server's own message.
[[noreturn]] void fail_response(const Response &response, const std::string &service,
                                const std::string &doing);

// Percent-encoding of one path segment or query value (RFC 3986 unreserved kept).
std::string escape(std::string_view text);

// Base64 (RFC 4648) decoding, for kubeconfig's *-data fields; throws Exit::data on bad input.
std::string base64_decode(std::string_view text, const std::string &what);

// A short, printable excerpt of a response body for error messages (the first line of a
// JSON "message" field, else the first 200 bytes with control characters replaced).
std::string excerpt(const Response &response);

} // namespace aip::dispatch::http
