#!/usr/bin/env bash
# The JSON Lines reader beside DuckDB's read_json on the same file of aip.usage/v1 records.
# Usage: bench/bench-jsonl-read.sh [BUILD_DIR] [RECORDS]   (default 1000000, about 450 MB)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
records=${2:-1000000}
threads=${THREADS:-2}
data="$here/data"
mkdir -p "$data"
file="$data/usage-$records.jsonl"
[ -s "$file" ] || "$build/bench/aip-bench-usage-gen" "$records" > "$file"
size=$(stat -c %s "$file")
echo "input: $file ($records records, $((size / 1000000)) MB), $threads threads"
cat "$file" > /dev/null # both runs start with the file in the page cache
best() { # the fastest of 3 runs, as its JSON line
  local out best_line="" best_s=""
  for _ in 1 2 3; do
    out=$("$@")
    s=$(sed -E 's/.*"seconds":([0-9.e-]+).*/\1/' <<<"$out")
    if [ -z "$best_s" ] || awk -v a="$s" -v b="$best_s" 'BEGIN{exit !(a<b)}'; then best_s=$s; best_line=$out; fi
  done
  echo "$best_line"
}
aip=$(best "$build/bench/aip-bench-jsonl-read" "$file" --threads "$threads")
duck=$(best node "$here/duckdb_count.mjs" "$file" "$threads")
echo "aip    : $aip"
echo "duckdb : $duck"
python3 - "$aip" "$duck" <<'PY'
import json, sys
a, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert a["records"] == d["records"], "record counts differ"
assert abs(a["core_hours"] - d["core_hours"]) <= 1e-6 * d["core_hours"], "sums differ"
print(f"ratio  : aip is {d['seconds'] / a['seconds']:.2f}x DuckDB's speed "
      f"({a['seconds']:.3f} s vs {d['seconds']:.3f} s); peak RSS {a['peak_rss_mb']:.0f} MB vs {d['peak_rss_mb']:.0f} MB")
PY
