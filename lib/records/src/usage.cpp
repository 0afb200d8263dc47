#include "aip/records/usage.hpp"

#include "aip/records/fields.hpp"
#include "fast_fields.hpp"

#include <aip/core/units.hpp>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace aip::records {
namespace {

template <class U, class Fail> void check(const U &u, Fail &&fail) {
  if (u.record_id.empty()) fail("record_id", "must not be empty");
  if (u.end < u.start) fail("end", "is before start");
  if (u.wall_s < 0) fail("wall_s", "must not be negative");
  if (u.cores < 0) fail("cores", "must not be negative");
  if (u.cpu_s && *u.cpu_s < 0) fail("cpu_s", "must not be negative");
  if (u.gpu_util_mean && (*u.gpu_util_mean < 0 || *u.gpu_util_mean > 100))
    fail("gpu_util_mean", "must be within 0..100");
}

} // namespace

UsageView view_of(const Usage &u) {
  return UsageView{u.record_id, u.job_id,    u.user,          u.project,       u.vo,
                   u.site,      u.queue,     u.submit,        u.start,         u.end,
                   u.wall_s,    u.cores,     u.cpu_s,         u.mem_req_bytes, u.mem_peak_bytes,
                   u.gpus,      u.gpu_model, u.gpu_util_mean, u.state,         u.exit_code,
                   u.source};
}

void assign(Usage &u, const UsageView &v) {
  u.record_id.assign(v.record_id);
  u.job_id.assign(v.job_id);
  u.user.assign(v.user);
  u.project.assign(v.project);
  u.vo.assign(v.vo);
  u.site.assign(v.site);
  u.queue.assign(v.queue);
  u.submit = v.submit;
  u.start = v.start;
  u.end = v.end;
  u.wall_s = v.wall_s;
  u.cores = v.cores;
  u.cpu_s = v.cpu_s;
  u.mem_req_bytes = v.mem_req_bytes;
  u.mem_peak_bytes = v.mem_peak_bytes;
  u.gpus = v.gpus;
  u.gpu_model.assign(v.gpu_model);
  u.gpu_util_mean = v.gpu_util_mean;
  u.state.assign(v.state);
  u.exit_code = v.exit_code;
  u.source.assign(v.source);
}

nlohmann::ordered_json to_json(const Usage &u) {
  nlohmann::ordered_json j;
  j["kind"] = kUsageKind;
  j["record_id"] = u.record_id;
  j["job_id"] = u.job_id;
  j["user"] = u.user;
  if (!u.project.empty()) j["project"] = u.project;
  if (!u.vo.empty()) j["vo"] = u.vo;
  if (!u.site.empty()) j["site"] = u.site;
  if (!u.queue.empty()) j["queue"] = u.queue;
  if (u.submit) j["submit"] = format_timestamp(*u.submit);
  j["start"] = format_timestamp(u.start);
  j["end"] = format_timestamp(u.end);
  j["wall_s"] = u.wall_s;
  j["cores"] = u.cores;
  if (u.cpu_s) j["cpu_s"] = *u.cpu_s;
  if (u.mem_req_bytes) j["mem_req_bytes"] = *u.mem_req_bytes;
  if (u.mem_peak_bytes) j["mem_peak_bytes"] = *u.mem_peak_bytes;
  j["gpus"] = u.gpus;
  if (!u.gpu_model.empty()) j["gpu_model"] = u.gpu_model;
  j["gpu_util_mean"] = value_or_null(u.gpu_util_mean);
  if (!u.state.empty()) j["state"] = u.state;
  j["exit_code"] = value_or_null(u.exit_code);
  j["source"] = u.source;
  return j;
}

