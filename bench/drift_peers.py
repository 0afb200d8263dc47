#!/usr/bin/python3
"""Peers for bench-drift.sh, on the same .npy files. Prints one JSON line.

  drift_peers.py ks REF CUR              scipy.stats.ks_2samp
  drift_peers.py mmd REF CUR B SIGMA     Frouros' MMD with its permutation test when
                                         FROUROS_DIR names a Frouros 0.9 source tree, else
                                         a vectorised numpy version of the same algorithm
  drift_peers.py adwin VALUES            Frouros' ADWIN, update by update (needs FROUROS_DIR)

Frouros is never installed into the project: FROUROS_DIR points at a checkout kept outside
the repository (git clone --branch v0.9.0 https://github.com/IFCA-Advanced-Computing/frouros).
"""
import json, os, resource, sys, time
import numpy as np
from scipy import stats


def frouros():
    path = os.environ.get("FROUROS_DIR")
    if not path:
        return False
    sys.path.insert(0, path)
    import scipy.stats
    if not hasattr(scipy.stats, "bws_test"):  # Frouros 0.9 imports it; Debian's scipy 1.10 lacks it
        scipy.stats.bws_test = None
    return True


what = sys.argv[1]
peer = "scipy"
t0 = time.perf_counter()
if what == "ks":
    ref, cur = np.load(sys.argv[2]), np.load(sys.argv[3])
    t0 = time.perf_counter()
    r = stats.ks_2samp(ref, cur)
    stat, p = r.statistic, r.pvalue
elif what == "adwin":
    if not frouros():
        sys.exit("adwin: set FROUROS_DIR to a Frouros 0.9 source tree")
    from frouros.detectors.concept_drift import ADWIN
    values = np.load(sys.argv[2])
    t0 = time.perf_counter()
    d, stat, p = ADWIN(), -1, 0
    for i, v in enumerate(values):
        d.update(value=v)
        if d.drift:
            stat = i if stat < 0 else stat
            p += 1
            d.reset()
    peer = "frouros"
else:
    ref, cur = np.load(sys.argv[2]), np.load(sys.argv[3])
    B, sigma = int(sys.argv[4]), float(sys.argv[5])
    t0 = time.perf_counter()
    if frouros():
        from functools import partial
        from frouros.callbacks import PermutationTestDistanceBased
        from frouros.detectors.data_drift import MMD
        from frouros.utils.kernels import rbf_kernel
        t0 = time.perf_counter()
        det = MMD(kernel=partial(rbf_kernel, sigma=sigma),
                  callbacks=[PermutationTestDistanceBased(num_permutations=B, random_state=1, num_jobs=-1)])
        det.fit(X=ref)
        result, logs = det.compare(X=cur)
        stat, p = result.distance, logs["PermutationTestDistanceBased"]["p_value"]
        peer = "frouros"
    else:
        z = np.vstack([ref, cur]); n = len(ref)
        sq = np.sum(z * z, axis=1)
        d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * z @ z.T, 0)
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
        peer = "numpy"
print(json.dumps({"statistic": float(stat), "p_value": float(p), "seconds": time.perf_counter() - t0,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "peer": peer}))
