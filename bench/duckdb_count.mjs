// Peer for the JSON Lines reader benchmark: DuckDB's read_json over the same file on
// THREADS threads. MODE "count" counts records (count(*), the peer); MODE "sum" also
// sums core hours, so two fields of every record are converted.
// Usage: node duckdb_count.mjs FILE [THREADS] [count|sum]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '2', mode = 'count'] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads });
const connection = await instance.connect();
const source = `read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited')`;
const sql = mode === 'sum'
  ? `SELECT count(*) AS records, sum(cores * wall_s / 3600) AS core_hours FROM ${source}`
  : `SELECT count(*) AS records, NULL AS core_hours FROM ${source}`;
const start = process.hrtime.bigint();
const reader = await connection.runAndReadAll(sql);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const [records, coreHours] = reader.getRows()[0];
console.log(JSON.stringify({ records: Number(records), core_hours: coreHours === null ? null : Number(coreHours),
                             seconds, threads: Number(threads), peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
