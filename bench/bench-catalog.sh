#!/usr/bin/env bash
# aip catalog validate beside what the upstream ai4-metadata tool does (Debian's
# python3-jsonschema + python3-yaml, schema by metadata_version), on the 105 shared real
# metadata files, each validated REPEAT times (default 100). Files are read from the page
# cache in both (a warm-up run first); the peer's time excludes Python's start-up and
# imports, aip's includes its start-up. Also the peer with PyYAML's libyaml loader.
# Usage: bench/bench-catalog.sh [BUILD_DIR] [REPEAT]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
repeat=${2:-100}
data=$(cd "$here/.." && pwd)/../shared/data/catalog
[ -d "$data" ] || data=/work/shared/data/catalog
mapfile -t files < <(/usr/bin/python3 -c 'import json,sys; [print(sys.argv[1] + "/" + v["file"]) for v in json.load(open(sys.argv[1] + "/verdicts.json"))]' "$data")
args=()
for _ in $(seq "$repeat"); do args+=("${files[@]}"); done
aip() { "$build/bin/aip-catalog" validate -q -f jsonl "${args[@]}" > /dev/null 2>&1 || [ $? -eq 65 ]; }
aip # warm-up
best=
for _ in 1 2 3; do
  s=$(date +%s%N); aip; e=$(date +%s%N)
  t=$(( e - s ))
  if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
done
best=$(/usr/bin/python3 -c "print($best / 1e9)")
invalid=$("$build/bin/aip-catalog" validate -f jsonl "${files[@]}" 2> /dev/null | grep -c '"valid":false' || true)
peer=$(/usr/bin/python3 "$here/catalog_peer.py" "$data/schemata" "$repeat" "${files[@]}")
peer_c=$(/usr/bin/python3 "$here/catalog_peer.py" "$data/schemata" "$repeat" --libyaml "${files[@]}")
/usr/bin/python3 - "$best" "$peer" "$peer_c" "${#files[@]}" "$repeat" "$invalid" <<'PY'
import json, sys
a = float(sys.argv[1]); p = json.loads(sys.argv[2]); c = json.loads(sys.argv[3])
n, r, inv = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
print(f"validate {n} files x {r} = {n * r} validations: aip {a:.3f} s ({a / (n * r) * 1e6:.1f} us/file), "
      f"python3-jsonschema + PyYAML safe_load {p['seconds']:.2f} s: {p['seconds'] / a:.1f}x; "
      f"with libyaml's CSafeLoader {c['seconds']:.2f} s: {c['seconds'] / a:.1f}x")
print(f"invalid files per pass: aip {inv}, peer {p['invalid'] // r} (libyaml peer {c['invalid'] // r})")
PY
