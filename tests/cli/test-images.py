#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Images the loader (src/imageio) meets in the wild, through
# `convolve-cli apply IN OUT.npy`: 1×1, 16-bit grey, grey + alpha, palette,
# CMYK JPEG and animated GIF load with the right size and colours; 0×0,
# absurd sizes, truncated and non-image files are refused with one clear
# line, at once (nothing decoded) and without writing OUT.
# Usage: test-images.py CONVOLVE_CLI; prints TAP. Needs python3-pil, numpy.

import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib

import numpy
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI = sys.argv[1]
ENV = dict(os.environ, LC_ALL='C.UTF-8')
# Sanitizer test setups run the CLI several times slower and say how much
# (CVL_TEST_LATENCY_SCALE); its time limits grow with it.
TIME_SCALE = max(1, int(os.environ.get('CVL_TEST_LATENCY_SCALE', '1')))
TMP = tempfile.mkdtemp(prefix='cvl-images-')

tests = tap.Tests()
test = tests.add


def save(name, data):
    path = os.path.join(TMP, name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def pil_bytes(image, fmt, **options):
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))


def png_by_hand(width, height, rows=b''):
    """A PNG whose header says width × height (8-bit grey), with `rows` as data."""
    return (b'\x89PNG\r\n\x1a\n'
            + png_chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 0, 0, 0, 0))
            + png_chunk(b'IDAT', zlib.compress(rows)) + png_chunk(b'IEND', b''))


def load(path):
    """apply with the identity kernel to .npy: the pixels as the engine sees them."""
    out = path + '.npy'
    r = subprocess.run([CLI, 'apply', path, out], capture_output=True, text=True, env=ENV,
                       timeout=60 * TIME_SCALE)
    assert r.returncode == 0, r.stderr
    return numpy.load(out)


def refused(path, *words):
    out = path + '.npy'
    start = time.monotonic()
    r = subprocess.run([CLI, 'apply', path, out], capture_output=True, text=True, env=ENV,
                       timeout=60 * TIME_SCALE)
    seconds = time.monotonic() - start
    assert r.returncode == 1, (r.returncode, r.stderr)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('convolve-cli: '), r.stderr
    assert os.path.basename(path) in lines[0], lines[0]
    for w in words:
        assert w in lines[0].lower(), (w, lines[0])
    assert not os.path.exists(out)
    return seconds


@test
def one_by_one():
    v = load(save('1x1.png', pil_bytes(Image.new('RGB', (1, 1), (255, 128, 0)), 'PNG')))
    assert v.shape == (1, 1, 3), v.shape
    assert numpy.allclose(v[0, 0], [1, 128 / 255, 0], atol=1e-6), v


@test
def sixteen_bit_grey():
    image = Image.new('I;16', (4, 2))
    image.putdata([0, 65535, 32896, 257] * 2)
    v = load(save('grey16.png', pil_bytes(image, 'PNG')))
    assert v.shape == (2, 4, 3), v.shape
    # 16 bits become 8: within one step of the true value.
    assert numpy.allclose(v[0, :, 0], [0, 1, 32896 / 65535, 1 / 255], atol=1.5 / 255), v[0]


@test
def grey_with_alpha():
    image = Image.new('LA', (3, 2), (200, 100))
    v = load(save('grey-alpha.png', pil_bytes(image, 'PNG')))
    assert v.shape == (2, 3, 3), v.shape
    assert numpy.allclose(v, 200 / 255, atol=1e-6), v


@test
def palette_png():
    image = Image.new('P', (5, 5), 1)
    image.putpalette([0, 0, 0, 10, 200, 30] + [0] * 762)
    v = load(save('palette.png', pil_bytes(image, 'PNG')))
    assert v.shape == (5, 5, 3), v.shape
    assert numpy.allclose(v[2, 2], [10 / 255, 200 / 255, 30 / 255], atol=1e-6), v[2, 2]


@test
def cmyk_jpeg():
    # Pure red in CMYK: no cyan, full magenta and yellow, no black.
    image = Image.new('CMYK', (16, 16), (0, 255, 255, 0))
    v = load(save('cmyk.jpg', pil_bytes(image, 'JPEG', quality=95)))
    assert v.shape == (16, 16, 3), v.shape
    r, g, b = v[8, 8]
    assert r > 0.8 and g < 0.2 and b < 0.2, ('red came out as', v[8, 8])


@test
def animated_gif_first_frame():
    frames = [Image.new('RGB', (6, 4), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = pil_bytes(frames[0], 'GIF', save_all=True, append_images=frames[1:], duration=100,
                     loop=0)
    v = load(save('animated.gif', data))
    assert v.shape == (4, 6, 3), v.shape
    assert numpy.allclose(v[0, 0], [1, 0, 0], atol=1e-6), v[0, 0]


@test
def zero_by_zero_refused():
    refused(save('0x0.png', png_by_hand(0, 0)))


@test
def absurd_size_refused_before_decoding():
    # 100000 × 100000 (libpng's own limit is 10^6 a side) in a 70-byte file.
    seconds = refused(save('huge.png', png_by_hand(100000, 100000, b'\0' * 10)), 'pixels')
    assert seconds < 10, seconds


@test
def too_many_pixels_refused():
    # Each side within the limit, the product not: 16000 × 16000.
    refused(save('wide.png', png_by_hand(16000, 16000, b'\0' * 100)), 'million')


@test
def absurd_gif_refused():
    # A GIF's logical screen and frame of 65535 × 65535.
    data = bytearray(pil_bytes(Image.new('P', (2, 2)), 'GIF'))
    data[6:10] = struct.pack('<HH', 65535, 65535)
    i = data.index(b'\x2c')
    data[i + 5:i + 9] = struct.pack('<HH', 65535, 65535)
    refused(save('huge.gif', bytes(data)), 'pixels')


@test
def truncated_and_garbage_refused():
    whole = pil_bytes(Image.new('RGB', (64, 64), (1, 2, 3)), 'PNG')
    refused(save('truncated.png', whole[:len(whole) // 2]))
    refused(save('garbage.png', b'not an image at all\n' * 10))
    refused(save('empty.png', b''))


def main():
    return tap.run(tests)


if __name__ == '__main__':
    sys.exit(main())
