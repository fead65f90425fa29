#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# One libFuzzer target as a test: replay the crash regressions, then fuzz
# for SECONDS from the corpus into a scratch folder (the corpus in the tree
# is never written). Usage: run-fuzz.sh TARGET SECONDS CORPUS [REGRESSIONS]
set -eu
target=$(readlink -f "$1"); seconds=$2; corpus=$3; regressions=${4:-}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if [ -n "$regressions" ]; then
  # Each file is run once; any crash, leak or timeout fails the test.
  "$target" -timeout=10 -rss_limit_mb=2048 "$regressions"/*
fi
cd "$scratch"   # crash-* files land here, not in the build tree
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$scratch" "$corpus"
