#!/usr/bin/env bash
# Kill -9 of the dispatcher loses no job and runs none twice. First at the two moments that
# matter (a job claimed but not yet submitted; submitted but its backend id not recorded),
# then at random moments: a dispatcher is started and killed -9 over and over while 30 jobs
# run, and a last one drains the queue. Each job appends its id to a file when it runs:
# every id must be there exactly once, and every job must have ended `succeeded`.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf
printf '[node]\ncpus = 2\n' > "$work/aip.conf"
fail() { echo "FAIL: $*" >&2; exit 1; }
ran=$work/ran.txt
: > "$ran"
job() { "$bin/aip-submit" --enqueue --time 1m -- sh -c 'echo "$AIP_JOB_ID" >> "$1"; sleep "$2"' sh "$ran" "$1"; }

check() { # check N: N jobs, each run once and succeeded, none left in new/ or active/
  /usr/bin/python3 - "$work/state" "$ran" "$1" <<'PY'
import json, os, sys, collections
state, ran, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
runs = collections.Counter(l.strip() for l in open(ran) if l.strip())
done = [f[:-5] for f in os.listdir(state + "/queue/done") if f.endswith(".json")]
left = os.listdir(state + "/queue/new") + [f for f in os.listdir(state + "/queue/active") if f.endswith(".json")]
assert not left, ("jobs left", left)
assert len(done) == n, (len(done), n)
twice = {k: v for k, v in runs.items() if v != 1}
assert not twice, ("ran more than once", twice)
assert set(runs) == set(done), ("ran but not done, or done but not run", set(runs) ^ set(done))
final = {}
for line in open(state + "/events.jsonl"):
    e = json.loads(line)
    final[e["job_id"]] = e["state"]
bad = {k: v for k, v in final.items() if v != "succeeded"}
assert not bad, ("not succeeded", bad)
print(f"{n} jobs, each run exactly once")
PY
}

# 1. Killed right after claiming a job (in active/, nothing submitted): the next dispatcher
#    finds no supervisor for it and starts it.
a=$(job 0.1)
AIP_DISPATCH_CRASH_AT=claimed "$bin/aip-dispatch" run --once > /dev/null 2>&1 && fail "the crash hook did not fire"
[ -f "$work/state/queue/active/$a.json" ] || fail "claimed job not in active/"
[ ! -s "$ran" ] || fail "a claimed job ran before it was submitted"
# 2. Killed after the supervisor started but before its id was recorded: the next
#    dispatcher finds it by the job id (its lock is held) and adopts it instead of starting
#    it again.
job 1 > /dev/null
AIP_DISPATCH_CRASH_AT=submitted "$bin/aip-dispatch" run --once > /dev/null 2>&1 && fail "the crash hook did not fire"
"$bin/aip-dispatch" run --until-idle --interval 0.05 > /dev/null
check 2

# 3. Random kills.
: > "$ran"
rm -rf "$work/state"
for _ in $(seq 30); do job 0.2 > /dev/null; done
kills=0
for _ in $(seq 60); do
  "$bin/aip-dispatch" run --follow --interval 0.02 > /dev/null 2>&1 &
  pid=$!
  sleep "0.$(( (RANDOM % 30) + 1 ))"
  kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null || true
  [ -z "$(ls "$work/state/queue/new")" ] && [ -z "$(find "$work/state/queue/active" -name '*json*')" ] && break
done
"$bin/aip-dispatch" run --until-idle --interval 0.05 > /dev/null
check 30
echo "dispatch.crash: PASS ($kills kills -9)"
