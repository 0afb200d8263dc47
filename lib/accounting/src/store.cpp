#include "aip/accounting/store.hpp"

#include "group_sums.hpp"
#include "libpq.hpp"

#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <future>
#include <map>
#include <unordered_set>

namespace aip::accounting {

namespace {

// Advisory lock keys ("aip-ingt", "aip-migr" as 64-bit integers): one ingest at a time, one
// migration at a time, whatever else uses advisory locks on the server.
constexpr const char *kIngestLock = "7019743626015634548";
constexpr const char *kMigrateLock = "7019743626015635826";

struct Migration {
  int version;
  const char *description;
  const char *sql;
};

// Each migration runs once, inside the transaction that records it in aip_schema_version.
const Migration kMigrations[] = {
    {1, "usage records",
     R"sql(
CREATE TABLE aip_usage (
  record_id      text PRIMARY KEY,
  job_id         text NOT NULL,
  user_name      text NOT NULL,
  project        text NOT NULL DEFAULT '',
  vo             text NOT NULL DEFAULT '',
  site           text NOT NULL DEFAULT '',
  queue          text NOT NULL DEFAULT '',
  submit_time    timestamptz,
  start_time     timestamptz NOT NULL,
  end_time       timestamptz NOT NULL,
  wall_s         double precision NOT NULL CHECK (wall_s >= 0),
  cores          double precision NOT NULL CHECK (cores >= 0),
  cpu_s          double precision CHECK (cpu_s >= 0),
  mem_req_bytes  bigint,
  mem_peak_bytes bigint,
  gpus           integer NOT NULL DEFAULT 0,
  gpu_model      text NOT NULL DEFAULT '',
  gpu_util_mean  double precision,
  state          text NOT NULL DEFAULT '',
  exit_code      integer,
  source         text NOT NULL,
  ingested_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (end_time >= start_time)
);
CREATE INDEX aip_usage_end_time ON aip_usage (end_time);
)sql"},
    {2, "views for Grafana",
     R"sql(
CREATE VIEW aip_usage_hours AS
SELECT end_time AS "time", record_id, job_id, user_name, project, vo, site, queue, state, gpu_model,
       start_time, end_time, cores, gpus,
       wall_s / 3600 AS wall_hours,
       cores * wall_s / 3600 AS cpu_hours,
       cpu_s / 3600 AS used_cpu_hours,
       gpus * wall_s / 3600 AS gpu_hours,
       gpus * wall_s * gpu_util_mean / 360000 AS used_gpu_hours,
       extract(epoch FROM start_time - submit_time) / 3600 AS wait_hours
FROM aip_usage;
CREATE VIEW aip_usage_daily AS
SELECT date_trunc('day', end_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS "time",
       project, user_name, vo, site, queue, gpu_model,
       count(*) AS jobs,
       sum(wall_s) / 3600 AS wall_hours,
       sum(cores * wall_s) / 3600 AS cpu_hours,
       sum(cpu_s) / 3600 AS used_cpu_hours,
       sum(gpus * wall_s) / 3600 AS gpu_hours,
       sum(gpus * wall_s * gpu_util_mean) / 360000 AS used_gpu_hours
FROM aip_usage
GROUP BY 1, 2, 3, 4, 5, 6, 7;
)sql"},
    // Daily roll-ups per dimension, kept by ingest in the same transaction as the records (see
    // Rollup below), so that reports by one dimension and a period of a day or longer read a
    // few thousand rows instead of every record. The end_time index becomes a BRIN index:
    // records arrive roughly in time order, BRIN stays tiny, and a B-tree on a random-ordered
    // timestamp cost more than half of an ingest's time. aip fills the new table right after
    // this migration (Store::rebuild_rollups).
    {3, "daily roll-ups per dimension",
     R"sql(
CREATE TABLE aip_usage_rollup (
  dim              text NOT NULL,
  value            text NOT NULL,
  day              date NOT NULL,
  jobs             bigint NOT NULL,
  wall_s           double precision NOT NULL,
  core_s           double precision NOT NULL,
  used_cpu_s       double precision NOT NULL,
  core_s_cpu_known double precision NOT NULL,
  gpu_s            double precision NOT NULL,
  used_gpu_s       double precision NOT NULL,
  gpu_s_util_known double precision NOT NULL,
  mem_peak_bytes   double precision NOT NULL,
  mem_req_bytes    double precision NOT NULL,
  wait_s           double precision NOT NULL,
  wait_jobs        bigint NOT NULL,
  cpu_known_jobs   bigint NOT NULL,
  first_end        double precision,
  last_end         double precision,
  PRIMARY KEY (dim, value, day)
);
COMMENT ON TABLE aip_usage_rollup IS 'aip: per UTC day, sums over the records of one value of one dimension (dim '' = all records); job time split pro rata over days, counts, memory and wait on the day of the end';
DROP INDEX aip_usage_end_time;
CREATE INDEX aip_usage_end_time_brin ON aip_usage USING brin (end_time);
CREATE VIEW aip_rollup_hours AS
SELECT day::timestamp AT TIME ZONE 'UTC' AS "time", dim, value, jobs,
       wall_s / 3600 AS wall_hours,
       core_s / 3600 AS cpu_hours,
       used_cpu_s / 3600 AS used_cpu_hours,
       core_s_cpu_known / 3600 AS cpu_known_hours,
       gpu_s / 3600 AS gpu_hours,
       used_gpu_s / 3600 AS used_gpu_hours,
       gpu_s_util_known / 3600 AS gpu_util_known_hours,
       wait_s / 3600 AS wait_hours
FROM aip_usage_rollup;
)sql"},
};

Exit status_of(PGconn *conn, const PGresult *res) {
  if (pq::api().status(conn) == CONNECTION_BAD) return Exit::unavailable;
  const char *state = res != nullptr ? pq::api().resultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  if (state == nullptr) return Exit::unavailable;
  std::string s(state);
  if (s.rfind("08", 0) == 0 || s.rfind("57", 0) == 0 || s.rfind("53", 0) == 0)
    return Exit::unavailable;
  if (s == "40P01" || s == "55P03" || s == "40001") return Exit::temp_fail;
  if (s.rfind("22", 0) == 0 || s.rfind("23", 0) == 0) return Exit::data;
  return Exit::internal;
}

std::string first_line(const char *message) {
  std::string m = message != nullptr ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

struct Result {
  PGresult *res = nullptr;
  explicit Result(PGresult *r) : res(r) {}
  Result(Result &&o) noexcept : res(o.res) { o.res = nullptr; }
  Result(const Result &) = delete;
  Result &operator=(const Result &) = delete;
  ~Result() { pq::api().clear(res); }
  int rows() const { return pq::api().ntuples(res); }
  bool null(int r, int c) const { return pq::api().getisnull(res, r, c) != 0; }
  std::string text(int r, int c) const { return pq::api().getvalue(res, r, c); }
  double number(int r, int c) const {
    return null(r, c) ? 0.0 : std::strtod(pq::api().getvalue(res, r, c), nullptr);
  }
};

constexpr const char *kColumns =
    "record_id, job_id, user_name, project, vo, site, queue, submit_time, start_time, "
    "end_time, wall_s, cores, cpu_s, mem_req_bytes, mem_peak_bytes, gpus, gpu_model, "
    "gpu_util_mean, state, exit_code, source";

const char *column_of(Dim d) {
  switch (d) {
  case Dim::user: return "user_name";
  case Dim::project: return "project";
  case Dim::vo: return "vo";
  case Dim::site: return "site";
  case Dim::queue: return "queue";
  case Dim::state: return "state";
  case Dim::gpu_model: return "gpu_model";
  case Dim::cores: return "cores::text";
  }
  return "''";
}

std::string text_array(const std::vector<std::string> &values) {
  std::string a = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) a += ',';
    a += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') a += '\\';
      a += c;
    }
    a += '"';
  }
  return a + "}";
}

// COPY's binary format (PostgreSQL manual, "COPY", "Binary Format"): a signature and two
// 32-bit words, then per row a 16-bit field count and per field a 32-bit length (-1: NULL)
// and the value in the type's send format, all in network byte order; -1 as a field count
// ends the data. The server parses nothing: no text to number or timestamp conversions.
class BinaryCopy {
public:
  void begin() {
    buf_.assign("PGCOPY\n\377\r\n", 10);
    buf_.push_back('\0');
    u32(0); // flags
    u32(0); // header extension length
  }
  void row(int fields) { u16(static_cast<std::uint16_t>(fields)); }
  void text(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    buf_.append(s);
  }
  void null() { u32(0xffffffffU); }
  void float8(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u32(8);
    u64(bits);
  }
  void int8(std::int64_t v) {
    u32(8);
    u64(static_cast<std::uint64_t>(v));
  }
  void int4(std::int32_t v) {
    u32(4);
    u32(static_cast<std::uint32_t>(v));
  }
  // Microseconds since 2000-01-01 00:00:00 UTC.
  void timestamptz(double epoch_seconds) {
    int8(std::llround((epoch_seconds - 946684800.0) * 1e6));
  }
  // Days since 2000-01-01, from days since 1970-01-01.
  void date(std::int64_t unix_day) { int4(static_cast<std::int32_t>(unix_day - 10957)); }
  // A value or NULL.
  template <class T, class Write> void optional(const std::optional<T> &v, Write write) {
    if (v)
      (this->*write)(*v);
    else
      null();
  }
  void end() { u16(0xffffU); }
  const std::string &data() const { return buf_; }
  std::size_t size() const { return buf_.size(); }

private:
  void u16(std::uint16_t v) {
    const char b[2] = {static_cast<char>(v >> 8), static_cast<char>(v)};
    buf_.append(b, 2);
  }
  void u32(std::uint32_t v) {
    const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                       static_cast<char>(v >> 8), static_cast<char>(v)};
    buf_.append(b, 4);
  }
  void u64(std::uint64_t v) {
    u32(static_cast<std::uint32_t>(v >> 32));
    u32(static_cast<std::uint32_t>(v));
  }
  std::string buf_;
};

