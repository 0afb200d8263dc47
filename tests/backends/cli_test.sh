#!/usr/bin/env bash
# aip dispatch with the engine backends, from the command line: render for every backend
# (and kubectl's reading of the Job where kubectl is installed), then submit, run, status,
# watch and cancel through the Kubernetes and Nomad backends against the local HTTPS test
# server (tests/backends/api_server.py: the APIs' documented shapes; states set by the test),
# credentials from the [kubernetes] and [nomad] sections, and a wrong token (exit 69, the
# token in no message).
set -euo pipefail
bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
export AIP_STATE_DIR=$work/state XDG_CONFIG_HOME=$work/cfg AIP_SYSTEM_CONFIG=$work/aip.conf HOME=$work
unset KUBECONFIG NOMAD_TOKEN NOMAD_ADDR KUBERNETES_SERVICE_HOST
fail() { echo "FAIL: $*" >&2; [ -f "$work/state/events.jsonl" ] && tail -20 "$work/state/events.jsonl" >&2; exit 1; }
token=tok-$RANDOM-$RANDOM-never-shown
printf '%s\n' "$token" > "$work/token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
/usr/bin/python3 "$src/tests/backends/api_server.py" --port-file "$work/port" --cert "$work/cert.pem" --key "$work/key.pem" \
  --token "$token" --nomad-token "$token" &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
url=https://localhost:$(cat "$work/port")
ctl() { curl -sf --cacert "$work/cert.pem" -X "$1" "$url$2" ${3:+-d "$3"}; }
cat > "$work/aip.conf" <<CONF
[kubernetes]
server = $url
token-file = $work/token
ca-file = $work/cert.pem
namespace = research
priority-classes = interactive=aip-interactive, batch=aip-batch
gpu-models = A100=NVIDIA-A100-SXM4-80GB
ttl-after-finished = 2h

[nomad]
address = $url
token-file = $work/token
ca-file = $work/cert.pem
datacenters = dc1

[htcondor]
accounting-groups = interactive=group_interactive

[slurmrestd]
socket = /run/slurmrestd.sock
CONF

job=$("$bin/aip-submit" --image ai4oshub/yolo --gpus 1 --gpu-model A100 --cpus 2 --mem 4G --time 2h --queue gpu \
  --priority-class interactive --env 'A=it'"'"'s $(x)' -- python train.py --lr 0.1)
echo "$job" > "$work/job.jsonl"

# render: every backend, offline.
for b in kubernetes nomad htcondor slurmrestd slurm; do
  "$bin/aip-dispatch" render --backend "$b" "$work/job.jsonl" > "$work/render.$b" 2> "$work/err" || fail "render $b: $(cat "$work/err")"
