#!/usr/bin/python3
# Slower peers for the accounting benchmark, by project only: pandas (read_json in chunks of
# 100k lines, groupby sums) and Miller (mlr put + stats1). Prints one JSON line per peer:
# {peer, seconds, peak_rss_mb, result: {project: [jobs, cpu_hours]}}.
# Usage: account_peers.py FILE pandas|miller
import json, resource, subprocess, sys, time

path, peer = sys.argv[1:3]
t0 = time.perf_counter()
result = {}
if peer == "pandas":
    import pandas as pd
    parts = []
    for chunk in pd.read_json(path, lines=True, chunksize=100_000, dtype=False):
        chunk["core_s"] = chunk["cores"] * chunk["wall_s"]
        parts.append(chunk.groupby("project").agg(jobs=("record_id", "size"), core_s=("core_s", "sum")))
    total = pd.concat(parts).groupby(level=0).sum()
    result = {k: [int(r.jobs), float(r.core_s) / 3600] for k, r in total.iterrows()}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
else:
    out = subprocess.run(["mlr", "--ijsonl", "--ojson", "put", "$core_s = $cores * $wall_s",
                          "then", "stats1", "-a", "count,sum", "-f", "core_s", "-g", "project", path],
                         check=True, capture_output=True, text=True).stdout
    for r in json.loads(out):
        result[r["project"]] = [int(r["core_s_count"]), float(r["core_s_sum"]) / 3600]
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"peer": peer, "seconds": time.perf_counter() - t0, "peak_rss_mb": rss, "result": result}))
