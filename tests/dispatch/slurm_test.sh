#!/usr/bin/env bash
# aip dispatch on the REAL single-node Slurm of the test fixture (tests/fixtures/slurm.sh):
# 20 jobs succeed and print what they were given; a failing job is `failed` with its exit
# code; a job past its time limit is `timeout`; cancel works; a request larger than the
# node is refused with sbatch's reason; GPUs go through --gres; a corpus of hostile
# arguments and environment values runs literally; a dispatcher killed -9 after sbatch but
# before recording the Slurm id adopts the job instead of submitting it twice.
set -euo pipefail
bin=$1
env_file=${2:-${AIP_SLURM_ENV:-}}
[ -r "$env_file" ] || { echo "FAIL: no Slurm fixture env file (AIP_SLURM_ENV)" >&2; exit 1; }
set -a; source "$env_file"; set +a
work=$(mktemp -d /tmp/aip-dslurm.XXXXXX)
chmod 755 "$work"
export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf
: > "$work/aip.conf"
cleanup() { [ -n "${disp:-}" ] && kill -TERM "$disp" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; squeue --states=all -o '%i %j %T %r' >&2 || true; tail -5 "$work/state/events.jsonl" >&2 || true; exit 1; }
final() {
  /usr/bin/python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])]; s=[e for e in s if e["job_id"]==sys.argv[2]]; print(s[-1]["state"] if s else "none")' \
    "$work/state/events.jsonl" "$1"
}
field() {
  /usr/bin/python3 -c 'import json,sys; s=[json.loads(l) for l in open(sys.argv[1])]; print([e for e in s if e["job_id"]==sys.argv[2]][-1].get(sys.argv[3]))' \
    "$work/state/events.jsonl" "$1" "$2"
}
wait_final() { # wait_final SECONDS ID...
  local deadline=$((SECONDS + $1)) id; shift
  for id in "$@"; do
    while :; do
      case "$(final "$id")" in succeeded | failed | cancelled | timeout) break ;; esac
      ((SECONDS < deadline)) || fail "job $id not ended after the wait (last: $(final "$id"))"
      sleep 0.5
    done
  done
}
sub() { "$bin/aip-submit" --enqueue --workdir "$work" "$@"; }

# Reconciliation first, on an idle cluster. Killed right after sbatch: the job is in Slurm
# under aip-ID but the queue does not know its Slurm id.
c=$(sub --time 1m -- sh -c 'echo once >> "$1"' sh "$work/adopted.txt")
AIP_DISPATCH_CRASH_AT=submitted "$bin/aip-dispatch" run --once --backend slurm > /dev/null 2>&1 && fail "the crash hook did not fire"
[ "$(squeue -h --states=all --name="aip-$c" -o %i | wc -l)" = 1 ] || fail "job $c not in Slurm after the crash"
# Killed after claiming, before sbatch: nothing in Slurm yet.
d=$(sub --time 1m -- sh -c 'echo once >> "$1"' sh "$work/claimed.txt")
AIP_DISPATCH_CRASH_AT=claimed "$bin/aip-dispatch" run --once --backend slurm > /dev/null 2>&1 && fail "the crash hook did not fire"
[ "$(squeue -h --states=all --name="aip-$d" -o %i | wc -l)" = 0 ] || fail "claimed job $d reached Slurm"

