#!/usr/bin/python3
"""The peers of bench/dispatch-k8s.sh: N Job creations (POST) to the same test server with
the same manifest, each with its own name.

  session URL CA TOKEN_FILE MANIFEST N   Python requests with one Session (kept-alive)
  curl    URL CA TOKEN_FILE MANIFEST N   one curl process per Job, as a shell loop would
Prints {"jobs", "submitted", "seconds", "per_second"}.
"""
import json
import subprocess
import sys
import time

mode, url, ca, token_file, manifest_file, n = sys.argv[1:7]
n = int(n)
token = open(token_file).read().strip()
manifest = json.load(open(manifest_file))
path = url + "/apis/batch/v1/namespaces/bench/jobs"
run = str(time.time_ns() % 1000000)
ok = 0
t0 = time.perf_counter()
if mode == "session":
    import requests
    s = requests.Session()
    s.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise replace verify
    s.verify = ca
    s.headers.update({"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json"})
    for i in range(n):
        manifest["metadata"]["name"] = "aip-peer-%s-%d" % (run, i)
        manifest["metadata"]["namespace"] = "bench"
        r = s.post(path, data=json.dumps(manifest))
        r.json()
        ok += r.status_code == 201
else:
    # The token goes through a header file, not argv.
    hdr = token_file + ".hdr"
    with open(hdr, "w") as f:
        f.write("Authorization: Bearer %s\nContent-Type: application/json\n" % token)
    for i in range(n):
        manifest["metadata"]["name"] = "aip-curl-%s-%d" % (run, i)
        manifest["metadata"]["namespace"] = "bench"
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", ca, "-H", "@" + hdr,
                              "--data-binary", "@-", path], input=json.dumps(manifest).encode(), capture_output=True)
        ok += out.stdout == b"201"
s = time.perf_counter() - t0
print(json.dumps({"jobs": n, "submitted": ok, "seconds": round(s, 4), "per_second": round(n / s, 1),
                  "cpu_seconds": round(time.process_time(), 4)}))
