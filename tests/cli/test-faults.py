#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Saving a model, a checkpoint, a PNG or a .npy where it cannot be written:
# a full disk (an LD_PRELOAD shim makes write() fail with ENOSPC, which stops
# root too), a "folder" that is a regular file (ENOTDIR), /sys (EACCES even
# for root). Each must fail with one clear "convolve-cli:" line naming the
# file (the PNG writer names it by its base name), leave an old file there
# byte for byte, and leave no temporary file.
# Usage: test-faults.py CONVOLVE_CLI FAIL_WRITE_SO IMAGE; prints TAP.

import os
import sys
import subprocess
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from tinydata import make_dataset  # noqa: E402

CLI, SHIM, IMAGE = sys.argv[1:4]
ENV = dict(os.environ, LC_ALL='C.UTF-8')
# Sanitizer test setups run the CLI several times slower and say how much
# (CVL_TEST_LATENCY_SCALE); its time limits grow with it.
TIME_SCALE = max(1, int(os.environ.get('CVL_TEST_LATENCY_SCALE', '1')))
TMP = tempfile.mkdtemp(prefix='cvl-faults-')
DATA = os.path.join(TMP, 'data')
os.mkdir(DATA)
make_dataset(DATA, n_train=64, n_test=16)
TRAIN = ['train', '--data', DATA, '--epochs', '1', '--batch', '32', '--threads', '1']
OLD = b'the old file, which must survive\n'

# What each kind of file is saved by: argv with {} for the path.
SAVES = {
    'model': TRAIN + ['--out', '{}'],
    'checkpoint': TRAIN + ['--checkpoint', '{}'],
    'png': ['apply', '-k', 'blur', IMAGE, '{}'],
    'npy': ['apply', '-k', 'blur', IMAGE, '{}'],
}
SUFFIX = {'model': '.safetensors', 'checkpoint': '.ckpt', 'png': '.png', 'npy': '.npy'}

tests = tap.Tests()
test = tests.add


def run(argv, env=ENV):
    return subprocess.run([CLI, *argv], capture_output=True, text=True, env=env,
                          timeout=300 * TIME_SCALE)


def one_error_line(result, *words):
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('convolve-cli: '), result.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def disk_full(kind):
    folder = tempfile.mkdtemp(dir=TMP)
    path = os.path.join(folder, 'old' + SUFFIX[kind])
    with open(path, 'wb') as f:
        f.write(OLD)
    preload = ' '.join(p for p in (ENV.get('LD_PRELOAD'), SHIM) if p)  # keep TSan's shim
    env = dict(ENV, LD_PRELOAD=preload, CVL_FAIL_WRITE_AFTER='4096',
               # ASan wants to be first; the shim only wraps write().
               ASAN_OPTIONS=ENV.get('ASAN_OPTIONS', '') + ':verify_asan_link_order=0')
    r = run([a.replace('{}', path) for a in SAVES[kind]], env)
    one_error_line(r, os.path.basename(path), 'No space left on device')
    with open(path, 'rb') as f:
        assert f.read() == OLD, 'the old %s was damaged' % kind
    assert os.listdir(folder) == [os.path.basename(path)], os.listdir(folder)


def under_a_file(kind):
    blocker = os.path.join(TMP, 'a-file-' + kind)
    with open(blocker, 'wb') as f:
        f.write(OLD)
    path = os.path.join(blocker, 'new' + SUFFIX[kind])
    r = run([a.replace('{}', path) for a in SAVES[kind]])
    one_error_line(r, os.path.basename(path))
    with open(blocker, 'rb') as f:
        assert f.read() == OLD


def in_sys(kind):
    path = '/sys/convolve-test' + SUFFIX[kind]
    r = run([a.replace('{}', path) for a in SAVES[kind]])
    one_error_line(r, os.path.basename(path))
    assert not os.path.exists(path)


for kind in SAVES:
    for check in (disk_full, under_a_file, in_sys):
        def f(kind=kind, check=check):
            check(kind)
        f.__name__ = '%s_%s' % (check.__name__, kind)
        test(f)


def main():
    return tap.run(tests)


if __name__ == '__main__':
    sys.exit(main())
