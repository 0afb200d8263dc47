#!/usr/bin/env bash
# aip catalog from the command line: validate's exit statuses and messages, migrate checked
# by the upstream tool's own libraries (python3-jsonschema + PyYAML, as ai4-metadata uses
# them), sync against a local HTTP server speaking the raw-file protocol (changed,
# unchanged, 404, timeout, 503 then retry) and file://, list/search/show filters checked
# against a computation in Python over the same index, and a hostile module rendered inert.
set -euo pipefail
bin=$1
data=$2 # ../shared/data/catalog
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }
cat=("$bin/aip" catalog)
py=/usr/bin/python3
export XDG_STATE_HOME="$work/state" NO_COLOR=1

# ---- validate ----
ok=$data/ai4meta/ai4os-hub__ai4os-demo-app.ai4-metadata.yml
[ "$(status "${cat[@]}" validate "$ok")" = 0 ] || fail "valid file: $(cat "$work/err")"
grep -q "valid (ai4-metadata 2.0.0)" "$work/out" || fail "valid message"
yolo=$data/ai4meta/ai4os-hub__ai4os-yolov8-torch.ai4-metadata.yml
[ "$(status "${cat[@]}" validate "$ok" "$yolo")" = 1 ] || fail "invalid file exit"
grep -q "yolov8-torch.ai4-metadata.yml:26:3: error: /libraries/0: 'Pytorch' is not one of the allowed values.*did you mean 'PyTorch'.*\[/properties/libraries/items/enum\]" "$work/out" ||
  fail "enum message: $(cat "$work/out")"
date=$data/ai4meta/ai4os-hub__cold-coral-segmentation.ai4-metadata.yml
[ "$(status "${cat[@]}" validate "$date")" = 1 ] || fail "unquoted date exit"
grep -q '/dates/created: expected string, got the YAML timestamp .*quote it' "$work/out" || fail "date message: $(cat "$work/out")"
broken=$data/ai4meta/ai4os-hub__smartbay-dover-vqa.ai4-metadata.yml
[ "$(status "${cat[@]}" validate "$ok" "$broken")" = 65 ] || fail "syntax error exit"
grep -q "smartbay-dover-vqa.ai4-metadata.yml:3:80: error: YAML syntax" "$work/out" || fail "syntax message: $(cat "$work/out")"
[ "$(status "${cat[@]}" validate "$work/missing.yml")" = 66 ] || fail "missing file exit"
[ "$(status "${cat[@]}" validate --metadata-version 9.9.9 "$ok")" = 64 ] || fail "bad version exit"
[ "$(status "${cat[@]}" validate --bogus "$ok")" = 64 ] || fail "bad flag exit"
printf 'title: caf\xe9\n' > "$work/latin1.yml"
[ "$(status "${cat[@]}" validate "$work/latin1.yml")" = 65 ] || fail "non-UTF-8 exit"
grep -q "latin1.yml:1:11: error: not UTF-8" "$work/out" || fail "non-UTF-8 message: $(cat "$work/out")"
[ "$(status "${cat[@]}" validate --max-size 100 "$ok")" = 65 ] || fail "size limit exit"
grep -q "over the limit of 100" "$work/out" || fail "size message"
printf 'metadata_version: 2.0.0\ntitle: &t [a, *t]\n' > "$work/self.yml"
[ "$(status "${cat[@]}" validate "$work/self.yml")" = 65 ] || fail "recursive alias exit"
grep -q "self.yml:2:15: error: an alias refers to a node that contains it" "$work/out" || fail "recursive alias message: $(cat "$work/out")"
# From stdin; JSON Lines output carries the pointer in schema terms.
[ "$(status "${cat[@]}" validate -f jsonl < "$yolo")" = 1 ] || fail "stdin exit"
$py -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); e=r["errors"][0]; assert r["file"]=="<stdin>" and e["pointer"]=="/libraries/0" and e["schema_pointer"]=="/properties/libraries/items/enum" and e["line"]==26, r' "$work/out" ||
  fail "jsonl report"
