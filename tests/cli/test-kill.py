#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Kills `convolve-cli train --checkpoint` with SIGKILL at random moments, at
# least 20 times, resuming each time from the last checkpoint: every
# checkpoint left behind must be whole and load, and the run must end with
# the same weights, byte for byte, as one never killed (same seed, threads).
# Usage: test-kill.py CONVOLVE_CLI [KILLS]; prints TAP.

import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tinydata import make_dataset  # noqa: E402

CLI = sys.argv[1]
KILLS = int(sys.argv[2]) if len(sys.argv) > 2 else 20
ENV = dict(os.environ, LC_ALL='C.UTF-8')
TMP = tempfile.mkdtemp(prefix='cvl-kill-')
DATA = os.path.join(TMP, 'data')
os.mkdir(DATA)
make_dataset(DATA, n_train=128, n_test=16)
BASE = ['train', '--data', DATA, '--batch', '32', '--threads', '2', '--seed', '5',
        '--epochs', '6']


def checkpoint_is_whole(path):
    """The safetensors structure: header length, JSON, offsets up to the end."""
    with open(path, 'rb') as f:
        blob = f.read()
    (n,) = struct.unpack('<Q', blob[:8])
    header = json.loads(blob[8:8 + n])
    assert header['__metadata__']['convolve_checkpoint'] == '1', header['__metadata__']
    end = max(t['data_offsets'][1] for k, t in header.items() if k != '__metadata__')
    assert len(blob) == 8 + n + end, (len(blob), n, end)
    return int(header['__metadata__']['step'])


def main():
    print('1..1')
    ref = os.path.join(TMP, 'ref.safetensors')
    start = time.monotonic()
    r = subprocess.run([CLI, *BASE, '--out', ref], capture_output=True, text=True, env=ENV)
    duration = time.monotonic() - start
    assert r.returncode == 0, r.stderr

    rng = random.Random(int(os.environ.get('CVL_KILL_SEED', '0')) or None)
    ckpt = os.path.join(TMP, 'run.ckpt')
    out = os.path.join(TMP, 'run.safetensors')
    kills = chains = attempts = loads = 0
    steps_seen = []
    while kills < KILLS:
        # One chain: start fresh, kill and resume until a run gets to the end.
        for path in (ckpt, out):
            if os.path.exists(path):
                os.unlink(path)
        chains += 1
        while True:
            attempts += 1
            assert attempts < 40 * KILLS, 'no progress after %d attempts' % attempts
            resume = ['--resume', ckpt] if os.path.exists(ckpt) else []
            p = subprocess.Popen([CLI, *BASE, '--checkpoint', ckpt, '--out', out, *resume],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
            time.sleep(rng.uniform(0, 0.7 * duration))
            if p.poll() is None:
                p.kill()
                p.communicate()
                kills += 1
                if os.path.exists(ckpt):
                    steps_seen.append(checkpoint_is_whole(ckpt))
                    # The weights load through the model loader too.
                    e = subprocess.run([CLI, 'eval', '--model', ckpt, '--data', DATA],
                                       capture_output=True, text=True, env=ENV)
                    assert e.returncode == 0, e.stderr
                    loads += 1
                continue
            err = p.communicate()[1].decode()
            assert p.returncode == 0, 'a resumed run failed: %s' % err
            break
        with open(ref, 'rb') as a, open(out, 'rb') as b:
            assert a.read() == b.read(), 'chain %d ended with other weights' % chains
    print('ok 1 killed %d times in %d chains (%d runs), %d checkpoints loaded, '
          'steps %s' % (kills, chains, attempts, loads, sorted(set(steps_seen))))

    # Whatever the kills left behind: GLib's temporary files from writes
    # that were cut short, never a checkpoint under its own name half-written.
    leftovers = [n for n in os.listdir(TMP) if n.startswith('run.ckpt.')]
    print('# %d temporary files left by writes cut short: %s'
          % (len(leftovers), ' '.join(leftovers[:5])))
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except AssertionError as e:
        print('not ok - %s' % e)
        sys.exit(1)
