#!/usr/bin/env bash
# aip dispatch on the local backend, with real processes: exit codes, a missing program,
# the walltime, hostile arguments passed without a shell, per-job logs, GPUs through
# CUDA_VISIBLE_DEVICES, the memory rlimit, cancel, a request larger than the node,
# preemption with requeue, and a Slurm backend that is down (exit 69, queue kept).
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf
fail() { echo "FAIL: $*" >&2; [ -f "$work/state/events.jsonl" ] && tail -20 "$work/state/events.jsonl" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }
# The node: 2 CPU slots, 1 GiB, 2 GPUs (numbers only: the jobs just read CUDA_VISIBLE_DEVICES).
printf '[node]\ncpus = 2\nmemory = 1G\ngpus = 2\n' > "$work/aip.conf"
sub() { "$bin/aip-submit" --enqueue "$@"; }
final() { # final ID: the job's last state
  /usr/bin/python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])]; print([e for e in s if e["job_id"]==sys.argv[2]][-1]["state"])' \
    "$work/state/events.jsonl" "$1"
}
field() { # field ID KEY: from the job's last event
  /usr/bin/python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])]; print([e for e in s if e["job_id"]==sys.argv[2]][-1].get(sys.argv[3]))' \
    "$work/state/events.jsonl" "$1" "$2"
}

ok=$(sub --time 1m -- sh -c 'echo out; echo err >&2')
bad=$(sub --time 1m -- sh -c 'exit 3')
missing=$(sub --time 1m -- /no/such/program)
slow=$(sub --time 1s -- sleep 30)
hostile=$(sub --time 1m -- printf '[%s]\n' '$(touch pwned)' '`id`' "it's" '*' 'a  b')
gpu=$(sub --gpus 1 --time 1m -- sh -c 'echo "gpus=$CUDA_VISIBLE_DEVICES"')
nogpu=$(sub --time 1m -- sh -c 'echo "gpus=[$CUDA_VISIBLE_DEVICES]"; echo "secret=[${AIP_DB:-}]"')
memory=$(sub --mem 64M --time 1m -- /usr/bin/python3 -c 'x = bytearray(512 * 1024 * 1024)')
huge=$(sub --cpus 64 -- true)
t0=$(date +%s.%N)
(cd "$work" && AIP_DB=postgresql://secret "$bin/aip-dispatch" run --until-idle --interval 0.2 > "$work/events.out" 2> "$work/run.err") ||
  fail "run: $(cat "$work/run.err")"
t1=$(date +%s.%N)
[ "$(final "$ok")" = succeeded ] || fail "ok job: $(final "$ok")"
[ "$(field "$ok" exit_code)" = 0 ] || fail "ok exit code"
[ "$("$bin/aip-dispatch" logs "$ok")" = out ] || fail "stdout log"
[ "$("$bin/aip-dispatch" logs --err "$ok")" = err ] || fail "stderr log"
[ "$(final "$bad")" = failed ] && [ "$(field "$bad" exit_code)" = 3 ] || fail "exit 3 job: $(final "$bad") $(field "$bad" exit_code)"
[ "$(final "$missing")" = failed ] && [ "$(field "$missing" exit_code)" = 127 ] || fail "missing program"
grep -q "cannot run '/no/such/program'" "$work/state/logs/$missing.err" || fail "missing program message"
[ "$(final "$slow")" = timeout ] || fail "walltime: $(final "$slow")"
[ "$(field "$slow" reason)" = "walltime of 1 s reached" ] || fail "timeout reason"
# SIGTERM at the walltime: the shell reports 128 + 15.
[ "$(field "$slow" exit_code)" = 143 ] || fail "timeout exit code $(field "$slow" exit_code)"
printf '[$(touch pwned)]\n[`id`]\n[it'"'"'s]\n[*]\n[a  b]\n' > "$work/expected"
cmp -s "$work/expected" "$work/state/logs/$hostile.out" || fail "hostile arguments: $(cat "$work/state/logs/$hostile.out")"
[ ! -e "$work/pwned" ] || fail "a hostile argument was run by a shell"
grep -Eq '^gpus=[01]$' "$work/state/logs/$gpu.out" || fail "CUDA_VISIBLE_DEVICES: $(cat "$work/state/logs/$gpu.out")"
[ "$(head -1 "$work/state/logs/$nogpu.out")" = "gpus=[]" ] || fail "a job without GPUs sees GPUs"
[ "$(tail -1 "$work/state/logs/$nogpu.out")" = "secret=[]" ] || fail "the dispatcher's environment leaked into a job"
[ "$(final "$memory")" = failed ] || fail "memory rlimit: $(final "$memory")"
grep -q MemoryError "$work/state/logs/$memory.err" || fail "memory rlimit message"
[ "$(final "$huge")" = failed ] || fail "huge job"
[ "$(field "$huge" reason)" = "larger than the node: asks for 64 CPUs; the node has 2" ] || fail "huge reason: $(field "$huge" reason)"
# Every job went through submitted and running exactly once, in order (the huge one never ran).
/usr/bin/python3 - "$work/state/events.jsonl" "$src/schemas/aip.event.v1.schema.json" "$huge" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[2])))
by = {}
for line in open(sys.argv[1]):
    e = json.loads(line); v.validate(e); by.setdefault(e["job_id"], []).append(e["state"])
