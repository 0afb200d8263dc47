#!/usr/bin/env bash
# aip meter from the command line: sampling fixture cgroup trees (every layout) with a
# stand-in nvidia-smi on PATH, the textfile, --follow aligned to the wall clock and stopped
# by SIGTERM, summaries and idle GPUs checked against hand-worked numbers, exit statuses and
# messages on bad input, and a chain over real processes: jobs started here, metered with
# --follow from /proc, summarised, and compared with the CPU time the kernel reported to
# their parent (wait4's rusage).
set -euo pipefail
bin=$1
here=$2 # tests/meter
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }
py=/usr/bin/python3
cg="--cgroup-root $here/cgroup/root --proc-root $here/cgroup/proc"

# Sampling a fixture tree: every layout, GPU mapped by PID through the stand-in nvidia-smi.
[ "$(PATH="$here/nvidia-smi:$PATH" status "$bin/aip" meter sample --once $cg --host gpu1)" = 0 ] || fail "sample exit: $(cat "$work/err")"
$py - "$work/out" <<'PY' || fail "sample values: $(cat "$work/out")"
import json, sys
r = {x["job_id"]: x for x in map(json.loads, open(sys.argv[1]))}
assert sorted(r) == ["0f0e0d0c-0b0a-4909-8807-060504030201", "1001", "1002", "11111111-2222-3333-4444-555555555555",
                     "22222222-3333-4444-5555-666666666666", "42", "6b1f2c3d-0a1b-4c2d-9e3f-123456789abc",
                     "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"], sorted(r)
assert all(x["kind"] == "aip.sample/v1" and x["host"] == "gpu1" for x in r.values())
assert r["42"]["cpu_s"] == 90.5 and r["42"]["io_read_bytes"] == 3145728
assert r["a1b2c3d4-e5f6-4711-8899-aabbccddeeff"]["cpu_s"] == 150.0
g = r["1001"]["gpus"][0]
assert g["util_pct"] == 87 and g["mem_used_bytes"] == 40000 * 1048576 and g["power_w"] == 312.45, g
assert [x["uuid"] for x in r["1002"]["gpus"]] == ["GPU-11223344-5566-7788-99aa-bbccddeeff00"]  # held, unused
PY
# The records validate against the schema.
$py - "$work/out" "$here/../../schemas/aip.sample.v1.schema.json" <<'PY' || fail "schema"
import json, sys, jsonschema
schema = json.load(open(sys.argv[2]))
for line in open(sys.argv[1]): jsonschema.validate(json.loads(line), schema)
PY

# No NVML and no nvidia-smi: one note, no GPU fields.
[ "$(PATH=/usr/bin:/bin status "$bin/aip-meter" sample $cg --job 1001)" = 0 ] || fail "no-gpu exit"
[ "$(grep -c 'note: no GPU metrics' "$work/err")" = 1 ] || fail "no-gpu note: $(cat "$work/err")"
grep -q '"gpus":\[\]' "$work/out" || fail "no-gpu fields"
# A malformed nvidia-smi line: a warning quoting it, and the samples still come.
[ "$(AIP_FAKE_SMI_DIR="$here/nvidia-smi-bad" PATH="$here/nvidia-smi:$PATH" status "$bin/aip-meter" sample $cg --job 1001)" = 0 ] || fail "bad smi exit"
grep -q "warning: nvidia-smi --query-compute-apps output, line 2: expected 3 fields, got 1 in '7001 GPU-0b1c" "$work/err" || fail "bad smi message: $(cat "$work/err")"
grep -q '"job_id":"1001"' "$work/out" || fail "bad smi: samples lost"

# Prometheus textfile, written atomically to -o; user and project from job records.
printf '%s\n' '{"kind":"aip.job/v1","id":"42","name":"x","owner":{"user":"bob","project":"p1","vo":""},"image":"","command":["true"],"env":{},"workdir":"","resources":{"cpus":1,"memory_bytes":0,"gpus":0,"gpu_model":"","mig_profile":"","disk_bytes":0},"walltime_s":60,"priority_class":"batch","queue":"","site":"","mounts":[],"labels":{},"submitted_at":0}' > "$work/jobs.jsonl"
[ "$(status "$bin/aip-meter" sample $cg --gpu none --format prometheus --jobs "$work/jobs.jsonl" --host n1 -o "$work/aip.prom")" = 0 ] || fail "prometheus exit: $(cat "$work/err")"
grep -qx 'aip_job_cpu_seconds_total{job_id="42",host="n1",user="bob",project="p1"} 90.5' "$work/aip.prom" || fail "prometheus line: $(cat "$work/aip.prom")"
grep -qx '# TYPE aip_job_cpu_seconds_total counter' "$work/aip.prom" || fail "prometheus TYPE"
[ -z "$(find "$work" -name '.*' -newer "$work/jobs.jsonl")" ] || fail "temporary file left behind"

