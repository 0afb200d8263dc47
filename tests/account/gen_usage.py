#!/usr/bin/python3
# Writes N aip.usage/v1 records (deterministic for a seed) with every field the reports use:
# jobs across hour, day and month boundaries, jobs of no length, jobs ending exactly at
# midnight, unknown CPU time, GPU utilisation and submit times now and then.
# Usage: gen_usage.py N [SEED] > usage.jsonl
import json, random, sys, datetime as dt

n = int(sys.argv[1])
rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
t0 = 1767225600  # 2026-01-01T00:00:00Z
def ts(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for i in range(n):
    start = t0 + rng.randrange(120 * 86400)
    kind = rng.random()
    if kind < 0.05:
        wall = 0
    elif kind < 0.10:
        wall = (start // 86400 + 1) * 86400 - start  # ends at midnight
    else:
        wall = rng.randrange(1, 5 * 86400)
    gpus = rng.choice([0, 0, 1, 2, 4])
    r = {"kind": "aip.usage/v1", "record_id": f"gen:{i}", "job_id": str(1000 + i),
         "user": f"user{rng.randrange(9)}", "project": f"proj{rng.randrange(4)}",
         "vo": rng.choice(["vo.a.eu", "vo.b.eu", ""]), "site": rng.choice(["ifca", "cnaf"]),
         "queue": rng.choice(["gpu", "cpu"]), "start": ts(start), "end": ts(start + wall), "wall_s": wall,
         "cores": rng.choice([1, 2, 4, 8, 16]), "gpus": gpus,
         "state": rng.choice(["succeeded", "failed", "cancelled", "timeout"]), "source": "gen"}
    if rng.random() < 0.8:
        r["cpu_s"] = round(r["cores"] * wall * rng.random(), 3)
    if rng.random() < 0.7:
        r["submit"] = ts(start - rng.randrange(7200))
    if rng.random() < 0.7:
        r["mem_req_bytes"] = rng.randrange(1, 64) << 30
        r["mem_peak_bytes"] = rng.randrange(1, r["mem_req_bytes"])
    if gpus:
        r["gpu_model"] = rng.choice(["a100", "v100", "t4"])
        r["gpu_util_mean"] = round(rng.random() * 100, 1) if rng.random() < 0.7 else None
    print(json.dumps(r, separators=(",", ":")))