# SARIF for CI: one result per error, on its line and column.
[ "$(status "${cat[@]}" validate -f sarif "$ok" "$yolo")" = 1 ] || fail "sarif exit"
$py - "$work/out" <<'PY' || fail "sarif: $(head -c 600 "$work/out")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["version"] == "2.1.0"
res = s["runs"][0]["results"]
assert len(res) == 1 and res[0]["ruleId"] == "enum" and res[0]["level"] == "error", res
loc = res[0]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"].endswith("yolov8-torch.ai4-metadata.yml") and loc["region"] == {"startLine": 26, "startColumn": 3}, loc
assert {r["id"] for r in s["runs"][0]["tool"]["driver"]["rules"]} == {"enum"}
PY
# --strict: the permissive schema accepts a misspelled key; strict names it.
satsr=$data/ai4meta/ai4os-hub__satsr.ai4-metadata.yml
[ "$(status "${cat[@]}" validate "$satsr")" = 0 ] || fail "satsr is valid upstream"
[ "$(status "${cat[@]}" validate --strict "$satsr")" = 1 ] || fail "strict satsr exit"
grep -q "/sata-type: unknown property 'sata-type' (did you mean 'data-type'?)" "$work/out" || fail "strict unknown key: $(cat "$work/out")"
printf 'metadata_version: 2.0.0\ntitle: a\ntitle: b\n' > "$work/dup.yml"
status "${cat[@]}" validate "$work/dup.yml" > /dev/null
grep -q "dup.yml:3:1: warning: /title: key written twice (first at line 2)" "$work/out" || fail "duplicate warning: $(cat "$work/out")"

