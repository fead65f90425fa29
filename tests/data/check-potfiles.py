#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# po/POTFILES must list every file with translatable strings, and xgettext
# must find the app's strings through it: fails when a new file with _( ) or
# translatable="yes" is not listed, when a listed file is gone, or when the
# extraction comes back (nearly) empty.
import os
import re
import subprocess
import sys
import tempfile

C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:N?_|C_|NC_|g_dngettext)\s*\(\s*"')
UI_MARK = re.compile(r'translatable="yes"')
# Strings from each kind of file, so a broken extraction of one kind shows.
KNOWN = [
    "Convolve",                                       # .desktop.in, .ui
    "See what convolutions do and train a convnet",   # .metainfo.xml.in
    "Keyboard Shortcuts",                             # help-overlay.ui
    "Threads",                                        # the preferences .ui
    "See what a convolution kernel does to a photo, live.",  # a .c file
    "Train the lecture's convnet on MNIST",           # convolve-cli
]
MIN_STRINGS = 280


def marked(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith((".desktop.in", ".metainfo.xml.in")):
        return True
    if path.endswith((".c", ".h")):
        return C_MARK.search(text) is not None
    if path.endswith((".ui", ".xml", ".xml.in")):
        return UI_MARK.search(text) is not None
    return False


def main(top):
    problems = []
    with open(os.path.join(top, "po", "POTFILES"), encoding="utf-8") as f:
        listed = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for path in listed:
        if not os.path.isfile(os.path.join(top, path)):
            problems.append(f"po/POTFILES lists {path}, which does not exist")
    for folder in ("src", "ui", "data"):
        for dirpath, _, files in os.walk(os.path.join(top, folder)):
            for name in files:
                rel = os.path.relpath(os.path.join(dirpath, name), top)
                if rel not in listed and marked(os.path.join(top, rel)):
                    problems.append(f"{rel} has translatable strings but is not in po/POTFILES")

    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, "convolve.pot")
        subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments=Translators",
                        "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2",
                        "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
                        "--directory", top, "--files-from",
                        os.path.join(top, "po", "POTFILES"), "--output", pot],
                       check=True)
        with open(pot, encoding="utf-8") as f:
            text = f.read()
    ids = re.findall(r'^msgid "(.*)"$', text, re.M)
    found = set(ids)
    count = len([i for i in ids if i])
    print(f"xgettext found {count} strings in {len(listed)} files")
    if count < MIN_STRINGS:
        problems.append(f"xgettext found only {count} strings (expected at least {MIN_STRINGS})")
    for s in KNOWN:
        if s.replace('"', '\\"') not in found:
            problems.append(f"xgettext did not find “{s}”")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
