#!/usr/bin/env bash
# aip drift from the command line: exit statuses, formats, errors naming file and line, and
# a stream continued across runs with --state giving the indices of one uninterrupted run.
set -euo pipefail
bin=$1
data=$2 # ../shared/data/drift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }

# Drift found: exit 1, and the KS numbers of scipy (expected.json) in the record.
[ "$(status "$bin/aip" drift detect -r "$data/ks-shift/reference.csv" -c "$data/ks-shift/current.csv")" = 1 ] || fail "ks-shift exit"
near() { # near FILE STAT P: the first record's statistic and p-value within 1e-9 / 1e-6 relative
  /usr/bin/python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); s,p=float(sys.argv[2]),float(sys.argv[3]); sys.exit(0 if abs(r["statistic"]-s)<=1e-9*abs(s) and abs(r["p_value"]-p)<=1e-6*p else 1)' "$@"
}
near "$work/out" 0.08225 0.0046195072322336725 || fail "ks record: $(cat "$work/out")"
# No drift: exit 0.
[ "$(status "$bin/aip" drift detect -r "$data/ks-equal/reference.csv" -c "$data/ks-equal/current.csv" -f csv)" = 0 ] || fail "ks-equal exit"
head -1 "$work/out" | grep -q '^method,feature,statistic,p_value' || fail "csv header"

# HTML report, written atomically to a file.
status "$bin/aip" drift detect -r "$data/ks-shift/reference.csv" -c "$data/ks-shift/current.csv" -f html -o "$work/r.html" > /dev/null
grep -q '<svg' "$work/r.html" || fail "html has no chart"
if grep -q '<script' "$work/r.html"; then fail "html has a script"; fi

# .npy input beside CSV gives the same statistic.
/usr/bin/python3 - "$data/ks-shift" "$work" <<'PY'
import sys, numpy as np
src, out = sys.argv[1:]
np.save(out + "/ref.npy", np.loadtxt(src + "/reference.csv", skiprows=1).astype("<f8"))
np.save(out + "/cur.npy", np.loadtxt(src + "/current.csv", skiprows=1).astype("<f8"))
PY
status "$bin/aip" drift detect -r "$work/ref.npy" -c "$work/cur.npy" > /dev/null
near "$work/out" 0.08225 0.0046195072322336725 || fail "npy input"

# Bad input: exit 65 naming file, line and column.
printf 'x\n1\n2\nthree\n' > "$work/bad.csv"
[ "$(status "$bin/aip" drift detect -r "$data/ks-equal/reference.csv" -c "$work/bad.csv")" = 65 ] || fail "bad cell exit"
grep -q "bad.csv:4, column 1 ('x'): not a number" "$work/err" || fail "bad cell message: $(cat "$work/err")"
printf 'x\n1\n\n' > "$work/one.csv"; printf 'x\n' > "$work/empty.csv"
[ "$(status "$bin/aip" drift detect -r "$work/empty.csv" -c "$work/one.csv")" = 65 ] || fail "empty sample exit"
[ "$(status "$bin/aip" drift detect -r "$work/missing.csv" -c "$work/one.csv")" = 66 ] || fail "missing file exit"
[ "$(status "$bin/aip" drift detect -r "$work/one.csv" -c "$work/one.csv" --method nosuch)" = 64 ] || fail "unknown method exit"
head -c 30 "$work/ref.npy" > "$work/trunc.npy"
[ "$(status "$bin/aip" drift detect -r "$work/trunc.npy" -c "$work/cur.npy")" = 65 ] || fail "truncated npy exit"
grep -q "trunc.npy: not a readable .npy file" "$work/err" || fail "truncated npy message"

# Streaming: the CUSUM detections of Frouros (expected.json), and the same indices when
# the stream is cut in two runs that share a --state file.
tail -n +2 "$data/stream-1/values.csv" > "$work/values"
status "$bin/aip" drift stream -m cusum "$work/values" > /dev/null
whole=$(grep -o '"index":[0-9]*' "$work/out" | tr '\n' ' ')
[ "$whole" = '"index":9261 "index":18673 ' ] || fail "stream indices: $whole"
head -n 12000 "$work/values" > "$work/a"; tail -n +12001 "$work/values" > "$work/b"
status "$bin/aip" drift stream -m cusum --state "$work/st.json" "$work/a" > /dev/null; first=$(grep -o '"index":[0-9]*' "$work/out" | tr '\n' ' ')
status "$bin/aip" drift stream -m cusum --state "$work/st.json" "$work/b" > /dev/null; second=$(grep -o '"index":[0-9]*' "$work/out" | tr '\n' ' ')
[ "$first$second" = "$whole" ] || fail "state continuation: $first | $second"
printf '0\n1\nx\n' > "$work/badstream"
[ "$(status "$bin/aip" drift stream -m ddm "$work/badstream")" = 65 ] || fail "bad stream value exit"
grep -q "badstream:3: expected a number" "$work/err" || fail "bad stream message"

# ADWIN on errors flags where Frouros does (expected.json); the ks detector against a fixed
# reference flags the shift after the change point (9177) and not before; a warning is one
# record when the detector enters the zone, not one per update.
tail -n +2 "$data/stream-1/errors.csv" > "$work/errors"
status "$bin/aip" drift stream -m adwin "$work/errors" > /dev/null
[ "$(grep -o '"index":[0-9]*' "$work/out" | tr '\n' ' ')" = '"index":9759 ' ] || fail "adwin indices: $(cat "$work/out")"
head -n 5000 "$work/values" > "$work/ref.txt"
status "$bin/aip" drift stream -m ks --reference "$work/ref.txt" "$work/values" > /dev/null
first_ks=$(grep -o '"index":[0-9]*' "$work/out" | head -1 | cut -d: -f2)
[ "$first_ks" -gt 9177 ] && [ "$first_ks" -lt 9500 ] || fail "ks stream first drift: $first_ks"
[ "$(status "$bin/aip" drift stream -m ks "$work/values")" = 64 ] || fail "ks without reference exit"
status "$bin/aip" drift stream -m ddm "$work/errors" > /dev/null
drifts=$(grep -c '"level":"drift"' "$work/out")
consecutive=$(grep '"level":"warning"' "$work/out" | grep -o '"index":[0-9]*' | cut -d: -f2 | awk 'NR > 1 && $1 == prev + 1 { n++ } { prev = $1 } END { print n + 0 }')
[ "$drifts" = 3 ] && [ "$consecutive" = 0 ] || fail "ddm records: $consecutive back-to-back warnings, $drifts drifts"
[ "$(status "$bin/aip" drift stream -m adwin --param lamda=1 "$work/errors")" = 64 ] || fail "unknown parameter exit"
grep -q "unknown parameter 'lamda' for adwin" "$work/err" || fail "unknown parameter message"

"$bin/aip" drift detect --help | grep -q '^Examples:' || fail "help"
echo "drift cli: ok"
