#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Times Convolve's engines against OpenCV's filter2D (uint8 and float32) and
scipy.signal.fftconvolve (float32, 2 workers) in the same session -- these
machines are shared and noisy, so only same-run ratios mean anything -- and
prints Markdown tables: ours vs the peers with ratios, the memory floor (a
streaming copy of the image, timed in the same rounds as ours), first calls in
fresh processes, and whether AUTO stays within 1.15x of the fastest engine for
every kernel size.

Ours runs before and after the peers; the better of the two medians is used
(both are printed). bench-conv times its engines interleaved (one call of
each per round, medians over the rounds), so AUTO's pick is compared with the
other engines under the same load.

usage: bench/compare-conv.py BUILD_DIR [--peers DIR] [--threads N]
           [--sizes 3,5,7,31,63] [--auto-check 1-63] [--auto-kinds rand,gauss]
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile


def bench(build, threads, args, out=None):
    cmd = [os.path.join(build, "bench", "bench-conv"), "--threads", str(threads)] + args
    if out:
        cmd += ["--csv", out]
    res = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True)
    rows = []
    if out:
        with open(out) as f:
            rows = list(csv.DictReader(f))
    return res.stdout, rows


def ours_table(rows):
    """(kind, k, engine) -> row"""
    return {(r["kind"], int(r["kernel"]), r["engine"]): r for r in rows}


def run_peers(peers, threads, tmp, sizes):
    script = os.path.join(peers, "conv_peers.py")
    cv_csv = os.path.join(tmp, "cv.csv")
    fft_csv = os.path.join(tmp, "fft.csv")
    common = ["--cv-extra-sizes", "", "--combos", "random:rand", "--threads", str(threads)]
    subprocess.run(["/usr/bin/python3", script, "--sizes", sizes, "--methods",
                    "cv2.filter2D/r101+dst", "--out", cv_csv] + common,
                   check=True, stdout=subprocess.DEVNULL)
    # fftconvolve barely depends on the kernel size: the large kernels and 3x3.
    fft_sizes = ",".join(s for s in sizes.split(",") if int(s) >= 15 or s == "3")
    subprocess.run(["/usr/bin/python3", script, "--sizes", fft_sizes, "--dtypes", "float32",
                    "--methods", "signal.fftconvolve/same", "--out", fft_csv] + common,
                   check=True, stdout=subprocess.DEVNULL)
    peers_ms = {}
    for path in (cv_csv, fft_csv):
        with open(path) as f:
            for r in csv.DictReader(f):
                method = "opencv" if r["method"].startswith("cv2") else "scipy"
                peers_ms[(method, r["dtype"], int(r["k"]))] = (float(r["median_ms_full"]),
                                                               r["region"])
    return peers_ms


