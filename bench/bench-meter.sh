#!/usr/bin/env bash
# Cost of one `aip meter sample` pass over 500 jobs, beside a Python exporter doing the same
# reads (bench/meter_peers.py) and beside spawning `ps` or an nvidia-smi-like program once
# per sample: (1) a cgroup v2 fixture tree of 500 Slurm jobs, (2) 500 real processes, each
# its own job (process group with AIP_JOB_ID), read from /proc.
# Usage: bench/bench-meter.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
meter="$build/bin/aip-meter"
peers="$here/meter_peers.py"
py=/usr/bin/python3
passes=${PASSES:-200}
data="$here/data/meter"
rm -rf "$data/cgroup"; mkdir -p "$data"
$py "$peers" tree "$data/cgroup" 500
show() { # show LABEL AIP_JSON PEER_JSON PEER_NAME
  $py - "$@" <<'PY'
import json, sys
label, a, p, name = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
print(f"{label}: aip {a['cpu_ms']:.2f} ms CPU per pass ({a['jobs']} jobs; start-up {a['startup_ms']:.1f} ms once), "
      f"{name} {p['cpu_ms']:.2f} ms: {p['cpu_ms'] / a['cpu_ms']:.1f}x; "
      f"1 Hz costs {a['cpu_ms'] / 10:.2f} % of a core")
PY
}
spawn() { # spawn LABEL AIP_JSON SPAWN_JSON
  $py - "$@" <<'PY'
import json, sys
label, a, s = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
print(f"  beside one {label} spawn per sample: {s['cpu_ms']:.2f} ms CPU, {s['wall_ms']:.2f} ms wall: "
      f"{s['cpu_ms'] / a['cpu_ms']:.2f}x one aip pass")
PY
}
a=$($py "$peers" aip "$passes" "$meter" sample --gpu none --source cgroup --cgroup-root "$data/cgroup" --host bench)
p=$($py "$peers" cgroup "$data/cgroup" "$passes")
show "cgroup v2 tree, 500 Slurm jobs" "$a" "$p" "Python (os.scandir + read per file)"
spawn "ps -e -o pid,pgid,sid,time,rss" "$a" "$($py "$peers" spawn 50 ps -e -o pid=,pgid=,sid=,time=,rss=)"
spawn "nvidia-smi-like (tests/meter/nvidia-smi, a shell script)" "$a" \
  "$($py "$peers" spawn 50 "$here/../tests/meter/nvidia-smi/nvidia-smi" --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader,nounits)"

a2=$($py "$peers" aip 50 "$meter" sample --gpu nvidia-smi --nvidia-smi "$here/../tests/meter/nvidia-smi/nvidia-smi" \
  --source cgroup --cgroup-root "$data/cgroup" --host bench)
$py - "$a" "$a2" <<'PY'
import json, sys
a, g = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"  with GPUs through an nvidia-smi-like program (two spawns a pass): {g['cpu_ms']:.2f} ms CPU per pass, "
      f"{g['cpu_ms'] / a['cpu_ms']:.2f}x the pass without; NVML needs no spawn")
PY

# 500 real jobs for the /proc source.
pids=$($py "$peers" jobs 500 120)
trap 'kill $pids 2>/dev/null || true' EXIT
sleep 1
a=$($py "$peers" aip 50 "$meter" sample --gpu none --source proc --host bench)
p=$($py "$peers" proc 50)
show "/proc, 500 real processes (one job each), memory as PSS (smaps_rollup)" "$a" "$p" "Python (the same /proc files)"
a=$($py "$peers" aip 50 "$meter" sample --gpu none --source proc --proc-memory rss --host bench)
p=$($py "$peers" proc-rss 50)
show "/proc, 500 real processes, --proc-memory rss" "$a" "$p" "Python (the same /proc files)"
spawn "ps -e -o pid,pgid,sid,time,rss" "$a" "$($py "$peers" spawn 50 ps -e -o pid=,pgid=,sid=,time=,rss=)"
