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
parse=$(best "$build/bench/aip-bench-jsonl-read" "$file" --threads "$threads" --parse-only)
count=$(best node "$here/duckdb_count.mjs" "$file" "$threads" count)
decode=$(best "$build/bench/aip-bench-jsonl-read" "$file" --threads "$threads")
sum=$(best node "$here/duckdb_count.mjs" "$file" "$threads" sum)
echo "aip parse-only (validate, count) : $parse"
echo "duckdb count(*)                  : $count"
echo "aip decode (every field)         : $decode"
echo "duckdb count(*), sum(cores*wall) : $sum"
/usr/bin/python3 - "$parse" "$count" "$decode" "$sum" <<'PY'
import json, sys
p, c, d, s = (json.loads(x) for x in sys.argv[1:])
assert p["records"] == c["records"] == d["records"] == s["records"], "record counts differ"
assert abs(d["core_hours"] - s["core_hours"]) <= 1e-6 * s["core_hours"], "sums differ"
print(f"ratio parse-only vs count(*): {c['seconds'] / p['seconds']:.2f}x DuckDB's speed "
      f"({p['seconds']:.3f} s vs {c['seconds']:.3f} s); peak RSS {p['peak_rss_mb']:.0f} MB vs {c['peak_rss_mb']:.0f} MB")
print(f"ratio decode vs sum       : {s['seconds'] / d['seconds']:.2f}x DuckDB's speed "
      f"({d['seconds']:.3f} s vs {s['seconds']:.3f} s); peak RSS {d['peak_rss_mb']:.0f} MB vs {s['peak_rss_mb']:.0f} MB")
PY
