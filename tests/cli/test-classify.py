#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end tests of `convolve-cli classify`: digits drawn here as strokes
# (varied size, position, slant, width, polarity, transparency) must come out
# right through the bundled model; bad pictures and models fail cleanly.
# Usage: test-classify.py CONVOLVE_CLI MODEL; prints TAP.

import math
import os
import re
import struct
import subprocess
import sys
import zlib

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI, MODEL = sys.argv[1:3]
ENV = dict(os.environ, LC_ALL='C.UTF-8')
LINE = re.compile(r'^(.*) ([0-9]) ([01]\.[0-9]{4})$')

tests = tap.Tests()
test = tests.add


# -- PNG files without any imaging library -----------------------------------

def png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data)))


def write_png(path, pixels):
    """[H, W] gray, [H, W, 3] or [H, W, 4] floats in [0, 1] to an 8-bit PNG."""
    pixels = np.clip(np.rint(np.asarray(pixels) * 255), 0, 255).astype(np.uint8)
    if pixels.ndim == 2:
        pixels = np.repeat(pixels[:, :, None], 3, axis=2)
    height, width, channels = pixels.shape
    rows = b''.join(b'\0' + row.tobytes() for row in pixels)
    header = struct.pack('>IIBBBBB', width, height, 8, {3: 2, 4: 6}[channels], 0, 0, 0)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + png_chunk(b'IHDR', header)
                + png_chunk(b'IDAT', zlib.compress(rows)) + png_chunk(b'IEND', b''))


# -- Digits as strokes ---------------------------------------------------------
# Each digit is a list of polylines in a unit box (x right, y down).

def arc(cx, cy, rx, ry, start, end, n=40):
    """Points on an ellipse from `start` to `end` degrees (y down, so 90 is below)."""
    return [(cx + rx * math.cos(math.radians(a)), cy + ry * math.sin(math.radians(a)))
            for a in np.linspace(start, end, n)]


def bezier(p0, p1, p2, n=30):
    return [((1 - t) ** 2 * p0[0] + 2 * (1 - t) * t * p1[0] + t * t * p2[0],
             (1 - t) ** 2 * p0[1] + 2 * (1 - t) * t * p1[1] + t * t * p2[1])
            for t in np.linspace(0, 1, n)]


DIGITS = {
    0: [arc(0.5, 0.5, 0.3, 0.45, 0, 360)],
    1: [[(0.55, 0.05), (0.45, 0.95)]],
    2: [arc(0.5, 0.3, 0.28, 0.25, 190, 380) + [(0.2, 0.95), (0.85, 0.95)]],
    3: [arc(0.5, 0.27, 0.25, 0.22, 200, 450) + arc(0.5, 0.71, 0.28, 0.24, 270, 520)],
    4: [[(0.6, 0.05), (0.15, 0.65), (0.85, 0.65)], [(0.6, 0.3), (0.6, 0.95)]],
    5: [[(0.78, 0.05), (0.3, 0.05), (0.26, 0.45)] + arc(0.48, 0.68, 0.3, 0.27, 225, 505)],
    6: [bezier((0.72, 0.05), (0.2, 0.2), (0.22, 0.7)) + arc(0.5, 0.7, 0.28, 0.25, 180, 540)],
    7: [[(0.15, 0.08), (0.85, 0.08), (0.4, 0.95)]],
    8: [arc(0.5, 0.26, 0.22, 0.21, 0, 360), arc(0.5, 0.72, 0.27, 0.23, 0, 360)],
    9: [arc(0.5, 0.3, 0.25, 0.22, 0, 360), bezier((0.75, 0.3), (0.74, 0.7), (0.6, 0.95))],
}


