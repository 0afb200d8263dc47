# aip meter: two jobs of this demo (process groups carrying AIP_JOB_ID, as aip's local
# backend starts them) metered from /proc, summarised into usage records, and handed to
# aip account where it is built.
if [ -x "$bin/aip-meter" ]; then
  for j in 1 2; do
    AIP_JOB_ID=demo-$j setsid sh -c "i=0; while [ \$i -lt $((j * 150000)) ]; do i=\$((i + 1)); done; sleep 2" &
  done
  step "aip meter sample --source proc --follow --interval 0.5s --count 6 > samples.jsonl"
  aip meter sample --source proc --gpu none --follow --interval 0.5s --count 6 > "$work/samples.jsonl"
  tail -n 2 "$work/samples.jsonl"
  wait
  step "aip meter summarize samples.jsonl -f table"
  aip meter summarize "$work/samples.jsonl" -f table
  aip meter summarize "$work/samples.jsonl" > "$work/meter-usage.jsonl"
  if [ -x "$bin/aip-account" ]; then
    step "aip meter summarize samples.jsonl | aip account report --by user -f table"
    aip account report --by user -f table "$work/meter-usage.jsonl"
  fi
  step "aip meter sample --cgroup-root tests/meter/cgroup/root --format prometheus --gpu none | head -4"
  aip meter sample --cgroup-root "$build/../tests/meter/cgroup/root" --gpu none --format prometheus | head -4
fi
