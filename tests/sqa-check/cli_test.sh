#!/usr/bin/env bash
# aip sqa-check from the command line: exit statuses, every output format checked by an
# outside reader (jsonschema against the record schema and a SARIF 2.1.0 schema written from
# the OASIS specification, Python's XML parser for JUnit), the project file, linters, bad
# input, and aip's own repository.
set -euo pipefail
bin=$1
src=$2 # the aip checkout
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
status() { set +e; "$@" > "$work/out" 2> "$work/err"; rc=$?; set -e; echo $rc; }
export GIT_AUTHOR_NAME=T GIT_AUTHOR_EMAIL=t@example.org GIT_COMMITTER_NAME=T GIT_COMMITTER_EMAIL=t@example.org
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
py=/usr/bin/python3

# A small repository: licence, README, metadata, a shell script with a quoting bug, a tag.
repo=$work/repo
mkdir -p "$repo/scripts" "$repo/.github/workflows"
git -C "$repo" init -q -b main
cp /usr/share/common-licenses/Apache-2.0 "$repo/LICENSE"
printf '# Demo\n\nDemo shows what aip sqa-check reports on a small repository with a script.\n\n## Install\n\nmake install\n\n## Tests\n\nmake test\n' > "$repo/README.md"
printf 'cff-version: 1.2.0\nmessage: cite\ntitle: Demo\nauthors:\n  - name: Demo team\nversion: 0.2.0\n' > "$repo/CITATION.cff"
printf '#!/bin/sh\nrm -rf $1/tmp\n' > "$repo/scripts/clean.sh"
printf 'on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: echo "${{ github.event.head_commit.message }}"\n' > "$repo/.github/workflows/ci.yml"
git -C "$repo" add -A && git -C "$repo" commit -qm one && git -C "$repo" tag v0.2.0

# Table by default on a terminal is not testable here; --format table names the badge.
[ "$(status "$bin/aip" sqa-check "$repo" -f table)" = 0 ] || fail "table exit $(cat "$work/err")"
grep -q '^Badge: ' "$work/out" || fail "table has no badge line"
grep -q 'QC.Lic  Licensing: valid' "$work/out" || fail "licence not valid: $(grep -A4 QC.Lic "$work/out")"

# Gating: the repository lacks CONTRIBUTING and a code of conduct, so no badge: --require
# bronze exits 1, and so does --min-score 9.5; a waiver of QC.Doc with a reason lets bronze pass.
[ "$(status "$bin/aip" sqa-check "$repo" --require bronze -f json)" = 1 ] || fail "require bronze should fail"
grep -q 'error: badge none is below the required bronze' "$work/err" || fail "require message: $(cat "$work/err")"
[ "$(status "$bin/aip" sqa-check "$repo" --min-score 9.5 -f badge)" = 1 ] || fail "min-score should fail"
[ "$(status "$bin/aip" sqa-check "$repo" --require bronze --waive 'QC.Doc=docs live in the wiki' -f json)" = 0 ] || fail "waived bronze: $(cat "$work/err")"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["badge"]["awarded"]=="bronze", j["badge"]; assert any(c.get("waiver")=="docs live in the wiki" for c in j["checks"])' "$work/out" || fail "waiver not in json"

# The project file sets the same, and a flag overrides it.
printf 'require: silver\nwaive:\n  - id: QC.Doc\n    reason: docs live in the wiki\n' > "$repo/.sqa-check.yml"
[ "$(status "$bin/aip" sqa-check "$repo" -f badge)" = 1 ] || fail "project require silver should fail"
[ "$(status "$bin/aip" sqa-check "$repo" --require bronze -f badge)" = 0 ] || fail "flag should override the project file"
$py -c 'import json,sys; b=json.load(open(sys.argv[1])); assert b["schemaVersion"]==1 and b["label"]=="SQA" and b["message"].startswith("bronze "), b' "$work/out" || fail "badge json"
printf 'require: silver\nbogus: 1\n' > "$repo/.sqa-check.yml"
[ "$(status "$bin/aip" sqa-check "$repo")" = 65 ] || fail "bad project file exit"
grep -q "sqa-check.yml:2: unknown setting 'bogus'" "$work/err" || fail "bad project file message: $(cat "$work/err")"
rm "$repo/.sqa-check.yml"

# JSON Lines: 14 aip.sqa/v1 records, valid against the record schema.
status "$bin/aip" sqa-check "$repo" -f jsonl > /dev/null
$py - "$src/schemas/aip.sqa.v1.schema.json" "$work/out" <<'PY' || fail "jsonl records"
import json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[1])))
recs = [json.loads(l) for l in open(sys.argv[2])]
assert [r["id"] for r in recs] == ["QC.Acc","QC.Wor","QC.Man","QC.Rev","QC.Ver","QC.Lic","QC.Met","QC.Doc","QC.Sty","QC.Uni","QC.Har","QC.Sec","QC.Del","QC.Dep"], [r["id"] for r in recs]
for r in recs:
    errs = list(v.iter_errors(r))
    assert not errs, errs[0].message
