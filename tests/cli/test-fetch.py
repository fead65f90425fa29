#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# `convolve-cli fetch` with the real MNIST checksums against a local mirror
# (tests/download-server.py) that cannot serve the real files: a 404 on
# every mirror, files whose MD5 is wrong (deleted, never renamed into
# place), and a cut connection whose .part is kept; each fails with one
# clear message. Usage: test-fetch.py CONVOLVE_CLI DOWNLOAD_SERVER; TAP.

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402

CLI, SERVER = sys.argv[1:3]
# Sanitizer test setups run the CLI several times slower and say how much
# (CVL_TEST_LATENCY_SCALE); its time limits grow with it.
TIME_SCALE = max(1, int(os.environ.get('CVL_TEST_LATENCY_SCALE', '1')))
NAMES = ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz',
         't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']
tests = tap.Tests()
test = tests.add


class Mirror:
    def __init__(self):
        self.root = tempfile.mkdtemp(prefix='cvl-fetch-mirror-')
        self.log = os.path.join(self.root, 'requests.log')
        for name in NAMES:
            with open(os.path.join(self.root, name), 'wb') as f:
                f.write(os.urandom(20000))
        self.process = subprocess.Popen(['python3', SERVER, self.root, self.log],
                                        stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def url(self, mode):
        return 'http://127.0.0.1:%d/%s/' % (self.port, mode)

    def requests(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def close(self):
        self.process.kill()
        self.process.wait()


def fetch(mirror, modes, out, name='mnist'):
    variable = 'CONVOLVE_MNIST_MIRRORS' if name == 'mnist' else 'CONVOLVE_FASHION_MNIST_MIRRORS'
    env = dict(os.environ, LC_ALL='C.UTF-8', **{variable: ' '.join(mirror.url(m) for m in modes)})
    return subprocess.run([CLI, 'fetch', name, '--dir', out], env=env, capture_output=True,
                          text=True, timeout=60 * TIME_SCALE)


def with_mirror(function):
    def run():
        mirror = Mirror()
        try:
            with tempfile.TemporaryDirectory() as out:
                function(mirror, out)
        finally:
            mirror.close()
    run.__name__ = function.__name__
    return run


@test
@with_mirror
def every_mirror_404_fails_clearly(mirror, out):
    result = fetch(mirror, ['a', 'b'], out)
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('convolve-cli: '), result.stderr
    assert 'train-images-idx3-ubyte.gz' in lines[0] and lines[0].count('404') == 2, lines
    assert os.listdir(out) == []
    assert mirror.requests() == ['a train-images-idx3-ubyte.gz - 404',
                                 'b train-images-idx3-ubyte.gz - 404']


@test
@with_mirror
def a_wrong_md5_is_deleted_on_every_mirror(mirror, out):
    result = fetch(mirror, ['corrupt', 'good'], out)
    assert result.returncode == 1, result
    # The real MNIST checksum, told for each mirror; nothing is left behind.
    assert result.stderr.count('not f68b3c2dcbeaaa9fbdd348bbdeb94873 (deleted)') == 2, \
        result.stderr
    assert os.listdir(out) == []


@test
@with_mirror
def fashion_uses_its_own_checksums(mirror, out):
    result = fetch(mirror, ['good'], out, name='fashion')
    assert result.returncode == 1, result
    assert 'not 8d4fb7e6c68d591d4c3dfef9ec88bf0d (deleted)' in result.stderr, result.stderr
    assert os.listdir(out) == []


@test
@with_mirror
def a_cut_download_keeps_its_part(mirror, out):
    result = fetch(mirror, ['drop'], out)
    assert result.returncode == 1, result
    assert 'stopped after 10000 of 20000 bytes' in result.stderr, result.stderr
    assert os.listdir(out) == ['train-images-idx3-ubyte.gz.part']
    assert os.path.getsize(os.path.join(out, 'train-images-idx3-ubyte.gz.part')) == 10000
    # The next run asks for the rest.
    fetch(mirror, ['good'], out)
    assert 'good train-images-idx3-ubyte.gz bytes=10000- 206' in mirror.requests()


@test
def unknown_dataset_is_a_usage_error():
    result = subprocess.run([CLI, 'fetch', 'cifar'], capture_output=True, text=True)
    assert result.returncode == 2, result
    assert 'not a dataset to fetch' in result.stderr


def main():
    return tap.run(tests)


if __name__ == '__main__':
    sys.exit(main())
