#!/usr/bin/env bash
# aip dispatch --backend slurmrestd from the command line against the real slurmrestd of the
# Slurm fixture (its unix socket from AIP_SLURM_ENV): submit --wait, the events, the exit code
# beside scontrol's, status, and cancel of a running job.
set -euo pipefail
bin=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
set -a
# shellcheck source=/dev/null
. "${AIP_SLURM_ENV:?run through ctest: the slurm fixture sets AIP_SLURM_ENV}"
set +a
export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf
fail() { echo "FAIL: $*" >&2; [ -f "$work/state/events.jsonl" ] && tail -20 "$work/state/events.jsonl" >&2; exit 1; }
printf '[slurmrestd]\nsocket = %s\n' "$AIP_TEST_SLURMRESTD_SOCKET" > "$work/aip.conf"
last() { /usr/bin/python3 -c 'import json,sys; e=[json.loads(l) for l in open(sys.argv[1])]; e=[x for x in e if x["job_id"]==sys.argv[2]][-1]; print(e["state"], e.get("exit_code"), e.get("backend_id"))' "$work/state/events.jsonl" "$1"; }

"$bin/aip-submit" --time 2m --mem 100M --workdir /tmp -- sh -c 'echo "it works"; exit 4' > "$work/job.jsonl"
id=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$work/job.jsonl")
timeout 120 "$bin/aip-dispatch" submit --wait --backend slurmrestd "$work/job.jsonl" > "$work/events" 2> "$work/err" || fail "submit: $(cat "$work/err")"
read -r state code bid <<< "$(last "$id")"
[ "$state" = failed ] && [ "$code" = 4 ] || fail "expected failed 4, got $state $code"
[ "$(SLURM_CONF=$SLURM_CONF scontrol show job -o "$bid" | grep -o 'ExitCode=[0-9:]*')" = "ExitCode=4:0" ] || fail "scontrol disagrees"
[ "$(cat "$work/state/logs/$id.out")" = "it works" ] || fail "output: $(cat "$work/state/logs/$id.out")"
[ "$(grep -c . "$work/events")" -ge 3 ] || fail "events: $(cat "$work/events")"
"$bin/aip-dispatch" status --all -f csv | grep -q "^$id,.*,failed,slurmrestd,$bid,4," || fail "status: $("$bin/aip-dispatch" status --all -f csv)"

"$bin/aip-submit" --time 5m --mem 100M --workdir /tmp -- sleep 300 > "$work/slow.jsonl"
slow=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$work/slow.jsonl")
"$bin/aip-dispatch" submit --backend slurmrestd "$work/slow.jsonl" > /dev/null 2> "$work/err" || fail "submit slow: $(cat "$work/err")"
"$bin/aip-dispatch" cancel "$slow" 2> "$work/err" || fail "cancel: $(cat "$work/err")"
for _ in $(seq 60); do
  "$bin/aip-dispatch" run --once --backend slurmrestd > /dev/null 2> "$work/err" || fail "run: $(cat "$work/err")"
  [ "$(last "$slow" | cut -d' ' -f1)" = cancelled ] && break
  sleep 0.5
done
read -r state code bid <<< "$(last "$slow")"
[ "$state" = cancelled ] || fail "slow job: $state"
SLURM_CONF=$SLURM_CONF scontrol show job -o "$bid" | grep -q 'JobState=CANCELLED' || fail "scontrol: not cancelled"
echo ok
