#!/usr/bin/env bash
# aip submit from the command line: flags, job files and the session become aip.job/v1
# records (checked against the JSON Schema and against values worked out by hand), site
# limits refuse with exit 1 naming the limit, bad input exits 65/66/64, --enqueue queues.
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf
unset AIP_QUEUE AIP_PROJECT AIP_VO
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }
py() { /usr/bin/python3 - "$@"; }
: > "$work/aip.conf"

# Flags: 16G is 16 GiB (17179869184), 2h30m is 9000 s; the command keeps every argument.
[ "$(status "$bin/aip-submit" --name train --cpus 4 --mem 16G --gpus 1 --gpu-model A100 --time 2h30m --queue gpu \
      --project uc3 --vo vo.imagine-ai.eu --priority-class opportunistic --requeue --env 'A=$(x)' --label exp=1 \
      --mount /data:/mnt/data:ro --workdir /srv -- python train.py --lr '0.1 0.2')" = 0 ] || fail "flags: $(cat "$work/err")"
py "$work/out" "$src/schemas/aip.job.v1.schema.json" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
r = json.loads(open(sys.argv[1]).read())
Draft202012Validator(json.load(open(sys.argv[2]))).validate(r)
assert r["resources"] == {"cpus": 4.0, "memory_bytes": 17179869184, "gpus": 1, "gpu_model": "A100"}, r["resources"]
assert r["walltime_s"] == 9000, r["walltime_s"]
assert r["command"] == ["python", "train.py", "--lr", "0.1 0.2"], r["command"]
assert r["env"] == {"A": "$(x)"} and r["labels"] == {"exp": "1"} and r["requeue"] is True
assert r["owner"]["project"] == "uc3" and r["owner"]["vo"] == "vo.imagine-ai.eu" and r["priority_class"] == "opportunistic"
assert r["mounts"] == [{"source": "/data", "target": "/mnt/data", "read_only": True}]
PY

# A job file; flags override its fields, and it needs no kind, id or owner.
cat > "$work/job.json" <<'J'
{"name": "from-file", "command": ["./run.sh"], "resources": {"cpus": 2, "memory_bytes": 1000}, "walltime_s": 60}
J
[ "$(status "$bin/aip-submit" --file "$work/job.json" --cpus 3)" = 0 ] || fail "file: $(cat "$work/err")"
py "$work/out" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["name"] == "from-file" and r["resources"]["cpus"] == 3 and r["resources"]["memory_bytes"] == 1000 and r["walltime_s"] == 60, r
PY

# The session: this folder, the conda environment first on PATH, chosen variables only.
mkdir -p "$work/proj"
(cd "$work/proj" && CONDA_PREFIX=/opt/conda/envs/torch CONDA_DEFAULT_ENV=torch SECRET=x PATH=/usr/bin:/bin \
   "$bin/aip-submit" --from-session -- python eval.py) > "$work/out"
py "$work/out" "$work/proj" <<'PY'
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["workdir"] == sys.argv[2], r["workdir"]
assert r["env"]["PATH"] == "/opt/conda/envs/torch/bin:/usr/bin:/bin", r["env"]
assert "SECRET" not in r["env"] and r["labels"]["conda_env"] == "torch"
PY

# Site limits from the configuration: refusals exit 1 and name the limit and its line.
cat > "$work/aip.conf" <<'C'
[limits]
max-walltime = 1d
max-user-gpus = 3
[queue gpu]
max-gpus = 2
images = ai4oshub/*
[vo vo.small]
max-memory = 4G
C
[ "$(status "$bin/aip-submit" --queue gpu --gpus 4 --image ai4oshub/yolo -- true)" = 1 ] || fail "max-gpus exit"
grep -q "refused by max-gpus = 2 of queue 'gpu' ($work/aip.conf:5): the job asks for 4, at most 2 allowed" "$work/err" || fail "max-gpus: $(cat "$work/err")"
[ "$(status "$bin/aip-submit" --queue gpu --gpus 1 --image evil/miner -- true)" = 1 ] || fail "images exit"
grep -q "refused by images = ai4oshub/\* of queue 'gpu'" "$work/err" || fail "images: $(cat "$work/err")"
[ "$(status "$bin/aip-submit" --vo vo.small --mem 5G -- true)" = 1 ] || fail "vo memory exit"
grep -q "max-memory = 4G of vo 'vo.small'.*asks for 5 GiB" "$work/err" || fail "vo memory: $(cat "$work/err")"
[ "$(status "$bin/aip-submit" --time 2d -- true)" = 1 ] || fail "walltime exit"
# The per-user cap counts queued jobs: 2 + 1 GPUs queued, a third GPU job is refused.
"$bin/aip-submit" --enqueue --queue gpu --image ai4oshub/a --gpus 2 -- true > /dev/null
"$bin/aip-submit" --enqueue --gpus 1 -- true > /dev/null
[ "$(status "$bin/aip-submit" --enqueue --gpus 1 -- true)" = 1 ] || fail "user cap exit"
grep -q "refused by max-user-gpus = 3 of the site limits \[limits\] ($work/aip.conf:3): user '$(id -un)' holds 3 GPUs in running and queued jobs and the job asks for 1 more; at most 3 allowed" "$work/err" || fail "user cap: $(cat "$work/err")"
[ "$(ls "$work/state/queue/new" | wc -l)" = 2 ] || fail "refused job was queued"
# --enqueue prints the id, and the queue holds the record under it.
id=$("$bin/aip-submit" --enqueue -- echo hi)
[ -f "$work/state/queue/new/$id.json" ] || fail "enqueue: no $id.json"
grep -q "\"job_id\":\"$id\".*\"state\":\"queued\"" "$work/state/events.jsonl" || fail "no queued event"
: > "$work/aip.conf"

# Bad input: 65 naming the field, 66 for a missing file, 64 for bad flags, 1 never.
echo '{"command": "python train.py"}' > "$work/bad.json"
[ "$(status "$bin/aip-submit" --file "$work/bad.json")" = 65 ] || fail "bad command exit"
grep -q "bad.json: field 'command': expected an array" "$work/err" || fail "bad command message: $(cat "$work/err")"
echo '{"command": ["x"], "id": "../../etc/passwd"}' > "$work/bad.json"
[ "$(status "$bin/aip-submit" --file "$work/bad.json")" = 65 ] || fail "bad id exit"
grep -q "field 'id': '../../etc/passwd' is not a safe name" "$work/err" || fail "bad id message"
echo 'not json' > "$work/bad.json"
[ "$(status "$bin/aip-submit" --file "$work/bad.json")" = 65 ] || fail "not json exit"
[ "$(status "$bin/aip-submit" --file "$work/missing.json")" = 66 ] || fail "missing file exit"
[ "$(status "$bin/aip-submit" --mem lots -- true)" = 64 ] || fail "bad size exit"
[ "$(status "$bin/aip-submit" --priority-class urgent -- true)" = 64 ] || fail "bad class exit"
[ "$(status "$bin/aip-submit" --cpus 1)" = 65 ] || fail "no command exit"
grep -q "no command" "$work/err" || fail "no command message"
printf '[limits]\nmax-gpu = 1\n' > "$work/aip.conf"
[ "$(status "$bin/aip-submit" -- true)" = 64 ] || fail "bad config exit"
grep -q "aip.conf:2: unknown key 'max-gpu' in \[limits\]" "$work/err" || fail "bad config message"
: > "$work/aip.conf"
"$bin/aip-submit" --help | grep -q "Examples:" || fail "help"
echo "submit.cli: PASS"
