# aip account: the demo's own jobs accounted (usage records from what aip meter wrote, when it
# ran in this demo; otherwise three small jobs run and measured here), then a
# real trace from the Parallel Workloads Archive imported and reported.
data="$(cd "$(dirname "$0")/.." && pwd)/../shared/data/accounting" # beside the checkout
[ -d "$data" ] || data=/work/shared/data/accounting
if [ -x "$bin/aip-account" ]; then
  demo_usage="$work/demo-usage.jsonl"
  if [ -s "$work/usage-summary.jsonl" ]; then
    cp "$work/usage-summary.jsonl" "$demo_usage" # aip meter summarize's output, when its part ran
  else
    # Three small jobs, each run and measured (wall, CPU, peak memory) like a batch system would.
    /usr/bin/python3 - "$demo_usage" <<'PY'
import getpass, json, os, resource, socket, subprocess, sys, time
jobs = ["sleep 1", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done", "python3 -c 'sum(range(3000000))'"]
with open(sys.argv[1], "w") as out:
    for i, cmd in enumerate(jobs, 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.time()
        rc = subprocess.run(["sh", "-c", cmd]).returncode
        end = time.time()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        out.write(json.dumps({"kind": "aip.usage/v1", "record_id": f"demo:{os.getpid()}:{i}", "job_id": str(i),
                              "user": getpass.getuser(), "project": "demo", "site": socket.gethostname(),
                              "queue": "local", "start": start, "end": end, "wall_s": end - start, "cores": 1,
                              "cpu_s": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
                              "mem_peak_bytes": after.ru_maxrss * 1024, "mem_req_bytes": 256 << 20,
                              "state": "succeeded" if rc == 0 else "failed", "exit_code": rc,
                              "source": "demo"}) + "\n")
PY
  fi
  step "aip account report --by user,queue -f table demo-usage.jsonl   # the demo's own jobs"
  aip account report --by user,queue -f table "$demo_usage"
  if [ -f "$data/NASA-iPSC-1993-3.1-cln.swf.gz" ]; then
    step "zcat NASA-iPSC-1993-3.1-cln.swf.gz | aip account import --from swf > nasa.jsonl"
    zcat "$data/NASA-iPSC-1993-3.1-cln.swf.gz" | aip account import --from swf > "$work/nasa.jsonl"
    step "aip account report --by project,month -f table nasa.jsonl"
    aip account report --by project,month -f table "$work/nasa.jsonl"
    step "aip account report --by user --top 3 --sort cpu_hours -f csv nasa.jsonl"
    aip account report --by user --top 3 --sort cpu_hours -f csv "$work/nasa.jsonl"
    step "aip account report --by project,month -f svg -o cpu.svg nasa.jsonl"
    aip account report --by project,month -f svg -o "$work/cpu.svg" "$work/nasa.jsonl"
    echo "($(wc -c < "$work/cpu.svg") bytes of SVG)"
  fi
fi