# ---- migrate: every v1 file, checked by PyYAML + python3-jsonschema with the upstream schema ----
mkdir -p "$work/migrated"
for f in "$data"/deepmeta/*.json; do
  name=$(basename "$f" .metadata.json)
  "${cat[@]}" migrate "$f" -o "$work/migrated/$name.yml" 2> /dev/null || fail "migrate $f: $(cat "$work/err")"
  "${cat[@]}" migrate -f json "$f" -o "$work/migrated/$name.json" 2> /dev/null || fail "migrate json $f"
done
$py - "$work/migrated" "$data/schemata/ai4-apps-v2.3.0.json" <<'PY' || fail "migrated files rejected by the upstream schema"
import glob, json, sys, yaml
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[2])))
files = sorted(glob.glob(sys.argv[1] + "/*.yml")) + sorted(glob.glob(sys.argv[1] + "/*.json"))
assert len(files) == 60, len(files)
bad = 0
for f in files:
    doc = yaml.safe_load(open(f)) if f.endswith(".yml") else json.load(open(f))
    for e in v.iter_errors(doc):
        print(f, e.json_path, e.message); bad += 1
    assert doc["metadata_version"] == "2.3.0"
sys.exit(1 if bad else 0)
PY
"${cat[@]}" validate -q "$work"/migrated/* > /dev/null || fail "aip rejects its own migrated files"
# A v1 file that lacks what v2 needs: nothing is written, exit 1.
echo '{"title": "x"}' > "$work/thin.json"
[ "$(status "${cat[@]}" migrate "$work/thin.json" -o "$work/thin.yml")" = 1 ] || fail "thin migrate exit"
[ ! -e "$work/thin.yml" ] || fail "a failed migration left a file"

# ---- sync against a local HTTP server (the raw-file protocol) ----
srv=$work/srv
mkdir -p "$srv/ai4os-hub/good/HEAD" "$srv/ai4os-hub/bad/HEAD" "$srv/ai4os-hub/flaky/HEAD" "$srv/slow/ai4os-hub/late/HEAD"
cp "$ok" "$srv/ai4os-hub/good/HEAD/ai4-metadata.yml"
cp "$yolo" "$srv/ai4os-hub/bad/HEAD/ai4-metadata.yml"
cp "$ok" "$srv/ai4os-hub/flaky/HEAD/ai4-metadata.yml"
cp "$ok" "$srv/slow/ai4os-hub/late/HEAD/ai4-metadata.yml"
$py "$here/http_server.py" "$srv" "$work/port" "$work/http.log" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
mkdir -p "$work/repo-on-disk"
cp "$data/deepmeta/deephdc__DEEP-OC-conus-classification.metadata.json" "$work/repo-on-disk/metadata.json"
cat > "$work/list.txt" <<EOF
# one repository per line; a branch may follow
https://github.com/ai4os-hub/good
https://github.com/ai4os-hub/bad.git
https://github.com/ai4os-hub/gone
https://github.com/ai4os-hub/flaky
file://$work/repo-on-disk
EOF
raw="http://127.0.0.1:$port/{owner}/{repo}/{branch}/{file}"
sync_args=(--raw-url "$raw" --timeout 2s --retries 1 --retry-delay 10ms --jobs 4)
[ "$(status "${cat[@]}" sync "$work/list.txt" --out "$work/index.json" "${sync_args[@]}")" = 0 ] || fail "sync: $(cat "$work/err")"
grep -q "5 modules: 3 downloaded, 0 not modified, 1 from files, 2 invalid, 1 unreachable" "$work/err" || fail "sync counts: $(cat "$work/err")"
$py - "$work/index.json" <<'PY' || fail "index content"
import json, sys
idx = json.load(open(sys.argv[1]))
assert idx["kind"] == "aip.catalog-index/v1"
m = {x["id"]: x for x in idx["modules"]}
assert sorted(m) == ["bad", "flaky", "gone", "good", "repo-on-disk"], sorted(m)
assert m["good"]["valid"] is True and m["good"]["title"] == "ai4os-demo-app"
assert m["flaky"]["valid"] is True                              # 503 first, then the retry
assert m["bad"]["valid"] is False and "/libraries/0" in m["bad"]["errors"][0]
assert m["gone"]["valid"] is False and "HTTP 404" in m["gone"]["errors"][0], m["gone"]
assert m["repo-on-disk"]["valid"] is False and "/sources: missing required property 'code'" in m["repo-on-disk"]["errors"][0]
PY
# Unchanged: a second run downloads nothing (304 for every cached file).
: > "$work/http.log"
status "${cat[@]}" sync "$work/list.txt" --out "$work/index2.json" "${sync_args[@]}" > /dev/null
grep -q "0 downloaded, 3 not modified" "$work/err" || fail "resync counts: $(cat "$work/err")"
if grep -q '^200 ' "$work/http.log"; then fail "resync downloaded: $(cat "$work/http.log")"; fi
# Changed: one module edited upstream, one download.
printf '\n# edited\n' >> "$srv/ai4os-hub/good/HEAD/ai4-metadata.yml"
: > "$work/http.log"
status "${cat[@]}" sync "$work/list.txt" --out "$work/index3.json" "${sync_args[@]}" > /dev/null
[ "$(grep -c '^200 ' "$work/http.log")" = 1 ] || fail "changed module: $(cat "$work/http.log")"
# Timeout: a server slower than --timeout; the module stays, with the reason.
echo "http://127.0.0.1:$port/slow/ai4os-hub/late/HEAD/ai4-metadata.yml" > "$work/slow.txt"
[ "$(status "${cat[@]}" sync "$work/slow.txt" --out "$work/slow.json" --timeout 1s --retries 0 --no-cache)" = 0 ] || fail "slow sync exit"
grep -q '"unreachable: .*imed out' "$work/slow.json" || fail "timeout not recorded: $(cat "$work/slow.json")"
[ "$(status "${cat[@]}" sync "$work/slow.txt" --out "$work/slow.json" --timeout 1s --retries 0 --no-cache --fail-invalid)" = 1 ] || fail "--fail-invalid"
# The real AI4OS .gitmodules and DEEP MODULES.yml against a local mirror of the shared files.
mirror=$work/mirror
for f in "$data"/ai4meta/*.yml; do
  b=$(basename "$f" .ai4-metadata.yml); owner=${b%%__*}; repo=${b#*__}
  for br in HEAD main master; do mkdir -p "$mirror/$owner/$repo/$br"; cp "$f" "$mirror/$owner/$repo/$br/ai4-metadata.yml"; done
done
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
rm -f "$work/port"
$py "$here/http_server.py" "$mirror" "$work/port" "$work/http.log" &
server_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
for list in "$data/modules-catalog.gitmodules" "$data/deep-oc.MODULES.yml"; do
  status "${cat[@]}" sync "$list" --out "$work/real.json" --raw-url "http://127.0.0.1:$port/{owner}/{repo}/{branch}/{file}" --no-cache --retries 0 > /dev/null
  $py - "$list" "$work/real.json" <<'PY' || fail "sync of $list"
import json, re, sys
text = open(sys.argv[1]).read()
urls = re.findall(r"url = (\S+)", text) or re.findall(r"module: (\S+)", text)
idx = json.load(open(sys.argv[2]))["modules"]
assert len(idx) == len(urls), (len(idx), len(urls))          # nothing dropped
found = [m for m in idx if not any(e.startswith("unreachable") for e in m.get("errors", []))]
assert len(found) > 0 and all(m["title"] for m in found)
print(sys.argv[1].split("/")[-1], len(idx), "modules,", len(found), "fetched")
PY
done
# Bad lists: 65 with the place.
printf '[submodule "x"]\n\tpath = x\n' > "$work/bad.gitmodules"
[ "$(status "${cat[@]}" sync "$work/bad.gitmodules" --out "$work/x.json")" = 65 ] || fail "bad gitmodules exit"
grep -q "bad.gitmodules:1: submodule 'x' has no url" "$work/err" || fail "bad gitmodules message: $(cat "$work/err")"
printf 'https://github.com/a/b\nhttps://github.com/a/b.git\n' > "$work/twice.txt"
[ "$(status "${cat[@]}" sync "$work/twice.txt" --out "$work/x.json")" = 65 ] || fail "listed twice exit"
grep -q "twice.txt:2: .* is already listed at line 1" "$work/err" || fail "listed twice message"
echo "file://$work/self.txt" > "$work/self.txt"
[ "$(status "${cat[@]}" sync "$work/self.txt" --out "$work/x.json")" = 65 ] || fail "self list exit"
grep -q "self.txt:1: the list points at itself" "$work/err" || fail "self list message: $(cat "$work/err")"
echo "javascript:alert(1)" > "$work/js.txt"
[ "$(status "${cat[@]}" sync "$work/js.txt" --out "$work/x.json")" = 65 ] || fail "bad scheme exit"

# ---- list / search / show, checked against Python over the same index ----
idx=$work/index.json
status "${cat[@]}" list "$idx" -f jsonl > /dev/null
[ "$(wc -l < "$work/out")" = 5 ] || fail "list all"
check_filter() { # check_filter PYTHON-PREDICATE FLAGS...
  local pred=$1; shift
  status "${cat[@]}" list "$idx" -f jsonl "$@" > /dev/null
  $py - "$idx" "$work/out" "$pred" <<'PY' || fail "filter $*"
import json, sys
mods = json.load(open(sys.argv[1]))["modules"]
want = sorted(m["id"] for m in mods if eval(sys.argv[3]))
got = sorted(json.loads(l)["id"] for l in open(sys.argv[2]))
assert want == got, (sys.argv[3], want, got)
PY
}
check_filter '"PyTorch".lower() in [l.lower() for l in m["libraries"]]' --library pytorch
check_filter 'm.get("valid") is False' --invalid
check_filter 'm.get("valid") is True' --valid
check_filter '"AI4 trainable" in m.get("categories", [])' --category 'AI4 trainable'
check_filter 'm["resources"].get("memory_bytes", 0) <= 1 << 30' --max-memory 1G
check_filter 'm["resources"].get("memory_bytes", 0) <= 512 << 20' --max-memory 512M
check_filter 'm["resources"].get("gpus", 0) > 0 or m["resources"].get("training", {}).get("gpus", 0) > 0' --gpu
check_filter '"demo" in m["tags"]' --tag demo
[ "$(status "${cat[@]}" search "$idx" demo -f jsonl)" = 0 ] || fail "search exit"
$py -c 'import json,sys; ids=[json.loads(l)["id"] for l in open(sys.argv[1])]; assert ids[:2]==["flaky","good"] or ids[:2]==["good","flaky"], ids' "$work/out" || fail "search ranking: $(cat "$work/out")"
[ "$(status "${cat[@]}" search "$idx" nothing-like-this)" = 1 ] || fail "search with no match"
[ "$(status "${cat[@]}" show "$idx" good)" = 0 ] || fail "show"
grep -q "^title: *ai4os-demo-app" "$work/out" || fail "show text"
[ "$(status "${cat[@]}" show "$idx" nope)" = 1 ] || fail "show missing"
status "${cat[@]}" list "$idx" -f table > /dev/null
head -1 "$work/out" | grep -q "^ID .*TITLE .*VALID" || fail "table header"
# The records are aip.module/v1 as the schema says.
$py - "$here/../../schemas/aip.module.v1.schema.json" "$idx" <<'PY' || fail "module records against their schema"
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[1])))
for m in json.load(open(sys.argv[2]))["modules"]:
    errs = list(v.iter_errors(m))
    assert not errs, (m["id"], [e.message for e in errs])
PY

# ---- render: a hostile module stays text ----
cat > "$work/hostile.jsonl" <<'EOF'
{"kind":"aip.module/v1","id":"evil\"><script>alert(1)</script>","title":"<script>alert('title')</script>","summary":"</script><script>alert('summary')</script><!--","tags":["\"><img src=x onerror=alert(1)>","x' onmouseover='alert(2)"],"tasks":["Computer Vision"],"libraries":["PyTorch"],"links":{"source_code":"javascript:alert(3)","documentation":"JaVaScRiPt:alert(4)","dataset":"data:text/html,<script>alert(5)</script>","weights":"https://example.org/w\" onclick=\"alert(6)"},"resources":{},"license":"<b>MIT</b>","doi":"10.1234/\"><script>alert(7)</script>","description":"</pre><script>alert(8)</script>\u2028\u2029","valid":true}
{"kind":"aip.module/v1","id":"fine","title":"Fine module","summary":"Nothing odd","tags":["vision"],"tasks":["Classification"],"libraries":["Keras"],"links":{"source_code":"https://github.com/ai4os-hub/fine"},"resources":{"gpus":1,"memory_bytes":8589934592},"valid":true}
EOF
cat "$work/hostile.jsonl" "$idx" > /dev/null
[ "$(status "${cat[@]}" render "$work/hostile.jsonl" --out "$work/site" --title 'Catalog <test>')" = 0 ] || fail "render: $(cat "$work/err")"
$py "$here/site_check.py" "$work/site" 2 hostile || fail "hostile site check"
# The check itself catches what it is for: an injected script, a javascript: link, a handler.
for bad in '<script>alert(1)</script>' '<a href="javascript:alert(1)">x</a>' '<img src=x onerror=alert(1)>'; do
  rm -rf "$work/broken" && cp -r "$work/site" "$work/broken"
  printf '%s\n' "$bad" >> "$work/broken/index.html"
  if $py "$here/site_check.py" "$work/broken" 2 > /dev/null; then fail "site_check missed $bad"; fi
done
# The site is replaced as a whole; a folder aip did not write is refused.
"${cat[@]}" render "$idx" --out "$work/site" 2> /dev/null || fail "re-render"
$py "$here/site_check.py" "$work/site" 5 || fail "site check"
mkdir -p "$work/mine" && echo keep > "$work/mine/notes.txt"
[ "$(status "${cat[@]}" render "$idx" --out "$work/mine")" = 73 ] || fail "foreign folder not refused"
[ -f "$work/mine/notes.txt" ] || fail "foreign folder touched"
echo "cli_test: all passed"