// One aip_usage row, the columns of kColumns in order.
void append_binary_row(BinaryCopy &out, const records::Usage &u) {
  out.row(21);
  out.text(u.record_id);
  out.text(u.job_id);
  out.text(u.user);
  out.text(u.project);
  out.text(u.vo);
  out.text(u.site);
  out.text(u.queue);
  out.optional(u.submit, &BinaryCopy::timestamptz);
  out.timestamptz(u.start);
  out.timestamptz(u.end);
  out.float8(u.wall_s);
  out.float8(u.cores);
  out.optional(u.cpu_s, &BinaryCopy::float8);
  // Stored as bigint: check_storable has refused what does not fit.
  const auto bigint = [](const std::optional<std::uint64_t> &v) {
    return v ? std::optional<std::int64_t>(static_cast<std::int64_t>(*v)) : std::nullopt;
  };
  out.optional(bigint(u.mem_req_bytes), &BinaryCopy::int8);
  out.optional(bigint(u.mem_peak_bytes), &BinaryCopy::int8);
  out.int4(static_cast<std::int32_t>(u.gpus));
  out.text(u.gpu_model);
  out.optional(u.gpu_util_mean, &BinaryCopy::float8);
  out.text(u.state);
  out.optional(u.exit_code, &BinaryCopy::int4);
  out.text(u.source);
}

