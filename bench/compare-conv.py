#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times Convolve's direct engine and OpenCV's filter2D in the same session
(the machines are shared and noisy: only same-run ratios mean anything) and
prints a Markdown table. Ours runs before and after the peer; the better of
the two medians is reported, and both are printed.

usage: bench/compare-conv.py BUILD_DIR [--peers DIR] [--threads N]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile


def run_ours(build, threads, out):
    subprocess.run([os.path.join(build, "bench", "bench-conv"), "--threads", str(threads),
                    "--csv", out], check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return {(r["case"], int(r["kernel"])): r for r in csv.DictReader(f)}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--peers", default=os.path.join(here, "..", "..", "shared", "bench"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    peer_script = os.path.join(args.peers, "conv_peers.py")
    if not os.path.exists(peer_script):
        sys.exit(f"compare-conv: no {peer_script}; pass --peers DIR")

    with tempfile.TemporaryDirectory() as tmp:
        ours_a = run_ours(args.build, args.threads, os.path.join(tmp, "a.csv"))
        peers_csv = os.path.join(tmp, "peers.csv")
        subprocess.run(["/usr/bin/python3", peer_script, "--sizes", "3,5,7", "--cv-extra-sizes", "",
                        "--methods", "cv2.filter2D/r101+dst", "--combos", "random:rand",
                        "--threads", str(args.threads), "--out", peers_csv],
                       check=True, stdout=subprocess.DEVNULL)
        ours_b = run_ours(args.build, args.threads, os.path.join(tmp, "b.csv"))
        with open(peers_csv) as f:
            peers = {(r["dtype"], int(r["k"])): float(r["median_ms_full"]) for r in csv.DictReader(f)}

    isa = ours_a[("12mp", 3)]["isa"]
    print(f"12 MP RGB (4000×3000×3), random non-separable kernels, reflect-101 border, "
          f"{args.threads} threads; ours: direct engine ({isa} loops, float32 planar); "
          f"OpenCV filter2D with a reused output")
    print()
    print("| kernel | ours steady (run 1 / run 2) | ours first call | OpenCV uint8 | OpenCV float32 "
          "| ours ÷ OpenCV uint8 |")
    print("| --- | --- | --- | --- | --- | --- |")
    for k in (3, 5, 7):
        a, b = ours_a[("12mp", k)], ours_b[("12mp", k)]
        best = min(float(a["median_ms"]), float(b["median_ms"]))
        u8, f32 = peers.get(("uint8", k)), peers.get(("float32", k))
        ratio = f"{best / u8:.2f}×" if u8 else "–"
        print(f"| {k}×{k} | {float(a['median_ms']):.1f} / {float(b['median_ms']):.1f} ms "
              f"| {float(a['first_ms']):.0f} ms | {u8:.1f} ms | {f32:.1f} ms | {ratio} |")
    s = ours_a[("sample", 3)]
    print()
    print(f"Sample photo (451×300 RGB), 3×3: {float(s['median_ms']):.2f} ms median per render.")


if __name__ == "__main__":
    main()