def draw(digit, width=200, height=200, box=(50, 30, 140), stroke=0.12, aspect=0.75,
         slant=0.0, rotate=0.0, dark_on_light=False, alpha=False, paper=0.0, ink=1.0,
         noise=0.0, seed=0):
    """The digit in a box (x, y, height) with the given width/height ratio; the
    stroke width is a fraction of the box height; slant shears to the right,
    rotate turns by degrees (clockwise) about the box's centre. paper, ink and
    noise (a standard deviation) are on the light-on-dark scale."""
    x0, y0, size = box
    turn = math.radians(rotate)
    ys, xs = np.mgrid[0:height, 0:width] + 0.5
    dist = np.full((height, width), np.inf)
    for line in DIGITS[digit]:
        pts = []
        for px, py in line:
            px, py = (px + slant * (1 - py) - 0.5) * aspect, py - 0.5
            px, py = (px * math.cos(turn) - py * math.sin(turn),
                      px * math.sin(turn) + py * math.cos(turn))
            pts.append((x0 + (px + 0.5 * aspect) * size, y0 + (py + 0.5) * size))
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            dx, dy = bx - ax, by - ay
            t = np.clip(((xs - ax) * dx + (ys - ay) * dy) / max(dx * dx + dy * dy, 1e-9), 0, 1)
            dist = np.minimum(dist, np.hypot(ax + t * dx - xs, ay + t * dy - ys))
    coverage = np.clip(stroke * size / 2 - dist + 0.5, 0, 1)    # anti-aliased edge
    if alpha:
        colour = 0.0 if dark_on_light else 1.0
        rgba = np.zeros((height, width, 4))
        rgba[:, :, :3] = colour
        rgba[:, :, 3] = coverage
        return rgba
    picture = paper + (ink - paper) * coverage
    if noise:
        picture = np.clip(picture + np.random.default_rng(seed).normal(0, noise, picture.shape),
                          0, 1)
    return 1 - picture if dark_on_light else picture


# -- Running the CLI -----------------------------------------------------------

def run(*args):
    return subprocess.run([CLI, 'classify', *args], capture_output=True, text=True, env=ENV)


def parse(stdout):
    """{path: (digit, confidence)} from the output lines."""
    results = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        assert m, f'unexpected output line {line!r}'
        results[m.group(1)] = (int(m.group(2)), float(m.group(3)))
    return results


def variants():
    """(name, keyword arguments of draw) covering sizes, places, slants, widths,
    polarities and canvases."""
    yield 'centred', dict()
    yield 'small-corner', dict(width=300, height=300, box=(10, 200, 70), stroke=0.14)
    yield 'large-wide-canvas', dict(width=640, height=360, box=(300, 20, 320), stroke=0.1)
    yield 'dark-on-light', dict(dark_on_light=True, box=(30, 60, 120))
    yield 'slanted', dict(slant=0.25, stroke=0.15)
    yield 'thin-stroke', dict(width=400, height=400, box=(120, 80, 240), stroke=0.06)
    yield 'thick-stroke', dict(box=(40, 40, 120), stroke=0.2)
    yield 'tiny', dict(width=40, height=40, box=(12, 8, 24), stroke=0.17)
    yield 'transparent-black-ink', dict(alpha=True, dark_on_light=True)
    yield 'rotated-left', dict(rotate=-12)
    yield 'rotated-right', dict(rotate=10, box=(40, 40, 130))
    yield 'pencil-on-grey-paper', dict(dark_on_light=True, paper=0.12, ink=0.6, noise=0.04,
                                       stroke=0.09)
    yield 'wide', dict(aspect=1.0, width=300, box=(60, 40, 150))


@test
def test_drawn_digits(tmp):
    """At least 95% of the drawn set right, and the plain 0, 1 and 7 always."""
    paths, truth = [], {}
    for name, kwargs in variants():
        for digit in DIGITS:
            path = os.path.join(tmp, f'{digit}-{name}.png')
            write_png(path, draw(digit, **kwargs))
            paths.append(path)
            truth[path] = digit
    result = run('--model', MODEL, *paths)
    assert result.returncode == 0, result.stderr
    assert result.stderr == '', result.stderr
    got = parse(result.stdout)
    assert list(got) == paths, 'one line per picture, in order'
    wrong = [f'{os.path.basename(p)} → {got[p][0]}' for p in paths if got[p][0] != truth[p]]
    accuracy = 1 - len(wrong) / len(paths)
    print(f'# {len(paths) - len(wrong)}/{len(paths)} right ({accuracy:.1%}); wrong: {wrong}')
    assert accuracy >= 0.95, f'only {accuracy:.1%} right'
    for digit in (0, 1, 7):
        for name, _ in variants():
            path = os.path.join(tmp, f'{digit}-{name}.png')
            assert got[path][0] == digit, f'{path} → {got[path][0]}'


