#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# `convolve-cli train --tensorboard DIR` on a tiny IDX data set: the event
# file's name, every record's two masked CRC-32Cs, each payload decoded by
# `protoc --decode_raw` (Debian: protobuf-compiler) and by a parser here,
# the values against the epoch lines, and the conv1 filters as a real PNG.
# Usage: test-tensorboard.py CONVOLVE_CLI; prints TAP.
#        test-tensorboard.py --summary EVENT_FILE: checks every record (CRCs,
#        protoc, PNGs) and prints "tag step" per value (the Train page's test).

import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from tinydata import write_idx  # noqa: E402

CLI = sys.argv[1]
ENV = dict(os.environ, LC_ALL='C.UTF-8')
PROTOC = shutil.which('protoc')
tests = tap.Tests()
test = tests.add


def make_dataset(folder, n_train=128, n_test=32):
    """Digit c is a vertical bar at column 3 + 2c (as test-train.py makes)."""
    for prefix, count in (('train', n_train), ('t10k', n_test)):
        pixels, labels = [], []
        for i in range(count):
            c = (i * 7) % 10
            img = [(i * 31 + j * 17) % 30 for j in range(784)]
            for y in range(4, 24):
                img[y * 28 + 3 + 2 * c] = 255
            pixels += img
            labels.append(c)
        write_idx(os.path.join(folder, prefix + '-images-idx3-ubyte'), 8, [count, 28, 28], pixels)
        write_idx(os.path.join(folder, prefix + '-labels-idx1-ubyte'), 8, [count], labels)


def crc32c(data):
    crc = 0xffffffff
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82f63b78 if crc & 1 else crc >> 1
    return crc ^ 0xffffffff


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xa282ead8) & 0xffffffff


def records(path):
    """Every record's payload, both CRCs checked, the file used up exactly."""
    with open(path, 'rb') as f:
        data = f.read()
    pos, out = 0, []
    while pos < len(data):
        assert pos + 12 <= len(data), 'truncated header at %d' % pos
        header = data[pos:pos + 8]
        (length,) = struct.unpack('<Q', header)
        (length_crc,) = struct.unpack('<I', data[pos + 8:pos + 12])
        assert length_crc == masked(crc32c(header)), 'bad length CRC at %d' % pos
        payload = data[pos + 12:pos + 12 + length]
        assert len(payload) == length and pos + 16 + length <= len(data), 'truncated record'
        (data_crc,) = struct.unpack('<I', data[pos + 12 + length:pos + 16 + length])
        assert data_crc == masked(crc32c(payload)), 'bad data CRC at %d' % pos
        out.append(payload)
        pos += 16 + length
    return out


def varint(buf, pos):
    value, shift = 0, 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7f) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def fields(buf):
    """protobuf wire format -> [(field, wire type, value)]."""
    pos, out = 0, []
    while pos < len(buf):
        key, pos = varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos:pos + 4], pos + 4
        elif wire == 2:
            n, pos = varint(buf, pos)
            value, pos = buf[pos:pos + n], pos + n
        else:
            raise AssertionError('unexpected wire type %d' % wire)
        out.append((field, wire, value))
    assert pos == len(buf)
    return out


def decode_raw(payload):
    assert PROTOC, 'protoc is not installed (Debian: protobuf-compiler)'
    r = subprocess.run([PROTOC, '--decode_raw'], input=payload, capture_output=True)
    assert r.returncode == 0 and not r.stderr, r.stderr
    return r.stdout.decode('utf-8', 'replace')


