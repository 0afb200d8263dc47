#!/usr/bin/env bash
# The rendered marketplace in a real browser: Debian's chromium, headless, opens the index
# page with a filter in its address (#tag=..., which the page's script applies as a user's
# choice would), and the DOM after the script ran must show exactly the modules with that
# tag; a screenshot of the filtered page is kept as a test artefact. The hostile module is
# in the catalog: its title must still be text in the DOM, and no injected element exists.
# Usage: browser_test.sh BIN_DIR ARTEFACT_DIR    (exit 77, skipped, without chromium)
set -euo pipefail
bin=$1
artefacts=$2
browser=$(command -v chromium || true)
[ -n "$browser" ] || { echo "chromium not installed: skipped"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$artefacts"
cat > "$work/index.jsonl" <<'JSONL'
{"kind":"aip.module/v1","id":"evil","title":"<img src=x onerror=\"document.title='pwned'\">","summary":"</script><script>document.title='pwned'</script>","tags":["vision","\"><script>document.title='pwned'</script>"],"tasks":["Computer Vision"],"libraries":["PyTorch"],"links":{"source_code":"javascript:document.title='pwned'"},"resources":{},"valid":true}
{"kind":"aip.module/v1","id":"plankton","title":"Phytoplankton classifier","summary":"Classifies plankton images","tags":["vision","biology"],"tasks":["Classification"],"libraries":["TensorFlow"],"links":{"source_code":"https://github.com/ai4os-hub/phyto-plankton-classification"},"resources":{"gpus":1,"memory_bytes":8589934592},"license":"MIT","doi":"10.5281/zenodo.1234567","valid":true}
{"kind":"aip.module/v1","id":"speech","title":"Speech to text","summary":"Transcribes audio","tags":["audio"],"tasks":["Natural Language Processing"],"libraries":["TensorFlow"],"links":{"source_code":"https://github.com/ai4os-hub/ai4os-speech-to-text-tf"},"resources":{},"valid":false,"errors":["x.yml:1:1: missing required property 'tags'"]}
JSONL
"$bin/aip" catalog render "$work/index.jsonl" --out "$work/site" 2> /dev/null
url="file://$work/site/index.html#tag=vision"
flags=(--headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking --disable-component-update
       --disable-sync --user-data-dir="$work/profile" --virtual-time-budget=3000)
timeout 120 "$browser" "${flags[@]}" --dump-dom "$url" > "$work/dom.html" 2> "$work/chromium.log" || fail "chromium: $(tail -5 "$work/chromium.log")"
/usr/bin/python3 - "$work/dom.html" <<'PY' || fail "filtered DOM"
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(self):
        super().__init__(); self.cards = []; self.count = None; self.in_count = False; self.title = ""; self.in_title = False; self.imgs = 0
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "li" and "card" in (a.get("class") or ""):
            self.cards.append(("hidden" in a, a.get("data-tags", "").split("\n")))
        if a.get("id") == "count": self.in_count = True
        if tag == "title": self.in_title = True
        if tag == "img": self.imgs += 1
    def handle_data(self, d):
        if self.in_count: self.count = d; self.in_count = False
        if self.in_title: self.title += d
    def handle_endtag(self, tag):
        if tag == "title": self.in_title = False
p = P(); p.feed(open(sys.argv[1]).read())
assert len(p.cards) == 3, p.cards
shown = [tags for hidden, tags in p.cards if not hidden]
assert len(shown) == 2 and all("vision" in t for t in shown), p.cards     # the filter ran
assert p.count == "2 of 3 modules", p.count
assert "pwned" not in p.title and p.imgs == 0, (p.title, p.imgs)             # nothing injected ran
print("filtered in the browser:", p.count)
PY
timeout 120 "$browser" "${flags[@]}" --window-size=1280,900 --screenshot="$artefacts/catalog-index-tag-vision.png" "$url" \
  > /dev/null 2>> "$work/chromium.log" || fail "screenshot: $(tail -5 "$work/chromium.log")"
[ -s "$artefacts/catalog-index-tag-vision.png" ] || fail "no screenshot"
echo "browser_test: passed; screenshot $artefacts/catalog-index-tag-vision.png"