for job, states in by.items():
    if job == sys.argv[3]:
        assert states == ["queued", "failed"], states; continue
    assert states[:3] == ["queued", "submitted", "running"] and len(states) == 4, (job, states)
PY
cmp -s <(grep -v '"state":"queued"' "$work/state/events.jsonl") "$work/events.out" || fail "stdout events differ from events.jsonl"

# Status: all ended jobs, in a table and as CSV.
"$bin/aip-dispatch" status --all -f csv > "$work/status.csv"
[ "$(grep -c ',succeeded,' "$work/status.csv")" = 4 ] || fail "status csv: $(cat "$work/status.csv")"

# Cancel: a queued job ends at once; a running one is stopped (SIGTERM to its group).
q=$(sub -- sleep 60)
"$bin/aip-dispatch" cancel "$q"
[ "$(final "$q")" = cancelled ] || fail "cancel queued"
r=$(sub -- sleep 60)
"$bin/aip-dispatch" run --once > /dev/null
[ "$(final "$r")" = running ] || fail "not running: $(final "$r")"
"$bin/aip-dispatch" cancel "$r"
"$bin/aip-dispatch" run --until-idle --interval 0.1 > /dev/null
[ "$(final "$r")" = cancelled ] && [ "$(field "$r" exit_code)" = 143 ] || fail "cancel running: $(final "$r")"
[ "$(status "$bin/aip-dispatch" cancel nosuchjob)" = 66 ] || fail "cancel unknown exit"

# Preemption: two opportunistic jobs fill the node's 2 slots; an interactive job arrives;
# the newest opportunistic job is preempted (SIGTERM, grace, SIGKILL) and requeued.
o1=$(sub --priority-class opportunistic --requeue --time 1m -- sleep 30)
"$bin/aip-dispatch" run --once > /dev/null
sleep 0.2
o2=$(sub --priority-class opportunistic --requeue --time 1m -- sh -c 'trap "" TERM; sleep 30')
"$bin/aip-dispatch" run --once > /dev/null
[ "$(final "$o1")" = running ] && [ "$(final "$o2")" = running ] || fail "opportunistic jobs not running"
ia=$(sub --priority-class interactive --time 1m -- echo interactive)
"$bin/aip-dispatch" run --follow --interval 0.1 --grace 1s > "$work/pre.out" &
disp=$!
for _ in $(seq 100); do [ "$(final "$ia")" = succeeded ] && break; sleep 0.1; done
[ "$(final "$ia")" = succeeded ] || fail "interactive job did not run: $(final "$ia")"
grep -q "\"job_id\":\"$o2\".*\"state\":\"preempted\"" "$work/state/events.jsonl" || fail "no preempted event for the newest"
grep -q "\"job_id\":\"$o2\".*\"state\":\"queued\".*requeued after preemption" "$work/state/events.jsonl" || fail "not requeued"
if grep -q "\"job_id\":\"$o1\".*\"state\":\"preempted\"" "$work/state/events.jsonl"; then fail "the older job was preempted"; fi
# o2 ignores SIGTERM: it was killed after the 1 s grace (SIGKILL: 137).
grep -q "\"job_id\":\"$o2\".*\"state\":\"preempted\",\"at\":\"[^\"]*\",\"exit_code\":137" "$work/state/events.jsonl" || fail "grace then kill"
# The requeued job runs again once the slot is free.
for _ in $(seq 50); do [ "$(final "$o2")" = running ] && break; sleep 0.1; done
[ "$(final "$o2")" = running ] || fail "requeued job did not restart: $(final "$o2")"
kill -TERM "$disp"; wait "$disp" || true
"$bin/aip-dispatch" cancel "$o1" "$o2"
"$bin/aip-dispatch" run --until-idle --interval 0.1 > /dev/null

