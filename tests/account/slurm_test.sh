#!/usr/bin/env bash
# aip account on the real single-node Slurm fixture: jobs run (one with a GPU, an array of
# two failing tasks, one cancelled), the job completion log is exported with `sacct -c -P`,
# imported and reported; jobs and core hours checked against awk over sacct's own columns.
set -euo pipefail
bin=$1
[ -r "${AIP_SLURM_ENV:-}" ] || { echo "FAIL: no AIP_SLURM_ENV (run through ctest: fixture slurm)" >&2; exit 1; }
set -a; source "$AIP_SLURM_ENV"; set +a
work=$(mktemp -d)
chmod 0755 "$work"
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
submit() { sbatch --parsable --chdir="$work" --output=/dev/null "$@" | cut -d';' -f1; }

ids=()
ids+=("$(submit --wrap 'sleep 2')")
ids+=("$(submit -c 2 --gres=gpu:1 --wrap 'sleep 1')")
submit --array=1-2 --wrap 'sleep 1; exit 3' > /dev/null
long=$(submit --wrap 'sleep 60')
# Wait until every job of ours is in the job completion log (the long one after cancelling).
fields=jobid,jobidraw,cluster,partition,account,user,submit,start,end,elapsed,exitcode,state,nnodes,ncpus,reqmem,alloctres,jobname
deadline=$((SECONDS + 90))
cancelled=0
while :; do
  TZ=UTC sacct -c -P -o "$fields" > "$work/sacct.txt" 2> /dev/null || true
  done_jobs=$(awk -F'|' -v a="${ids[*]} $long" 'BEGIN{n=split(a,w," ")} {for(i=1;i<=n;i++) if ($1==w[i]) c++} END{print c+0}' "$work/sacct.txt")
  tasks=$(grep -c "|wrap$" "$work/sacct.txt" || true)
  if ((cancelled == 0)) && squeue -h -j "$long" -o %T 2> /dev/null | grep -q RUNNING; then scancel "$long"; cancelled=1; fi
  if ((done_jobs == 3 && tasks >= 5)); then break; fi
  ((SECONDS < deadline)) || fail "jobs not all in the completion log: $(cat "$work/sacct.txt")"
  sleep 1
done
# Only this test's jobs (the fixture may have run others): ours have ids >= the first.
awk -F'|' -v first="${ids[0]}" 'NR == 1 || $2 + 0 >= first' "$work/sacct.txt" > "$work/ours.txt"
TZ=UTC "$bin/aip" account import --from sacct --utc "$work/ours.txt" > "$work/usage.jsonl" 2> "$work/err" || fail "import: $(cat "$work/err")"
[ "$(wc -l < "$work/usage.jsonl")" = 5 ] || fail "5 records expected: $(cat "$work/ours.txt")"
"$bin/aip" account report --by state -f csv "$work/usage.jsonl" > "$work/r.csv"
# awk over sacct's columns: per state, jobs and NCPUS x Elapsed (HH:MM:SS) in hours.
awk -F'|' 'NR > 1 {
  split($10, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]
  st = $12; sub(/ .*/, "", st)
  m = st == "COMPLETED" ? "succeeded" : st == "FAILED" ? "failed" : st == "CANCELLED" ? "cancelled" : st
  n[m]++; h[m] += $14 * s / 3600 }
  END { for (k in n) printf "%s %d %.10g\n", k, n[k], h[k] }' "$work/ours.txt" | sort > "$work/expected"
awk -F, 'NR > 1 { printf "%s %d %.10g\n", $1, $2, $4 }' "$work/r.csv" | sort > "$work/got"
diff "$work/expected" "$work/got" || fail "report differs from awk over sacct"
grep -q '^failed 2 ' "$work/got" || fail "the two array tasks failed: $(cat "$work/got")"
grep -q '^cancelled 1 ' "$work/got" || fail "the cancelled job: $(cat "$work/got")"
grep -q '"exit_code":3' "$work/usage.jsonl" || fail "exit code 3 of the array tasks"
echo "account.slurm: ok"