Usage usage_from_json(const nlohmann::json &json, const std::string &where) {
  FieldReader f(json, where);
  f.require_kind(kUsageKind);
  Usage u;
  u.record_id = f.string("record_id");
  u.job_id = f.string("job_id");
  u.user = f.string("user");
  u.project = f.string_or("project", "");
  u.vo = f.string_or("vo", "");
  u.site = f.string_or("site", "");
  u.queue = f.string_or("queue", "");
  u.submit = f.optional_timestamp("submit");
  u.start = f.timestamp("start");
  u.end = f.timestamp("end");
  u.wall_s = f.number("wall_s");
  u.cores = f.number("cores");
  u.cpu_s = f.optional_number("cpu_s");
  u.mem_req_bytes = f.optional_count("mem_req_bytes");
  u.mem_peak_bytes = f.optional_count("mem_peak_bytes");
  auto gpus = f.optional_count("gpus").value_or(0);
  if (gpus > 1'000'000) f.fail("gpus", "implausibly large");
  u.gpus = static_cast<std::uint32_t>(gpus);
  u.gpu_model = f.string_or("gpu_model", "");
  u.gpu_util_mean = f.optional_number("gpu_util_mean");
  u.state = f.string_or("state", "");
  u.exit_code = f.optional_int("exit_code");
  u.source = f.string("source");
  check(u, [&](const char *name, const std::string &why) { f.fail(name, why); });
  return u;
}

namespace {

// Bits of the required fields, to report the first one missing.
enum Required : unsigned {
  r_kind = 1,
  r_record_id = 2,
  r_job_id = 4,
  r_user = 8,
  r_start = 16,
  r_end = 32,
  r_wall = 64,
  r_cores = 128,
  r_source = 256,
  r_all = 511
};

} // namespace

namespace {

// Resets what a record may leave out, before its fields are read.
template <class U> void reset_optional(U &u) {
  u.project = {};
  u.vo = {};
  u.site = {};
  u.queue = {};
  u.gpu_model = {};
  u.state = {};
  u.submit.reset();
  u.cpu_s.reset();
  u.mem_req_bytes.reset();
  u.mem_peak_bytes.reset();
  u.gpu_util_mean.reset();
  u.exit_code.reset();
  u.gpus = 0;
}

// One member of a record, read through F (simdjson DOM values, or the flat scanner's); `seen`
// collects the required fields found.
// Inside the switch on key.size(): a compare of fixed length, which the compiler turns into a
// few integer compares rather than a call to memcmp.
template <std::size_t N> bool same(std::string_view key, const char (&name)[N]) {
  return key.size() == N - 1 && std::memcmp(key.data(), name, N - 1) == 0;
}

template <class F, class V, class U, class Text>
void usage_field(F &f, std::string_view key, const V &v, U &u, unsigned &seen, Text &kind) {
  // Dispatch on length and first letter before comparing the whole key.
  switch (key.size()) {
  case 3:
    if (same(key, "end")) {
      u.end = f.timestamp(v, key);
      seen |= r_end;
    }
    break;
  case 4:
    if (same(key, "kind")) {
      f.string(v, key, kind);
      if (kind != std::string_view(kUsageKind))
        f.fail(key, "expected '" + std::string(kUsageKind) + "', got '" + std::string(kind) + "'");
      seen |= r_kind;
    } else if (same(key, "user")) {
      f.string(v, key, u.user);
      seen |= r_user;
    } else if (same(key, "site")) {
      if (!f.null(v)) f.string(v, key, u.site);
    } else if (same(key, "gpus")) {
      if (!f.null(v)) {
        auto g = f.count(v, key);
        if (g > 1'000'000) f.fail(key, "implausibly large");
        u.gpus = static_cast<std::uint32_t>(g);
      }
    }
    break;
  case 2:
    if (same(key, "vo")) {
      if (!f.null(v)) f.string(v, key, u.vo);
    }
    break;
  case 5:
    if (same(key, "start")) {
      u.start = f.timestamp(v, key);
      seen |= r_start;
    } else if (same(key, "queue")) {
      if (!f.null(v)) f.string(v, key, u.queue);
    } else if (same(key, "state")) {
      if (!f.null(v)) f.string(v, key, u.state);
    } else if (same(key, "cores")) {
      u.cores = f.number(v, key);
      seen |= r_cores;
    } else if (same(key, "cpu_s")) {
      if (!f.null(v)) u.cpu_s = f.number(v, key);
    }
    break;
  case 6:
    if (same(key, "job_id")) {
      f.string(v, key, u.job_id);
      seen |= r_job_id;
    } else if (same(key, "wall_s")) {
      u.wall_s = f.number(v, key);
      seen |= r_wall;
    } else if (same(key, "source")) {
      f.string(v, key, u.source);
      seen |= r_source;
    } else if (same(key, "submit")) {
      if (!f.null(v)) u.submit = f.timestamp(v, key);
    }
    break;
  case 7:
    if (same(key, "project")) {
      if (!f.null(v)) f.string(v, key, u.project);
    }
    break;
  case 9:
    if (same(key, "record_id")) {
      f.string(v, key, u.record_id);
      seen |= r_record_id;
    } else if (same(key, "gpu_model")) {
      if (!f.null(v)) f.string(v, key, u.gpu_model);
    } else if (same(key, "exit_code")) {
      if (!f.null(v)) {
        std::int64_t c = f.integer(v, key);
        if (c < std::numeric_limits<int>::min() || c > std::numeric_limits<int>::max())
          f.fail(key, "out of range");
        u.exit_code = static_cast<int>(c);
      }
    }
    break;
  case 13:
    if (same(key, "mem_req_bytes")) {
      if (!f.null(v)) u.mem_req_bytes = f.count(v, key);
    } else if (same(key, "gpu_util_mean")) {
      if (!f.null(v)) u.gpu_util_mean = f.number(v, key);
    }
    break;
  case 14:
    if (same(key, "mem_peak_bytes")) {
      if (!f.null(v)) u.mem_peak_bytes = f.count(v, key);
    }
    break;
  default: break; // unknown fields are ignored
  }
}

template <class F, class U> void check_required(F &f, const U &u, unsigned seen) {
  if (seen != r_all) {
    static constexpr std::pair<unsigned, const char *> names[] = {
        {r_kind, "kind"},   {r_record_id, "record_id"}, {r_job_id, "job_id"},
        {r_user, "user"},   {r_start, "start"},         {r_end, "end"},
        {r_wall, "wall_s"}, {r_cores, "cores"},         {r_source, "source"}};
    for (auto [bit, name] : names)
      if ((seen & bit) == 0) f.fail(name, "missing");
  }
  check(u, [&](const char *name, const std::string &why) { f.fail(name, why); });
}

} // namespace

