#!/usr/bin/env bash
# aip account report beside DuckDB (read_json + GROUP BY), pandas and Miller on the same file
# of 1M aip.usage/v1 records and the same thread count: the report by project, and by user x
# month with time split pro rata over months. The peers' jobs and CPU hours must agree with
# aip's per group. Optional: AIP_BENCH_PG_URL=postgresql://... also times ingest and a
# report by project x month from PostgreSQL (see the end of this script; it drops and
# recreates aip's tables in that database).
# Usage: [CACHE=asis] [SLOW_PEERS=0] bench/bench-account.sh [BUILD_DIR] [RECORDS]
#        (default 1000000 records, about 444 MB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
records=${2:-1000000}
threads=${THREADS:-2}
slow_peers=${SLOW_PEERS:-1} # 0: leave out pandas and Miller (minutes on 2 cores)
data="$here/data"
mkdir -p "$data"
file="$data/usage-$records.jsonl"
[ -s "$file" ] || "$build/bench/aip-bench-usage-gen" "$records" > "$file"
size=$(stat -c %s "$file")
echo "input: $file ($records records, $((size / 1000000)) MB), $threads threads"
# Every run starts with the file in the page cache, by default as a reader finds it after
# reading it from disk: its pages are dropped (GNU dd's documented nocache idiom), then read
# back, and readahead chooses their folios (2 MiB on this machine's kernel and ext4). aip maps
# the file, and mapping costs per folio: a file just written sits in the writer's 4 KiB
# folios, where aip's report takes about 20% longer (DuckDB reads with read() and takes the
# same time either way). CACHE=asis keeps the file's pages as they are.
if [ "${CACHE:-read}" != asis ]; then
  dd if="$file" iflag=nocache count=0 status=none
  echo "page cache: the file dropped and read back (CACHE=asis keeps it as it is)"
else
  echo "page cache: as it was (CACHE=asis)"
fi
cat "$file" > /dev/null
aip() { # aip MODE: one timed run of aip account report, as a JSON line like the peers'
  local by=$1 t0 t1
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$data/.rss" \
    "$build/bin/aip-account" report --by "$by" -f jsonl "$file" > "$data/.aip.jsonl"
  t1=$(date +%s%N)
  /usr/bin/python3 - "$data/.aip.jsonl" "$(( (t1 - t0) / 1000 ))" "$(cat "$data/.rss")" "$by" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
by = sys.argv[4]
key = (lambda r: r["project"]) if by == "project" else (lambda r: r["user"] + "|" + r["month"])
print(json.dumps({"rows": len(rows), "seconds": int(sys.argv[2]) / 1e6, "peak_rss_mb": int(sys.argv[3]) / 1024,
                  "result": {key(r): [r["jobs"], r["cpu_hours"]] for r in rows}}))
PY
}
best() { # best OUT CMD...: the fastest of 3 runs, its JSON line into OUT
  local out=$1 best_s="" s
  shift
  for _ in 1 2 3; do
    "$@" > "$out.run"
    s=$(sed -E 's/^\{[^}]*"seconds": ?([0-9.e-]+).*/\1/' "$out.run")
    if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then best_s=$s; mv "$out.run" "$out"; fi
  done
  rm -f "$out.run"
}
r="$data/.results"
mkdir -p "$r"
best "$r/aip_p" aip project
best "$r/duck_p" node "$here/duckdb_account.mjs" "$file" "$threads" project
best "$r/aip_um" aip user,month
best "$r/duck_um" node "$here/duckdb_account.mjs" "$file" "$threads" user-month
echo '{}' > "$r/pandas"; echo '{}' > "$r/miller"
if [ "$slow_peers" = 1 ]; then
  /usr/bin/python3 "$here/account_peers.py" "$file" pandas > "$r/pandas"
  /usr/bin/python3 "$here/account_peers.py" "$file" miller > "$r/miller"
fi
/usr/bin/python3 - "$r"/{aip_p,duck_p,aip_um,duck_um,pandas,miller} <<'PY'
import json, sys
ap, dp, au, du, pa, mi = (json.load(open(x)) for x in sys.argv[1:])
def agree(a, b, name):
    assert set(a["result"]) == set(b["result"]), f"{name}: groups differ"
    for k, (jobs, h) in a["result"].items():
        bj, bh = b["result"][k]
        assert jobs == bj and abs(h - bh) <= 1e-6 * max(1, abs(bh)), f"{name} {k}: {jobs} {h} vs {bj} {bh}"