lic = recs[5]
assert lic["valid"] and "Apache-2.0" in " ".join(lic["subcriteria"]["QC.Lic01"]["evidence"]), lic
PY

# SARIF 2.1.0 against the schema written from the specification, with the findings where
# they are: the untrusted commit message in run: at ci.yml line 7, the unpinned checkout at 6.
status "$bin/aip" sqa-check "$repo" -f sarif -o "$work/sqa.sarif" > /dev/null
[ -s "$work/sqa.sarif" ] || fail "sarif file not written"
$py - "$here/sarif-2.1.0-subset.schema.json" "$work/sqa.sarif" <<'PY' || fail "sarif"
import json, sys
from jsonschema import Draft7Validator
schema = json.load(open(sys.argv[1]))
Draft7Validator.check_schema(schema)
log = json.load(open(sys.argv[2]))
errs = list(Draft7Validator(schema).iter_errors(log))
assert not errs, f"{list(errs[0].absolute_path)}: {errs[0].message}"
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
where = {(r["ruleId"], l["physicalLocation"]["artifactLocation"]["uri"], l["physicalLocation"].get("region", {}).get("startLine"))
         for r in run["results"] for l in r["locations"]}
assert ("sec-dangerous-workflow", ".github/workflows/ci.yml", 7) in where, where
assert ("sec-pinned-actions", ".github/workflows/ci.yml", 6) in where, where
for r in run["results"]:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert not uri.startswith("/"), uri  # relative to SRCROOT
assert run["originalUriBaseIds"]["SRCROOT"]["uri"].startswith("file:///")
PY

# JUnit XML read by Python's parser: one testcase per check, failures match the JSON report.
status "$bin/aip" sqa-check "$repo" -f json > /dev/null; cp "$work/out" "$work/report.json"
status "$bin/aip" sqa-check "$repo" -f junit > /dev/null
$py - "$work/out" "$work/report.json" <<'PY' || fail "junit"
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
rep = json.load(open(sys.argv[2]))
cases = root.findall(".//testcase")
assert len(cases) == len(rep["checks"]), (len(cases), len(rep["checks"]))
failed = sum(1 for c in cases if c.find("failure") is not None)
assert failed == int(root.get("failures")) == sum(1 for c in rep["checks"] if c["status"] == "fail")
PY

# Markdown for job summaries.
status "$bin/aip" sqa-check "$repo" -f markdown > /dev/null
grep -q '^| QC.Lic | Licensing | ✅ valid |' "$work/out" || fail "markdown table: $(cat "$work/out")"

# --run-linters: shellcheck finds SC2086 in scripts/clean.sh line 2 and it reaches SARIF; a
# linter that is not installed is reported as not run.
if command -v shellcheck > /dev/null; then
  status "$bin/aip" sqa-check "$repo" --linters shellcheck -f sarif > /dev/null
  $py -c 'import json,sys; rs=json.load(open(sys.argv[1]))["runs"][0]["results"]; assert any(r["ruleId"]=="shellcheck/SC2086" and r["locations"][0]["physicalLocation"]["region"]["startLine"]==2 for r in rs), rs' "$work/out" || fail "shellcheck finding"
fi
PATH=/nonexistent status "$bin/aip-sqa-check" "$repo" --linters bandit -f json > /dev/null
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); l=j["linters"][0]; assert l["name"]=="bandit" and not l["installed"] and not l["ran"], l' "$work/out" || fail "bandit not installed"
[ "$(status "$bin/aip" sqa-check "$repo" --linters pylint)" = 64 ] || fail "unknown linter exit"

# Without the git program, HEAD is read from .git itself (and the walk cannot honour .gitignore).
head=$(git -C "$repo" rev-parse HEAD)
PATH=/nonexistent status "$bin/aip-sqa-check" "$repo" -f json > /dev/null
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["repository"]["swhid"]=="swh:1:rev:"+sys.argv[2], j["repository"]' "$work/out" "$head" || fail "HEAD without git"
grep -q "warning: git is not available: .gitignore is not honoured" "$work/err" || fail "no-git-program warning: $(cat "$work/err")"

# REUSE: the files sqa-check finds without licence or copyright information are the ones
# Debian's `reuse lint` lists, on a tree with a header-less file and a sidecar .license file.
if command -v reuse > /dev/null; then
  r=$work/reuse
  mkdir -p "$r/LICENSES" "$r/src"
  cp /usr/share/common-licenses/Apache-2.0 "$r/LICENSES/Apache-2.0.txt"
  printf '// SPDX-FileCopyrightText: 2026 T\n// SPDX-License-Identifier: Apache-2.0\nint a;\n' > "$r/src/a.c"
  printf 'int b;\n' > "$r/src/b.c"
  printf '// SPDX-License-Identifier: Apache-2.0\nint c;\n' > "$r/src/c.c"
  printf 'x' > "$r/src/d.bin"
  printf 'SPDX-FileCopyrightText: 2026 T\nSPDX-License-Identifier: Apache-2.0\n' > "$r/src/d.bin.license"
  printf '# R\n' > "$r/README.md"
  printf '# SPDX-FileCopyrightText: 2026 T\n# SPDX-License-Identifier: MIT\n' > "$r/src/e.py"
  git -C "$r" init -q -b main && git -C "$r" add -A && git -C "$r" commit -qm r
  status "$bin/aip" sqa-check "$r" -f json > /dev/null
  (cd "$r" && reuse lint > "$work/reuse.txt" || true)
  $py - "$work/out" "$work/reuse.txt" <<'PY' || fail "REUSE findings differ from reuse lint: $(cat "$work/reuse.txt")"