// What PostgreSQL's columns cannot hold, refused before anything is sent: the record names
// its line (the text format would have failed later, on the server, without one).
void check_storable(const records::Usage &u, const jsonl::Location &where) {
  constexpr std::uint64_t bigint_max = 9223372036854775807ULL;
  if (u.mem_req_bytes && *u.mem_req_bytes > bigint_max)
    jsonl::bad_record(where, "field 'mem_req_bytes': too large to store");
  if (u.mem_peak_bytes && *u.mem_peak_bytes > bigint_max)
    jsonl::bad_record(where, "field 'mem_peak_bytes': too large to store");
  if (u.gpus > 2147483647U) jsonl::bad_record(where, "field 'gpus': too large to store");
  for (auto [name, text] : {std::pair<const char *, const std::string *>{"record_id", &u.record_id},
                            {"job_id", &u.job_id},
                            {"user", &u.user},
                            {"project", &u.project},
                            {"vo", &u.vo},
                            {"site", &u.site},
                            {"queue", &u.queue},
                            {"gpu_model", &u.gpu_model},
                            {"state", &u.state},
                            {"source", &u.source}})
    if (text->find('\0') != std::string::npos)
      jsonl::bad_record(where, std::string("field '") + name +
                                   "': holds a NUL character, which PostgreSQL's text cannot");
  for (auto [name, t] : {std::pair<const char *, double>{"start", u.start},
                         {"end", u.end},
                         {"submit", u.submit.value_or(0)}})
    if (!(std::fabs(t) < kMaxEpoch))
      jsonl::bad_record(where, std::string("field '") + name + "': out of range");
  if (!std::isfinite(u.wall_s) || !std::isfinite(u.cores) || (u.cpu_s && !std::isfinite(*u.cpu_s)))
    jsonl::bad_record(where, "a number is not finite");
  // The roll-ups' limit, as a daily report's (shares()), checked before anything is stored.
  if (u.end > u.start &&
      period_index(Period::day, u.end) - period_index(Period::day, u.start) > kMaxPeriodsPerRecord)
    jsonl::bad_record(where, "record '" + u.record_id + "' spans more than " +
                                 std::to_string(kMaxPeriodsPerRecord) +
                                 " days: check its start and end");
}

// The dimensions kept in aip_usage_rollup; "" stands for all records.
struct RollupDim {
  const char *name;
  std::optional<Dim> dim;
};
constexpr RollupDim kRollupDims[] = {{"", std::nullopt},        {"user", Dim::user},
                                     {"project", Dim::project}, {"vo", Dim::vo},
                                     {"site", Dim::site},       {"queue", Dim::queue},
                                     {"state", Dim::state},     {"gpu_model", Dim::gpu_model}};

// Daily sums of the records given, per dimension value. Each record's daily shares come from
// shares(), the in-memory engine's own accounting, so the roll-ups mean exactly what its
// reports mean; they are added once per dimension, under a small integer per value.
class Rollup {
public:
  Rollup() { spec_.period = Period::day; }
  void add(const records::Usage &u, const jsonl::Location &where) {
    const auto view = records::view_of(u);
    try {
      shares(spec_, view, shares_);
    } catch (const Error &e) {
      if (e.status() != Exit::data) throw;
      jsonl::bad_record(where, e.what());
    }
    ++records_;
    for (std::size_t d = 0; d < std::size(kRollupDims); ++d) {
      const auto &dim = kRollupDims[d];
      std::uint32_t id = 0;
      if (dim.dim) id = values_[d].intern(dim_value(view, *dim.dim));
      for (const auto &s : shares_) sums_[d].at(detail::group_key(id, s.period)).add(s.totals);
    }
  }
  std::uint64_t records() const { return records_; }
  // The rows to add to aip_usage_rollup, as a binary COPY stream.
  std::string copy_data() const {
    BinaryCopy out;
    out.begin();
    for (std::size_t d = 0; d < std::size(kRollupDims); ++d) {
      for (std::size_t i = 0; i < sums_[d].size(); ++i) {
        const std::uint64_t key = sums_[d].key(i);
        const Totals &t = sums_[d].totals(i);
        out.row(18);
        out.text(kRollupDims[d].name);
        out.text(kRollupDims[d].dim ? values_[d].name(detail::key_name(key)) : std::string_view());
        out.date(static_cast<std::int32_t>(detail::key_period(key)));
        out.int8(std::llround(t.jobs));
        for (double v : {t.wall_s, t.core_s, t.used_cpu_s, t.core_s_cpu_known, t.gpu_s,
                         t.used_gpu_s, t.gpu_s_util_known, t.mem_peak, t.mem_req, t.wait_s})
          out.float8(v);
        out.int8(std::llround(t.wait_jobs));
        out.int8(std::llround(t.cpu_known));
        if (t.jobs > 0) {
          out.float8(t.first_end);
          out.float8(t.last_end);
        } else {
          out.null();
          out.null();
        }
      }
    }
    out.end();
    return out.data();
  }

private:
  static constexpr std::size_t kDims = std::size(kRollupDims);
  ReportSpec spec_;
  std::vector<Share> shares_;
  // Per dimension: its values numbered, and the sums per (value, day).
  detail::Names values_[kDims];
  detail::SumTable sums_[kDims];
  std::uint64_t records_ = 0;
};

constexpr const char *kRollupColumns =
    "dim, value, day, jobs, wall_s, core_s, used_cpu_s, core_s_cpu_known, gpu_s, used_gpu_s, "
    "gpu_s_util_known, mem_peak_bytes, mem_req_bytes, wait_s, wait_jobs, cpu_known_jobs, "
    "first_end, last_end";

} // namespace

std::string redact_conninfo(const std::string &conninfo) {
  std::string out = conninfo;
  // URL form: scheme://user:password@host
  auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    auto at = out.find('@', scheme + 3);
    auto slash = out.find('/', scheme + 3);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      auto colon = out.find(':', scheme + 3);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... in the query string or as a key=value pair.
  for (std::size_t pos = 0; (pos = out.find("password=", pos)) != std::string::npos;) {
    auto start = pos + 9;
    auto end = out.find_first_of("& ", start);
    if (end == std::string::npos) end = out.size();
    out.replace(start, end - start, "***");
    pos = start + 3;
  }
  return out;
}