def check_png(png, width, height):
    assert png[:8] == b'\x89PNG\r\n\x1a\n'
    pos, raw = 8, b''
    while pos < len(png):
        (n,) = struct.unpack('>I', png[pos:pos + 4])
        kind, body = png[pos + 4:pos + 8], png[pos + 8:pos + 8 + n]
        (crc,) = struct.unpack('>I', png[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(kind + body), 'bad CRC in ' + kind.decode()
        if kind == b'IHDR':
            assert struct.unpack('>IIBB', body[:10]) == (width, height, 8, 0), body
        elif kind == b'IDAT':
            raw += body
        pos += 12 + n
    assert kind == b'IEND'
    rows = zlib.decompress(raw)
    assert len(rows) == height * (width + 1)
    pixels = [rows[y * (width + 1) + 1:(y + 1) * (width + 1)] for y in range(height)]
    assert all(rows[y * (width + 1)] == 0 for y in range(height))
    # Each filter spans its own range: some tile pixels are 0 and some 255.
    assert any(0 in row for row in pixels) and any(255 in row for row in pixels)


def summary(path):
    """Every value of every Event as (tag, step), records and PNGs checked."""
    out = []
    payloads = records(path)
    assert b'brain.Event:2' in payloads[0]
    for payload in payloads[1:]:
        decode_raw(payload)
        event = {f: v for f, _, v in fields(payload)}
        for field, _, value in fields(event[5]):
            assert field == 1
            parts = {f: v for f, _, v in fields(value)}
            if 4 in parts:
                image = {f: v for f, _, v in fields(parts[4])}
                check_png(image[4], image[2], image[1])
            else:
                assert len(parts[2]) == 4
            out.append((parts[1].decode(), event[2]))
    return out


if len(sys.argv) == 3 and sys.argv[1] == '--summary':
    for tag, step in summary(sys.argv[2]):
        print(tag, step)
    sys.exit(0)

TMP = tempfile.mkdtemp(prefix='cvl-tb-')
DATA = os.path.join(TMP, 'data')
os.mkdir(DATA)
make_dataset(DATA)
BASE = ['--data', DATA, '--batch', '32', '--threads', '2', '--seed', '3']


@test
def train_writes_a_tensorboard_event_file():
    tb = os.path.join(TMP, 'runs', 'one')   # the folders are made
    start = time.time()
    r = subprocess.run([CLI, 'train', *BASE, '--epochs', '2', '--tensorboard', tb],
                       capture_output=True, text=True, env=ENV)
    end = time.time()
    assert r.returncode == 0, r.stderr
    names = os.listdir(tb)
    assert len(names) == 1, names
    m = re.fullmatch(r'events\.out\.tfevents\.(\d+)\.(.+)', names[0])
    assert m and m.group(2) == socket.gethostname(), names[0]
    assert start - 2 <= int(m.group(1)) <= end + 2

    payloads = records(os.path.join(tb, names[0]))
    # The first record: wall_time and file_version, as protoc reads it.
    text = decode_raw(payloads[0])
    assert re.fullmatch(r'1: 0x[0-9a-f]{16}\n3: "brain\.Event:2"\n', text), text

    scalars, images = {}, []
    for payload in payloads[1:]:
        text = decode_raw(payload)
        assert re.match(r'1: 0x[0-9a-f]{16}\n2: \d+\n5 \{\n  1 \{\n    1: "[a-z0-9_/]+"\n',
                        text), text
        ev = fields(payload)
        assert [f for f, _, _ in ev] == [1, 2, 5], ev
        (wall,) = struct.unpack('<d', ev[0][2])
        assert start - 2 <= wall <= end + 2, wall
        step = ev[1][2]
        (value,) = [v for f, _, v in fields(ev[2][2]) if f == 1]
        value = fields(value)
        tag = value[0][2].decode()
        assert ('    1: "%s"\n' % tag) in text
        if value[1][0] == 2:
            (x,) = struct.unpack('<f', value[1][2])
            hexval = '0x%08x' % struct.unpack('<I', value[1][2])[0]
            assert ('    2: %s\n' % hexval) in text, (hexval, text)
            scalars.setdefault(tag, []).append((step, x))
        else:
            assert value[1][0] == 4, value
            img = dict((f, v) for f, _, v in fields(value[1][2]))
            assert '    4 {\n      1: %d\n      2: %d\n      3: 1\n' % (img[1], img[2]) in text
            check_png(img[4], img[2], img[1])
            images.append((tag, step, img[2], img[1]))

    # 128 images in batches of 32: 4 steps an epoch.
    assert [s for s, _ in scalars['epoch/loss']] == [4, 8], scalars['epoch/loss']
    assert [s for s, _ in scalars['epoch/test_accuracy']] == [4, 8]
    assert len(scalars['epoch/train_accuracy']) == 2
    # Every step, once.
    assert [s for s, _ in scalars['loss']] == list(range(1, 9)), scalars['loss']
    assert [s for s, _ in scalars['batch_accuracy']] == list(range(1, 9))
    assert all(0 < x < 10 for _, x in scalars['loss'])
    assert all(0 <= x <= 1 for _, x in scalars['batch_accuracy'])
    # The epoch's mean loss is the mean of its steps' losses.
    for epoch, (_, mean) in enumerate(scalars['epoch/loss']):
        steps = [x for s, x in scalars['loss'] if 4 * epoch < s <= 4 * epoch + 4]
        assert abs(sum(steps) / 4 - mean) < 1e-4, (steps, mean)
    assert images == [('conv1/filters', 4, 178, 90), ('conv1/filters', 8, 178, 90)], images
    # The same numbers as the epoch lines.
    for line, (_, loss), (_, acc) in zip(r.stdout.splitlines(), scalars['epoch/loss'],
                                         scalars['epoch/test_accuracy']):
        m = re.search(r'loss (\d+\.\d{3})  test (\d+\.\d\d)%', line)
        assert m, line
        assert abs(float(m.group(1)) - loss) < 0.0006, (line, loss)
        assert abs(float(m.group(2)) - 100 * acc) < 0.006, (line, acc)


@test
def a_corrupted_record_is_caught():
    """The CRC check above is real: flip one payload byte and it fails."""
    tb = os.path.join(TMP, 'runs', 'one')
    path = os.path.join(tb, os.listdir(tb)[0])
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    data[40] ^= 0x10
    bad = os.path.join(TMP, 'corrupt')
    with open(bad, 'wb') as f:
        f.write(data)
    try:
        records(bad)
    except AssertionError as e:
        assert 'CRC' in str(e), e
    else:
        raise AssertionError('a flipped byte went unnoticed')


@test
def an_unusable_folder_fails_with_no_training():
    blocker = os.path.join(TMP, 'a-file')
    with open(blocker, 'w') as f:
        f.write('x')
    r = subprocess.run([CLI, 'train', *BASE, '--epochs', '1', '--tensorboard', blocker],
                       capture_output=True, text=True, env=ENV)
    assert r.returncode == 1 and r.stdout == '', (r.returncode, r.stdout)
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('convolve-cli: ') and 'a-file' in lines[0]


@test
def a_bad_dataset_leaves_no_event_file():
    tb = os.path.join(TMP, 'runs', 'bad')
    r = subprocess.run([CLI, 'train', '--data', os.path.join(TMP, 'nowhere'), '--epochs', '1',
                        '--tensorboard', tb], capture_output=True, text=True, env=ENV)
    assert r.returncode == 1, r.stderr
    assert not os.path.exists(tb) or os.listdir(tb) == []


def main():
    try:
        return tap.run(tests)
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
