#!/usr/bin/python3
"""Peers for bench-drift.sh, on the same .npy files: scipy.stats.ks_2samp, and a vectorised
numpy version of Frouros' MMD permutation test (Frouros itself cannot be installed here:
no PyPI). Usage: drift_peers.py ks REF CUR | mmd REF CUR PERMUTATIONS. Prints one JSON line."""
import json, resource, sys, time
import numpy as np
from scipy import stats

what, ref, cur = sys.argv[1], np.load(sys.argv[2]), np.load(sys.argv[3])
t0 = time.perf_counter()
if what == "ks":
    r = stats.ks_2samp(ref, cur)
    stat, p = r.statistic, r.pvalue
else:
    B = int(sys.argv[4])
    z = np.vstack([ref, cur]); n = len(ref)
    sq = np.sum(z * z, axis=1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * z @ z.T, 0)
    sigma = np.median(np.sqrt(d2[np.triu_indices(len(z), 1)]))
    k = np.exp(-d2 / (2 * sigma ** 2))
    def mmd(idx):
        x, y = idx[:n], idx[n:]
        kxx = k[np.ix_(x, x)]; kyy = k[np.ix_(y, y)]; kxy = k[np.ix_(x, y)]
        m = len(y)
        return ((kxx.sum() - np.trace(kxx)) / (n * (n - 1)) + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
                - 2 * kxy.mean())
    stat = mmd(np.arange(len(z)))
    rng = np.random.default_rng(1)
    b = sum(mmd(rng.permutation(len(z))) >= stat for _ in range(B))
    p = (b + 1) / (B + 1)
print(json.dumps({"statistic": float(stat), "p_value": float(p), "seconds": time.perf_counter() - t0,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
