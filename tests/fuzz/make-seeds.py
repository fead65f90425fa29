#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/): small
# valid inputs of each format, so the fuzzer starts past the magic numbers.
# Re-run after a format changes: python3 tests/fuzz/make-seeds.py

import gzip
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    folder = os.path.join(HERE, 'corpus', target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), 'wb') as f:
        f.write(data)


def idx(dims, data):
    return bytes([0, 0, 8, len(dims)]) + b''.join(struct.pack('>I', d) for d in dims) + bytes(data)


def safetensors(tensors, metadata=None):
    """tensors: [(name, shape, floats)] → header + data, as the Python package writes."""
    header, data = {}, b''
    for name, shape, values in tensors:
        blob = struct.pack('<%df' % len(values), *values)
        header[name] = {'dtype': 'F32', 'shape': shape,
                        'data_offsets': [len(data), len(data) + len(blob)]}
        data += blob
    if metadata is not None:
        header['__metadata__'] = metadata
    text = json.dumps(header, separators=(',', ':'), sort_keys=True).encode()
    text += b' ' * (-len(text) % 8)
    return struct.pack('<Q', len(text)) + text + data


images = idx([2, 3, 3], range(18))
labels = idx([5], [0, 1, 2, 9, 3])
for target in ('idx',):
    put(target, 'images', images)
    put(target, 'labels', labels)
    put(target, 'images.gz', gzip.compress(images, mtime=0))
    put(target, 'labels.gz', gzip.compress(labels, mtime=0))
put('idx-gzip', 'images', images)
put('idx-gzip', 'labels', labels)

put('safetensors', 'two-tensors',
    safetensors([('a', [2], [1, -2]), ('b', [2, 3], [0.5] * 6)], {'format': 'pt'}))
put('safetensors', 'escapes',
    safetensors([('a', [2], [3, 4])], {'k\\u00e9y': 'line\nbreak "quoted" \u2713'}))
put('safetensors', 'empty', safetensors([], {}))
put('safetensors', 'scalar', safetensors([('b', [], [7])]))

net_names = [('conv1.weight', [32, 1, 5, 5]), ('conv1.bias', [32]),
             ('conv2.weight', [64, 32, 5, 5]), ('conv2.bias', [64]),
             ('fc.weight', [1024, 3136]), ('fc.bias', [1024]),
             ('logits.weight', [10, 1024]), ('logits.bias', [10])]
# The real shapes need 13 MB; the seeds keep the names with tiny shapes.
put('net', 'tiny-shapes',
    safetensors([(n, [1] * len(s), [0.25]) for n, s in net_names],
                {'architecture': 'lecture-mnist', 'format': 'pt'}))
put('net', 'biases-only',
    safetensors([(n, s, [0.0] * s[0]) for n, s in net_names if n.endswith('bias') and s[0] < 100]))

checkpoint_meta = {
    'format': 'pt', 'convolve_checkpoint': '1', 'step': '3', 'seed': '1',
    'rng': 'xoshiro256** seeded by splitmix64 streams of seed', 'batch': '2',
    'lr': '0.001', 'optimizer': 'adam', 'momentum': '0.9', 'keep_prob': '0.75',
    'limit': '0', 'train_count': '4', 'threads': '1', 'epoch_loss_sum': '2.5',
    'epoch_correct': '1', 'epoch_images': '2', 'epoch_seconds': '0.125',
    'history': '1,2,0.5,16,2.25,0.5,nan\n',
}
put('checkpoint', 'metadata-tiny-tensors',
    safetensors([(n, [1] * len(s), [0.25]) for n, s in net_names]
                + [('optimizer.m', [1], [0]), ('optimizer.v', [1], [0])], checkpoint_meta))
# Since the weights' moving average: an "ema" decay and its flat tensor.
put('checkpoint', 'with-average',
    safetensors([('ema', [1], [0.25])] + [(n, [1] * len(s), [0.25]) for n, s in net_names],
                dict(checkpoint_meta, ema='0.999')))
put('checkpoint', 'sgd-no-history',
    safetensors([('conv1.bias', [32], [0.0] * 32)],
                dict(checkpoint_meta, optimizer='sgd', history='', step='0')))

kernels = {
    'box3': '1 1 1\n1 1 1\n1 1 1\n',
    'fractions': '1/16 1/8 1/16; 1/8 1/4 1/8; 1/16 1/8 1/16',
    'commas-tabs': '0,\t-1, 0\n-1,\t5, -1\n0, -1,\t0\n',
    'exponents': '1e-3 -2.5E+2\n-0 .5\n',
    'crlf': '1 2\r\n3 4\r\n',
    'one-cell': '-3/4',
}
for name, text in kernels.items():
    put('kernel', name, text)

for spec in ('box', 'box:size=5', 'gaussian:sigma=8', 'disk:r=3.5', 'motion:len=40,angle=30',
             'log:sigma=1.4', 'dog:sigma=1,ratio=1.6', 'unsharp:amount=1.5,sigma=2'):
    put('kernel-gen', spec.replace(':', '-').replace('=', '').replace(',', '-'), spec)