# The rest of the jobs.
ids=()
for i in $(seq 1 20); do ids+=("$(sub --time 1m --mem 64M -- sh -c 'echo "job $1 $AIP_JOB_ID"' sh "$i")"); done
bad=$(sub --time 1m -- sh -c 'exit 7')
huge=$(sub --mem 100T -- true)
gpu=$(sub --gpus 1 --gpu-model fake --time 1m -- sh -c 'echo "gpus=$SLURM_GPUS_ON_NODE"')
hostile_args=('$(touch pwned)' '`touch pwned`' "it's" '"quoted"' 'a  b' '*' '/*' '~' '$HOME' '${PATH}' '\' 'line1
line2' ';touch pwned;' '|' '&' '>x' '<(ls)' '!!' '#hash' '--' '-e' '%j' '%%' 'é 中' $'tab\there' '')
env_args=()
for i in "${!hostile_args[@]}"; do env_args+=(--env "H$i=${hostile_args[$i]}"); done
hostile=$(sub --time 1m "${env_args[@]}" -- printf '[%s]\n' "${hostile_args[@]}")
hostile_env=$(sub --time 1m "${env_args[@]}" --env "N=${#hostile_args[@]}" -- /usr/bin/python3 -c \
  'import os; print("".join("[%s]\n" % os.environ["H%d" % i] for i in range(int(os.environ["N"]))), end="")')

t0=$(date +%s)
"$bin/aip-dispatch" run --follow --backend slurm --interval 0.5 > "$work/events.out" 2> "$work/run.err" &
disp=$!
wait_final 60 "$c" "$d" "${ids[@]}" "$bad" "$gpu" "$hostile" "$hostile_env" "$huge"
# Two long jobs (the node has 2 CPUs): one past its time limit, one cancelled.
slow=$(sub --time 1m -- sleep 300)
victim=$(sub --time 10m -- sleep 300)
for _ in $(seq 60); do [ "$(final "$victim")" = running ] && break; sleep 0.5; done
[ "$(final "$victim")" = running ] || fail "long job not running: $(final "$victim")"
"$bin/aip-dispatch" cancel "$victim"
wait_final 60 "$victim"
[ "$(final "$victim")" = cancelled ] || fail "cancel: $(final "$victim")"

# Each crashed job ran exactly once.
[ "$(cat "$work/adopted.txt")" = once ] || fail "adopted job ran $(wc -l < "$work/adopted.txt") times"
[ "$(cat "$work/claimed.txt")" = once ] || fail "claimed job ran $(wc -l < "$work/claimed.txt") times"
[ "$(squeue -h --states=all --name="aip-$c" -o %i | wc -l)" = 1 ] || fail "job $c submitted twice"
for i in $(seq 1 20); do
  id=${ids[$((i - 1))]}
  [ "$(final "$id")" = succeeded ] || fail "job $i: $(final "$id")"
  [ "$(field "$id" exit_code)" = 0 ] || fail "job $i exit code"
  [ "$(cat "$work/state/logs/$id.out")" = "job $i $id" ] || fail "job $i output: $(cat "$work/state/logs/$id.out")"
done
[ "$(final "$bad")" = failed ] && [ "$(field "$bad" exit_code)" = 7 ] || fail "exit 7 job: $(final "$bad") $(field "$bad" exit_code)"
[ "$(final "$huge")" = failed ] || fail "huge job: $(final "$huge")"
field "$huge" reason | grep -q "sbatch refused the job" || fail "huge reason: $(field "$huge" reason)"
[ "$(cat "$work/state/logs/$gpu.out")" = "gpus=1" ] || fail "gpu job: $(cat "$work/state/logs/$gpu.out")"
printf '[%s]\n' "${hostile_args[@]}" > "$work/expected"
cmp "$work/expected" "$work/state/logs/$hostile.out" || fail "hostile arguments changed: $(cat -A "$work/state/logs/$hostile.out")"
cmp "$work/expected" "$work/state/logs/$hostile_env.out" || fail "hostile environment changed: $(cat -A "$work/state/logs/$hostile_env.out")"
[ ! -e "$work/pwned" ] && [ ! -e pwned ] || fail "a hostile value was run"
# Slurm's own record agrees: sacct -c lists the failing job with 7:0.
sacct -c -P -n -o jobid,state,exitcode | grep -q "^$(field "$bad" backend_id)|FAILED|7:0$" || fail "sacct disagrees on the failing job"

# The time limit: Slurm ends the job some time after its minute (its timer runs every 30 s).
wait_final 150 "$slow"
[ "$(final "$slow")" = timeout ] || fail "time limit: $(final "$slow")"
kill -TERM "$disp"; wait "$disp" || true; disp=""
/usr/bin/python3 - "$work/state/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    assert e["kind"] == "aip.event/v1" and e["state"] in ("queued","submitted","running","succeeded","failed","cancelled","preempted","timeout"), e
PY
echo "dispatch.slurm: PASS ($(( $(date +%s) - t0 )) s)"
