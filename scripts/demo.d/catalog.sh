# aip catalog: validate real module metadata (one valid, one with a typo, one unquoted
# date), gather a small catalog from file:// repositories, search it, and render the site.
data="$(cd "$(dirname "$0")/.." && pwd)/../shared/data/catalog" # beside the checkout
[ -d "$data" ] || data=/work/shared/data/catalog
if [ -x "$bin/aip-catalog" ] && [ -d "$data" ]; then
  m=$data/ai4meta
  step "aip catalog validate ai4os-demo-app.yml ai4os-yolov8-torch.yml cold-coral-segmentation.yml"
  set +e
  aip catalog validate "$m/ai4os-hub__ai4os-demo-app.ai4-metadata.yml" "$m/ai4os-hub__ai4os-yolov8-torch.ai4-metadata.yml" \
    "$m/ai4os-hub__cold-coral-segmentation.ai4-metadata.yml"
  rc=$?; set -e
  echo "(exit $rc: invalid files)"
  step "aip catalog validate --strict satsr.yml   # the permissive schema misses the typo"
  set +e; aip catalog validate --strict "$m/ai4os-hub__satsr.ai4-metadata.yml"; set -e
  step "aip catalog migrate DEEP-OC-plant-classification-theano/metadata.json   # v1 -> 2.3.0"
  aip catalog migrate "$data/deepmeta/deephdc__DEEP-OC-plant-classification-theano.metadata.json" 2> /dev/null | head -20
  for f in "$m"/ai4os-hub__*.yml "$data"/deepmeta/deephdc__DEEP-OC-{mods,satsr}.metadata.json; do echo "file://$f"; done > "$work/modules.txt"
  step "aip catalog sync modules.txt --out index.json   # $(wc -l < "$work/modules.txt") file:// modules"
  aip catalog sync "$work/modules.txt" --out "$work/index.json" --no-cache 2>&1 | tail -1
  step "aip catalog search index.json plankton -f table"
  aip catalog search "$work/index.json" plankton -f table
  step "aip catalog list index.json --library PyTorch --valid -f table"
  aip catalog list "$work/index.json" --library PyTorch --valid -f table
  site="$build/demo/catalog-site"
  step "aip catalog render index.json --out $site"
  aip catalog render "$work/index.json" --out "$site" --title "AI4OS modules (demo)"
  echo "The marketplace is at file://$site/index.html"
fi