# Policy end to end on one slot: class first, then fair share (from a CSV as
# `aip account fairshare` writes it), then submit time.
printf '[node]\ncpus = 1\n' > "$work/one.conf"
printf 'user,fairshare\nalice,0.1\nbob,0.9\n' > "$work/fs.csv"
for who in alice bob carol; do
  printf '{"owner":{"user":"%s"},"command":["true"],"walltime_s":60}\n' "$who" > "$work/$who.json"
done
fa=$("$bin/aip-submit" --enqueue --file "$work/alice.json")
fb=$("$bin/aip-submit" --enqueue --file "$work/bob.json")
fc=$("$bin/aip-submit" --enqueue --file "$work/carol.json")
fo=$("$bin/aip-submit" --enqueue --priority-class opportunistic -- true)
fi_=$("$bin/aip-submit" --enqueue --priority-class interactive -- true)
"$bin/aip-dispatch" run --until-idle --interval 0.1 --limits "$work/one.conf" --fairshare "$work/fs.csv" > "$work/fs.out"
# carol has no entry: 0.5, between bob (0.9) and alice (0.1).
order=$(grep '"state":"running"' "$work/fs.out" | grep -o '"job_id":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' ')
[ "$order" = "$fi_ $fb $fc $fa $fo " ] || fail "policy order: $order"

# The pipe of the architecture: aip submit | aip dispatch (submit is the default command).
"$bin/aip-submit" --time 1m -- echo piped | "$bin/aip-dispatch" --wait > "$work/pipe.out"
grep -q '"state":"succeeded"' "$work/pipe.out" || fail "pipe: $(cat "$work/pipe.out")"

# watch: the events of given jobs, ending when they have ended.
"$bin/aip-dispatch" watch "$ok" "$bad" > "$work/watch.out"
[ "$(wc -l < "$work/watch.out")" = 8 ] || fail "watch: $(cat "$work/watch.out")"
# render: the local command line.
"$bin/aip-submit" -- echo 'a b' | "$bin/aip-dispatch" render > "$work/render.out"
[ "$(cat "$work/render.out")" = "echo a b" ] || fail "render local"

# Slurm down: exit 69 and the job stays queued.
printf 'ClusterName=x\nSlurmctldHost=localhost\nSlurmctldPort=1\n' > "$work/slurm.conf"
down=$("$bin/aip-submit" --enqueue --time 1m -- true)
[ "$(SLURM_CONF=$work/slurm.conf status "$bin/aip-dispatch" run --once --backend slurm)" = 69 ] || fail "slurm down exit: $(cat "$work/err")"
[ -f "$work/state/queue/new/$down.json" ] || fail "the job left the queue when slurm was down"
# A second dispatcher on the same queue: 75.
"$bin/aip-dispatch" run --follow --interval 5 > /dev/null &
disp=$!
sleep 0.5
[ "$(status "$bin/aip-dispatch" run --once --backend slurm)" = 75 ] || fail "lock exit"
grep -q "another dispatcher runs this queue (pid $disp)" "$work/err" || fail "lock message: $(cat "$work/err")"
kill -TERM "$disp"; wait "$disp" || true
# Bad records: 65 with file and line.
printf '{"kind":"aip.job/v1","id":"x","owner":{"user":"u"},"command":["true"],"resources":{"cpus":-1,"memory_bytes":0},"walltime_s":5,"priority_class":"batch","submitted_at":0}\n' > "$work/bad.jsonl"
[ "$(status "$bin/aip-dispatch" submit "$work/bad.jsonl")" = 65 ] || fail "bad record exit"
grep -q "bad.jsonl:1: field 'resources.cpus': must be greater than 0" "$work/err" || fail "bad record message: $(cat "$work/err")"
[ "$(status "$bin/aip-dispatch" frobnicate)" = 64 ] || fail "unknown command"
# Every job has ended before the folder goes.
"$bin/aip-dispatch" run --until-idle --interval 0.1 > /dev/null
echo "dispatch.cli: PASS ($(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}') s for the first 9 jobs)"
