#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# `meson install` into a temporary DESTDIR: every installed file is where a
# GNOME desktop looks for it, the installed files validate, and the installed
# binaries run from there and find the installed model (not the source one).
# Usage: test-install.py BUILD_DIR PREFIX BINDIR DATADIR SAMPLE_IMAGE; prints TAP.
import os
import subprocess
import sys
import tempfile

BUILD, PREFIX, BINDIR, DATADIR, SAMPLE = sys.argv[1:6]
APP_ID = "io.github.convolve.Convolve"
results = []


def check(name, ok, detail=""):
    results.append((name, ok, detail))


def main():
    with tempfile.TemporaryDirectory() as destdir:
        r = subprocess.run(["meson", "install", "-C", BUILD, "--no-rebuild", "--quiet",
                            "--destdir", destdir], capture_output=True, text=True)
        check("meson install --destdir", r.returncode == 0, r.stdout + r.stderr)
        root = os.path.join(destdir, PREFIX.lstrip("/"))
        bindir = os.path.join(root, BINDIR)
        datadir = os.path.join(root, DATADIR)
        expected = {
            "app binary": os.path.join(bindir, "convolve"),
            "cli binary": os.path.join(bindir, "convolve-cli"),
            "desktop file": os.path.join(datadir, "applications", APP_ID + ".desktop"),
            "metainfo": os.path.join(datadir, "metainfo", APP_ID + ".metainfo.xml"),
            "app icon": os.path.join(datadir, "icons/hicolor/scalable/apps", APP_ID + ".svg"),
            "symbolic icon": os.path.join(datadir, "icons/hicolor/symbolic/apps",
                                          APP_ID + "-symbolic.svg"),
            "gsettings schema": os.path.join(datadir, "glib-2.0/schemas",
                                             APP_ID + ".gschema.xml"),
            "bundled model": os.path.join(datadir, "convolve", "lecture-mnist.safetensors"),
        }
        for what, path in expected.items():
            check(f"installed {what} ({os.path.relpath(path, destdir)})",
                  os.path.isfile(path), "missing")
        for what in ("app binary", "cli binary"):
            check(f"{what} is executable", os.access(expected[what], os.X_OK))

        r = subprocess.run(["desktop-file-validate", expected["desktop file"]],
                           capture_output=True, text=True)
        check("installed desktop file validates", r.returncode == 0, r.stdout + r.stderr)
        r = subprocess.run(["glib-compile-schemas", "--strict", "--dry-run",
                            os.path.dirname(expected["gsettings schema"])],
                           capture_output=True, text=True)
        check("installed schema compiles", r.returncode == 0, r.stderr)

        r = subprocess.run([expected["cli binary"], "--help"], capture_output=True, text=True)
        check("installed convolve-cli --help", r.returncode == 0 and "classify" in r.stdout,
              r.stdout + r.stderr)
        r = subprocess.run([expected["app binary"], "--help"], capture_output=True, text=True)
        check("installed convolve --help", r.returncode == 0 and "Usage" in r.stdout,
              r.stdout + r.stderr)
        r = subprocess.run([expected["cli binary"], "classify", "--verbose", SAMPLE],
                           capture_output=True, text=True)
        used = r.stderr.splitlines()[0] if r.stderr else ""
        check("installed convolve-cli classifies with the installed model",
              r.returncode == 0 and used == "model: " + expected["bundled model"],
              r.stdout + r.stderr)

    print(f"1..{len(results)}")
    for i, (name, ok, detail) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {name}")
        if not ok:
            for line in detail.strip().splitlines():
                print("# " + line)
    return 0 if all(ok for _, ok, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
