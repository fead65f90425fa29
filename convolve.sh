#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Convolve from a fresh Debian 12 checkout, in one command:
#   ./convolve.sh          install what is missing, build, start the app
#   ./convolve.sh test     install what is missing, build, run every test
#   ./convolve.sh asan     the same tests built with AddressSanitizer + UBSan
#   ./convolve.sh tsan     the same tests built with ThreadSanitizer
#   ./convolve.sh fuzz [S] libFuzzer targets (clang): a few seconds each, or S seconds each
#   ./convolve.sh bench    time the engine beside OpenCV in the same run (see README)
# Debian packages are installed with apt-get (as root, or through sudo).
set -eu
cd "$(dirname "$0")"

BUILD_PACKAGES="meson ninja-build pkg-config gcc libglib2.0-dev libglib2.0-dev-bin libglib2.0-bin
  libgtk-4-dev libadwaita-1-dev libgdk-pixbuf-2.0-dev libfftw3-dev libopenblas-dev zlib1g-dev gettext
  desktop-file-utils libgtk-4-bin libsoup-3.0-dev"
TEST_PACKAGES="xvfb xauth dbus-daemon xdotool python3 python3-numpy python3-pil valgrind
  appstream protobuf-compiler flatpak-builder"
FUZZ_PACKAGES="clang libclang-rt-14-dev"
BENCH_PACKAGES="python3-opencv python3-scipy"

missing_packages () {
  for p in "$@"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
  done
}

install_packages () {
  # shellcheck disable=SC2086 # word splitting of the lists is intended
  missing=$(missing_packages $*)
  [ -z "$missing" ] && return 0
  echo "convolve.sh: installing Debian packages:" $missing
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

build () {
  dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@"
  fi
  ninja -C "$dir"
}

# Runs the suite and ends with one line "N passed, N failed", counting every
# TAP subtest (and each non-TAP test once) from meson's JSON log.
run_tests () {
  dir=$1; log=$2; shift 2
  status=0
  meson test -C "$dir" --print-errorlogs "$@" || status=$?
  python3 scripts/count-tests.py "$dir/meson-logs/$log" || status=1
  return $status
}

mode=${1:-run}
case "$mode" in
  run)
    install_packages $BUILD_PACKAGES
    # MNIST for the Train page (the other pages work without it).
    mnist=${CONVOLVE_MNIST_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/convolve/mnist}
    if [ ! -f "$mnist/train-images-idx3-ubyte" ] && [ ! -f "$mnist/train-images-idx3-ubyte.gz" ]; then
      command -v npm >/dev/null 2>&1 || install_packages npm
      scripts/fetch-mnist "$mnist" || echo "convolve.sh: could not fetch MNIST; the Train page will ask for it" >&2
    fi
    build build
    GSETTINGS_SCHEMA_DIR="$PWD/build/data" exec build/src/ui/convolve
    ;;
  test)
    install_packages $BUILD_PACKAGES $TEST_PACKAGES
    build build
    run_tests build testlog.json
    ;;
  asan)
    install_packages $BUILD_PACKAGES $TEST_PACKAGES
    build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug
    run_tests build-asan testlog-asan.json --setup asan
    ;;
  tsan)
    install_packages $BUILD_PACKAGES $TEST_PACKAGES
    build build-tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug
    run_tests build-tsan testlog-tsan.json --setup tsan
    ;;
  fuzz)
    install_packages $BUILD_PACKAGES $FUZZ_PACKAGES
    CC=clang build build-fz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dgui=false
    if [ $# -ge 2 ]; then
      # Long runs, two targets at a time; see README "Hostile input and faults".
      exec scripts/fuzz-all.sh build-fz "$2"
    fi
    run_tests build-fz testlog-fuzz.json --suite fuzz --setup asan
    ;;
  bench)
    install_packages $BUILD_PACKAGES $BENCH_PACKAGES
    build build
    # Ours and OpenCV's filter2D in the same session (see bench/compare-conv.py).
    python3 bench/compare-conv.py build --peers "${PEERS:-../shared/bench}"
    ;;
  *)
    echo "usage: $0 [run|test|asan|tsan|fuzz [SECONDS]|bench]" >&2
    exit 2
    ;;
esac