import json, sys
rep = json.load(open(sys.argv[1]))
locs = [l for c in rep["checks"] if c["id"] == "lic-reuse" for l in c.get("locations", [])]
ours = {l["path"] for l in locs if l["path"] != "LICENSES"}
theirs, missing, section = set(), None, ""
for line in open(sys.argv[2]):
    if line.startswith("# "): section = line[2:].strip()
    elif section == "MISSING COPYRIGHT AND LICENSING INFORMATION" and line.startswith("* "): theirs.add(line[2:].strip())
    elif section == "SUMMARY" and line.startswith("* Missing licenses:"): missing = line.split(":", 1)[1].strip()
assert ours == theirs == {"README.md", "src/b.c", "src/c.c"}, (ours, theirs)
# reuse lint's summary names MIT as a missing licence; so does sqa-check.
assert missing == "MIT", missing
assert [l["message"] for l in locs if l["path"] == "LICENSES"] == ["no licence text LICENSES/MIT.txt for MIT"], locs
PY
fi

# Bad input: a missing path (66), a bad flag value (64), malformed CI YAML reported as a
# finding, not a crash; a folder that is not a git repository is assessed with QC.Acc saying why.
[ "$(status "$bin/aip" sqa-check "$work/nope")" = 66 ] || fail "missing path exit"
[ "$(status "$bin/aip" sqa-check "$repo" --require platinum)" = 64 ] || fail "bad --require exit"
printf 'test:\n  script: [make\n' > "$repo/.gitlab-ci.yml"
[ "$(status "$bin/aip" sqa-check "$repo" -f json)" = 0 ] || fail "malformed yaml exit"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); c=[c for c in j["checks"] if c["id"]=="wor-ci-parse"][0]; assert c["status"]=="fail" and c["locations"][0]["path"]==".gitlab-ci.yml", c' "$work/out" || fail "malformed yaml finding"
mkdir -p "$work/plain" && cp "$repo/README.md" "$work/plain/" && ln -s . "$work/plain/self"
[ "$(status timeout 20 "$bin/aip" sqa-check "$work/plain" -f json)" = 0 ] || fail "plain folder"
$py -c 'import json,sys; j=json.load(open(sys.argv[1])); c=[c for c in j["checks"] if c["id"]=="acc-vcs"][0]; assert c["status"]=="fail" and "no .git" in c["evidence"][0], c' "$work/out" || fail "no git evidence"
grep -q "warning: not a git repository" "$work/err" || fail "no-git warning"

# aip's own repository: assessed, and gold. A checkout without git history (a tarball) or
# without its release tags (a clone that skipped them) cannot show QC.Ver's evidence, and
# silver needs QC.Ver: there bronze is what the tree alone earns.
want=bronze
if git -C "$src" rev-parse --is-inside-work-tree > /dev/null 2>&1 && [ -n "$(git -C "$src" tag -l 'v[0-9]*')" ]; then want=gold; fi
[ "$(status "$bin/aip" sqa-check "$src" --require "$want" -f json)" = 0 ] || fail "aip itself is below $want: $(cat "$work/err")"
$py - "$work/out" "$src/CITATION.cff" <<'PY' || fail "aip report"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["repository"]["files"] > 100
assert j["badge"]["awarded"] in ("bronze", "silver", "gold")
# The licence found in LICENSE is the one CITATION.cff declares.
declared = [l.split(":", 1)[1].strip() for l in open(sys.argv[2]) if l.startswith("license:")][0]
lic = [c for c in j["checks"] if c["id"] == "lic-spdx"][0]
assert lic["status"] == "pass" and f"LICENSE: {declared} " in lic["evidence"][0], (declared, lic)
PY

# Options from the INI configuration ([sqa-check] section) and AIP_* variables.
mkdir -p "$work/xdg/aip"
printf '[sqa-check]\nrequire = gold\n' > "$work/xdg/aip/aip.conf"
[ "$(XDG_CONFIG_HOME=$work/xdg AIP_SYSTEM_CONFIG=/nonexistent status "$bin/aip" sqa-check "$repo" -f badge)" = 1 ] || fail "INI require gold"
grep -q 'below the required gold' "$work/err" || fail "INI message: $(cat "$work/err")"
echo "sqa-check CLI: all passed"
