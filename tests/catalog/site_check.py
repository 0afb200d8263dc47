#!/usr/bin/python3
"""Checks a site written by `aip catalog render` the way a browser would parse it
(html.parser): the only scripts are the site's own (assets/app.js) and JSON data blocks
that parse as JSON; no event-handler attributes; every link is relative or http(s); one
card per module on the index page and one page per module with schema.org JSON-LD; a
hostile module's values show up as text.
Usage: site_check.py SITE_DIR MODULE_COUNT [hostile]"""
import glob, json, os, sys
from html.parser import HTMLParser

site, count = sys.argv[1], int(sys.argv[2])
problems = []

class Page(HTMLParser):
    def __init__(self, name):
        super().__init__(convert_charrefs=True)
        self.name, self.script, self.cards, self.ld, self.text = name, None, 0, [], []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in attrs:
            if k.lower().startswith("on"):
                problems.append(f"{self.name}: event handler attribute {k}={v!r} on <{tag}>")
            if k.lower() in ("href", "src", "action", "formaction") and v is not None:
                low = v.strip().lower()
                if ":" in low.split("/")[0] and not low.startswith(("http://", "https://")):
                    problems.append(f"{self.name}: {k}={v!r} on <{tag}>")
        if tag == "script":
            self.script = (a, [])
        if tag == "li" and "card" in (a.get("class") or "").split():
            self.cards += 1
        if tag in ("iframe", "object", "embed", "base", "form", "meta") and tag != "meta":
            problems.append(f"{self.name}: unexpected <{tag}>")
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            problems.append(f"{self.name}: meta refresh")
    def handle_data(self, data):
        if self.script is not None:
            self.script[1].append(data)
        else:
            self.text.append(data)
    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            attrs, body = self.script
            body = "".join(body)
            kind = attrs.get("type", "")
            if kind in ("application/ld+json", "application/json"):
                try:
                    self.ld.append(json.loads(body))
                except ValueError as e:
                    problems.append(f"{self.name}: a data script that is not JSON ({e}): {body[:80]!r}")
            elif attrs.get("src") == "assets/app.js" and not body.strip():
                pass
            else:
                problems.append(f"{self.name}: a script that is not the site's own: {attrs} {body[:80]!r}")
            self.script = None

def parse(path):
    p = Page(os.path.relpath(path, site))
    p.feed(open(path, encoding="utf-8").read())
    p.close()
    return p

index = parse(f"{site}/index.html")
if index.cards != count:
    problems.append(f"index.html: {index.cards} cards for {count} modules")
if not any(d.get("@type") == "ItemList" for d in index.ld):
    problems.append("index.html: no ItemList JSON-LD")
pages = sorted(glob.glob(f"{site}/modules/*.html"))
if len(pages) != count:
    problems.append(f"{len(pages)} module pages for {count} modules")
texts = []
for path in pages:
    p = parse(path)
    apps = [d for d in p.ld if d.get("@type") == "SoftwareApplication" and d.get("@context") == "https://schema.org"]
    if len(apps) != 1:
        problems.append(f"{path}: {len(apps)} SoftwareApplication JSON-LD blocks")
    texts.append("".join(p.text))
    for d in apps:
        for key in ("url", "softwareHelp", "sameAs", "installUrl"):
            if key in d and not str(d[key]).startswith(("http://", "https://")):
                problems.append(f"{path}: JSON-LD {key} = {d[key]!r}")
for f in glob.glob(f"{site}/**/*", recursive=True):
    if os.path.isfile(f) and ("//cdn" in open(f, encoding="utf-8").read() or "googleapis" in open(f, encoding="utf-8").read()):
        problems.append(f"{f}: refers to a CDN")
# A hostile module's markup is shown as text, not dropped.
alltext = "".join(index.text) + "".join(texts)
if len(sys.argv) > 3 and not all(t in alltext for t in ("<script>alert('title')</script>", "javascript:alert(3)", "<b>MIT</b>")):
    problems.append("the hostile title is not shown as text")
for p in problems:
    print("PROBLEM", p)
print(f"{site}: {len(pages)} module pages, {index.cards} cards, {len(problems)} problems")
sys.exit(1 if problems else 0)