bool conninfo_has_password(const std::string &conninfo) {
  return redact_conninfo(conninfo) != conninfo;
}

struct Store::Impl {
  PGconn *conn = nullptr;
  std::string name; // the redacted connection string, for messages

  [[noreturn]] void fail(const std::string &what, const PGresult *res) {
    throw Error(status_of(conn, res),
                "database " + name + ": " + what + ": " + first_line(pq::api().errorMessage(conn)));
  }
  Result exec(const std::string &sql) { return exec(sql.c_str()); }
  Result exec(const char *sql) {
    Result r(pq::api().exec(conn, sql));
    auto st = pq::api().resultStatus(r.res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(std::string("query failed"), r.res);
    return r;
  }
  Result exec(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
    std::vector<const char *> values;
    for (const auto &p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(pq::api().execParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
    auto st = pq::api().resultStatus(r.res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail("query failed", r.res);
    return r;
  }
  void rollback() { pq::api().clear(pq::api().exec(conn, "ROLLBACK")); }
  // fn() inside BEGIN ... COMMIT; rolled back when it throws.
  template <class Fn> void transaction(Fn &&fn) {
    exec("BEGIN");
    try {
      fn();
      exec("COMMIT");
    } catch (...) {
      rollback();
      throw;
    }
  }

  // COPY ... FROM STDIN with `data` as the whole stream. Returns the result, which the
  // caller checks (a unique violation is an answer, not a failure, for ingest's fast path).
  Result copy_in(const std::string &sql, std::string_view data) {
    {
      Result r(pq::api().exec(conn, sql.c_str()));
      if (pq::api().resultStatus(r.res) != PGRES_COPY_IN) fail("COPY failed", r.res);
    }
    constexpr std::size_t chunk = 1U << 20;
    for (std::size_t at = 0; at < data.size(); at += chunk) {
      const std::size_t n = std::min(chunk, data.size() - at);
      if (pq::api().putCopyData(conn, data.data() + at, static_cast<int>(n)) != 1)
        fail("COPY failed", nullptr);
    }
    if (pq::api().putCopyEnd(conn, nullptr) != 1) fail("COPY failed", nullptr);
    Result r(pq::api().getResult(conn));
    while (PGresult *rest = pq::api().getResult(conn)) pq::api().clear(rest);
    return r;
  }

  void add_rollup(Rollup &rollup) {
    if (rollup.records() == 0) return;
    exec("CREATE TEMPORARY TABLE IF NOT EXISTS aip_rollup_delta "
         "(LIKE aip_usage_rollup) ON COMMIT DROP");
    exec("TRUNCATE aip_rollup_delta");
    Result r = copy_in(std::string("COPY aip_rollup_delta (") + kRollupColumns +
                           ") FROM STDIN (FORMAT binary)",
                       rollup.copy_data());
    if (pq::api().resultStatus(r.res) != PGRES_COMMAND_OK) fail("COPY failed", r.res);
    std::string set;
    for (const char *c : {"jobs", "wall_s", "core_s", "used_cpu_s", "core_s_cpu_known", "gpu_s",
                          "used_gpu_s", "gpu_s_util_known", "mem_peak_bytes", "mem_req_bytes",
                          "wait_s", "wait_jobs", "cpu_known_jobs"})
      set += std::string(c) + " = aip_usage_rollup." + c + " + excluded." + c + ", ";
    // least() and greatest() skip NULLs: a day with no job ending in it has none.
    set += "first_end = least(aip_usage_rollup.first_end, excluded.first_end), "
           "last_end = greatest(aip_usage_rollup.last_end, excluded.last_end)";
    // In key order: the primary key's B-tree is then filled page by page.
    exec(std::string("INSERT INTO aip_usage_rollup SELECT * FROM aip_rollup_delta "
                     "ORDER BY dim, value, day ON CONFLICT (dim, value, day) DO UPDATE SET ") +
         set);
  }
  // aip_usage_rollup recomputed from aip_usage, inside the caller's transaction.
  void rebuild_rollups() {
    exec("DELETE FROM aip_usage_rollup");
    exec(std::string("DECLARE aip_rows NO SCROLL CURSOR FOR SELECT record_id, user_name, "
                     "project, vo, site, queue, state, gpu_model, "
                     "date_part('epoch', submit_time), date_part('epoch', start_time), "
                     "date_part('epoch', end_time), wall_s, cores, cpu_s, mem_req_bytes, "
                     "mem_peak_bytes, gpus, gpu_util_mean FROM aip_usage"));
    Rollup rollup;
    records::Usage u;
    const jsonl::Location where{"aip_usage", 0};
    while (true) {
      auto r = exec("FETCH 100000 FROM aip_rows");
      if (r.rows() == 0) break;
      for (int i = 0; i < r.rows(); ++i) {
        u.record_id = r.text(i, 0);
        u.user = r.text(i, 1);
        u.project = r.text(i, 2);
        u.vo = r.text(i, 3);
        u.site = r.text(i, 4);
        u.queue = r.text(i, 5);
        u.state = r.text(i, 6);
        u.gpu_model = r.text(i, 7);
        u.submit = r.null(i, 8) ? std::nullopt : std::optional<double>(r.number(i, 8));
        u.start = r.number(i, 9);
        u.end = r.number(i, 10);
        u.wall_s = r.number(i, 11);
        u.cores = r.number(i, 12);
        u.cpu_s = r.null(i, 13) ? std::nullopt : std::optional<double>(r.number(i, 13));
        auto count = [&](int c) {
          return r.null(i, c) ? std::nullopt
                              : std::optional<std::uint64_t>(
                                    std::strtoull(pq::api().getvalue(r.res, i, c), nullptr, 10));
        };
        u.mem_req_bytes = count(14);
        u.mem_peak_bytes = count(15);
        u.gpus = static_cast<std::uint32_t>(r.number(i, 16));
        u.gpu_util_mean = r.null(i, 17) ? std::nullopt : std::optional<double>(r.number(i, 17));
        rollup.add(u, where);
      }
    }
    exec("CLOSE aip_rows");
    add_rollup(rollup);
  }
};

Store::Store(const std::string &conninfo) : impl_(std::make_unique<Impl>()) {
  impl_->name = redact_conninfo(conninfo);
  impl_->conn = pq::api().connectdb(conninfo.c_str());
  if (pq::api().status(impl_->conn) != CONNECTION_OK)
    fail(Exit::unavailable, "cannot connect to database " + impl_->name + ": " +
                                first_line(pq::api().errorMessage(impl_->conn)));
  impl_->exec("SET TIME ZONE 'UTC'");
  impl_->exec("SET client_min_messages = warning");
  // generate_series() makes the planner expect 1000 rows a job; the JIT compilation such
  // estimates trigger costs more than the query (1.4 of 2 s over 1M records).
  impl_->exec("SET jit = off");
}

Store::~Store() { pq::api().finish(impl_->conn); }

int Store::latest_version() { return kMigrations[std::size(kMigrations) - 1].version; }

int Store::version() {
  auto r = impl_->exec("SELECT to_regclass('aip_schema_version') IS NOT NULL");
  if (r.text(0, 0) != "t") return 0;
  auto v = impl_->exec("SELECT coalesce(max(version), 0) FROM aip_schema_version");
  return static_cast<int>(v.number(0, 0));
}

int Store::migrate() {
  impl_->transaction([&] {
    impl_->exec(std::string("SELECT pg_advisory_xact_lock(") + kMigrateLock + ")");
    impl_->exec("CREATE TABLE IF NOT EXISTS aip_schema_version (version integer PRIMARY KEY, "
                "description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
    int current = static_cast<int>(
        impl_->exec("SELECT coalesce(max(version), 0) FROM aip_schema_version").number(0, 0));
    if (current > latest_version())
      fail(Exit::unavailable, "database " + impl_->name + " has schema version " +
                                  std::to_string(current) + ", newer than this aip's " +
                                  std::to_string(latest_version()) + ": upgrade aip");
    for (const auto &m : kMigrations) {
      if (m.version <= current) continue;
      impl_->exec(m.sql);
      impl_->exec("INSERT INTO aip_schema_version (version, description) VALUES ($1, $2)",
                  {std::to_string(m.version), std::string(m.description)});
      if (m.version == 3) {
        // The roll-ups of the records stored so far, with no ingest in between.
        impl_->exec(std::string("SELECT pg_advisory_xact_lock(") + kIngestLock + ")");
        impl_->rebuild_rollups();
      }
    }
  });
  return latest_version();
}

namespace {
constexpr std::size_t kBatchRecords = 50000;

// One line of input into `u` (the flat path when the line allows it).
void decode_line(simdjson::dom::parser &parser, LineReader &lines, std::string_view line,
                 const jsonl::Location &where, records::UsageView &view, records::Usage &u) {
  // LineReader leaves padding after each line; otherwise simdjson copies it.
  const bool padded = lines.capacity_from(line) >= line.size() + simdjson::SIMDJSON_PADDING;
  if (padded && records::decode_usage_line(line, view)) {
    records::assign(u, view);
    return;
  }
  simdjson::dom::element doc;
  auto err = parser.parse(line.data(), line.size(), !padded).get(doc);
  if (err != simdjson::SUCCESS)
    jsonl::bad_record(where, std::string("invalid JSON: ") + simdjson::error_message(err));
  if (!doc.is_object()) jsonl::bad_record(where, "expected a JSON object");
  records::decode_usage(doc.get_object().value_unsafe(), where, u);
}
} // namespace

IngestResult Store::ingest(const std::vector<std::string> &paths, const IngestOptions &options) {
  int v = version();
  if (v < latest_version())
    fail(Exit::unavailable, "database " + impl_->name + " has schema version " + std::to_string(v) +
                                ", not " + std::to_string(latest_version()) +
                                ": run 'aip account db migrate' first");
  IngestResult result;
  auto &db = *impl_;
  db.transaction([&] {
    if (options.wait) {
      db.exec(std::string("SELECT pg_advisory_xact_lock(") + kIngestLock + ")");
    } else {
      auto r = db.exec(std::string("SELECT pg_try_advisory_xact_lock(") + kIngestLock + ")");
      if (r.text(0, 0) != "t")
        fail(Exit::temp_fail,
             "another ingest holds the lock on database " + impl_->name + "; try again later");
    }
    // Records go in batches. The fast path COPYs a batch straight into aip_usage inside a
    // savepoint: no staging table, no conflict check per row. If any record of the batch is
    // stored already (or repeats within it), PostgreSQL refuses the COPY with a unique
    // violation; the batch is rolled back to the savepoint and goes the careful way: COPY into
    // a staging table, INSERT ... ON CONFLICT (record_id) DO NOTHING RETURNING record_id. Only
    // the records actually inserted go into the roll-ups, which are updated in the same
    // transaction as the records. For an id repeated within one batch the first occurrence
    // is inserted (a freshly truncated temporary table is read back in the order of its COPY)
    // and the first is the one rolled up.
    // Two batches alternate: the main thread decodes one while a worker stores the other and
    // adds its inserted records to the roll-ups. The connection is used by one of them at a
    // time: the worker while a batch is stored, the main thread before and after.
    struct Batch {
      std::vector<records::Usage> records{kBatchRecords};
      std::vector<jsonl::Location> where{kBatchRecords};
      std::vector<char> inserted; // set by the worker
      std::size_t n = 0;
    };
    Batch batches[2];
    int filling = 0;
    std::deque<std::string> names; // the files' names, which Locations point to
    Rollup rollup;
    BinaryCopy copy;
    const std::string direct =
        std::string("COPY aip_usage (") + kColumns + ") FROM STDIN (FORMAT binary)";
    // Stores a batch; marks in `inserted` which of its records went in (for the roll-ups).
    auto store = [&](Batch &b) {
      copy.begin();
      for (std::size_t i = 0; i < b.n; ++i) append_binary_row(copy, b.records[i]);
      copy.end();
      db.exec("SAVEPOINT aip_batch");
      Result r = db.copy_in(direct, copy.data());
      if (pq::api().resultStatus(r.res) == PGRES_COMMAND_OK) {
        db.exec("RELEASE SAVEPOINT aip_batch");
        b.inserted.assign(b.n, 1);
        result.inserted += b.n;
        return;
      }
      const char *state = pq::api().resultErrorField(r.res, PG_DIAG_SQLSTATE);
      if (state == nullptr || std::strcmp(state, "23505") != 0) db.fail("COPY failed", r.res);
      db.exec("ROLLBACK TO SAVEPOINT aip_batch");
      db.exec("CREATE TEMPORARY TABLE IF NOT EXISTS aip_staging "
              "(LIKE aip_usage INCLUDING DEFAULTS) ON COMMIT DROP");
      db.exec("TRUNCATE aip_staging");
      Result c =
          db.copy_in(std::string("COPY aip_staging (") + kColumns + ") FROM STDIN (FORMAT binary)",
                     copy.data());
      if (pq::api().resultStatus(c.res) != PGRES_COMMAND_OK) db.fail("COPY failed", c.res);
      auto ins =
          db.exec(std::string("INSERT INTO aip_usage (") + kColumns + ") SELECT " + kColumns +
                  " FROM aip_staging ON CONFLICT (record_id) DO NOTHING "
                  "RETURNING record_id");
      std::unordered_set<std::string> ids;
      for (int i = 0; i < ins.rows(); ++i) ids.insert(pq::api().getvalue(ins.res, i, 0));
      result.inserted += ids.size();
      b.inserted.assign(b.n, 0);
      for (std::size_t i = 0; i < b.n; ++i) b.inserted[i] = ids.erase(b.records[i].record_id);
      db.exec("RELEASE SAVEPOINT aip_batch");
    };
    auto roll_up = [&](Batch &b) {
      for (std::size_t i = 0; i < b.n; ++i)
        if (b.inserted[i] != 0) rollup.add(b.records[i], b.where[i]);
      b.n = 0;
    };
    {
      // Declared in this block so that, should the main thread fail, unwinding waits for
      // the worker before the transaction is rolled back.
      std::future<void> storing;
      // The main thread rolls up the batch stored last while the worker stores the next one.
      auto hand_over = [&] {
        Batch &b = batches[filling];
        if (b.n == 0) return;
        if (storing.valid()) storing.get(); // the other batch is stored
        storing = std::async(std::launch::async, [&store, &b] { store(b); });
        filling ^= 1;
        if (batches[filling].n != 0) roll_up(batches[filling]);
      };
      simdjson::dom::parser parser;
      records::UsageView view;
      for (const auto &path : paths) {
        auto lines = LineReader::open(path);
        names.push_back(lines->name());
        std::string_view line;
        while (lines->next(line)) {
          if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
          jsonl::Location where{names.back(), lines->line_number()};
          Batch &b = batches[filling];
          try {
            decode_line(parser, *lines, line, where, view, b.records[b.n]);
            check_storable(b.records[b.n], where);
          } catch (const Error &e) {
            if (e.status() != Exit::data || !options.skip_invalid) throw;
            if (result.skipped++ == 0) result.first_skipped = e.what();
            continue;
          }
          b.where[b.n] = where;
          ++result.read;
          if (++b.n == kBatchRecords) hand_over();
        }
      }
      hand_over();
      if (storing.valid()) storing.get();
      roll_up(batches[filling ^ 1]);
    }
    db.add_rollup(rollup);
    result.duplicates = result.read - result.inserted;
  });
  return result;
}

void Store::rebuild_rollups() {
  impl_->transaction([&] {
    // Ingests wait; a report meanwhile reads the old roll-ups until COMMIT.
    impl_->exec(std::string("SELECT pg_advisory_xact_lock(") + kIngestLock + ")");
    impl_->rebuild_rollups();
  });
}

Report Store::report_rollups(const ReportSpec &spec, const std::string &dim) {
  std::vector<std::optional<std::string>> params{dim};
  std::string sql = "SELECT value, day - DATE '1970-01-01', jobs, wall_s, core_s, used_cpu_s, "
                    "core_s_cpu_known, gpu_s, used_gpu_s, gpu_s_util_known, mem_peak_bytes, "
                    "mem_req_bytes, wait_s, wait_jobs, cpu_known_jobs, first_end, last_end "
                    "FROM aip_usage_rollup WHERE dim = $1";
  for (const auto &f : spec.where) {
    params.push_back(text_array(f.values));
    const std::string test = "value = ANY($" + std::to_string(params.size()) + "::text[])";
    sql += f.op == Filter::Op::eq ? " AND " + test : " AND NOT (" + test + ")";
  }
  auto r = impl_->exec(sql, params);
  // Days into the report's periods; Totals::add keeps the earliest and latest ends.
  std::map<std::pair<std::string, std::int64_t>, Totals> sums;
  for (int i = 0; i < r.rows(); ++i) {
    const auto day = static_cast<std::int64_t>(r.number(i, 1));
    const std::int64_t period = spec.period == Period::none
                                    ? 0
                                    : period_index(spec.period, static_cast<double>(day) * 86400);
    Totals t;
    double *fields[] = {
        &t.jobs,   &t.wall_s,     &t.core_s,           &t.used_cpu_s, &t.core_s_cpu_known,
        &t.gpu_s,  &t.used_gpu_s, &t.gpu_s_util_known, &t.mem_peak,   &t.mem_req,
        &t.wait_s, &t.wait_jobs,  &t.cpu_known,        &t.first_end,  &t.last_end};
    for (int k = 0; k < 15; ++k) *fields[k] = r.number(i, 2 + k);
    sums[{spec.dims.empty() ? std::string() : r.text(i, 0), period}].add(t);
  }
  Report report;
  report.spec = spec;
  for (auto &[key, t] : sums) {
    Group g;
    if (!spec.dims.empty()) g.dims.push_back(key.first);
    g.period = key.second;
    g.totals = t;
    report.groups.push_back(std::move(g));
  }
  report.records = 0;
  order_groups(report);
  return report;
}

namespace {
// The dimension a report can read from the roll-ups ("" for all records), or nothing: at
// most one dimension and not cores; string filters on that same dimension only; a period of
// a day or longer (or none); no time window and no whole-jobs-by-end (APEL) accounting, whose
// boundaries do not fall on whole days of the roll-ups.
std::optional<std::string> rollup_dim(const ReportSpec &spec) {
  if (spec.dims.size() > 1 || spec.period == Period::hour || spec.since || spec.until ||
      spec.by_end)
    return std::nullopt;
  std::optional<Dim> dim;
  if (!spec.dims.empty()) dim = spec.dims[0];
  for (const auto &f : spec.where) {
    if (f.numeric) return std::nullopt;
    const Dim d = parse_dim(f.field);
    if (dim && *dim != d) return std::nullopt;
    dim = d;
  }
  if (!dim) return std::string();
  for (const auto &r : kRollupDims)
    if (r.dim == dim) return std::string(r.name);
  return std::nullopt; // cores
}
} // namespace

Report Store::report(const ReportSpec &spec, bool raw) {
  if (version() < 1)
    fail(Exit::unavailable,
         "database " + impl_->name + " has no aip schema: run 'aip account db init'");
  if (auto dim = rollup_dim(spec); dim && !raw && version() >= 3) return report_rollups(spec, *dim);
  std::vector<std::optional<std::string>> params;
  auto param = [&](std::optional<std::string> v) {
    params.push_back(std::move(v));
    return "$" + std::to_string(params.size());
  };
  const std::string since =
      param(spec.since ? std::optional<std::string>(format_timestamp(*spec.since)) : std::nullopt) +
      "::timestamptz";
  const std::string until =
      param(spec.until ? std::optional<std::string>(format_timestamp(*spec.until)) : std::nullopt) +
      "::timestamptz";
  std::string where = "TRUE";
  for (const auto &f : spec.where) {
    if (f.numeric) {
      static const char *ops[] = {"=", "<>", "<", "<=", ">", ">="};
      std::string col = f.field; // one of a fixed list (parse_filter checked it)
      std::string p = param(std::to_string(f.number)) + "::float8";
      if (f.op == Filter::Op::ne)
        where += " AND (" + col + " IS NULL OR " + col + " <> " + p + ")";
      else
        where += " AND (" + col + " IS NOT NULL AND " + col + " " + ops[static_cast<int>(f.op)] +
                 " " + p + ")";
    } else {
      std::string p = param(text_array(f.values)) + "::text[]";
      std::string test = std::string(column_of(parse_dim(f.field))) + " = ANY(" + p + ")";
      where += f.op == Filter::Op::eq ? " AND " + test : " AND NOT (" + test + ")";
    }
  }
  std::string dims, dim_list;
  for (std::size_t i = 0; i < spec.dims.size(); ++i) {
    dims += std::string(column_of(spec.dims[i])) + " AS d" + std::to_string(i) + ", ";
    dim_list += "d" + std::to_string(i) + ", ";
  }
  const bool none = spec.period == Period::none;
  std::string unit, step;
  switch (spec.period) {
  case Period::none: break;
  case Period::hour:
    unit = "hour";
    step = "1 hour";
    break;
  case Period::day:
    unit = "day";
    step = "1 day";
    break;
  case Period::week:
    unit = "week";
    step = "1 week";
    break;
  case Period::month:
    unit = "month";
    step = "1 month";
    break;
  case Period::quarter:
    unit = "quarter";
    step = "3 months";
    break;
  case Period::year:
    unit = "year";
    step = "1 year";
    break;
  }
  // date_part() gives double precision (extract() numeric since PostgreSQL 14: much slower).
  // One pass: each job becomes one row per period it touches; its time share goes to each, and
  // its count, memory and wait to the period of its end (a job ending exactly at a period's
  // start belongs to the period before). Whole jobs (APEL's way, jobs of no length, or no split
  // to make) put all their time into the period of their end.
  const std::string whole = spec.by_end                            ? "TRUE"
                            : (none && !spec.since && !spec.until) ? "TRUE"
                                                                   : "(e <= s)";
  const std::string inside = "((" + since + " IS NULL OR e > " + since + " OR (e = " + since +
                             " AND s = e)) AND (" + until + " IS NULL OR e <= " + until + "))";
  const std::string end_period =
      none ? "'epoch'::timestamptz"
           : "date_trunc('" + unit +
                 "', CASE WHEN e > s THEN e - interval '1 microsecond' ELSE e END)";
  const std::string next = none ? "'infinity'::timestamptz" : "g.p + interval '" + step + "'";
  const std::string from = none ? "(SELECT 'epoch'::timestamptz AS p) g"
                                : "generate_series(date_trunc('" + unit + "', greatest(s, " +
                                      since + ")), date_trunc('" + unit + "', least(e, " + until +
                                      ")), interval '" + step + "') AS g(p)";
  std::string sql = "WITH u AS (SELECT " + dims +
                    "start_time AS s, end_time AS e, wall_s, cores, cpu_s, gpus, gpu_util_mean, "
                    "mem_req_bytes, mem_peak_bytes, "
                    "submit_time FROM aip_usage WHERE " +
                    where +
                    "),\n"
                    "x AS (SELECT " +
                    dim_list + "g.p AS period, (" + inside + " AND g.p = " + end_period +
                    ")::int AS jobs, "
                    "CASE WHEN " +
                    whole + " THEN (" + inside + " AND g.p = " + end_period +
                    ")::int ELSE "
                    "greatest(0, date_part('epoch', least(e, " +
                    next + ", " + until + ") - greatest(s, g.p, " + since +
                    ")) / date_part('epoch', e - s)) END AS f, "
                    "wall_s, cores, cpu_s, gpus, gpu_util_mean, mem_req_bytes, mem_peak_bytes, s, "
                    "e, submit_time FROM u CROSS JOIN LATERAL " +
                    from + ")\n";
  sql += "SELECT " + dim_list +
         "date_part('epoch', period), sum(jobs), sum(f * wall_s), sum(f * wall_s * cores), "
         "sum(CASE WHEN cpu_s IS NOT NULL THEN f * cpu_s ELSE 0 END), "
         "sum(CASE WHEN cpu_s IS NOT NULL THEN f * wall_s * cores ELSE 0 END), sum(f * wall_s * "
         "gpus), "
         "sum(CASE WHEN gpu_util_mean IS NOT NULL AND gpus > 0 THEN f * wall_s * gpus * "
         "gpu_util_mean / 100 ELSE 0 END), "
         "sum(CASE WHEN gpu_util_mean IS NOT NULL AND gpus > 0 THEN f * wall_s * gpus ELSE 0 END), "
         "sum(CASE WHEN jobs = 1 AND mem_peak_bytes IS NOT NULL AND mem_req_bytes > 0 THEN "
         "mem_peak_bytes ELSE 0 END), "
         "sum(CASE WHEN jobs = 1 AND mem_peak_bytes IS NOT NULL AND mem_req_bytes > 0 THEN "
         "mem_req_bytes ELSE 0 END), "
         "sum(CASE WHEN jobs = 1 AND submit_time IS NOT NULL THEN greatest(0, date_part('epoch', s "
         "- submit_time)) ELSE 0 END), "
         "sum(CASE WHEN jobs = 1 AND submit_time IS NOT NULL THEN 1 ELSE 0 END), "
         "sum(CASE WHEN jobs = 1 AND cpu_s IS NOT NULL THEN 1 ELSE 0 END), "
         "min(CASE WHEN jobs = 1 THEN date_part('epoch', e) END), max(CASE WHEN jobs = 1 THEN "
         "date_part('epoch', e) END) "
         "FROM x WHERE f > 0 OR jobs = 1 GROUP BY " +
         dim_list + "period";
  auto r = impl_->exec(sql, params);
  Report report;
  report.spec = spec;
  const int nd = static_cast<int>(spec.dims.size());
  for (int i = 0; i < r.rows(); ++i) {
    Group g;
    for (int d = 0; d < nd; ++d) g.dims.push_back(r.text(i, d));
    g.period = none ? 0 : period_index(spec.period, r.number(i, nd));
    auto &t = g.totals;
    double *fields[] = {
        &t.jobs,   &t.wall_s,     &t.core_s,           &t.used_cpu_s, &t.core_s_cpu_known,
        &t.gpu_s,  &t.used_gpu_s, &t.gpu_s_util_known, &t.mem_peak,   &t.mem_req,
        &t.wait_s, &t.wait_jobs,  &t.cpu_known,        &t.first_end,  &t.last_end};
    for (int k = 0; k < 15; ++k) *fields[k] = r.number(i, nd + 1 + k);
    report.groups.push_back(std::move(g));
  }
  report.records = 0;
  order_groups(report);
  return report;
}

void Store::fairshare_usage(Fairshare &fairshare, const FairshareOptions &o) {
  if (version() < 1)
    fail(Exit::unavailable,
         "database " + impl_->name + " has no aip schema: run 'aip account db init'");
  // decayed_usage(): amount x min(1, wall / (end - start)) x the integral of 2^(-(now - t)/h)
  // over [start, end] clipped at now; without a half-life, amount x the clipped run time.
  const std::string amount = o.gpu ? "gpus" : "cores";
  const std::string s = "least(date_part('epoch', start_time), $1::float8)";
  const std::string e = "least(date_part('epoch', end_time), $1::float8)";
  const std::string scale =
      "CASE WHEN wall_s > 0 AND end_time > start_time THEN least(1.0, wall_s / "
      "date_part('epoch', end_time - start_time)) ELSE 1.0 END";
  const std::string decayed = o.half_life_s > 0
                                  ? "$2::float8 / ln(2.0) * (power(2.0, -($1::float8 - " + e +
                                        ") / $2::float8) - power(2.0, -($1::float8 - " + s +
                                        ") / $2::float8))"
                                  : "(" + e + " - " + s + ")";
  auto r = impl_->exec("SELECT project, user_name, sum(CASE WHEN " + amount + " > 0 AND " + e +
                           " > " + s + " THEN " + amount + " * " + scale + " * " + decayed +
                           " ELSE 0 END), count(*) FROM aip_usage "
                           "GROUP BY project, user_name",
                       {std::to_string(o.now), std::to_string(o.half_life_s)});
  for (int i = 0; i < r.rows(); ++i)
    fairshare.add_decayed(r.text(i, 0), r.text(i, 1), r.number(i, 2),
                          static_cast<std::uint64_t>(r.number(i, 3)));
}

} // namespace aip::accounting
