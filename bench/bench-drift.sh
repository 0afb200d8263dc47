#!/usr/bin/env bash
# aip drift beside its peers on the same inputs: scipy's ks_2samp (KS on 1e6 vs 1e6),
# Frouros' MMD permutation test (500 x 16 vs 500 x 16, 1000 permutations, the same sigma) and
# Frouros' ADWIN (1e6 classifier errors with a change at 500000). Frouros runs from a source
# tree named by FROUROS_DIR (kept outside the repository; without it the MMD peer is a numpy
# version of Frouros' algorithm and the ADWIN row is skipped). MMD on 20000 x 128 timed alone.
# Usage: [FROUROS_DIR=DIR] bench/bench-drift.sh [BUILD_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-build}" && pwd)
data="$here/data/drift"
mkdir -p "$data"
/usr/bin/python3 - "$data" <<'PY'
import numpy as np, os, sys
d = sys.argv[1]; rng = np.random.default_rng(20261122)
def save(name, a):
    if not os.path.exists(f"{d}/{name}.npy"): np.save(f"{d}/{name}.npy", a)
save("ks_ref", rng.normal(0, 1, 1_000_000)); save("ks_cur", rng.normal(0.002, 1, 1_000_000))
save("mmd_ref", rng.normal(0, 1, (500, 16))); save("mmd_cur", rng.normal(0.1, 1, (500, 16)))
save("big_ref", rng.normal(0, 1, (20000, 128)).astype("<f4")); save("big_cur", rng.normal(0.02, 1, (20000, 128)).astype("<f4"))
save("adwin_errors", np.concatenate([rng.binomial(1, 0.1, 500_000), rng.binomial(1, 0.3, 500_000)]).astype("<f8"))
PY
ratio() {
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
a, p, label = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
print(f"{label} [peer: {p['peer']}]: aip {a['seconds']:.3f} s, peer {p['seconds']:.3f} s: {p['seconds'] / a['seconds']:.1f}x; "
      f"statistic {a['statistic']:.10g} vs {p['statistic']:.10g}; p {a['p_value']:.4g} vs {p['p_value']:.4g}; "
      f"peak RSS {a['peak_rss_mb']:.0f} MB vs {p['peak_rss_mb']:.0f} MB")
PY
}
a=$("$build/bench/aip-bench-drift" ks "$data/ks_ref.npy" "$data/ks_cur.npy"); p=$("$here/drift_peers.py" ks "$data/ks_ref.npy" "$data/ks_cur.npy")
ratio "$a" "$p" "KS 1e6 vs 1e6 (scipy ks_2samp)"
sigma=2.0
a=$("$build/bench/aip-bench-drift" mmd "$data/mmd_ref.npy" "$data/mmd_cur.npy" 1000 $sigma); p=$("$here/drift_peers.py" mmd "$data/mmd_ref.npy" "$data/mmd_cur.npy" 1000 $sigma)
ratio "$a" "$p" "MMD 500x16, 1000 permutations, sigma $sigma"
if [ -n "${FROUROS_DIR:-}" ]; then
  a=$("$build/bench/aip-bench-drift" adwin "$data/adwin_errors.npy"); p=$("$here/drift_peers.py" adwin "$data/adwin_errors.npy")
  ratio "$a" "$p" "ADWIN over 1e6 errors (statistic: first drift; p: drifts)"
else
  echo "ADWIN: skipped (set FROUROS_DIR to a Frouros 0.9 source tree to compare)"
fi
echo "MMD 20000x128 (no permutations): $("$build/bench/aip-bench-drift" mmd "$data/big_ref.npy" "$data/big_cur.npy" 0)"