# --follow: passes on whole seconds of the wall clock, --count stops it.
[ "$(status "$bin/aip-meter" sample $cg --gpu none --job 42 --follow --interval 1s --count 3)" = 0 ] || fail "follow exit"
[ "$(wc -l < "$work/out")" = 3 ] || fail "follow passes: $(cat "$work/out")"
$py - "$work/out" <<'PY' || fail "follow alignment: $(cat "$work/out")"
import json, sys, datetime
t = [datetime.datetime.fromisoformat(json.loads(l)["at"].replace("Z", "+00:00")).timestamp() for l in open(sys.argv[1])]
assert all(abs(b - a - 1) < 0.25 for a, b in zip(t[1:], t[2:])), t
assert all((x % 1.0) < 0.25 for x in t[1:]), t  # after the first pass, on the second
PY
# SIGTERM ends --follow cleanly (exit 0, whole lines).
"$bin/aip-meter" sample $cg --gpu none --job 42 --follow --interval 0.2s > "$work/f.jsonl" 2> "$work/err" &
pid=$!; sleep 1; kill -TERM $pid; set +e; wait $pid; rc=$?; set -e
[ $rc = 0 ] || fail "SIGTERM exit $rc"
$py -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$work/f.jsonl" || fail "SIGTERM left a broken line"

# Bad flags and unavailable sources.
[ "$(status "$bin/aip-meter" sample --source zfs)" = 64 ] || fail "bad source exit"
[ "$(status "$bin/aip-meter" sample --once --follow)" = 64 ] || fail "once+follow exit"
[ "$(status "$bin/aip-meter" sample --pgid nonsense)" = 64 ] || fail "bad pgid exit"
grep -q "pgid: expected JOB=ID" "$work/err" || fail "bad pgid message"
[ "$(status "$bin/aip-meter" sample --source cgroup --cgroup-root "$work" --gpu none)" = 69 ] || fail "not cgroup2 exit"
[ "$(status "$bin/aip-meter" sample --gpu nvidia-smi --nvidia-smi aip-no-such-smi $cg)" = 69 ] || fail "no smi exit"
[ "$(status "$bin/aip-meter" sample --follow --format prometheus $cg)" = 64 ] || fail "prometheus follow without -o"
[ "$(status "$bin/aip-meter" frobnicate)" = 64 ] || fail "unknown command exit"
[ "$(status "$bin/aip-meter" sample --format table $cg)" = 64 ] || fail "sample table format exit"

# summarize: hand-worked numbers for tests/meter/samples (see the comment in the Python).
s="$here/samples"
[ "$(status "$bin/aip-meter" summarize --site test "$s/two-jobs.jsonl" "$s/events.jsonl")" = 0 ] || fail "summarize exit: $(cat "$work/err")"
$py - "$work/out" "$here/../../schemas/aip.usage.v1.schema.json" <<'PY' || fail "summarize values: $(cat "$work/out")"
import json, sys, jsonschema
schema = json.load(open(sys.argv[2]))
u = {}
for line in open(sys.argv[1]):
    r = json.loads(line); jsonschema.validate(r, schema); u[r["job_id"]] = r