void decode_usage(simdjson::dom::object object, const jsonl::Location &where, Usage &u) {
  detail::FastFields f{where};
  unsigned seen = 0;
  reset_optional(u);
  std::string kind;
  for (auto [key, v] : object) usage_field(f, key, v, u, seen, kind);
  check_required(f, u, seen);
}

namespace detail {
namespace {

// The layout readers below take `p` by reference and move it past what they read; each
// returns false at the first byte that is not what aip writes there.

// The literal `s` (a key with its punctuation) at p.
// Compared 8 bytes at a time (the last word overlapping the one before): inline, where
// memcmp of these lengths is a call.
template <std::size_t N>
[[gnu::always_inline]] inline bool literal(const char *&p, const char *end, const char (&s)[N]) {
  constexpr std::size_t n = N - 1;
  static_assert(n >= 4 || n == 1);
  if (static_cast<std::size_t>(end - p) < n) return false;
  auto word = [](const char *at, auto type) {
    decltype(type) w;
    std::memcpy(&w, at, sizeof w);
    return w;
  };
  bool same;
  if constexpr (n == 1) {
    same = *p == s[0];
  } else if constexpr (n < 8) {
    same = ((word(p, std::uint32_t{}) ^ word(s, std::uint32_t{})) |
            (word(p + n - 4, std::uint32_t{}) ^ word(s + n - 4, std::uint32_t{}))) == 0;
  } else {
    std::uint64_t diff = 0;
    for (std::size_t i = 0; i + 8 <= n; i += 8)
      diff |= word(p + i, std::uint64_t{}) ^ word(s + i, std::uint64_t{});
    diff |= word(p + n - 8, std::uint64_t{}) ^ word(s + n - 8, std::uint64_t{});
    same = diff == 0;
  }
  if (!same) return false;
  p += n;
  return true;
}

// The rest of a string whose opening quote is just before p.
[[gnu::always_inline]] inline bool text(const char *&p, const char *end, std::string_view &out) {
  const char *q = p - 1;
  if (!jsonl::flat::detail::string_body(q, end, out)) return false;
  p = q;
  return true;
}

// The rest of a quoted YYYY-MM-DDTHH:MM:SSZ whose opening quote is just before p.
[[gnu::always_inline]] inline bool time(const char *&p, const char *end, double &out) {
  if (end - p < 21 || p[20] != '"' || !aip::detail::fixed_utc_timestamp({p, 20}, out)) return false;
  p += 21;
  return true;
}

// A JSON number; `integer` when it must be one (and then within 18 digits).
[[gnu::always_inline]] inline bool number(const char *&p, const char *end, jsonl::flat::Value &v) {
  if (p == end || (*p != '-' && !jsonl::flat::detail::digit(*p))) return false;
  return jsonl::flat::detail::number(p, end, v);
}

[[gnu::always_inline]] inline bool count(const char *&p, const char *end, std::uint64_t &out) {
  jsonl::flat::Value v;
  if (!number(p, end, v) || v.type != jsonl::flat::Type::integer || v.integer < 0) return false;
  out = static_cast<std::uint64_t>(v.integer);
  return true;
}

[[gnu::always_inline]] inline bool real(const char *&p, const char *end, double &out) {
  jsonl::flat::Value v;
  if (!number(p, end, v)) return false;
  out = v.as_double();
  return true;
}

[[gnu::always_inline]] inline bool null(const char *&p, const char *end) {
  return literal(p, end, "null");
}

} // namespace

// The record at p, in the layout; nullptr if it is not, else the byte after its '}'. Nothing
// it accepts crosses a line end (a '\n' ends strings and numbers and is in no literal).
const char *read_layout(const char *p, const char *const end, UsageView &u) {
  reset_optional(u);
  // Required members, then those aip leaves out when unknown, in append_usage_line's order.
  if (!literal(p, end, "{\"kind\":\"aip.usage/v1\",\"record_id\":\"") ||
      !text(p, end, u.record_id) || !literal(p, end, ",\"job_id\":\"") || !text(p, end, u.job_id) ||
      !literal(p, end, ",\"user\":\"") || !text(p, end, u.user))
    return nullptr;
  if (literal(p, end, ",\"project\":\"") && !text(p, end, u.project)) return nullptr;
  if (literal(p, end, ",\"vo\":\"") && !text(p, end, u.vo)) return nullptr;
  if (literal(p, end, ",\"site\":\"") && !text(p, end, u.site)) return nullptr;
  if (literal(p, end, ",\"queue\":\"") && !text(p, end, u.queue)) return nullptr;
  if (literal(p, end, ",\"submit\":\"")) {
    double t;
    if (!time(p, end, t)) return nullptr;
    u.submit = t;
  }
  if (!literal(p, end, ",\"start\":\"") || !time(p, end, u.start) ||
      !literal(p, end, ",\"end\":\"") || !time(p, end, u.end) || !literal(p, end, ",\"wall_s\":") ||
      !real(p, end, u.wall_s) || !literal(p, end, ",\"cores\":") || !real(p, end, u.cores))
    return nullptr;
  if (literal(p, end, ",\"cpu_s\":")) {
    double c;
    if (!real(p, end, c)) return nullptr;
    u.cpu_s = c;
  }
  if (literal(p, end, ",\"mem_req_bytes\":")) {
    std::uint64_t m;
    if (!count(p, end, m)) return nullptr;
    u.mem_req_bytes = m;
  }
  if (literal(p, end, ",\"mem_peak_bytes\":")) {
    std::uint64_t m;
    if (!count(p, end, m)) return nullptr;
    u.mem_peak_bytes = m;
  }
  std::uint64_t gpus;
  if (!literal(p, end, ",\"gpus\":") || !count(p, end, gpus) || gpus > 1'000'000) return nullptr;
  u.gpus = static_cast<std::uint32_t>(gpus);
  if (literal(p, end, ",\"gpu_model\":\"") && !text(p, end, u.gpu_model)) return nullptr;
  if (!literal(p, end, ",\"gpu_util_mean\":")) return nullptr;
  if (!null(p, end)) {
    double g;
    if (!real(p, end, g)) return nullptr;
    u.gpu_util_mean = g;
  }
  if (literal(p, end, ",\"state\":\"") && !text(p, end, u.state)) return nullptr;
  if (!literal(p, end, ",\"exit_code\":")) return nullptr;
  if (!null(p, end)) {
    jsonl::flat::Value v;
    if (!number(p, end, v) || v.type != jsonl::flat::Type::integer ||
        v.integer < std::numeric_limits<int>::min() || v.integer > std::numeric_limits<int>::max())
      return nullptr;
    u.exit_code = static_cast<int>(v.integer);
  }
  if (!literal(p, end, ",\"source\":\"") || !text(p, end, u.source) || !literal(p, end, "}"))
    return nullptr;
  bool valid = true;
  check(u, [&](const char *, const char *) { valid = false; });
  return valid ? p : nullptr;
}

bool decode_usage_layout(std::string_view line, UsageView &u) {
  return read_layout(line.data(), line.data() + line.size(), u) == line.data() + line.size();
}

std::size_t decode_usage_layout_line(std::string_view text, UsageView &u) {
  const char *const end = text.data() + text.size();
  const char *after = read_layout(text.data(), end, u);
  if (after == nullptr || after == end || *after != '\n') return 0;
  return static_cast<std::size_t>(after - text.data());
}

} // namespace detail

