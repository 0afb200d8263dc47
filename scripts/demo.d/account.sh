# aip account: the demo's own jobs accounted (usage records from what aip meter wrote, when it
# ran in this demo; otherwise three small jobs run here and timed by /usr/bin/time), then a
# real trace from the Parallel Workloads Archive imported and reported.
data="$(cd "$(dirname "$0")/.." && pwd)/../shared/data/accounting" # beside the checkout
[ -d "$data" ] || data=/work/shared/data/accounting
if [ -x "$bin/aip-account" ]; then
  demo_usage="$work/demo-usage.jsonl"
  if [ -s "$work/usage-summary.jsonl" ]; then
    cp "$work/usage-summary.jsonl" "$demo_usage" # aip meter summarize's output, when its part ran
  else
    : > "$demo_usage"
    i=0
    for job in "sleep 1" "sh -c 'i=0; while [ \$i -lt 200000 ]; do i=\$((i+1)); done'" "python3 -c 'sum(range(3000000))'"; do
      i=$((i + 1))
      start=$(date +%s.%N)
      /usr/bin/time -f '%e %U %S %M' -o "$work/time.$i" sh -c "$job" 2> /dev/null || true
      read -r wall user sys rss_kb < "$work/time.$i"
      printf '{"kind":"aip.usage/v1","record_id":"demo:%s:%d","job_id":"%d","user":"%s","project":"demo","site":"%s","queue":"local","start":%s,"end":%s,"wall_s":%s,"cores":1,"cpu_s":%s,"mem_peak_bytes":%d,"mem_req_bytes":268435456,"state":"succeeded","exit_code":0,"source":"demo"}\n' \
        "$$" "$i" "$i" "$(id -un)" "$(hostname -s)" "$start" "$(awk -v a="$start" -v b="$wall" 'BEGIN { printf "%.3f", a + b }')" "$wall" \
        "$(awk -v a="$user" -v b="$sys" 'BEGIN { printf "%.2f", a + b }')" "$((rss_kb * 1024))" >> "$demo_usage"
    done
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