a = u["7"]
# cpu: 12.5 + (72.5 - 12.5) + (192.5 - 72.5) = 192.5; peak: max(1e6, 3e6, 3.5e6, 2e6);
# GPU: 80 % held 30 s, 20 % held 60 s, the last sample holds for nothing: 3600 / 90 = 40 %;
# start/end from the running and failed events: 09:59:50 .. 10:01:40 = 110 s.
assert a["cpu_s"] == 192.5 and a["mem_peak_bytes"] == 3500000 and a["gpu_util_mean"] == 40, a
assert a["start"] == "2026-11-22T09:59:50Z" and a["end"] == "2026-11-22T10:01:40Z" and a["wall_s"] == 110, a
assert a["state"] == "failed" and a["exit_code"] == 3 and a["user"] == "alice" and a["cores"] == 2, a
assert a["mem_req_bytes"] == 4294967296 and a["gpus"] == 1 and a["site"] == "test" and a["source"] == "meter", a
b = u["8"]
assert b["cpu_s"] == 31 and b["wall_s"] == 60 and b["state"] == "running", b
assert a["record_id"] != b["record_id"] and a["record_id"].startswith("meter-")
PY
cp "$work/out" "$work/usage1"
status "$bin/aip-meter" summarize --site test "$s/events.jsonl" "$s/two-jobs.jsonl" > /dev/null
cmp -s "$work/out" "$work/usage1" || fail "summarize depends on the order of its inputs"
printf '{"kind":"aip.sample/v1","at":"2026-11-22T10:00:00Z","job_id":"9","host":"n","cpu_s":-1,"mem_bytes":1}\n' > "$work/neg.jsonl"
[ "$(status "$bin/aip-meter" summarize "$work/neg.jsonl")" = 65 ] || fail "negative cpu exit"
grep -q "neg.jsonl:1: field 'cpu_s'" "$work/err" || fail "negative cpu message: $(cat "$work/err")"
[ "$(status "$bin/aip-meter" summarize "$work/none.jsonl")" = 66 ] || fail "missing input exit"

# idle: job 7's GPU was at 0 % only for its last sample (0 s): not idle for 30 min; idle
# "for 0s" below 5 % it is; exit 1 when any.
[ "$(status "$bin/aip-meter" idle --gpu-util-below 5 --for 30m "$s/two-jobs.jsonl")" = 0 ] || fail "idle none exit"
[ "$(status "$bin/aip-meter" idle --gpu-util-below 25 --for 60s "$s/two-jobs.jsonl")" = 1 ] || fail "idle found exit"
grep -q '"job_id":"7"' "$work/out" && grep -q '"idle_s":60' "$work/out" || fail "idle record: $(cat "$work/out")"
[ "$(status "$bin/aip-meter" idle --gpu-util-below 0 "$s/two-jobs.jsonl")" = 64 ] || fail "idle bad threshold"

# The chain on real processes: three jobs in their own process groups, each with
# AIP_JOB_ID in its environment as aip's local backend sets it, burn CPU; the meter follows
# them from /proc; the summary's CPU seconds match the kernel's count within 10 %.
"$bin/aip-meter" sample --source proc --gpu none --follow --interval 0.2s > "$work/chain.jsonl" 2> "$work/chain.err" &
meter=$!
$py - "$work/kernel.json" <<'PY'
import json, os, subprocess, sys, time
code = "import time\nt = time.process_time()\nwhile time.process_time() - t < {cpu}: pass\ntime.sleep(1.0)\n"
jobs = {}
for i, cpu in enumerate([0.6, 1.2, 0.9]):
    env = dict(os.environ, AIP_JOB_ID="chain-%d" % i)
    p = subprocess.Popen([sys.executable, "-c", code.format(cpu=cpu)], env=env, process_group=0)
    jobs[p.pid] = "chain-%d" % i
kernel = {}
while jobs:
    pid, status, ru = os.wait4(-1, 0)
    kernel[jobs.pop(pid)] = ru.ru_utime + ru.ru_stime
json.dump(kernel, open(sys.argv[1], "w"))
PY
sleep 0.5; kill -TERM $meter; wait $meter || fail "meter in the chain"
"$bin/aip-meter" summarize "$work/chain.jsonl" > "$work/chain-usage.jsonl" || fail "chain summarize"
$py - "$work/kernel.json" "$work/chain-usage.jsonl" <<'PY' || fail "chain CPU"
import json, sys
kernel = json.load(open(sys.argv[1]))
usage = {r["job_id"]: r for r in map(json.loads, open(sys.argv[2]))}
for job, k in kernel.items():
    m = usage[job]["cpu_s"]
    assert abs(m - k) <= 0.1 * k, (job, m, k)
    print(f"{job}: meter {m:.2f} s, kernel {k:.2f} s")