bool decode_usage_line(std::string_view line, UsageView &u) {
  if (detail::decode_usage_layout(line, u)) return true;
  detail::FlatFields f;
  unsigned seen = 0;
  reset_optional(u);
  std::string_view kind;
  try {
    // The order aip writes (append_usage_line, to_json).
    static const jsonl::flat::KeyHints hints{
        "kind",          "record_id", "job_id",        "user",           "project", "vo",
        "site",          "queue",     "submit",        "start",          "end",     "wall_s",
        "cores",         "cpu_s",     "mem_req_bytes", "mem_peak_bytes", "gpus",    "gpu_model",
        "gpu_util_mean", "state",     "exit_code",     "source"};
    if (!jsonl::flat::scan_object(
            line,
            [&](std::string_view key, const jsonl::flat::Value &v) {
              usage_field(f, key, v, u, seen, kind);
            },
            &hints))
      return false;
    check_required(f, u, seen);
  } catch (const jsonl::flat::GiveUp &) {
    return false;
  }
  return true;
}

namespace {
void append_string(std::string &out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x",
                      static_cast<unsigned>(static_cast<unsigned char>(c)));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  out += '"';
}
template <class T> void append_number(std::string &out, T v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, ptr);
}
void key(std::string &out, const char *k) {
  out += ",\"";
  out += k;
  out += "\":";
}
} // namespace

