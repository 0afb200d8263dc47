// Peer for the JSON Lines reader benchmark: DuckDB's read_json over the same file, counting
// records and summing core hours (so every record's fields are parsed), on THREADS threads.
// Usage: node duckdb_count.mjs FILE [THREADS]
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads = '2'] = process.argv.slice(2);
const instance = await DuckDBInstance.create(':memory:', { threads });
const connection = await instance.connect();
const sql = `SELECT count(*) AS records, sum(cores * wall_s / 3600) AS core_hours
             FROM read_json('${file.replaceAll("'", "''")}', format = 'newline_delimited')`;
const start = process.hrtime.bigint();
const reader = await connection.runAndReadAll(sql);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const [records, coreHours] = reader.getRows()[0];
console.log(JSON.stringify({ records: Number(records), core_hours: Number(coreHours), seconds,
                             threads: Number(threads), peak_rss_mb: process.resourceUsage().maxRSS / 1024 }));
