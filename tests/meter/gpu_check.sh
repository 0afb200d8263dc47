#!/usr/bin/env bash
# On a machine with an NVIDIA GPU: the NVML path of aip meter beside nvidia-smi. A job holding
# GPU 0 (CUDA_VISIBLE_DEVICES=0 in its environment, as aip's local backend sets it) is
# sampled through NVML and through nvidia-smi; both name the same GPU (uuid, model) and
# agree on its memory (within 5 % or 64 MiB) and power (within 25 %, both are momentary).
# Exit 77 (skipped) where there is no GPU. Prints both records.
set -euo pipefail
bin=$1
py=/usr/bin/python3
command -v nvidia-smi > /dev/null || { echo "no nvidia-smi: skipped"; exit 77; }
nvidia-smi -L > /dev/null 2>&1 || { echo "nvidia-smi finds no GPU: skipped"; exit 77; }
work=$(mktemp -d)
AIP_JOB_ID=gpu-check CUDA_VISIBLE_DEVICES=0 setsid sleep 30 &
job=$!
trap 'kill $job 2>/dev/null || true; rm -rf "$work"' EXIT
sleep 0.5
"$bin/aip-meter" sample --source proc --pgid "gpu-check=$job" --gpu nvml > "$work/nvml.jsonl"
"$bin/aip-meter" sample --source proc --pgid "gpu-check=$job" --gpu nvidia-smi > "$work/smi.jsonl"
echo "NVML:       $(grep gpu-check "$work/nvml.jsonl")"
echo "nvidia-smi: $(grep gpu-check "$work/smi.jsonl")"
$py - "$work/nvml.jsonl" "$work/smi.jsonl" <<'PY'
import json, sys
a = [r for r in map(json.loads, open(sys.argv[1])) if r["job_id"] == "gpu-check"][0]["gpus"]
b = [r for r in map(json.loads, open(sys.argv[2])) if r["job_id"] == "gpu-check"][0]["gpus"]
assert len(a) == 1 and len(b) == 1, (a, b)
a, b = a[0], b[0]
assert a["uuid"] == b["uuid"] and a["index"] == b["index"] == 0 and a["model"] == b["model"], (a, b)
if a["mem_used_bytes"] is not None and b["mem_used_bytes"] is not None:
    assert abs(a["mem_used_bytes"] - b["mem_used_bytes"]) <= max(0.05 * b["mem_used_bytes"], 64 << 20), (a, b)
if a["power_w"] is not None and b["power_w"] is not None:
    assert abs(a["power_w"] - b["power_w"]) <= 0.25 * max(b["power_w"], 1), (a, b)
print("NVML and nvidia-smi agree")
PY
