#!/usr/bin/env bash
# aip account from the command line: the real SWF trace imported and reported, its totals
# checked against swf_peer.py (an independent Python reading of the trace); the real
# `sacct -c -P` output of the Slurm fixture; formats; bad input naming file, line and field;
# exit statuses.
set -euo pipefail
bin=$1
data=$2 # ../shared/data/accounting
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }
py=/usr/bin/python3
swf="$data/NASA-iPSC-1993-3.1-cln.swf.gz"

# SWF: import the real trace from a pipe, then report by group (project) and month.
zcat "$swf" | "$bin/aip" account import --from swf > "$work/nasa.jsonl" 2> "$work/err"
[ "$(wc -l < "$work/nasa.jsonl")" = 18239 ] || fail "SWF record count"
grep -q "imported 18239 records" "$work/err" || fail "import note: $(cat "$work/err")"
# Re-import gives the same record ids (idempotent ingestion relies on it).
zcat "$swf" | "$bin/aip" account import --from swf 2> /dev/null | cmp -s - "$work/nasa.jsonl" || fail "re-import differs"
"$bin/aip" account report --by project,month -f jsonl "$work/nasa.jsonl" > "$work/report.jsonl"
$py "$here/swf_peer.py" "$swf" > "$work/peer.json"
$py - "$work/report.jsonl" "$work/peer.json" <<'PY' || fail "SWF report differs from the Python peer"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
peer = json.load(open(sys.argv[2]))
assert len(rows) == len(peer) == 8, (len(rows), len(peer))
for r in rows:
    assert r["kind"] == "aip.report/v1"
    jobs, wall, cpu = peer[r["project"] + "|" + r["month"]]
    assert r["jobs"] == jobs, (r, jobs)
    assert abs(r["wall_hours"] - wall) <= 1e-9 * wall, (r, wall)
    assert abs(r["cpu_hours"] - cpu) <= 1e-9 * cpu, (r, cpu)
    assert r["used_cpu_hours"] is None and r["wait_hours"] is None  # unknown in this trace
PY
# The records validate against the published schemas.
$py - "$here/../../schemas" "$work/nasa.jsonl" "$work/report.jsonl" <<'PY' || fail "schema"
import json, sys, jsonschema
d = sys.argv[1]
for path, name in ((sys.argv[2], "aip.usage.v1"), (sys.argv[3], "aip.report.v1")):
    schema = json.load(open(f"{d}/{name}.schema.json"))
    for i, line in enumerate(open(path)):
        if i < 500:
            jsonschema.validate(json.loads(line), schema)
PY

# Every metric on generated records (GPUs, CPU time, memory, submit times, jobs across
# boundaries) against report_peer.py, an independent Python computation.
$py "$here/gen_usage.py" 3000 > "$work/gen.jsonl"
for by in project,month user,day; do
  "$bin/aip" account report --by "$by" -f jsonl "$work/gen.jsonl" > "$work/gen-report.jsonl"
  $py "$here/report_peer.py" "$work/gen.jsonl" "${by%,*}" "${by#*,}" "$work/gen-report.jsonl" > /dev/null || fail "peer $by"
done

# A bare date in --since/--until is its midnight UTC.
"$bin/aip" account report --by site -f csv --since 2026-03-01 --until 2026-04-01 "$work/gen.jsonl" > "$work/d1.csv"
"$bin/aip" account report --by site -f csv --since 2026-03-01T00:00:00Z --until 1775001600 "$work/gen.jsonl" > "$work/d2.csv"
cmp -s "$work/d1.csv" "$work/d2.csv" || fail "bare dates"

