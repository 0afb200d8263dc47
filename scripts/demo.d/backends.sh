# aip dispatch's engine backends: the same job rendered as a Kubernetes Job queued by Kueue,
# a Nomad batch job and an HTCondor submit description (no cluster needed to render).
if [ -x "$bin/aip-submit" ] && [ -x "$bin/aip-dispatch" ]; then
  printf '[kubernetes]\nnamespace = ml\npriority-classes = interactive=high\n[nomad]\ndatacenters = ifca\n' > "$work/engines.conf"
  aip submit --image ai4oshub/yolo --gpus 1 --cpus 4 --mem 16G --time 6h --queue gpu --priority-class interactive \
    -- python train.py --note "it's \$HOME" > "$work/engine-job.jsonl"
  step "aip dispatch render --backend kubernetes job.jsonl   # a batch/v1 Job for Kueue (labels, resources)"
  aip dispatch render --limits "$work/engines.conf" --backend kubernetes "$work/engine-job.jsonl" | head -22
  echo "  ..."
  step "aip dispatch render --backend nomad job.jsonl   # the task's Resources: cores, MiB, nvidia/gpu device"
  aip dispatch render --limits "$work/engines.conf" --backend nomad "$work/engine-job.jsonl" |
    /usr/bin/python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["Job"]["TaskGroups"][0]["Tasks"][0]["Resources"]))'
  step "aip dispatch render --backend htcondor job.jsonl   # quoted for condor_submit: \$ as \$(DOLLAR)"
  aip dispatch render --limits "$work/engines.conf" --backend htcondor "$work/engine-job.jsonl" | grep -E '^(universe|executable|arguments|request_)'
fi