done
/usr/bin/python3 - "$work" <<'PY' || fail "rendered forms"
import json, sys
w = sys.argv[1]
k = json.load(open(w + "/render.kubernetes"))
assert k["kind"] == "Job" and k["metadata"]["namespace"] == "research", k["metadata"]
assert k["metadata"]["labels"]["kueue.x-k8s.io/queue-name"] == "gpu"
assert k["metadata"]["labels"]["kueue.x-k8s.io/priority-class"] == "aip-interactive"
assert k["spec"]["ttlSecondsAfterFinished"] == 7200 and k["spec"]["activeDeadlineSeconds"] == 7200
pod = k["spec"]["template"]["spec"]
assert pod["nodeSelector"] == {"nvidia.com/gpu.product": "NVIDIA-A100-SXM4-80GB"}, pod
assert pod["containers"][0]["resources"]["limits"]["memory"] == str(4 << 30)
assert {"name": "A", "value": "it's $(x)"} in pod["containers"][0]["env"]
n = json.load(open(w + "/render.nomad"))["Job"]
assert n["Datacenters"] == ["dc1"] and n["TaskGroups"][0]["Tasks"][0]["Config"]["args"] == ["train.py", "--lr", "0.1"]
s = json.load(open(w + "/render.slurmrestd"))
assert s["job"]["time_limit"] == 120 and s["job"]["gres"] == "gpu:A100:1" and s["job"]["memory_per_node"] == 4096
c = open(w + "/render.htcondor").read()
assert "request_gpus = 1\n" in c and "accounting_group = group_interactive\n" in c and "$(DOLLAR)(x)" in c, c
PY
if command -v kubectl > /dev/null; then
  printf 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "%s", certificate-authority: "%s"}}]\nusers: [{name: u, user: {tokenFile: "%s"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n' \
    "$url" "$work/cert.pem" "$work/token" > "$work/kubeconfig"
  KUBECONFIG=$work/kubeconfig kubectl create --dry-run=client --validate=false -o name -f "$work/render.kubernetes" > "$work/kubectl.out" 2>&1 ||
    fail "kubectl: $(cat "$work/kubectl.out")"
  grep -q '^job.batch/aip-' "$work/kubectl.out" || fail "kubectl said $(cat "$work/kubectl.out")"
fi

# Kubernetes: submit (queued, submitted: suspended until Kueue admits it), run, end.
"$bin/aip-dispatch" submit --backend kubernetes "$work/job.jsonl" > "$work/ev1" 2> "$work/err" || fail "submit: $(cat "$work/err")"
id=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$work/job.jsonl")
name=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["backend_id"])' "$work/ev1")
[ "$(cut -d'"' -f8 < "$work/ev1" | tr '\n' ' ')" != "" ] || true
grep -q '"state":"queued"' "$work/ev1" && grep -q '"state":"submitted"' "$work/ev1" || fail "submit events: $(cat "$work/ev1")"
ctl PUT "/_test/k8s/research/$name" '{"suspend": false, "status": {"active": 1, "startTime": "2026-12-02T06:00:00Z"}}' > /dev/null
"$bin/aip-dispatch" run --once --backend kubernetes > "$work/ev2" 2> "$work/err" || fail "run: $(cat "$work/err")"
grep -q '"state":"running"' "$work/ev2" || fail "running: $(cat "$work/ev2")"
ctl PUT "/_test/k8s/research/$name" '{"status": {"failed": 1, "conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}]}, "pods": [{"status": {"containerStatuses": [{"name": "job", "state": {"terminated": {"exitCode": 7}}}]}}]}' > /dev/null
"$bin/aip-dispatch" run --once --backend kubernetes > "$work/ev3" 2> "$work/err" || fail "run: $(cat "$work/err")"
grep -q '"state":"failed"' "$work/ev3" && grep -q '"exit_code":7' "$work/ev3" || fail "failed with 7: $(cat "$work/ev3")"
"$bin/aip-dispatch" status --all -f csv > "$work/status" || fail "status"
grep -q "^$id,.*,failed,kubernetes,$name,7," "$work/status" || fail "status row: $(cat "$work/status")"
"$bin/aip-dispatch" watch --no-follow "$id" > "$work/watch" || fail "watch"
[ "$(grep -c . "$work/watch")" = 4 ] || fail "watch: queued, submitted, running, failed: $(cat "$work/watch")"

# Cancel: DELETE with background propagation; the next round sees it gone.
"$bin/aip-submit" --image busybox --time 10m -- sleep 600 > "$work/job2.jsonl"
id2=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$work/job2.jsonl")
"$bin/aip-dispatch" submit --backend kubernetes "$work/job2.jsonl" > /dev/null 2> "$work/err" || fail "submit 2: $(cat "$work/err")"
"$bin/aip-dispatch" cancel "$id2" 2> "$work/err" || fail "cancel: $(cat "$work/err")"
ctl GET /_test/requests | /usr/bin/python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin) if x["method"] == "DELETE"]
assert r and json.loads(r[-1]["body"])["propagationPolicy"] == "Background", r' || fail "DELETE with propagationPolicy Background"
"$bin/aip-dispatch" run --once --backend kubernetes > "$work/ev4" 2> "$work/err" || fail "run after cancel: $(cat "$work/err")"
"$bin/aip-dispatch" watch --no-follow "$id2" | grep -q '"state":"cancelled"' || fail "cancelled event"

# Nomad: the same commands.
"$bin/aip-submit" --image busybox --cpus 1 --mem 256M -- sh -c 'exit 0' > "$work/job3.jsonl"
id3=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$work/job3.jsonl")
"$bin/aip-dispatch" submit --backend nomad "$work/job3.jsonl" > "$work/ev5" 2> "$work/err" || fail "nomad submit: $(cat "$work/err")"
ctl PUT "/_test/nomad/aip-$id3" '[{"ID": "a1", "CreateIndex": 5, "ClientStatus": "complete", "DesiredStatus": "run", "TaskStates": {"job": {"State": "dead", "FinishedAt": "2026-12-02T06:01:00Z", "Events": [{"Type": "Terminated", "ExitCode": 0}]}}}]' > /dev/null
"$bin/aip-dispatch" run --once --backend nomad > "$work/ev6" 2> "$work/err" || fail "nomad run: $(cat "$work/err")"
grep -q '"state":"succeeded"' "$work/ev6" || fail "nomad succeeded: $(cat "$work/ev6")"

# A wrong token: the API server says 401; the job stays queued, the token is in no message.
printf 'wrong-%s\n' "$token" > "$work/token"
"$bin/aip-submit" --image busybox -- true > "$work/job4.jsonl"
set +e
"$bin/aip-dispatch" submit --backend kubernetes "$work/job4.jsonl" > "$work/ev7" 2> "$work/err"
rc=$?
set -e
[ "$rc" = 69 ] || fail "wrong token: exit $rc, expected 69: $(cat "$work/err")"
grep -q "HTTP 401" "$work/err" || fail "401 message: $(cat "$work/err")"
! grep -rq "$token" "$work/err" "$work/ev7" "$work/state" || fail "the token leaked"
echo "ok"
