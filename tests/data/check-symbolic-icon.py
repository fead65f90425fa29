#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks a symbolic icon against what GTK's recolouring needs: a 16×16 SVG
# drawn in one colour with filled shapes only (no strokes, text, bitmaps,
# gradients or filters), so it follows the theme's foreground colour.
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
FORBIDDEN = {"text", "image", "linearGradient", "radialGradient", "filter", "mask", "pattern"}


def main(path):
    problems = []
    root = ET.parse(path).getroot()
    if root.tag != SVG + "svg":
        problems.append("the root element is not an SVG <svg>")
    if (root.get("width"), root.get("height")) != ("16", "16"):
        problems.append("width and height must be 16")
    if (root.get("viewBox") or "").split() != ["0", "0", "16", "16"]:
        problems.append("viewBox must be 0 0 16 16")
    colours = set()
    shapes = 0
    for el in root.iter():
        name = el.tag.replace(SVG, "")
        if name in FORBIDDEN:
            problems.append(f"<{name}> does not recolour")
        if name in ("path", "rect", "circle", "ellipse", "polygon"):
            shapes += 1
        style = dict(kv.split(":", 1) for kv in (el.get("style") or "").split(";") if ":" in kv)
        for key in ("stroke",):
            value = el.get(key) or style.get(key)
            if value not in (None, "none"):
                problems.append(f"<{name}> has a stroke; convert it to a path")
        fill = el.get("fill") or style.get("fill")
        if fill not in (None, "none"):
            if not re.fullmatch(r"#[0-9a-fA-F]{6}", fill):
                problems.append(f"fill {fill} is not a plain colour")
            colours.add(fill.lower())
    if shapes < 1:
        problems.append("it draws nothing")
    if len(colours) > 1:
        problems.append("more than one colour: " + ", ".join(sorted(colours)))
    for p in problems:
        print(f"{path}: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