agree(ap, dp, "duckdb by project")
agree(au, du, "duckdb by user x month")
def line(what, a, b, peer):
    print(f"{what:<28} aip {a['seconds']:.3f} s, {a['peak_rss_mb']:.0f} MB; {peer} {b['seconds']:.3f} s, "
          f"{b['peak_rss_mb']:.0f} MB; ratio {b['seconds'] / a['seconds']:.2f}x")
line("by project", ap, dp, "duckdb")
line("by user x month (pro rata)", au, du, "duckdb")
for peer in (pa, mi):
    if peer:
        agree(ap, peer, peer["peer"])
        line("by project", ap, peer, peer["peer"])
PY
if [ -n "${AIP_BENCH_PG_URL:-}" ]; then
  # Ingest into an empty schema, then again (every record a duplicate), then reports by
  # project x month from the daily roll-ups and from the records (--raw). With PG_SCALE=K
  # the stored records are multiplied K times in SQL (new record_ids, same times), the
  # roll-ups rebuilt, and both reports timed again over the larger table.
  export AIP_DB=$AIP_BENCH_PG_URL
  psql_() { "${PSQL:-psql}" -X -q -v ON_ERROR_STOP=1 "$AIP_DB" "$@"; }
  psql_ -c "DROP TABLE IF EXISTS aip_usage, aip_usage_rollup, aip_schema_version CASCADE"
  "$build/bin/aip-account" db init 2> /dev/null
  ms() { echo $(( ($2 - $1) / 1000000 )); }
  t0=$(date +%s%N); out=$("$build/bin/aip-account" ingest "$file"); t1=$(date +%s%N)
  echo "ingest into PostgreSQL: $out in $(ms "$t0" "$t1") ms ($(( records * 1000 / $(ms "$t0" "$t1") )) records/s)"
  t0=$(date +%s%N); out=$("$build/bin/aip-account" ingest "$file"); t1=$(date +%s%N)
  echo "ingest again: $out in $(ms "$t0" "$t1") ms ($(( records * 1000 / $(ms "$t0" "$t1") )) records/s)"
  pg_reports() {
    local stored t0 t1 t2
    stored=$(psql_ -At -c 'SELECT count(*) FROM aip_usage')
    t0=$(date +%s%N); "$build/bin/aip-account" report --by project,month -f csv > "$data/.pg-rollup.csv"
    t1=$(date +%s%N); "$build/bin/aip-account" report --by project,month -f csv --raw > "$data/.pg-raw.csv"
    t2=$(date +%s%N)
    echo "report by project x month over $stored records: from the roll-ups $(ms "$t0" "$t1") ms, from the records (--raw) $(ms "$t1" "$t2") ms"
    /usr/bin/python3 - "$data/.pg-rollup.csv" "$data/.pg-raw.csv" <<'PY'
import csv, sys
a, b = (list(csv.reader(open(f))) for f in sys.argv[1:])
assert a[0] == b[0] and len(a) == len(b), "roll-up and raw reports differ in shape"
for x, y in zip(a[1:], b[1:]):
    assert x[:2] == y[:2] and x[2] == y[2], (x, y)
    for u, v in zip(x[3:], y[3:]):
        assert u == v or abs(float(u) - float(v)) <= 1e-6 * max(1, abs(float(v))), (x, y)
PY
  }
  pg_reports
  if [ "${PG_SCALE:-1}" -gt 1 ]; then
    t0=$(date +%s%N)
    psql_ -c "INSERT INTO aip_usage SELECT record_id || ':' || k, job_id, user_name, project, vo, site, queue, submit_time, start_time, end_time, wall_s, cores, cpu_s, mem_req_bytes, mem_peak_bytes, gpus, gpu_model, gpu_util_mean, state, exit_code, source, ingested_at FROM aip_usage CROSS JOIN generate_series(1, $((PG_SCALE - 1))) k"
    "$build/bin/aip-account" db rebuild-rollups 2> /dev/null
    t1=$(date +%s%N)
    echo "scaled x$PG_SCALE in SQL and rebuilt the roll-ups in $(ms "$t0" "$t1") ms"
    pg_reports
  fi
fi