# Formats: CSV header, JSON array, table on request, SVG chart written atomically.
"$bin/aip" account report --by user --top 3 -f csv "$work/nasa.jsonl" > "$work/top.csv"
[ "$(wc -l < "$work/top.csv")" = 4 ] || fail "--top 3 rows"
head -1 "$work/top.csv" | grep -q '^user,jobs,wall_hours,cpu_hours,used_cpu_hours,cpu_eff_pct,gpu_hours' || fail "csv header"
sed -n 2p "$work/top.csv" | grep -q '^4,2625,' || fail "top user (4, 2625 jobs): $(sed -n 2p "$work/top.csv")"
"$bin/aip" account report --by month -f json "$work/nasa.jsonl" | $py -c 'import json,sys; a=json.load(sys.stdin); assert len(a)==4 and a[0]["month"]=="1993-10"' || fail "json"
"$bin/aip" account report --by project,month -f svg -o "$work/c.svg" "$work/nasa.jsonl"
$py -c 'import sys, xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert d.documentElement.tagName=="svg"; assert len(d.getElementsByTagName("rect"))>=8' "$work/c.svg" || fail "svg"
"$bin/aip" account report --where 'project=2' --where 'cores>=64' -f csv "$work/nasa.jsonl" > "$work/w.csv"
expected=$(zcat "$swf" | awk '!/^;/ && $4 >= 0 && $13 == 2 && $5 >= 64 {n++} END {print n}')
[ "$(sed -n 2p "$work/w.csv" | cut -d, -f1)" = "$expected" ] || fail "--where count $(cat "$work/w.csv") vs awk $expected"
"$bin/aip" account report --format apel --submit-host ce.example.org "$work/nasa.jsonl" > "$work/apel.txt"
head -1 "$work/apel.txt" | grep -q '^APEL-summary-job-message: v0.2$' || fail "apel header"
# APEL counts whole jobs in the month they ended: the NumberOfJobs add up to the trace's jobs.
[ "$(awk -F': ' '/^NumberOfJobs/ {n += $2} END {print n}' "$work/apel.txt")" = 18239 ] || fail "apel jobs"

# Fair share over the trace (no decay): classic factors checked against Python's 2^(-U/S).
printf '1 3\n1/1 1\n1/2 1\n1/4 2\n2 1\n2/7 1\n2/24 1\n' > "$work/shares.conf"
"$bin/aip" account fairshare --shares "$work/shares.conf" --half-life 0 --now 1994-02-01T00:00:00Z -f jsonl "$work/nasa.jsonl" > "$work/fs.jsonl" 2> "$work/err"
grep -q "records belong to no user of the share tree" "$work/err" || fail "fairshare note: $(cat "$work/err")"
$py - "$work/nasa.jsonl" "$work/fs.jsonl" <<'PY' || fail "fairshare differs from Python"
import json, sys
tree = {("1", "1"): 1, ("1", "2"): 1, ("1", "4"): 2, ("2", "7"): 1, ("2", "24"): 1}
acct = {"1": 3, "2": 1}
use = {k: 0.0 for k in tree}
for line in open(sys.argv[1]):
    r = json.loads(line)
    k = (r.get("project", ""), r["user"])
    if k in use:
        use[k] += r["cores"] * r["wall_s"]
total = sum(use.values())
rows = [json.loads(l) for l in open(sys.argv[2])]
assert len(rows) == 5
for r in rows:
    k = (r["account"], r["user"])
    s = acct[k[0]] / 4 * tree[k] / sum(v for kk, v in tree.items() if kk[0] == k[0])
    f = 2 ** (-(use[k] / total) / s)
    assert abs(r["fairshare_classic"] - f) < 1e-12, (r, f)
    assert abs(r["usage_hours"] - use[k] / 3600) < 1e-6 * max(1, use[k] / 3600), (r, use[k])
assert rows[0]["fairshare_tree"] == 1.0
PY

# The real job completion log of the Slurm fixture (see tests/account/data/): one job's name
# holds a '|', which sacct does not escape.
[ "$(status "$bin/aip" account import --from sacct --utc "$here/data/sacct-c-fixture.txt")" = 65 ] || fail "sacct bad line exit"
grep -q 'sacct-c-fixture.txt:2: expected 26' "$work/err" || fail "sacct message: $(cat "$work/err")"
[ "$(status "$bin/aip" account import --from sacct --utc --skip-invalid "$here/data/sacct-c-fixture.txt")" = 0 ] || fail "skip-invalid"
[ "$(wc -l < "$work/out")" = 4 ] || fail "sacct records"
grep -q 'left out 1 invalid records' "$work/err" || fail "skip count: $(cat "$work/err")"