@test
def test_output_format(tmp):
    """PATH DIGIT CONFIDENCE with four decimals; a confident 1."""
    path = os.path.join(tmp, 'one.png')
    write_png(path, draw(1))
    result = run('--model', MODEL, path)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(re.escape(path) + r' 1 [01]\.[0-9]{4}\n', result.stdout), result.stdout
    assert float(result.stdout.split()[-1]) > 0.9


@test
def test_decimal_point_whatever_locale(tmp):
    path = os.path.join(tmp, 'seven.png')
    write_png(path, draw(7))
    env = dict(ENV, LC_ALL='de_DE.UTF-8')
    result = subprocess.run([CLI, 'classify', '--model', MODEL, path], capture_output=True,
                            text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r'.* 7 [01]\.[0-9]{4}\n', result.stdout), result.stdout


@test
def test_bundled_model_by_default(tmp):
    """Without --model, the bundled model (the one given to this test)."""
    path = os.path.join(tmp, 'zero.png')
    write_png(path, draw(0))
    result = run(path)
    assert result.returncode == 0, result.stderr
    assert parse(result.stdout)[path][0] == 0


@test
def test_no_center(tmp):
    """Geometric centring still runs (the Draw page's toggle)."""
    path = os.path.join(tmp, 'one-box.png')
    write_png(path, draw(1))
    result = run('--model', MODEL, '--no-center', path)
    assert result.returncode == 0, result.stderr
    assert parse(result.stdout)[path][0] == 1


@test
def test_empty_canvas(tmp):
    """No ink: "no digit found", not a confident guess; the others still run."""
    empty = os.path.join(tmp, 'empty.png')
    white = os.path.join(tmp, 'white.png')
    seven = os.path.join(tmp, 'seven.png')
    write_png(empty, np.zeros((100, 80)))
    write_png(white, np.ones((50, 50)))
    write_png(seven, draw(7))
    result = run('--model', MODEL, empty, seven, white)
    assert result.returncode == 1, result.returncode
    lines = result.stdout.splitlines()
    assert lines[0] == f'{empty} - no digit found', lines
    assert parse(lines[1])[seven][0] == 7
    assert lines[2] == f'{white} - no digit found', lines
    assert result.stderr.count('\n') == 1 and result.stderr.startswith('convolve-cli: '), \
        result.stderr
    assert '2 of 3' in result.stderr, result.stderr


@test
def test_bad_pictures(tmp):
    """Each bad picture: one "convolve-cli:" line naming it; the others go on."""
    not_image = os.path.join(tmp, 'not-an-image.png')
    missing = os.path.join(tmp, 'missing.png')
    good = os.path.join(tmp, 'four.png')
    with open(not_image, 'wb') as f:
        f.write(b'this is not a picture\n')
    write_png(good, draw(1, dark_on_light=True))
    result = run('--model', MODEL, not_image, good, missing)
    assert result.returncode == 1, result.returncode
    assert parse(result.stdout)[good][0] == 1
    errors = result.stderr.splitlines()
    assert all(e.startswith('convolve-cli: ') for e in errors), errors
    assert 'not-an-image.png' in errors[0], errors
    assert 'missing.png' in errors[1], errors
    assert '2 of 3' in errors[2], errors
    assert len(errors) == 3, errors


@test
def test_bad_model(tmp):
    """A broken or missing model: one error line, nothing on stdout."""
    broken = os.path.join(tmp, 'broken.safetensors')
    with open(broken, 'wb') as f:
        f.write(struct.pack('<Q', 1 << 40) + b'{}')
    picture = os.path.join(tmp, 'seven.png')
    write_png(picture, draw(7))
    for model in (broken, os.path.join(tmp, 'no-such.safetensors'), picture):
        result = run('--model', model, picture)
        assert result.returncode == 1, (model, result.returncode)
        assert result.stdout == '', result.stdout
        assert result.stderr.startswith('convolve-cli: ') and result.stderr.count('\n') == 1, \
            result.stderr


@test
def test_usage(tmp):
    result = run('--model', MODEL)
    assert result.returncode == 2, result.returncode
    assert result.stderr.startswith('convolve-cli: '), result.stderr
    result = run('--bogus', 'x.png')
    assert result.returncode == 2, result.returncode


def main():
    return tap.run(tests, tmp_prefix='cvl-classify-',
                   name=lambda f: '/cli/classify/' + f.__name__[len('test_'):].replace('_', '-'))


if __name__ == '__main__':
    sys.exit(main())
