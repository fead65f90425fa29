#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# End-to-end tests of `convolve-cli train` and `eval` on a tiny IDX data set
# written here: epoch lines, logs, checkpoints and resuming, repeatable
# runs, and every failure as one "convolve-cli:" line with nothing written.
# Usage: test-train.py CONVOLVE_CLI; prints TAP.

import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tap  # noqa: E402
from tinydata import make_dataset  # noqa: E402

CLI = sys.argv[1]
ENV = dict(os.environ, LC_ALL='C.UTF-8')
EPOCH_LINE = re.compile(r'^epoch (\d+)  \d+\.\d s  \d+ img/s  loss \d+\.\d{3}  test \d+\.\d\d%$')

tests = tap.Tests()
test = tests.add


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=ENV)


def expect_failure(result, status=1):
    assert result.returncode == status, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith('convolve-cli: '), result.stderr
    return lines[0]


TMP = tempfile.mkdtemp(prefix='cvl-train-')
DATA = os.path.join(TMP, 'data')
os.mkdir(DATA)
make_dataset(DATA)
BASE = ['--data', DATA, '--batch', '32', '--threads', '2']


@test
def train_prints_epochs_and_writes_model_log_checkpoint():
    model, log, ckpt = (os.path.join(TMP, n) for n in ('m.safetensors', 'm.csv', 'm.ckpt'))
    r = run('train', *BASE, '--epochs', '2', '--out', model, '--log', log, '--checkpoint', ckpt)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 2, r.stdout
    for i, line in enumerate(lines):
        m = EPOCH_LINE.match(line)
        assert m and int(m.group(1)) == i + 1, line
    # Not a terminal: no progress bar.
    assert r.stderr == '', r.stderr
    with open(log) as f:
        rows = f.read().splitlines()
    assert rows[0].startswith('epoch,step,seconds'), rows
    assert len(rows) == 3 and rows[2].startswith('2,12,'), rows
    with open(model, 'rb') as f:
        header_len = struct.unpack('<Q', f.read(8))[0]
        header = f.read(header_len).decode()
    assert '"conv1.weight":{"dtype":"F32","shape":[32,1,5,5]' in header, header
    assert '"dataset":"data"' in header and '"epochs":"2"' in header, header
    assert os.path.getsize(ckpt) > os.path.getsize(model)


@test
def eval_prints_accuracy_and_confusion():
    model = os.path.join(TMP, 'm.safetensors')
    r = run('eval', '--model', model, '--data', DATA)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    m = re.match(r'^accuracy (\d+\.\d\d)% \((\d+)/48\)$', lines[0])
    assert m, lines[0]
    assert float(m.group(1)) >= 80, lines[0]
    assert len(lines) == 12, r.stdout
    counts = [list(map(int, line.split()[1:])) for line in lines[2:]]
    assert all(len(row) == 10 for row in counts)
    assert sum(map(sum, counts)) == 48
    assert sum(counts[i][i] for i in range(10)) == int(m.group(2))


@test
def eval_defaults_to_the_bundled_model():
    r = run('eval', '--data', DATA)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('accuracy '), r.stdout


@test
def same_seed_same_model_and_resume_matches():
    a, b, c = (os.path.join(TMP, n) for n in ('a.safetensors', 'b.safetensors', 'c.safetensors'))
    ckpt = os.path.join(TMP, 'half.ckpt')
    assert run('train', *BASE, '--epochs', '2', '--seed', '7', '--out', a).returncode == 0
    assert run('train', *BASE, '--epochs', '2', '--seed', '7', '--out', b).returncode == 0
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        assert fa.read() == fb.read()
    # One epoch, checkpointed, then a second from the checkpoint.
    r = run('train', *BASE, '--epochs', '1', '--seed', '7', '--checkpoint', ckpt)
    assert r.returncode == 0, r.stderr
    r = run('train', *BASE, '--epochs', '2', '--resume', ckpt, '--out', c)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith('epoch 2 '), r.stdout
    with open(a, 'rb') as fa, open(c, 'rb') as fc:
        assert fa.read() == fc.read()


@test
def bad_output_paths_fail_before_training():
    out = os.path.join(TMP, 'no-such-dir', 'm.safetensors')
    line = expect_failure(run('train', *BASE, '--epochs', '1', '--out', out))
    assert 'no-such-dir' in line, line
    assert not os.path.exists(out)


@test
def bad_data_fails_and_overwrites_nothing():
    out = os.path.join(TMP, 'keep.safetensors')
    with open(out, 'wb') as f:
        f.write(b'precious')
    line = expect_failure(run('train', '--data', os.path.join(TMP, 'nowhere'), '--out', out))
    assert 'nowhere' in line, line
    broken = os.path.join(TMP, 'broken')
    os.mkdir(broken)
    make_dataset(broken)
    # A lying header: 2^31 images in a tiny file.
    with open(os.path.join(broken, 'train-images-idx3-ubyte'), 'r+b') as f:
        f.seek(4)
        f.write(struct.pack('>I', 2 ** 31))
    expect_failure(run('train', '--data', broken, '--out', out))
    with open(out, 'rb') as f:
        assert f.read() == b'precious'


@test
def usage_errors_exit_2():
    expect_failure(run('train', *BASE, '--optimizer', 'rmsprop'), 2)
    expect_failure(run('train', *BASE, '--epochs', 'many'), 2)
    expect_failure(run('train', *BASE, 'extra'), 2)


@test
def bad_hyperparameters_and_models_are_refused():
    line = expect_failure(run('train', *BASE, '--keep-prob', '0'))
    assert 'keep probability' in line, line
    bad = os.path.join(TMP, 'bad.safetensors')
    with open(bad, 'wb') as f:
        f.write(struct.pack('<Q', 5) + b'{"a":')
    line = expect_failure(run('eval', '--model', bad, '--data', DATA))
    assert 'bad.safetensors' in line, line
    ckpt_not = os.path.join(TMP, 'm.safetensors')
    line = expect_failure(run('train', *BASE, '--resume', ckpt_not))
    assert 'checkpoint' in line, line


@test
def nan_loss_stops_naming_the_step():
    out = os.path.join(TMP, 'nan.safetensors')
    r = run('train', *BASE, '--optimizer', 'sgd', '--lr', '100000', '--epochs', '3', '--out', out)
    line = expect_failure(r)
    assert re.search(r'at step \d+', line), line
    assert not os.path.exists(out)


def main():
    return tap.run(tests)


if __name__ == '__main__':
    sys.exit(main())