# Bad usage records: exit 65 naming file, line and field; --skip-invalid counts them.
head -3 "$work/nasa.jsonl" > "$work/bad.jsonl"
echo '{"kind":"aip.usage/v1","record_id":"x","job_id":"1","user":"u","start":"2026-01-02T00:00:00Z","end":"2026-01-01T00:00:00Z","wall_s":1,"cores":1,"source":"t"}' >> "$work/bad.jsonl"
echo '{"kind":"aip.usage/v1", broken' >> "$work/bad.jsonl"
echo '{"kind":"aip.usage/v1","job_id":"1","user":"u","start":0,"end":1,"wall_s":1,"cores":1,"source":"t"}' >> "$work/bad.jsonl"
[ "$(status "$bin/aip" account report "$work/bad.jsonl")" = 65 ] || fail "bad record exit"
grep -q "bad.jsonl:4: field 'end': is before start" "$work/err" || fail "message: $(cat "$work/err")"
[ "$(status "$bin/aip" account report --skip-invalid -f csv "$work/bad.jsonl")" = 0 ] || fail "skip exit"
grep -q "left out 3 invalid records" "$work/err" || fail "skip message: $(cat "$work/err")"
[ "$(sed -n 2p "$work/out" | cut -d, -f1)" = 3 ] || fail "skip kept 3"
sed -n 6p "$work/bad.jsonl" > "$work/noid.jsonl"
[ "$(status "$bin/aip" account report "$work/noid.jsonl")" = 65 ] || fail "missing record_id exit"
grep -q "noid.jsonl:1: field 'record_id': missing" "$work/err" || fail "record_id message: $(cat "$work/err")"

# A record spanning millennia is refused by the hour, naming file and line.
echo '{"kind":"aip.usage/v1","record_id":"far","job_id":"1","user":"u","start":0,"end":99999999999,"wall_s":1,"cores":1,"source":"t"}' > "$work/far.jsonl"
[ "$(status "$bin/aip" account report --by hour "$work/far.jsonl")" = 65 ] || fail "far record exit"
grep -q "far.jsonl:1: record 'far' spans more than 100000 hours" "$work/err" || fail "far message: $(cat "$work/err")"

# Usage errors (64) and missing input (66); --help has examples.
[ "$(status "$bin/aip" account report --by colour "$work/nasa.jsonl")" = 64 ] || fail "bad --by"
[ "$(status "$bin/aip" account report --by month,day "$work/nasa.jsonl")" = 64 ] || fail "two periods"
[ "$(status "$bin/aip" account import --from lsf "$work/nasa.jsonl")" = 64 ] || fail "bad --from"
[ "$(status "$bin/aip" account report "$work/missing.jsonl")" = 66 ] || fail "missing file"
[ "$(status "$bin/aip" account report --db 'postgresql://u:s3cret@localhost/db')" = 64 ] || fail "password in argv"
if grep -q s3cret "$work/err"; then fail "password echoed"; fi
# An unreachable database: 69, and the password (from AIP_DB) never in the message.
set +e; AIP_DB='postgresql://u:s3cret@127.0.0.1:1/db' "$bin/aip" account db version > /dev/null 2> "$work/err"; rc=$?; set -e
[ "$rc" = 69 ] || fail "unreachable database exit $rc"
if grep -q s3cret "$work/err"; then fail "password in the message: $(cat "$work/err")"; fi
grep -q 'u:\*\*\*@127.0.0.1' "$work/err" || fail "redacted name: $(cat "$work/err")"
# PostgreSQL's client library is loaded when a database is opened, not at every start.
LD_DEBUG=files "$bin/aip" account report "$work/nasa.jsonl" > /dev/null 2> "$work/ld"
if grep -q 'libpq' "$work/ld"; then fail "libpq loaded for a report from files"; fi
set +e; LD_DEBUG=files AIP_DB='postgresql://u@127.0.0.1:1/db' "$bin/aip" account db version > /dev/null 2> "$work/ld"; set -e
grep -q 'file=libpq.so.5' "$work/ld" || fail "libpq not loaded for a database"
"$bin/aip" account report --help | grep -q 'aip account report --by project,month' || fail "help examples"
"$bin/aip" account --help | grep -q 'aip account import' || fail "account help"
echo "account.cli: ok"
