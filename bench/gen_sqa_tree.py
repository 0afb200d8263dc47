#!/usr/bin/python3
"""A repository of N files for bench-sqa-check.sh: C++ and Python sources with REUSE headers
in nested folders, the usual project files, LICENSES/ and .reuse/dep5 (REUSE 3.0).
Usage: gen_sqa_tree.py DIR N"""
import os, shutil, sys
root, n = sys.argv[1], int(sys.argv[2])
os.makedirs(root, exist_ok=True)
def put(rel, text):
    p = os.path.join(root, rel)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)
shutil.copy("/usr/share/common-licenses/Apache-2.0", os.path.join(root, "LICENSE"))
put("LICENSES/Apache-2.0.txt", open("/usr/share/common-licenses/Apache-2.0").read())
put("README.md", "# Bench\n\nA generated tree for timing aip sqa-check beside reuse lint.\n\n## Install\n\nmake install\n\n## Tests\n\nmake test\n")  # noqa: E501
put("CONTRIBUTING.md", "# Contributing\n")
put("CODE_OF_CONDUCT.md", "# Code of conduct\n")
put("CITATION.cff", "cff-version: 1.2.0\nmessage: cite\ntitle: Bench\nauthors:\n  - name: Bench\nversion: 1.0.0\n")
put(".clang-format", "BasedOnStyle: LLVM\n")
# .reuse/dep5 rather than REUSE.toml: Debian 12's reuse 1.1 reads only the former.
put(".reuse/dep5", "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: bench\n\n"
    "Files: README.md CONTRIBUTING.md CODE_OF_CONDUCT.md CITATION.cff .clang-format\nCopyright: 2026 Bench\nLicense: Apache-2.0\n")
header_c = "// SPDX-FileCopyrightText: 2026 Bench\n// SPDX-License-Identifier: Apache-2.0\n"
header_py = "# SPDX-FileCopyrightText: 2026 Bench\n# SPDX-License-Identifier: Apache-2.0\n"
made = 8
i = 0
while made < n:
    d = f"src/m{i // 1000:03d}/p{(i // 50) % 20:02d}"
    if i % 3 == 0:
        put(f"{d}/f{i}.py", header_py + f"def f{i}(x):\n    return x + {i}\n")
    else:
        put(f"{d}/f{i}.cpp", header_c + f"int f{i}(int x) {{ return x + {i}; }}\n")
    made += 1
    i += 1
