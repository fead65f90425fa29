#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# How faithful classify's preprocessing is to MNIST's own: MNIST's test digits
# are drawn 4× larger at varied places on a bigger canvas (half of them dark
# on light), saved as PNGs and classified by convolve-cli, with and without
# centring by mass. Needs numpy and MNIST (scripts/fetch-mnist).
# Usage: scripts/check-preprocessing.py CONVOLVE_CLI [MNIST_DIR] [--limit N]

import argparse
import os
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np


def read_idx(path, ndims):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('>BBBB', data[:4])
    assert magic[:3] == (0, 0, 8) and magic[3] == ndims, f'{path} is not IDX ubyte'
    dims = struct.unpack('>' + 'I' * ndims, data[4:4 + 4 * ndims])
    return np.frombuffer(data[4 + 4 * ndims:], dtype=np.uint8).reshape(dims)


def write_png(path, gray):
    height, width = gray.shape
    rgb = np.repeat(gray[:, :, None], 3, axis=2)
    rows = b''.join(b'\0' + row.tobytes() for row in rgb)

    def chunk(kind, body):
        return (struct.pack('>I', len(body)) + kind + body
                + struct.pack('>I', zlib.crc32(kind + body)))

    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n'
                + chunk(b'IHDR', struct.pack('>IIBBBBB', width, height, 8, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(rows, 1)) + chunk(b'IEND', b''))


def classify(cli, paths, extra):
    digits = {}
    for start in range(0, len(paths), 500):
        result = subprocess.run([cli, 'classify', *extra, *paths[start:start + 500]],
                                capture_output=True, text=True)
        if result.returncode not in (0, 1):
            sys.exit(f'check-preprocessing: {result.stderr.strip()}')
        for line in result.stdout.splitlines():
            path, digit = line.split(' ')[:2]
            digits[path] = int(digit) if digit != '-' else -1
    return [digits.get(p, -1) for p in paths]


def main():
    default_dir = os.path.join(os.environ.get('XDG_DATA_HOME')
                               or os.path.expanduser('~/.local/share'), 'convolve', 'mnist')
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('cli')
    parser.add_argument('mnist_dir', nargs='?', default=default_dir)
    parser.add_argument('--limit', type=int, default=10000)
    args = parser.parse_args()

    images = read_idx(os.path.join(args.mnist_dir, 't10k-images-idx3-ubyte'), 3)[:args.limit]
    labels = read_idx(os.path.join(args.mnist_dir, 't10k-labels-idx1-ubyte'), 1)[:args.limit]
    up, pad = 4, 30
    side = 28 * up + 2 * pad

    with tempfile.TemporaryDirectory(prefix='cvl-check-') as tmp:
        paths = []
        for i, image in enumerate(images):
            canvas = np.zeros((side, side), dtype=np.uint8)
            x, y = pad + (i % 7) * 3 - 9, pad + (i % 5) * 4 - 8
            canvas[y:y + 28 * up, x:x + 28 * up] = np.kron(image, np.ones((up, up), np.uint8))
            if i % 2:
                canvas = 255 - canvas
            paths.append(os.path.join(tmp, f'{i}.png'))
            write_png(paths[-1], canvas)

        for name, extra in (('centred by mass', []), ('box centred (--no-center)',
                                                       ['--no-center'])):
            got = np.array(classify(args.cli, paths, extra))
            print(f'{name}: {np.mean(got == labels):.2%} of {len(labels)} MNIST test digits')


if __name__ == '__main__':
    main()
