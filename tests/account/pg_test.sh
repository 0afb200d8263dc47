#!/usr/bin/env bash
# aip account's PostgreSQL store on the real PostgreSQL fixture: schema init and migrate
# (idempotent), ingest twice (same totals), reports computed by the server equal to the
# in-memory engine's, two ingests at once, the advisory lock (--no-wait exits 75), kill -9
# in the middle of an ingest (nothing stored; ingesting again equals a clean run), and bad
# input (exit 65, nothing stored).
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
[ -r "${AIP_PG_ENV:-}" ] || { echo "FAIL: no AIP_PG_ENV (run through ctest: fixture postgres)" >&2; exit 1; }
set -a; source "$AIP_PG_ENV"; set +a
work=$(mktemp -d)
psql() { "$AIP_TEST_PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
db="aip_account_test_$$"
cleanup() {
  psql "$AIP_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS ${db}_k" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
py=/usr/bin/python3
base="${AIP_TEST_PG_URL%/*}"
psql "$AIP_TEST_PG_URL" -c "CREATE DATABASE $db" -c "CREATE DATABASE ${db}_k"
export AIP_DB="$base/$db"
count() { psql "$1" -At -c "SELECT count(*) FROM aip_usage"; }

# Schema: init, then migrate again: nothing to do, version 3.
"$bin/aip" account db init 2> "$work/err"
grep -q "migrated from version 0 to 3" "$work/err" || fail "init: $(cat "$work/err")"
"$bin/aip" account db migrate 2> "$work/err"
grep -q "nothing to do" "$work/err" || fail "migrate again: $(cat "$work/err")"
[ "$("$bin/aip" account db version)" = 3 ] || fail "version"

# Ingest twice: the second inserts nothing; the totals stay.
$py "$here/gen_usage.py" 4000 7 > "$work/all.jsonl"
[ "$("$bin/aip" account ingest "$work/all.jsonl")" = "read 4000, inserted 4000, duplicates 0" ] || fail "first ingest"
[ "$("$bin/aip" account ingest < "$work/all.jsonl")" = "read 4000, inserted 0, duplicates 4000" ] || fail "second ingest"
[ "$(count "$AIP_DB")" = 4000 ] || fail "count"

# Reports from the server equal the in-memory engine's on the same records.
compare() { # compare ARGS...: jsonl reports from --db and from the file agree to 1e-9
  "$bin/aip" account report --db "$AIP_DB" -f jsonl "$@" > "$work/db.jsonl"
  "$bin/aip" account report -f jsonl "$@" "$work/all.jsonl" > "$work/mem.jsonl"
  $py - "$work/db.jsonl" "$work/mem.jsonl" <<'PY' || fail "db report differs: $*"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
for x, y in zip(a, b):
    assert list(x) == list(y), (x, y)
    for k in x:
        if isinstance(x[k], float) or isinstance(y[k], float):
            assert abs(x[k] - y[k]) <= 1e-9 * max(1, abs(y[k])), (k, x, y)
        else:
            assert x[k] == y[k], (k, x, y)
PY
}
compare --by project,month
compare --by user,day
compare --by vo,week
compare --by site,quarter
compare --by gpu_model,state,year
compare --by queue,hour --since 2026-02-01T00:00:00Z --until 2026-02-03T12:00:00Z
compare --by user --where 'gpus>0' --where 'project=proj1|proj2'
compare --by cores --where 'project!=proj0' --top 3 --sort gpu_hours
compare --since 2026-03-01T00:00:00Z
compare
# The same reports the daily roll-ups answer, computed from the records instead (--raw).
compare --by project,month --raw
compare --by vo --where 'vo!=vo.a.eu' --raw
compare --by user,week --where 'user=user1|user2'
compare --by state --where 'state=succeeded'
compare --where 'site=ifca'
compare --by project,month --where 'gpus>0'

# The roll-ups are what answers: a record deleted by hand changes the raw report at once
# and the roll-up report only after rebuild-rollups.
rollup_total() { "$bin/aip" account report --db "$AIP_DB" -f csv "$@" | awk -F, 'NR == 2 { print $1 }'; }
[ "$(rollup_total)" = 4000 ] || fail "roll-up total"
psql "$AIP_DB" -c "DELETE FROM aip_usage WHERE record_id = (SELECT min(record_id) FROM aip_usage)"
[ "$(rollup_total --raw)" = 3999 ] || fail "raw total after delete"
[ "$(rollup_total)" = 4000 ] || fail "the report did not come from the roll-ups"
"$bin/aip" account db rebuild-rollups 2> /dev/null
[ "$(rollup_total)" = 3999 ] || fail "rebuild-rollups"
"$bin/aip" account ingest "$work/all.jsonl" > /dev/null # the deleted record back

# An ingest overlapping what is stored (the careful path for its batches), and an id
# repeated within one input with other values: the first occurrence is stored and rolled up.
psql "$AIP_DB" -c "TRUNCATE aip_usage, aip_usage_rollup"
head -n 1500 "$work/all.jsonl" > "$work/first.jsonl"
"$bin/aip" account ingest "$work/first.jsonl" > /dev/null
{ cat "$work/all.jsonl"; sed -n 3000p "$work/all.jsonl" | sed -E 's/"cores": ?[0-9.]+/"cores": 999/'; } > "$work/again.jsonl"
[ "$("$bin/aip" account ingest "$work/again.jsonl")" = "read 4001, inserted 2500, duplicates 1501" ] || fail "overlapping ingest"
compare --by project,month
compare --by user,day
compare

# Migration from version 2 (no roll-ups, a B-tree on end_time) fills the roll-ups.
psql "$AIP_DB" -c "DROP TABLE aip_usage_rollup CASCADE" -c "DROP INDEX aip_usage_end_time_brin" \
  -c "CREATE INDEX aip_usage_end_time ON aip_usage (end_time)" -c "DELETE FROM aip_schema_version WHERE version = 3"
[ "$("$bin/aip" account db version)" = 2 ] || fail "version 2 setup"
"$bin/aip" account db migrate 2> "$work/err"
grep -q "migrated from version 2 to 3" "$work/err" || fail "migrate 2 to 3: $(cat "$work/err")"
compare --by project,month
compare --by vo,week
"$bin/aip" account report --db "$AIP_DB" --format apel > "$work/db.apel"
"$bin/aip" account report --format apel "$work/all.jsonl" > "$work/mem.apel"
cmp -s "$work/db.apel" "$work/mem.apel" || fail "apel from db differs"

# Fair share from the database equals fair share from the file (decay summed by the server).
{ for p in 0 1 2 3; do echo "proj$p $((p + 1))"; for u in 0 1 2 3 4 5 6 7 8; do echo "proj$p/user$u $((u % 3 + 1))"; done; done; } > "$work/shares.conf"
for resource in cpu gpu; do
  "$bin/aip" account fairshare --shares "$work/shares.conf" --now 2026-05-15T00:00:00Z --resource $resource -f jsonl --db "$AIP_DB" > "$work/fs-db.jsonl"
  "$bin/aip" account fairshare --shares "$work/shares.conf" --now 2026-05-15T00:00:00Z --resource $resource -f jsonl "$work/all.jsonl" > "$work/fs-mem.jsonl"
  $py - "$work/fs-db.jsonl" "$work/fs-mem.jsonl" <<'PY' || fail "fairshare from the database differs ($resource)"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
assert len(a) == len(b) == 36, (len(a), len(b))
for x, y in zip(a, b):
    assert (x["account"], x["user"]) == (y["account"], y["user"]), (x, y)
    for k in ("usage_hours", "norm_usage", "fairshare_classic", "fairshare_tree"):
        assert abs(x[k] - y[k]) <= 1e-9 * max(1, abs(y[k])), (k, x, y)
PY
done

# Two ingests at once into a fresh database, overlapping by 1000 records: 5000 distinct.
export AIP_DB="$base/${db}_k"
"$bin/aip" account db init 2> /dev/null
$py "$here/gen_usage.py" 3000 7 > "$work/a.jsonl"
tail -n +2001 "$work/all.jsonl" > "$work/b.jsonl" # records 2000..3999
$py "$here/gen_usage.py" 5000 7 | tail -n 1000 > "$work/c.jsonl" # 4000..4999
cat "$work/b.jsonl" "$work/c.jsonl" > "$work/bc.jsonl"
"$bin/aip" account ingest "$work/a.jsonl" > "$work/o1" & p1=$!
"$bin/aip" account ingest "$work/bc.jsonl" > "$work/o2" & p2=$!
wait $p1 || fail "concurrent ingest 1"
wait $p2 || fail "concurrent ingest 2"
[ "$(count "$AIP_DB")" = 5000 ] || fail "concurrent count $(count "$AIP_DB")"
$py - "$work/o1" "$work/o2" <<'PY' || fail "concurrent counts: $(cat "$work/o1" "$work/o2")"
import re, sys
ins = dup = 0
for f in sys.argv[1:]:
    m = re.match(r"read (\d+), inserted (\d+), duplicates (\d+)", open(f).read())
    ins += int(m[2]); dup += int(m[3])
assert ins == 5000 and dup == 1000, (ins, dup)
PY

# The lock: while another session holds it, --no-wait exits 75; without it, ingest waits.
key=7019743626015634548
psql "$AIP_DB" -c "SELECT pg_advisory_lock($key)" -c "SELECT pg_sleep(3)" > /dev/null & holder=$!
sleep 1
set +e; "$bin/aip" account ingest --no-wait "$work/a.jsonl" > /dev/null 2> "$work/err"; rc=$?; set -e
[ "$rc" = 75 ] || fail "--no-wait exit $rc: $(cat "$work/err")"
grep -q "another ingest holds the lock" "$work/err" || fail "lock message: $(cat "$work/err")"
start=$SECONDS
"$bin/aip" account ingest "$work/a.jsonl" > "$work/o3"
((SECONDS - start >= 1)) || fail "ingest did not wait for the lock"
grep -q "inserted 0, duplicates 3000" "$work/o3" || fail "waited ingest: $(cat "$work/o3")"
wait $holder

# kill -9 in the middle: the records are in the COPY stream, not committed; nothing stays.
psql "$AIP_DB" -c "TRUNCATE aip_usage, aip_usage_rollup"
mkfifo "$work/fifo"
"$bin/aip" account ingest "$work/fifo" > /dev/null 2>&1 & victim=$!
exec 3> "$work/fifo"
head -n 2500 "$work/all.jsonl" >&3
sleep 1
kill -9 $victim
wait $victim 2> /dev/null || true
exec 3>&-
[ "$(count "$AIP_DB")" = 0 ] || fail "a killed ingest left $(count "$AIP_DB") records"
"$bin/aip" account ingest "$work/all.jsonl" > /dev/null
"$bin/aip" account report --db "$AIP_DB" -f csv --by project,month > "$work/after-kill.csv"
"$bin/aip" account report --db "$base/$db" -f csv --by project,month > "$work/clean.csv"
cmp -s "$work/after-kill.csv" "$work/clean.csv" || fail "totals after kill -9 differ from a clean run"
"$bin/aip" account report --db "$AIP_DB" -f csv --by project,month --raw > "$work/after-kill-raw.csv"
"$bin/aip" account report --db "$base/$db" -f csv --by project,month --raw > "$work/clean-raw.csv"
cmp -s "$work/after-kill-raw.csv" "$work/clean-raw.csv" || fail "records after kill -9 differ from a clean run"

# Bad input: exit 65 naming the line; nothing stored. --skip-invalid stores the rest.
psql "$AIP_DB" -c "TRUNCATE aip_usage, aip_usage_rollup"
{ head -n 10 "$work/all.jsonl"; echo '{"kind":"aip.usage/v1","record_id":"bad","job_id":"1","user":"u","start":10,"end":5,"wall_s":1,"cores":1,"source":"t"}'; } > "$work/bad.jsonl"
set +e; "$bin/aip" account ingest "$work/bad.jsonl" > /dev/null 2> "$work/err"; rc=$?; set -e
[ "$rc" = 65 ] || fail "bad ingest exit $rc"
grep -q "bad.jsonl:11: field 'end': is before start" "$work/err" || fail "bad ingest message: $(cat "$work/err")"
[ "$(count "$AIP_DB")" = 0 ] || fail "bad input was half-ingested"
[ "$(psql "$AIP_DB" -At -c "SELECT count(*) FROM aip_usage_rollup")" = 0 ] || fail "bad input left roll-ups"
printf '%s\n' '{"kind":"aip.usage/v1","record_id":"nul","job_id":"1","user":"a\u0000b","start":1,"end":5,"wall_s":4,"cores":1,"source":"t"}' > "$work/nul.jsonl"
set +e; "$bin/aip" account ingest "$work/nul.jsonl" > /dev/null 2> "$work/err"; rc=$?; set -e
[ "$rc" = 65 ] || fail "NUL ingest exit $rc"
grep -q "nul.jsonl:1: field 'user': holds a NUL character" "$work/err" || fail "NUL message: $(cat "$work/err")"
[ "$("$bin/aip" account ingest --skip-invalid "$work/bad.jsonl" 2> /dev/null)" = "read 10, inserted 10, duplicates 0, invalid 1" ] || fail "skip-invalid ingest"

# Grafana's views answer.
[ "$(psql "$AIP_DB" -At -c "SELECT sum(jobs) FROM aip_usage_daily")" = 10 ] || fail "daily view"
psql "$AIP_DB" -At -c "SELECT count(*) FROM aip_usage_hours" | grep -qx 10 || fail "hours view"
[ "$(psql "$AIP_DB" -At -c "SELECT sum(jobs) FROM aip_rollup_hours WHERE dim = ''")" = 10 ] || fail "roll-up view"
echo "account.postgres: ok"
