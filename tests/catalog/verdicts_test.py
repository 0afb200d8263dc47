#!/usr/bin/python3
"""aip catalog validate against the upstream verdicts: for EVERY shared metadata file, the
verdict (valid or not) and the JSON pointers of the errors must equal what the upstream
ai4-metadata schemas gave (verdicts.json, recorded with python-jsonschema and PyYAML).
Usage: verdicts_test.py AIP_CATALOG DATA_DIR"""
import collections, json, subprocess, sys

binary, data = sys.argv[1], sys.argv[2]
verdicts = json.load(open(f"{data}/verdicts.json"))
files = [f"{data}/{v['file']}" for v in verdicts]
run = subprocess.run([binary, "validate", "--format", "jsonl", *files], capture_output=True, text=True)
if run.returncode != 65:  # two shared files do not parse: the run must end with 65
    sys.exit(f"exit status {run.returncode}, expected 65: {run.stderr}")
reports = [json.loads(line) for line in run.stdout.splitlines()]
assert len(reports) == len(verdicts), (len(reports), len(verdicts))
bad = 0
for v, r in zip(verdicts, reports):
    assert r["file"].endswith(v["file"]), (r["file"], v["file"])
    # The same errors: where (JSON pointer) and what kind (python-jsonschema's message
    # wording mapped to the keyword aip names).
    def kind(message):
        for words, keyword in (("is a required property", "required"), ("is not of type", "type"), ("is not one of", "enum"),
                               ("has non-unique elements", "uniqueItems"), ("parse error", "syntax"), ("does not match", "pattern"),
                               ("should not be valid under", "not"), ("is less than the minimum", "minimum")):
            if words in message:
                return keyword
        return "?" + message
    want = collections.Counter((e["json_pointer"], kind(e["message"])) for e in v["errors"])
    got = collections.Counter((e["pointer"], e["keyword"]) for e in r["errors"])
    if r["valid"] != v["valid"] or want != got:
        bad += 1
        print(f"MISMATCH {v['file']}: upstream valid={v['valid']} {dict(want)}; aip valid={r['valid']} {dict(got)}")
        for e in r["errors"]:
            print(f"   aip: {e['pointer']}: {e['message']}")
    # The schema aip applied is the one upstream applied.
    if v["schema_used"] and not v["schema_used"].endswith(f"v{r['schema_version']}.json"):
        bad += 1
        print(f"SCHEMA {v['file']}: upstream {v['schema_used']}, aip {r['schema_version']}")
    # Every error has a place in the file.
    for e in r["errors"]:
        if e["line"] < 1 or e["column"] < 1:
            bad += 1
            print(f"NO POSITION {v['file']}: {e}")
print(f"{len(verdicts)} files: {len(verdicts) - bad} agree with the upstream verdict")
sys.exit(1 if bad else 0)
