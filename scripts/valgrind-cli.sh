#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# convolve-cli under valgrind --leak-check=full on every path a user runs:
# apply (PNG and .npy, direct and FFT), generators, train on a tiny IDX set
# with a checkpoint, resume, eval, classify and bench with tiny sizes. Fails
# (exit 1) on any definite leak or memory error; "still reachable" blocks of
# GLib's type system, OpenBLAS's and FFTW's process-lifetime pools are not
# leaks. Usage: scripts/valgrind-cli.sh BUILD_DIR [quick]
set -eu
build=$1; quick=${2:-}
src=$(cd "$(dirname "$0")/.." && pwd)
cli="$build/src/cli/convolve-cli"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

PYTHONPATH="$src/tests/cli" python3 -c \
  "import tinydata; tinydata.make_dataset('$work', n_train=32, n_test=16)"

failed=0
n=0
# vg EXPECTED ARGS…: EXPECTED is "ok" (exit 0) or "fails" (a clean error exit,
# 1 or 2); exit 99 is valgrind's own: a definite leak or a memory error.
vg () {
  expected=$1; shift
  n=$((n + 1))
  log="$work/vg-$n.log"
  if OPENBLAS_NUM_THREADS=1 valgrind --leak-check=full --show-leak-kinds=definite \
       --errors-for-leak-kinds=definite --error-exitcode=99 \
       --suppressions="$src/tests/valgrind.supp" --log-file="$log" \
       "$cli" "$@" > "$work/out-$n.txt" 2>&1; then
    status=0
  else
    status=$?
  fi
  definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
  printf '%-60s exit %s  definitely lost %s bytes  errors %s\n' "$*" "$status" \
    "${definite:-0}" "${errors:-?}"
  if [ "$status" = 99 ] || { [ "$expected" = ok ] && [ "$status" != 0 ]; } ||
     { [ "$expected" = fails ] && [ "$status" != 1 ] && [ "$status" != 2 ]; }; then
    failed=1
    sed -n '/definitely lost in/,/^==[0-9]*== $/p
            /Invalid\|uninitialised/,/^==[0-9]*== $/p' "$log" | head -60
    cat "$work/out-$n.txt" | head -5
  fi
}

image="$src/resources/chelsea.png"
vg ok apply -k sharpen "$image" "$work/a.png"
vg ok apply -k 'gaussian:sigma=1' --gray "$image" "$work/a.npy"
if [ -z "$quick" ]; then
  vg ok apply -k 'disk:r=20' -e fft "$image" "$work/b.png"
  vg fails apply -k "$work/nonexistent" "$image" "$work/c.png"
  vg ok generators
  vg ok presets
  vg ok train --data "$work" --epochs 1 --batch 16 --threads 1 --limit 16 \
     --out "$work/m.safetensors" --checkpoint "$work/m.ckpt" --log "$work/m.csv"
  vg ok train --data "$work" --epochs 2 --batch 16 --threads 1 --limit 16 --resume "$work/m.ckpt"
  vg ok eval --model "$work/m.safetensors" --data "$work"
  vg ok classify --model "$work/m.safetensors" "$image"
  vg ok bench conv --size 32x24 --kernel-sizes 3 --threads 1 --runs 1
fi
verdict=$([ $failed = 0 ] && echo 'no definite leaks or errors' || echo FAILED)
echo "valgrind-cli: $n runs, $verdict"
exit $failed
