#!/usr/bin/python3
"""The peer for `aip catalog validate`: what the upstream ai4-metadata tool does for each
file, with Debian's python3-jsonschema and python3-yaml: load the file (PyYAML's safe
loader, or json for .json), pick the schema by metadata_version (v1 when absent or 1.x),
collect every error. Validators are built once per schema. Prints the seconds and the
number of invalid files as JSON.
Usage: catalog_peer.py SCHEMATA_DIR REPEAT [--libyaml] FILE..."""
import json, sys, time
import yaml
from jsonschema import Draft7Validator, Draft202012Validator

schemata, repeat = sys.argv[1], int(sys.argv[2])
args = sys.argv[3:]
loader = yaml.SafeLoader
if args and args[0] == "--libyaml":
    loader, args = yaml.CSafeLoader, args[1:]
validators = {}
for v in ("1.0.0", "2.0.0", "2.1.0", "2.2.0", "2.3.0"):
    schema = json.load(open(f"{schemata}/ai4-apps-v{v}.json"))
    validators[v] = (Draft7Validator if v == "1.0.0" else Draft202012Validator)(schema)
texts = [(f, open(f, encoding="utf-8").read()) for f in args]
start, cpu = time.perf_counter(), time.process_time()
invalid = 0
for _ in range(repeat):
    for name, text in texts:
        try:
            doc = json.loads(text) if name.endswith(".json") else yaml.load(text, Loader=loader)
        except Exception:
            invalid += 1
            continue
        mv = str(doc.get("metadata_version", "")) if isinstance(doc, dict) else ""
        version = "1.0.0" if not mv or mv.startswith("1") else mv[:3] + ".0"
        if list(validators.get(version, validators["2.0.0"]).iter_errors(doc)):
            invalid += 1
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "invalid": invalid}))