void append_usage_line(std::string &out, const Usage &u) {
  out += "{\"kind\":\"aip.usage/v1\"";
  key(out, "record_id");
  append_string(out, u.record_id);
  key(out, "job_id");
  append_string(out, u.job_id);
  key(out, "user");
  append_string(out, u.user);
  if (!u.project.empty()) {
    key(out, "project");
    append_string(out, u.project);
  }
  if (!u.vo.empty()) {
    key(out, "vo");
    append_string(out, u.vo);
  }
  if (!u.site.empty()) {
    key(out, "site");
    append_string(out, u.site);
  }
  if (!u.queue.empty()) {
    key(out, "queue");
    append_string(out, u.queue);
  }
  if (u.submit) {
    key(out, "submit");
    append_string(out, format_timestamp(*u.submit));
  }
  key(out, "start");
  append_string(out, format_timestamp(u.start));
  key(out, "end");
  append_string(out, format_timestamp(u.end));
  key(out, "wall_s");
  append_number(out, u.wall_s);
  key(out, "cores");
  append_number(out, u.cores);
  if (u.cpu_s) {
    key(out, "cpu_s");
    append_number(out, *u.cpu_s);
  }
  if (u.mem_req_bytes) {
    key(out, "mem_req_bytes");
    append_number(out, *u.mem_req_bytes);
  }
  if (u.mem_peak_bytes) {
    key(out, "mem_peak_bytes");
    append_number(out, *u.mem_peak_bytes);
  }
  key(out, "gpus");
  append_number(out, u.gpus);
  if (!u.gpu_model.empty()) {
    key(out, "gpu_model");
    append_string(out, u.gpu_model);
  }
  key(out, "gpu_util_mean");
  if (u.gpu_util_mean)
    append_number(out, *u.gpu_util_mean);
  else
    out += "null";
  if (!u.state.empty()) {
    key(out, "state");
    append_string(out, u.state);
  }
  key(out, "exit_code");
  if (u.exit_code)
    append_number(out, *u.exit_code);
  else
    out += "null";
  key(out, "source");
  append_string(out, u.source);
  out += "}\n";
}

} // namespace aip::records
