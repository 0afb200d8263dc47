#!/usr/bin/env bash
# aip dispatch beside named peers:
#  1. local backend: N trivial jobs (`true`) queued and run by `aip dispatch submit --wait`
#     on SLOTS slots, against `xargs -P SLOTS` running the same commands (GNU findutils);
#  2. render: sbatch scripts for 50000 jobs, in jobs per second;
#  3. Slurm (only when SLURM_CONF names a running cluster, e.g. the test fixture): the
#     time per job of `aip dispatch submit --backend slurm` over bare `sbatch --parsable`.
# Each timing is the median of 3 runs. Usage: bench/bench-dispatch.sh [BUILD_DIR] [N] [SLOTS]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
n=${2:-1000}
slots=${3:-$(nproc)}
bin=$build/bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/none
printf '[node]\ncpus = %s\n' "$slots" > "$work/node.conf"
median() { sort -n | sed -n 2p; }
secs() { # secs COMMAND...: wall seconds of one run
  local t0 t1
  t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}
for _ in $(seq "$n"); do echo '{"command":["true"]}'; done > "$work/jobs.jsonl"
# Each aip run gets a state folder of its own, all removed at the end: deleting the last
# run's thousands of files just before the next run would slow that run's file creations
# (ext4 without a journal skips inodes freed in the last seconds, one by one, on every
# allocation; see bench/RESULTS.md), a cost of the benchmark's cleanup, not of aip.
k=0
run_aip() { k=$((k + 1)); AIP_STATE_DIR=$work/state.$k "$bin/aip-dispatch" submit --wait --limits "$work/node.conf" "$work/jobs.jsonl"; }
run_xargs() { seq "$n" | xargs -P "$slots" -I{} true; }
# Alternated, so that a change in the machine's load falls on both.
: > "$work/a.txt"; : > "$work/x.txt"
for _ in 1 2 3; do
  secs run_aip >> "$work/a.txt"
  secs run_xargs >> "$work/x.txt"
done
a=$(median < "$work/a.txt")
x=$(median < "$work/x.txt")
echo "local: $n jobs on $slots slots: aip $a s, xargs -P $slots $x s: aip/xargs $(awk -v a="$a" -v x="$x" 'BEGIN { printf "%.2f", a / x }')x (runs: aip $(tr '\n' ' ' < "$work/a.txt")| xargs $(tr '\n' ' ' < "$work/x.txt")| load: $(cut -d' ' -f1-3 /proc/loadavg))"

# render: 50000 complete records with varied commands and environments.
"$bin/aip-submit" --name bench --cpus 4 --mem 16G --gpus 1 --time 6h --queue gpu --project uc3 \
  --env "A=it's \$(x)" --env B=2 -- python train.py --lr 0.1 "a b" > "$work/one.jsonl"
/usr/bin/python3 - "$work/one.jsonl" 50000 > "$work/render.jsonl" <<'PY'
import json, sys
rec = json.loads(open(sys.argv[1]).read())
for i in range(int(sys.argv[2])):
    rec["id"] = f"bench-{i:06d}"; rec["command"][-1] = f"arg {i}"
    print(json.dumps(rec, separators=(",", ":")))
PY
r=$(for _ in 1 2 3; do secs "$bin/aip-dispatch" render --backend slurm --state-dir "$work/state" "$work/render.jsonl"; done | median)
# CPU time too: on a loaded machine the wall time is mostly waiting for a core.
c=$( { /usr/bin/time -f "%U %S" "$bin/aip-dispatch" render --backend slurm --state-dir "$work/state" "$work/render.jsonl" > /dev/null; } 2>&1 | awk '{ printf "%.3f", $1 + $2 }')
echo "render: 50000 sbatch scripts in $r s wall: $(awk -v r="$r" 'BEGIN { printf "%.0f", 50000 / r }') jobs/s; CPU $c s: $(awk -v c="$c" 'BEGIN { printf "%.0f", 50000 / c }') jobs per CPU second"

if [ -n "${SLURM_CONF:-}" ] && squeue -h > /dev/null 2>&1; then
  m=20
  head -n "$m" "$work/jobs.jsonl" > "$work/slurm.jsonl"
  sb() { for _ in $(seq "$m"); do sbatch --parsable --job-name=bench --output=/dev/null --wrap true; done; }
  ab() { rm -rf "$work/sstate"; AIP_STATE_DIR=$work/sstate "$bin/aip-dispatch" submit --backend slurm "$work/slurm.jsonl"; }
  s=$(for _ in 1 2 3; do secs sb; done | median)
  d=$(for _ in 1 2 3; do secs ab; done | median)
  echo "slurm: $m jobs: sbatch $s s, aip dispatch $d s: overhead $(awk -v s="$s" -v d="$d" -v m="$m" 'BEGIN { printf "%.1f", (d - s) * 1000 / m }') ms per job"
  scancel --name=bench > /dev/null 2>&1 || true
  for id in $(squeue -h -o '%i %j' | awk '$2 ~ /^aip-/ { print $1 }'); do scancel "$id" 2>/dev/null || true; done
fi
