#include "aip/accounting/store.hpp"

#include <aip/core/jsonl.hpp>
#include <aip/core/units.hpp>

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>

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
};

Exit status_of(PGconn *conn, const PGresult *res) {
  if (PQstatus(conn) == CONNECTION_BAD) return Exit::unavailable;
  const char *state = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
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
  ~Result() { PQclear(res); }
  int rows() const { return PQntuples(res); }
  bool null(int r, int c) const { return PQgetisnull(res, r, c) != 0; }
  std::string text(int r, int c) const { return PQgetvalue(res, r, c); }
  double number(int r, int c) const {
    return null(r, c) ? 0.0 : std::strtod(PQgetvalue(res, r, c), nullptr);
  }
};

void append_copy_text(std::string &out, std::string_view s) {
  // COPY's text format: backslash escapes for the delimiter, line ends and backslash.
  for (char c : s) {
    switch (c) {
    case '\\': out += "\\\\"; break;
    case '\t': out += "\\t"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    default: out += c;
    }
  }
}

template <class T> void append_number(std::string &out, T v) {
  char buf[32];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  out.append(buf, ptr);
}

void append_row(std::string &out, const records::Usage &u) {
  auto text = [&](std::string_view s) {
    append_copy_text(out, s);
    out += '\t';
  };
  auto time = [&](std::optional<double> t) {
    if (t)
      out += format_timestamp(*t);
    else
      out += "\\N";
    out += '\t';
  };
  auto num = [&](auto v) {
    if (v)
      append_number(out, *v);
    else
      out += "\\N";
    out += '\t';
  };
  text(u.record_id);
  text(u.job_id);
  text(u.user);
  text(u.project);
  text(u.vo);
  text(u.site);
  text(u.queue);
  time(u.submit);
  time(u.start);
  time(u.end);
  num(std::optional<double>(u.wall_s));
  num(std::optional<double>(u.cores));
  num(u.cpu_s);
  num(u.mem_req_bytes);
  num(u.mem_peak_bytes);
  num(std::optional<std::uint32_t>(u.gpus));
  text(u.gpu_model);
  num(u.gpu_util_mean);
  text(u.state);
  num(u.exit_code);
  append_copy_text(out, u.source);
  out += '\n';
}

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
                "database " + name + ": " + what + ": " + first_line(PQerrorMessage(conn)));
  }
  Result exec(const std::string &sql) { return exec(sql.c_str()); }
  Result exec(const char *sql) {
    Result r(PQexec(conn, sql));
    auto st = PQresultStatus(r.res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(std::string("query failed"), r.res);
    return r;
  }
  Result exec(const std::string &sql, const std::vector<std::optional<std::string>> &params) {
    std::vector<const char *> values;
    for (const auto &p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(PQexecParams(conn, sql.c_str(), static_cast<int>(values.size()), nullptr,
                          values.data(), nullptr, nullptr, 0));
    auto st = PQresultStatus(r.res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail("query failed", r.res);
    return r;
  }
  void rollback() { PQclear(PQexec(conn, "ROLLBACK")); }
};

Store::Store(const std::string &conninfo) : impl_(std::make_unique<Impl>()) {
  impl_->name = redact_conninfo(conninfo);
  impl_->conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(impl_->conn) != CONNECTION_OK)
    fail(Exit::unavailable, "cannot connect to database " + impl_->name + ": " +
                                first_line(PQerrorMessage(impl_->conn)));
  impl_->exec("SET TIME ZONE 'UTC'");
  impl_->exec("SET client_min_messages = warning");
  // generate_series() makes the planner expect 1000 rows a job; the JIT compilation such
  // estimates trigger costs more than the query (1.4 of 2 s over 1M records).
  impl_->exec("SET jit = off");
}

Store::~Store() { PQfinish(impl_->conn); }

int Store::latest_version() { return kMigrations[std::size(kMigrations) - 1].version; }

int Store::version() {
  auto r = impl_->exec("SELECT to_regclass('aip_schema_version') IS NOT NULL");
  if (r.text(0, 0) != "t") return 0;
  auto v = impl_->exec("SELECT coalesce(max(version), 0) FROM aip_schema_version");
  return static_cast<int>(v.number(0, 0));
}

int Store::migrate() {
  impl_->exec("BEGIN");
  try {
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
    }
    impl_->exec("COMMIT");
  } catch (...) {
    impl_->rollback();
    throw;
  }
  return latest_version();
}

