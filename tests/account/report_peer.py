#!/usr/bin/python3
# An independent computation of `aip account report --by DIM,PERIOD` over aip.usage/v1
# records, written from the documented meaning (aip-account(1), METRICS) with Python's own
# calendar: time split pro rata over the periods a job ran in; jobs, memory efficiency and
# wait counted in the period the job ended. Compares with aip's JSON Lines report.
# Usage: report_peer.py USAGE.jsonl DIM PERIOD(day|month) AIP_REPORT.jsonl
import datetime as dt, json, sys

usage, dim, period, report = sys.argv[1:]
UTC = dt.timezone.utc
def parse(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
def start_of(t):
    d = dt.datetime.fromtimestamp(t, UTC)
    return dt.datetime(d.year, d.month, 1 if period == "month" else d.day, tzinfo=UTC)
def following(p):
    if period == "day":
        return p + dt.timedelta(days=1)
    return dt.datetime(p.year + (p.month == 12), p.month % 12 + 1, 1, tzinfo=UTC)
def label(p):
    return p.strftime("%Y-%m" if period == "month" else "%Y-%m-%d")

acc = {}
def slot(key):
    return acc.setdefault(key, dict(jobs=0, wall=0.0, core=0.0, used=0.0, core_known=0.0, gpu=0.0, used_gpu=0.0,
                                    gpu_known=0.0, peak=0.0, req=0.0, wait=0.0, wait_jobs=0, cpu_jobs=0))
for line in open(usage):
    r = json.loads(line)
    s, e, wall = parse(r["start"]), parse(r["end"]), r["wall_s"]
    g = r.get(dim, "")
    end_p = start_of(e - 1e-6 if e > s else e)
    a = slot((g, label(end_p)))
    a["jobs"] += 1
    if r.get("cpu_s") is not None:
        a["cpu_jobs"] += 1
    if r.get("mem_peak_bytes") is not None and r.get("mem_req_bytes"):
        a["peak"] += r["mem_peak_bytes"]
        a["req"] += r["mem_req_bytes"]
    if r.get("submit"):
        a["wait"] += max(0, s - parse(r["submit"]))
        a["wait_jobs"] += 1
    shares = [(end_p, 1.0)] if e <= s else []
    p = start_of(s)
    while e > s and p.timestamp() < e:
        n = following(p)
        overlap = min(e, n.timestamp()) - max(s, p.timestamp())
        if overlap > 0:
            shares.append((p, overlap / (e - s)))
        p = n
    for p, f in shares:
        b = slot((g, label(p)))
        b["wall"] += f * wall
        b["core"] += f * wall * r["cores"]
        if r.get("cpu_s") is not None:
            b["used"] += f * r["cpu_s"]
            b["core_known"] += f * wall * r["cores"]
        b["gpu"] += f * wall * r.get("gpus", 0)
        if r.get("gpu_util_mean") is not None and r.get("gpus", 0) > 0:
            b["used_gpu"] += f * wall * r["gpus"] * r["gpu_util_mean"] / 100
            b["gpu_known"] += f * wall * r["gpus"]

rows = {(x[dim], x[period]): x for x in map(json.loads, open(report))}
assert set(rows) == set(acc), sorted(set(rows) ^ set(acc))[:5]
def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))
for key, a in acc.items():
    r = rows[key]
    want = {
        "jobs": a["jobs"], "wall_hours": a["wall"] / 3600, "cpu_hours": a["core"] / 3600,
        "used_cpu_hours": a["used"] / 3600 if a["core_known"] or a["cpu_jobs"] else None,
        "cpu_eff_pct": 100 * a["used"] / a["core_known"] if a["core_known"] else None,
        "gpu_hours": a["gpu"] / 3600,
        "used_gpu_hours": a["used_gpu"] / 3600 if a["gpu_known"] else None,
        "gpu_eff_pct": 100 * a["used_gpu"] / a["gpu_known"] if a["gpu_known"] else None,
        "mem_eff_pct": 100 * a["peak"] / a["req"] if a["req"] else None,
        "wait_hours": a["wait"] / 3600 if a["wait_jobs"] else None,
    }
    for k, v in want.items():
        assert close(r[k], v), (key, k, r[k], v)
print(f"report_peer: {len(acc)} rows agree")