PY
# ... and through aip account where it is built: the report's used CPU hours, summed.
if [ -x "$bin/aip-account" ]; then
  "$bin/aip-account" report --by user -f jsonl "$work/chain-usage.jsonl" > "$work/chain-report.jsonl" || fail "aip account report"
  $py - "$work/kernel.json" "$work/chain-report.jsonl" <<'PY' || fail "chain through aip account"
import json, sys
kernel = sum(json.load(open(sys.argv[1])).values())
rows = [json.loads(l) for l in open(sys.argv[2])]
meter = 3600 * sum(r["used_cpu_hours"] for r in rows)
assert abs(meter - kernel) <= 0.1 * kernel, (meter, kernel)
print(f"aip account report: {meter:.2f} CPU seconds, kernel {kernel:.2f}")
PY
fi
# The whole chain where aip submit and aip dispatch are built: jobs run by the local
# backend (a process group each, AIP_JOB_ID in the environment), metered with --follow,
# summarised with dispatch's events, reported by aip account; each job prints the CPU time
# the kernel counted for it (its CPU clock) when it ends.
if [ -x "$bin/aip-submit" ] && [ -x "$bin/aip-dispatch" ]; then
  export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf
  printf '[node]\ncpus = 2\nmemory = 1G\ngpus = 0\n' > "$work/aip.conf"
  burn='import time
t = time.process_time()
while time.process_time() - t < float(__import__("sys").argv[1]): pass
time.sleep(1.0)
print(time.process_time())'
  j1=$("$bin/aip-submit" --enqueue --time 1m -- $py -c "$burn" 0.8)
  j2=$("$bin/aip-submit" --enqueue --time 1m -- $py -c "$burn" 1.4)
  "$bin/aip-meter" sample --source proc --gpu none --follow --interval 0.2s > "$work/d-samples.jsonl" 2> "$work/d-meter.err" &
  meter=$!
  "$bin/aip-dispatch" run --until-idle --interval 0.2 > "$work/d-events.jsonl" 2> "$work/d-run.err" || fail "dispatch: $(cat "$work/d-run.err")"
  kill -TERM $meter; wait $meter || fail "meter beside dispatch"
  "$bin/aip-meter" summarize "$work/d-samples.jsonl" "$AIP_STATE_DIR/events.jsonl" > "$work/d-usage.jsonl" || fail "summarize dispatch's jobs"
  for j in "$j1" "$j2"; do
    k=$("$bin/aip-dispatch" logs "$j")
    $py - "$work/d-usage.jsonl" "$j" "$k" <<'PY' || fail "dispatch chain CPU of $j"
import json, sys
u = [r for r in map(json.loads, open(sys.argv[1])) if r["job_id"] == sys.argv[2]][0]
k = float(sys.argv[3])
assert abs(u["cpu_s"] - k) <= 0.1 * k and u["state"] == "succeeded" and u["exit_code"] == 0, (u, k)
print(f"dispatched {sys.argv[2]}: meter {u['cpu_s']:.2f} s, kernel {k:.2f} s, wall {u['wall_s']:.2f} s")
PY
  done
  if [ -x "$bin/aip-account" ]; then
    "$bin/aip-account" report --by user -f jsonl "$work/d-usage.jsonl" > /dev/null || fail "aip account on dispatch's jobs"
  fi
  unset AIP_STATE_DIR XDG_CONFIG_HOME AIP_SYSTEM_CONFIG
fi

# Every option of --help is in the man page and the three completions.
root="$here/../.."
for cmd in sample summarize idle; do
  for o in $("$bin/aip-meter" $cmd --help | sed -n '/^Options:/,/^Examples:/p' | grep -o -- '--[a-z][a-z-]*' | sort -u); do
    case $o in --help|--version|--input) continue ;; esac
    grep -q -- "$o" "$root/completions/aip-meter.bash" || fail "bash completion lacks $cmd $o"
    grep -q -- "$o" "$root/completions/_aip-meter" || fail "zsh completion lacks $cmd $o"
    grep -q -- "-l ${o#--}" "$root/completions/aip-meter.fish" || fail "fish completion lacks $cmd $o"
    grep -q -- "$(printf '%s' "$o" | sed 's/-/\\\\-/g')" "$root/man/aip-meter.1" || fail "man page lacks $cmd $o"
  done
done
echo "meter cli: ok"