IngestResult Store::ingest(const std::vector<std::string> &paths, const IngestOptions &options) {
  int v = version();
  if (v < latest_version())
    fail(Exit::unavailable, "database " + impl_->name + " has schema version " + std::to_string(v) +
                                ", not " + std::to_string(latest_version()) +
                                ": run 'aip account db migrate' first");
  IngestResult result;
  auto *conn = impl_->conn;
  impl_->exec("BEGIN");
  try {
    if (options.wait) {
      impl_->exec(std::string("SELECT pg_advisory_xact_lock(") + kIngestLock + ")");
    } else {
      auto r = impl_->exec(std::string("SELECT pg_try_advisory_xact_lock(") + kIngestLock + ")");
      if (r.text(0, 0) != "t")
        fail(Exit::temp_fail,
             "another ingest holds the lock on database " + impl_->name + "; try again later");
    }
    impl_->exec(
        "CREATE TEMPORARY TABLE aip_staging (LIKE aip_usage INCLUDING DEFAULTS) ON COMMIT DROP");
    {
      Result r(
          PQexec(conn, (std::string("COPY aip_staging (") + kColumns + ") FROM STDIN").c_str()));
      if (PQresultStatus(r.res) != PGRES_COPY_IN) impl_->fail("COPY failed", r.res);
    }
    std::string buffer;
    auto flush = [&] {
      if (PQputCopyData(conn, buffer.data(), static_cast<int>(buffer.size())) != 1)
        impl_->fail("COPY failed", nullptr);
      buffer.clear();
    };
    records::Usage u;
    try {
      for (const auto &path : paths) {
        auto lines = LineReader::open(path);
        simdjson::dom::parser parser;
        std::string_view line;
        while (lines->next(line)) {
          if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
          jsonl::Location where{lines->name(), lines->line_number()};
          try {
            // LineReader leaves padding after each line; otherwise simdjson copies it.
            const bool padded =
                lines->capacity_from(line) >= line.size() + simdjson::SIMDJSON_PADDING;
            simdjson::dom::element doc;
            auto err = parser.parse(line.data(), line.size(), !padded).get(doc);
            if (err != simdjson::SUCCESS)
              jsonl::bad_record(where,
                                std::string("invalid JSON: ") + simdjson::error_message(err));
            if (!doc.is_object()) jsonl::bad_record(where, "expected a JSON object");
            records::decode_usage(doc.get_object().value_unsafe(), where, u);
          } catch (const Error &e) {
            if (e.status() != Exit::data || !options.skip_invalid) throw;
            if (result.skipped++ == 0) result.first_skipped = e.what();
            continue;
          }
          append_row(buffer, u);
          ++result.read;
          if (buffer.size() >= (1U << 20)) flush();
        }
      }
    } catch (const Error &e) {
      PQputCopyEnd(conn, "aip: bad input, nothing ingested");
      PQclear(PQgetResult(conn));
      throw;
    }
    flush();
    if (PQputCopyEnd(conn, nullptr) != 1) impl_->fail("COPY failed", nullptr);
    {
      Result r(PQgetResult(conn));
      if (PQresultStatus(r.res) != PGRES_COMMAND_OK) impl_->fail("COPY failed", r.res);
    }
    while (PGresult *rest = PQgetResult(conn)) PQclear(rest);
    // DO NOTHING also skips a record whose id came earlier in this same input.
    auto r = impl_->exec(std::string("INSERT INTO aip_usage (") + kColumns + ") SELECT " +
                         kColumns + " FROM aip_staging ON CONFLICT (record_id) DO NOTHING");
    result.inserted = std::strtoull(PQcmdTuples(r.res), nullptr, 10);
    result.duplicates = result.read - result.inserted;
    impl_->exec("COMMIT");
  } catch (...) {
    impl_->rollback();
    throw;
  }
  return result;
}

Report Store::report(const ReportSpec &spec) {
  if (version() < 1)
    fail(Exit::unavailable,
         "database " + impl_->name + " has no aip schema: run 'aip account db init'");
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
