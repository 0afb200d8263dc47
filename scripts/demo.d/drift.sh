# aip drift: a batch check that finds drift (exit 1), one that does not, and a stream.
data="$(cd "$(dirname "$0")/.." && pwd)/../shared/data/drift" # beside the checkout
[ -d "$data" ] || data=/work/shared/data/drift
if [ -x "$bin/aip-drift" ] && [ -d "$data" ]; then
  step "aip drift detect -r ks-shift/reference.csv -c ks-shift/current.csv -m ks,cvm,wasserstein -f table"
  set +e; aip drift detect -r "$data/ks-shift/reference.csv" -c "$data/ks-shift/current.csv" -m ks,cvm,wasserstein --permutations 200 -f table; rc=$?; set -e
  echo "(exit $rc: drift)"
  step "aip drift detect -r ks-equal/reference.csv -c ks-equal/current.csv -f table"
  set +e; aip drift detect -r "$data/ks-equal/reference.csv" -c "$data/ks-equal/current.csv" -f table; rc=$?; set -e
  echo "(exit $rc: no drift)"
  step "tail -n +2 stream-1/values.csv | aip drift stream -m page-hinkley"
  set +e; tail -n +2 "$data/stream-1/values.csv" | aip drift stream -m page-hinkley; set -e
fi
