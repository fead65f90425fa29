# SPDX-License-Identifier: GPL-3.0-or-later
# Tiny IDX data sets for the CLI tests: digit c is a vertical bar at column
# 3 + 2c over faint noise, so a few epochs learn it.

import os
import random
import struct


def write_idx(path, magic_type, dims, data):
    with open(path, 'wb') as f:
        f.write(bytes([0, 0, magic_type, len(dims)]))
        for d in dims:
            f.write(struct.pack('>I', d))
        f.write(bytes(data))


def make_dataset(folder, n_train=192, n_test=48, seed=1):
    rng = random.Random(seed)
    for prefix, count in (('train', n_train), ('t10k', n_test)):
        pixels, labels = [], []
        for _ in range(count):
            c = rng.randrange(10)
            img = [rng.randrange(30) for _ in range(784)]
            for y in range(4, 24):
                img[y * 28 + 3 + 2 * c] = 255
            pixels += img
            labels.append(c)
        write_idx(os.path.join(folder, prefix + '-images-idx3-ubyte'), 8, [count, 28, 28], pixels)
        write_idx(os.path.join(folder, prefix + '-labels-idx1-ubyte'), 8, [count], labels)