def fmt_ratio(a, b):
    return f"{a / b:.2f}×" if a and b else "–"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--peers", default=os.path.join(here, "..", "..", "shared", "bench"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--sizes", default="3,5,7,31,63")
    ap.add_argument("--auto-check", default="1-63",
                    help="kernel sizes for the AUTO check ('' to skip)")
    ap.add_argument("--auto-kinds", default="rand,gauss")
    ap.add_argument("--auto-runs", type=int, default=7,
                    help="interleaved rounds per kernel size in the AUTO check")
    args = ap.parse_args()

    if not os.path.exists(os.path.join(args.peers, "conv_peers.py")):
        sys.exit(f"compare-conv: no conv_peers.py in {args.peers}; pass --peers DIR")

    with tempfile.TemporaryDirectory() as tmp:
        # The cost model (measured once, then cached in the user cache folder).
        out, _ = bench(args.build, args.threads, ["--calibrate-only"])
        print(out.strip())

        steady = ["--kernel-sizes", args.sizes, "--kernels", "rand",
                  "--engines", "fft,direct,auto", "--floor"]
        _, a = bench(args.build, args.threads, steady, os.path.join(tmp, "a.csv"))
        peers_ms = run_peers(args.peers, args.threads, tmp, args.sizes)
        _, b = bench(args.build, args.threads, steady, os.path.join(tmp, "b.csv"))
        ours_a, ours_b = ours_table(a), ours_table(b)

        # First calls: each in a fresh process (cold FFTW plans, spectra,
        # scratch, thread pool), the cost model loaded from the cache.
        first = {}
        for k in args.sizes.split(","):
            _, rows = bench(args.build, args.threads,
                            ["--kernel-sizes", k, "--kernels", "rand", "--engines", "auto",
                             "--runs", "5"], os.path.join(tmp, f"first{k}.csv"))
            first[int(k)] = rows[0]

        checks = []
        if args.auto_check:
            for kind in args.auto_kinds.split(","):
                engines = "fft,direct,auto" if kind == "rand" else "fft,separable,direct,auto"
                out, rows = bench(args.build, args.threads,
                                  ["--kernel-sizes", args.auto_check, "--kernels", kind,
                                   "--engines", engines, "--runs", str(args.auto_runs)],
                                  os.path.join(tmp, f"auto-{kind}.csv"))
                checks.append((kind, rows))

    isa = a[0]["isa"]
    print()
    print(f"12 MP RGB (4000×3000×3), random non-separable kernels (uniform 0.1–1, sum 1), "
          f"reflect-101 border, {args.threads} threads, steady state (median, reused output; "
          f"memory floor: a streaming copy of the input to the output in the same rounds). "
          f"Ours: float32 planar, {isa} loops, the engine AUTO picks; OpenCV filter2D with a "
          f"reused output; scipy.signal.fftconvolve on float32 planes, "
          f"{args.threads} workers (allocates its output each call).")
    print()
    print("| kernel | ours (engine) run 1 / run 2 | memory floor | ours first call | "
          "OpenCV uint8 | OpenCV float32 | scipy fftconvolve | ours ÷ OpenCV u8 | "
          "ours ÷ OpenCV f32 | ours ÷ scipy |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for k in (int(s) for s in args.sizes.split(",")):
        ra, rb = ours_a[("rand", k, "auto")], ours_b[("rand", k, "auto")]
        best = min(float(ra["median_ms"]), float(rb["median_ms"]))
        u8 = peers_ms.get(("opencv", "uint8", k), (None, ""))
        f32 = peers_ms.get(("opencv", "float32", k), (None, ""))
        sp = peers_ms.get(("scipy", "float32", k), (None, ""))

        def cell(v):
            if v[0] is None:
                return "–"
            return f"{v[0]:.0f} ms" + (" (crop)" if v[1].startswith("crop") else "")

        fr = first[k]
        floor = min(float(o[("rand", k, "floor")]["median_ms"]) for o in (ours_a, ours_b))
        print(f"| {k}×{k} | {float(ra['median_ms']):.1f} / {float(rb['median_ms']):.1f} ms "
              f"({ra['ran']}) | {floor:.1f} ms | {float(fr['first_ms']):.0f} ms (steady "
              f"{float(fr['median_ms']):.0f}) | {cell(u8)} | {cell(f32)} | {cell(sp)} | "
              f"{fmt_ratio(best, u8[0])} | {fmt_ratio(best, f32[0])} | "
              f"{fmt_ratio(best, sp[0])} |")

    print()
    print("Every engine, steady state (run 1), ms:")
    print()
    print("| kernel | direct | FFT | AUTO picks |")
    print("| --- | --- | --- | --- |")
    for k in (int(s) for s in args.sizes.split(",")):
        d, f, au = (ours_a[("rand", k, e)] for e in ("direct", "fft", "auto"))
        dcell = f"{float(d['median_ms']):.1f}" + (" (one warm call)" if d["runs"] == "0"
                                                   else "")
        fcell = f"{float(f['median_ms']):.1f}" + (" (one warm call)" if f["runs"] == "0"
                                                   else "")
        print(f"| {k}×{k} | {dcell} | {fcell} | {au['ran']} |")

    for kind, rows in checks:
        by_k = {}
        rows = [r for r in rows if r["engine"] != "floor"]
        for r in rows:
            by_k.setdefault(int(r["kernel"]), {})[r["engine"]] = r
        worst = max(float(r["auto_choice_ratio"]) for r in rows)
        over = sorted({int(r["kernel"]) for r in rows if float(r["auto_choice_ratio"]) > 1.15})
        print()
        print(f"AUTO check, '{kind}' kernels, sizes {args.auto_check}: AUTO's pick vs the "
              f"fastest engine measured: worst {worst:.3f}× — "
              + ("within 1.15× for every size" if not over else
                 f"over 1.15× for {', '.join(map(str, over))}"))
        print()
        print("| kernel | " + " | ".join(e for e in by_k[min(by_k)] if e != "auto")
              + " | AUTO picks | ratio |")
        print("| --- " * (len(by_k[min(by_k)]) + 2) + "|")
        for k in sorted(by_k):
            es = by_k[k]
            cells = []
            for e, r in es.items():
                if e == "auto":
                    continue
                cells.append(f"{float(r['median_ms']):.1f}" + ("*" if r["runs"] == "0" else ""))
            print(f"| {k} | " + " | ".join(cells) + f" | {es['auto']['ran']} | "
                  f"{float(es['auto']['auto_choice_ratio']):.2f} |")
        print()
        print("\\* one warm call only (already over 3× the fastest)")


if __name__ == "__main__":
    main()
