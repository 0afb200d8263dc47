#!/usr/bin/env bash
# Proves the Slurm fixture: a batch job runs to COMPLETED and writes its
# output, the job completion log (sacct -c) lists it, a job asking for a
# (fake) GPU runs, and, when the fixture runs slurmrestd, a job submitted
# over its REST API completes too. Each job gets up to 60 s.
#
#   test_slurm.sh [ENV_FILE]    default: $AIP_SLURM_ENV
set -euo pipefail

fail() {
  printf 'integration.slurm: FAIL: %s\n' "$*" >&2
  exit 1
}

env_file="${1:-${AIP_SLURM_ENV:-}}"
[[ -n "$env_file" ]] || fail "no env file: pass it as \$1 or set AIP_SLURM_ENV"
[[ -r "$env_file" ]] || fail "$env_file not readable: did fixture.slurm.start run?"
# set -a: SLURM_CONF must reach sbatch, squeue, sacct, scontrol.
set -a
# shellcheck source=/dev/null
source "$env_file"
set +a

timeout_s=60
work="$(mktemp -d "${TMPDIR:-/tmp}/aip-slurm-test.XXXXXX")"
trap 'rm -rf -- "$work"' EXIT

# Everything we know about a job, for a failure message.
explain() {
  local id="$1"
  {
    printf -- '--- scontrol show job %s\n' "$id"
    scontrol show job "$id" 2>&1 || true
    printf -- '--- sinfo -N -l\n'
    sinfo -N -l 2>&1 || true
    printf -- '--- job output files\n'
    tail -n 20 -- "$work"/*.out 2>/dev/null || true
  } >&2
}

# submit ARGS...: sbatch with our work folder; prints the job id.
submit() {
  local out id
  out="$(sbatch --parsable --chdir="$work" --output="$work/%j.out" "$@")" ||
    fail "sbatch $* failed"
  id="${out%%;*}"   # --parsable prints "id" or "id;cluster"
  [[ "$id" =~ ^[0-9]+$ ]] || fail "sbatch printed '$out', not a job id"
  printf '%s\n' "$id"
}

# wait_completed ID: poll squeue (finished jobs stay there for MinJobAge)
# until the job is COMPLETED; fail on any other final state or the timeout.
wait_completed() {
  local id="$1" state="" deadline=$((SECONDS + timeout_s))
  while ((SECONDS < deadline)); do
    state="$(squeue -h -j "$id" --states=all -o %T 2>/dev/null || true)"
    case "$state" in
      COMPLETED)
        return 0 ;;
      FAILED | CANCELLED* | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED)
        explain "$id"
        fail "job $id ended $state" ;;
    esac
    sleep 0.5
  done
  explain "$id"
  fail "job $id not COMPLETED after ${timeout_s}s (last state: '${state:-unknown}')"
}

# sacct_state ID: the job's state in the job completion log (jobcomp/filetxt,
# read by sacct -c), which is written just after the job ends.
sacct_state() {
  local id="$1" deadline=$((SECONDS + 15)) line
  while ((SECONDS < deadline)); do
    line="$(sacct -c -P -o jobid,state 2>/dev/null | grep "^$id|" || true)"
    if [[ -n "$line" ]]; then
      printf '%s\n' "${line#*|}"
      return 0
    fi
    sleep 0.5
  done
  printf 'not listed\n'
}

ok() {
  printf 'ok: %s\n' "$*"
}

for prog in sbatch squeue sacct scontrol sinfo; do
  command -v "$prog" >/dev/null || fail "$prog not found (apt-get install slurm-client)"
done

# All jobs are submitted first and checked after: they run side by side
# (DefMemPerCPU keeps each to one CPU's share of the node).

# 1. A plain batch job.
id="$(submit --job-name=aip-hello --wrap 'echo hello')"
ok "submitted job $id (echo hello)"

# 2. A job asking for one of the two fake GPUs.
# shellcheck disable=SC2016 # expanded by the job, not here
gid="$(submit --job-name=aip-gpu --gres=gpu:1 --wrap 'echo "gpus=$SLURM_GPUS_ON_NODE"')"
ok "submitted job $gid (--gres=gpu:1)"

# 3. slurmrestd, when the fixture started it (slurm.sh start --restd).
rid=""
if [[ -n "${AIP_TEST_SLURMRESTD_SOCKET:-}" ]]; then
  command -v curl >/dev/null || fail "curl not found (apt-get install curl)"
  api="http://localhost/slurm/v0.0.38"
  rest() {
    curl -sS --fail-with-body --max-time 10 --unix-socket "$AIP_TEST_SLURMRESTD_SOCKET" \
      -H 'Content-Type: application/json' "$@"
  }
  rest "$api/ping" >/dev/null || fail "GET $api/ping over $AIP_TEST_SLURMRESTD_SOCKET failed"
  ok "slurmrestd answers ping"
  body="$(cat <<EOF
{"script": "#!/bin/bash\necho rest-hello",
 "job": {"name": "aip-rest", "partition": "$AIP_TEST_SLURM_PARTITION",
         "current_working_directory": "$work",
         "standard_output": "$work/rest.out",
         "environment": {"PATH": "/usr/bin:/bin"},
         "cpus_per_task": 1, "memory_per_node": 100, "time_limit": 5}}
EOF
)"
  reply="$(rest -X POST --data-binary "$body" "$api/job/submit")" ||
    fail "POST $api/job/submit failed: $reply"
  rid="$(sed -n 's/.*"job_id": *\([0-9][0-9]*\).*/\1/p' <<<"$reply" | head -n 1)"
  [[ -n "$rid" ]] || fail "no job_id in the reply to POST job/submit: $reply"
  ok "slurmrestd accepted job $rid"
fi

wait_completed "$id"
ok "job $id COMPLETED"
out="$(cat -- "$work/$id.out" 2>/dev/null || true)"
[[ "$out" == "hello" ]] || { explain "$id"; fail "job $id wrote '$out', not 'hello'"; }
ok "job $id wrote hello"
state="$(sacct_state "$id")"
[[ "$state" == "COMPLETED" ]] || fail "sacct -c -P -o jobid,state: job $id is '$state', not COMPLETED"
ok "sacct -c lists job $id COMPLETED"

wait_completed "$gid"
ok "job $gid COMPLETED"
out="$(cat -- "$work/$gid.out" 2>/dev/null || true)"
[[ "$out" == "gpus=1" ]] || { explain "$gid"; fail "job $gid wrote '$out', not 'gpus=1'"; }
ok "job $gid saw SLURM_GPUS_ON_NODE=1"

if [[ -n "$rid" ]]; then
  wait_completed "$rid"
  # The REST view of the same job.
  rstate="$(rest "$api/job/$rid" | sed -n 's/.*"job_state": *"\([A-Z_]*\)".*/\1/p' | head -n 1)"
  [[ "$rstate" == "COMPLETED" ]] || fail "GET $api/job/$rid says job_state '$rstate'"
  out="$(cat -- "$work/rest.out" 2>/dev/null || true)"
  [[ "$out" == "rest-hello" ]] || { explain "$rid"; fail "REST job $rid wrote '$out', not 'rest-hello'"; }
  ok "REST job $rid COMPLETED (squeue and GET job) and wrote rest-hello"
fi

printf 'integration.slurm: PASS\n'
