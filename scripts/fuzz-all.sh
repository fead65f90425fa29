#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Long fuzzing runs of every target in a -Dfuzz=true build, two at a time,
# at low priority; a summary line per target (execs/s, cov, ft) at the end.
# Usage: scripts/fuzz-all.sh BUILD_DIR [SECONDS=600] [WORK_DIR=/tmp/convolve-fuzz] [TARGET…]
# The grown corpus and any crash-*/leak-*/timeout-* files stay in WORK_DIR.
set -eu
build=$1; seconds=${2:-600}; work=${3:-/tmp/convolve-fuzz}
shift $(( $# < 3 ? $# : 3 ))
src=$(cd "$(dirname "$0")/.." && pwd)
targets=${*:-checkpoint idx idx-gzip kernel kernel-gen net safetensors}
mkdir -p "$work"

run_one () {
  t=$1
  mkdir -p "$work/$t" "$work/$t-artifacts"
  status=0
  nice -n 10 "$build/tests/fuzz/fuzz-$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/$t-artifacts/" \
    "$work/$t" "$src/tests/fuzz/corpus/$t" > "$work/$t.log" 2>&1 || status=$?
  echo "$t: exit $status" >> "$work/$t.log"
}

set -- $targets
while [ $# -gt 0 ]; do
  run_one "$1" &
  if [ $# -gt 1 ]; then run_one "$2" & shift; fi
  shift
  wait
done

for t in $targets; do
  last=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1)
  execs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t.log")
  printf '%-12s %s execs/s  %s  (%s)\n' "$t" "${execs:-?}" \
    "$(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+')" \
    "$(tail -1 "$work/$t.log")"
done
