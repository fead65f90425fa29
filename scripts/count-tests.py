#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts test results from meson's JSON test log and prints the closing
line "N passed, N failed": each TAP subtest counts once, a test without TAP
output counts once by its own result. Exits 1 when anything failed."""
import json
import re
import sys

passed = failed = skipped = 0
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except OSError as e:
    print(f"count-tests: {e}", file=sys.stderr)
    print("0 passed, 1 failed")
    sys.exit(1)

for line in lines:
    if not line.strip():
        continue
    t = json.loads(line)
    out = t.get("stdout") or ""
    oks = len(re.findall(r"^ok \d+(?! .*# SKIP)", out, re.M))
    skips = len(re.findall(r"^ok \d+.*# SKIP", out, re.M))
    bad = len(re.findall(r"^not ok \d+", out, re.M))
    if oks or bad or skips:
        passed += oks
        skipped += skips
        failed += bad
        # A TAP program that crashed or bailed out fails as a whole too.
        if t["result"] not in ("OK", "SKIP", "EXPECTEDFAIL") and bad == 0:
            failed += 1
    elif t["result"] in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif t["result"] == "SKIP":
        skipped += 1
    else:
        failed += 1

tail = f", {skipped} skipped" if skipped else ""
print(f"{passed} passed, {failed} failed{tail}")
sys.exit(1 if failed else 0)
