#!/usr/bin/python3
"""The JSON Schemas of every record kind against their examples, targeted bad cases, and
what the C++ readers/writers produce from the examples.
Usage: schemas_test.py SCHEMAS_DIR [RECORDS_ROUNDTRIP_BINARY]"""
import json, glob, os, re, copy, subprocess, sys
from jsonschema import Draft202012Validator, FormatChecker
RFC3339 = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$")  # noqa: E501
fc = FormatChecker()
@fc.checks("date-time")
def dt(v):
    return not isinstance(v, str) or bool(RFC3339.match(v))
D = sys.argv[1]
ROUNDTRIP = sys.argv[2] if len(sys.argv) > 2 else None
bad = 0
for path in sorted(glob.glob(D + "/*.schema.json")):
    schema = json.load(open(path))
    Draft202012Validator.check_schema(schema)
    stem = os.path.basename(path)[:-len(".schema.json")]
    assert schema["$id"] == "https://aip.example.org/schemas/" + os.path.basename(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    v = Draft202012Validator(schema, format_checker=fc)
    lines = [json.loads(l) for l in open(f"{D}/examples/{stem}.jsonl") if l.strip()]
    for i, rec in enumerate(lines, 1):
        errs = list(v.iter_errors(rec))
        for e in errs: print(f"{stem}:{i}: INVALID {e.json_path}: {e.message}"); bad += 1
        # Each required field removed must fail.
        for req in schema["required"]:
            r = copy.deepcopy(rec); r.pop(req)
            if v.is_valid(r): print(f"{stem}:{i}: missing {req} still valid"); bad += 1
        # Wrong kind must fail; an unknown field must pass (except report with a non-scalar).
        r = copy.deepcopy(rec); r["kind"] = "aip.other/v1"
        if v.is_valid(r): print(f"{stem}:{i}: wrong kind valid"); bad += 1
        r = copy.deepcopy(rec); r["x_future_field"] = "hello"
        if not v.is_valid(r): print(f"{stem}:{i}: unknown field rejected"); bad += 1
    if ROUNDTRIP:
        text = open(f"{D}/examples/{stem}.jsonl").read()
        run = subprocess.run([ROUNDTRIP], input=text, capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{stem}: the C++ reader rejected an example: {run.stderr.strip()}"); bad += 1
        back = [json.loads(l) for l in run.stdout.splitlines() if l.strip()]
        if run.returncode == 0 and len(back) != len(lines):
            print(f"{stem}: C++ wrote {len(back)} records for {len(lines)}"); bad += 1
        for i, rec in enumerate(back, 1):
            for e in v.iter_errors(rec):
                print(f"{stem}:{i}: C++ output INVALID {e.json_path}: {e.message}"); bad += 1
    print(f"{stem}: schema ok, {len(lines)} example lines checked")
# Targeted negative cases.
def load(stem): return Draft202012Validator(json.load(open(f"{D}/{stem}.schema.json")), format_checker=fc)
def first(stem): return json.loads(open(f"{D}/examples/{stem}.jsonl").readline())
cases = [
 ("aip.job.v1", lambda r: r.update(id=""), False),
 ("aip.job.v1", lambda r: r.update(command=[]), False),
 ("aip.job.v1", lambda r: r["resources"].update(cpus=0), False),
 ("aip.job.v1", lambda r: r["resources"].pop("memory_bytes"), False),
 ("aip.job.v1", lambda r: r["owner"].pop("user"), False),
 ("aip.job.v1", lambda r: r.update(walltime_s=0), False),
 ("aip.job.v1", lambda r: r.update(walltime_s=1.5), False),
 ("aip.job.v1", lambda r: r.update(priority_class="urgent"), False),
 ("aip.job.v1", lambda r: r.update(submitted_at="22/11/2026"), False),
 ("aip.job.v1", lambda r: r.update(env={"A": 1}), False),
 ("aip.job.v1", lambda r: r["mounts"][0].pop("target"), False),
 ("aip.event.v1", lambda r: r.update(state="done"), False),
 ("aip.event.v1", lambda r: r.update(exit_code=1.5), False),
 ("aip.sample.v1", lambda r: r.update(cpu_s=-1), False),
 ("aip.sample.v1", lambda r: r["gpus"][0].update(util_pct=101), False),
 ("aip.sample.v1", lambda r: r["gpus"][0].pop("uuid"), False),
 ("aip.usage.v1", lambda r: r.update(record_id=""), False),
 ("aip.usage.v1", lambda r: r.update(gpu_util_mean=-3), False),
 ("aip.usage.v1", lambda r: r.update(mem_peak_bytes=-1), False),
 ("aip.report.v1", lambda r: r.update(extra=[1]), False),
 ("aip.report.v1", lambda r: r.update(extra=True), False),
 ("aip.report.v1", lambda r: r.update(user="dave", cpu_h=None), True),
 ("aip.drift.v1", lambda r: r.update(p_value=1.5), False),
 ("aip.drift.v1", lambda r: r.update(level="alarm"), False),
 ("aip.drift.v1", lambda r: r.update(statistic=None), False),
 ("aip.drift.v1", lambda r: (r.update(statistic=None), r["params"].update(statistic_inf="+inf")), True),
 ("aip.module.v1", lambda r: r.update(id=""), False),
 ("aip.module.v1", lambda r: r.update(tags="a,b"), False),
 ("aip.sqa.v1", lambda r: r.update(badge="platinum"), False),
 ("aip.sqa.v1", lambda r: r.update(score=100.5), False),
 ("aip.sqa.v1", lambda r: r["subcriteria"]["QC.Lic01"].pop("valid"), False),
 ("aip.sqa.v1", lambda r: r["subcriteria"]["QC.Lic01"].update(level="REQUIRED"), False),
 ("aip.sqa.v1", lambda r: r.update(next_badge="platinum"), False),
]
for stem, mutate, want in cases:
    r = first(stem); mutate(r)
    got = load(stem).is_valid(r)
    if got != want: print("case failed:", stem, want, got, r); bad += 1
print(f"{len(cases)} targeted cases checked; problems: {bad}")
sys.exit(1 if bad else 0)
