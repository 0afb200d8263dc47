// Peer for the accounting benchmark: the same report as `aip account report` computed by
// DuckDB's read_json + GROUP BY over the same file and thread count.
//   MODE project: every metric by project (no period)
//   MODE user-month: by user and UTC month, a job's time split pro rata over the months it
//   ran in (generate_series over months), jobs counted in the month they ended.
// Prints one JSON line: {rows, seconds, threads, peak_rss_mb, result: {key: [jobs, cpu_hours]}}.
// Usage: node duckdb_account.mjs FILE [THREADS] [project|user-month]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '2', mode = 'project'] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads });
const connection = await instance.connect();
const source = `read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited', columns = {
  "user": 'VARCHAR', project: 'VARCHAR', submit: 'TIMESTAMP', start: 'TIMESTAMP', "end": 'TIMESTAMP',
  wall_s: 'DOUBLE', cores: 'DOUBLE', cpu_s: 'DOUBLE', mem_req_bytes: 'UBIGINT', mem_peak_bytes: 'UBIGINT',
  gpus: 'INTEGER', gpu_util_mean: 'DOUBLE'})`;
const metrics = (f, jobs) => `
  sum(${jobs}) AS jobs, sum(${f} * wall_s) / 3600 AS wall_hours, sum(${f} * wall_s * cores) / 3600 AS cpu_hours,
  sum(${f} * cpu_s) / 3600 AS used_cpu_hours,
  100 * sum(${f} * cpu_s) / sum(CASE WHEN cpu_s IS NOT NULL THEN ${f} * wall_s * cores END) AS cpu_eff_pct,
  sum(${f} * wall_s * gpus) / 3600 AS gpu_hours,
  sum(CASE WHEN gpus > 0 THEN ${f} * wall_s * gpus * gpu_util_mean / 100 END) / 3600 AS used_gpu_hours,
  100 * sum(CASE WHEN gpus > 0 THEN ${f} * wall_s * gpus * gpu_util_mean / 100 END)
      / sum(CASE WHEN gpus > 0 AND gpu_util_mean IS NOT NULL THEN ${f} * wall_s * gpus END) AS gpu_eff_pct,
  100 * sum(CASE WHEN ${jobs} = 1 AND mem_req_bytes > 0 THEN mem_peak_bytes END)
      / sum(CASE WHEN ${jobs} = 1 AND mem_req_bytes > 0 AND mem_peak_bytes IS NOT NULL THEN mem_req_bytes END) AS mem_eff_pct,
  sum(CASE WHEN ${jobs} = 1 THEN greatest(0, epoch(start) - epoch(submit)) END) / 3600 AS wait_hours`;
const sql = mode === 'project'
  ? `SELECT project AS k, ${metrics('1', '1')} FROM ${source} GROUP BY project`
  : `WITH u AS (SELECT *, epoch(start) AS s, epoch("end") AS e FROM ${source}),
     spans AS (
       SELECT *, unnest(generate_series(date_trunc('month', start), date_trunc('month', "end"), INTERVAL 1 MONTH)) AS p
       FROM u WHERE e > s),
     shares AS (
       SELECT "user", p, 0 AS j, (least(e, epoch(p + INTERVAL 1 MONTH)) - greatest(s, epoch(p))) / (e - s) AS f,
              wall_s, cores, cpu_s, gpus, gpu_util_mean, NULL::UBIGINT AS mem_req_bytes, NULL::UBIGINT AS mem_peak_bytes,
              start, submit FROM spans),
     ends AS (
       SELECT "user", date_trunc('month', CASE WHEN e > s THEN "end" - INTERVAL 1 MICROSECOND ELSE "end" END) AS p,
              1 AS j, CASE WHEN e > s THEN 0.0 ELSE 1.0 END AS f,
              wall_s, cores, cpu_s, gpus, gpu_util_mean, mem_req_bytes, mem_peak_bytes, start, submit FROM u)
     SELECT "user" || '|' || strftime(p, '%Y-%m') AS k, ${metrics('f', 'j')}
     FROM (SELECT * FROM shares UNION ALL SELECT * FROM ends) WHERE f > 0 OR j = 1 GROUP BY "user", p`;
const start = process.hrtime.bigint();
const reader = await connection.runAndReadAll(sql);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const result = {};
for (const row of reader.getRowObjects()) result[row.k] = [Number(row.jobs), Number(row.cpu_hours)];
console.log(JSON.stringify({ rows: Object.keys(result).length, seconds, threads: Number(threads),
                             peak_rss_mb: process.resourceUsage().maxRSS / 1024, result }));
