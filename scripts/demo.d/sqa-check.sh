# aip sqa-check: the aip repository assessed against the SQA baseline, its badge, and a gate.
src="$(cd "$(dirname "$0")/.." && pwd)"
if [ -x "$bin/aip-sqa-check" ]; then
  step "aip sqa-check $src -f table"
  set +e; aip sqa-check "$src" -f table; set -e
  step "aip sqa-check -f badge   # a shields.io endpoint badge"
  set +e; aip sqa-check "$src" -f badge; set -e
  step "aip sqa-check --require gold -f markdown | head -8"
  set +e; aip sqa-check "$src" --require gold -f markdown > "$work/sqa.md"; rc=$?; set -e
  head -8 "$work/sqa.md"
  echo "(exit $rc: 1 when the repository falls short of the required badge)"
fi
