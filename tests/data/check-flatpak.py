#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# The Flatpak manifest as flatpak-builder reads it (`--show-manifest`, which
# must print nothing on stderr: unknown keys and bad values warn there),
# every downloaded source pinned (sha256, or a git commit), and the sandbox
# holes limited to what the app uses.
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

APP_ID = "io.github.convolve.Convolve"
ALLOWED_FINISH_ARGS = {
    "--share=ipc", "--socket=fallback-x11", "--socket=wayland", "--device=dri",
    "--share=network",   # the dataset download
}


def sources(modules, owner=""):
    for module in modules:
        if isinstance(module, str):   # a module in its own file: not used here
            yield owner, {"type": "module-file", "path": module}
            continue
        name = owner + "/" + module.get("name", "?")
        for source in module.get("sources", []):
            yield name, source
        yield from sources(module.get("modules", []), name)


def main(manifest):
    problems = []
    tool = shutil.which("flatpak-builder")
    if tool is None:
        print("flatpak-builder is not installed (Debian: flatpak-builder)", file=sys.stderr)
        return 1
    # In a scratch folder: flatpak-builder may leave its state folder there.
    with tempfile.TemporaryDirectory() as scratch:
        r = subprocess.run([tool, "--show-manifest", os.path.abspath(manifest)],
                           capture_output=True, text=True, cwd=scratch)
    if r.returncode != 0 or r.stderr:
        problems.append("flatpak-builder --show-manifest: exit %d\n%s" % (r.returncode, r.stderr))
        data = {}
    else:
        data = json.loads(r.stdout)

    if data.get("id") != APP_ID:
        problems.append("the app id is %r, not %s" % (data.get("id"), APP_ID))
    if not data.get("runtime") == "org.gnome.Platform" or data.get("sdk") != "org.gnome.Sdk":
        problems.append("not on the GNOME runtime")
    extra = set(data.get("finish-args", [])) - ALLOWED_FINISH_ARGS
    if extra:
        problems.append("finish-args beyond what the app needs: " + ", ".join(sorted(extra)))

    count = 0
    for module, source in sources(data.get("modules", [])):
        count += 1
        kind = source.get("type")
        if kind in ("archive", "file"):
            if "url" in source and not re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")):
                problems.append("%s: %s has no sha256" % (module, source.get("url")))
        elif kind == "git":
            if not re.fullmatch(r"[0-9a-f]{40}", source.get("commit", "")):
                problems.append("%s: git source %s has no commit" % (module, source.get("url")))
        elif kind not in ("dir", "patch", "shell", "script", "inline"):
            problems.append("%s: a %s source cannot be checked" % (module, kind))
    if count == 0 and data:
        problems.append("no sources at all")
    for p in problems:
        print(p, file=sys.stderr)
    print("%d sources checked" % count)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
