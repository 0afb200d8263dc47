#!/usr/bin/env bash
# aip dispatch's Kubernetes backend: 1000 Job creations against the local HTTPS test server
# (tests/backends/api_server.py) over one kept-alive connection, beside Python requests with a
# Session (also kept alive) and curl started once per Job, as a shell loop would.
# Usage: bench/dispatch-k8s.sh [BUILD_DIR] [N]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
n=${2:-1000}
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
echo "bench-token-$RANDOM$RANDOM" > "$work/token"
# A fresh server per run, so each client creates into an empty store.
start() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -f "$work/port"
  /usr/bin/python3 "$here/../tests/backends/api_server.py" --port-file "$work/port" --cert "$work/cert.pem" --key "$work/key.pem" \
    --token "$(cat "$work/token")" &
  pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
  url=https://localhost:$(cat "$work/port")
}
# The peers post the manifest aip renders for the same job.
"$build/bin/aip-submit" --image ai4oshub/yolo:latest --cpus 4 --mem 16G --gpus 1 --queue gpu --project uc3 \
  -- python train.py --epochs 10 | "$build/bin/aip-dispatch" render --backend kubernetes > "$work/job.json" 2>/dev/null ||
  printf '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"x"},"spec":{}}' > "$work/job.json"
start; a=$("$build/bench/aip-bench-dispatch-k8s" "$url" "$work/cert.pem" "$work/token" "$n")
start; p=$(/usr/bin/python3 "$here/dispatch-k8s-peer.py" session "$url" "$work/cert.pem" "$work/token" "$work/job.json" "$n")
start; c=$(/usr/bin/python3 "$here/dispatch-k8s-peer.py" curl "$url" "$work/cert.pem" "$work/token" "$work/job.json" "$((n / 10))")
/usr/bin/python3 - "$a" "$p" "$c" <<'PY'
import json, sys
a, p, c = (json.loads(x) for x in sys.argv[1:4])
cpu = lambda r: 1e6 * r["cpu_seconds"] / r["jobs"]
print(f"aip (libcurl, kept alive): {a['jobs']} Jobs in {a['seconds']:.3f} s = {a['per_second']:.0f}/s ({a['submitted']} created), "
      f"client CPU {cpu(a):.0f} us/Job")
print(f"Python requests Session:   {p['jobs']} Jobs in {p['seconds']:.3f} s = {p['per_second']:.0f}/s: aip {a['per_second'] / p['per_second']:.2f}x; "
      f"client CPU {cpu(p):.0f} us/Job: aip {cpu(p) / cpu(a):.1f}x less")
print(f"curl, one process per Job: {c['jobs']} Jobs in {c['seconds']:.3f} s = {c['per_second']:.0f}/s: aip {a['per_second'] / c['per_second']:.2f}x")
PY
