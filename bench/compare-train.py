#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Convolve's lecture convnet against PyTorch's, in one run on one machine.

Trains N epochs with `convolve-cli train` and with the peer script
../shared/bench/torch_mnist.py (same data, same threads), one after the
other, --repeat times alternating, then times batch-1 inference with
bench-train. Prints per-epoch seconds, test accuracy, batch-1 latency, peak
RSS and the ratio of steady-state epochs (the last epoch of each run).

  bench/compare-train.py --data ~/.local/share/convolve/mnist --epochs 2
"""
import argparse
import os
import re
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CPU = {}


def run(cmd, env=None):
    """Runs cmd; returns (stdout, peak RSS in MiB) of that child alone; its CPU
    seconds (user + system) go into CPU[cmd[0]]."""
    print("$", " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env)
    out = ""
    for line in proc.stdout:   # echoed as it comes: runs take minutes
        print("  " + line, end="", flush=True)
        out += line
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}):\n{out}")
    CPU.setdefault(os.path.basename(cmd[1] if cmd[0].endswith("python3") else cmd[0]),
                   []).append(usage.ru_utime + usage.ru_stime)
    return out, usage.ru_maxrss / 1024.0


def ours(args):
    out, rss = run([os.path.join(args.build, "src", "cli", "convolve-cli"), "train",
                    "--data", args.data, "--epochs", str(args.epochs),
                    "--threads", str(args.threads), "--seed", "1"] +
                   (["--limit", str(args.limit)] if args.limit else []))
    epochs = [(float(s), float(a)) for s, a in
              re.findall(r"epoch\s+\d+\s+([\d.]+) s.*?test ([\d.]+)%", out)]
    return epochs, rss


def torch(args):
    env = dict(os.environ)
    out, rss = run(["/usr/bin/python3", os.path.join(args.peer, "torch_mnist.py"),
                    "--data", args.data, "--epochs", str(args.epochs),
                    "--threads", str(args.threads)] +
                   (["--limit", str(args.limit)] if args.limit else []) +
                   (["--no-infer"] if args.no_infer else []), env)
    epochs = [(float(s), float(a)) for s, a in
              re.findall(r"epoch \d+: train ([\d.]+) s.*?test_acc ([\d.]+)%", out)]
    lat = re.search(r"infer batch1: median ([\d.]+) ms", out)
    return epochs, rss, float(lat.group(1)) if lat else float("nan")


def our_latency(args):
    out, _ = run([os.path.join(args.build, "bench", "bench-train"), "--data", args.data,
                  "--threads", str(args.threads), "--steps", "10"])
    # The bundled (trained) model's if there is one: what the Draw page runs.
    lat = (re.search(r"inference, batch 1, bundled model: median ([\d.]+) ms", out) or
           re.search(r"inference, batch 1: median ([\d.]+) ms", out))
    return float(lat.group(1)) if lat else float("nan")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.expanduser("~/.local/share/convolve/mnist"),
                    help="folder with the four raw MNIST IDX files")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"), help="meson build folder")
    ap.add_argument("--peer", default=os.path.join(ROOT, "..", "shared", "bench"),
                    help="folder of torch_mnist.py (default ../shared/bench)")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1, help="alternating runs of each")
    ap.add_argument("--limit", type=int, default=0,
                    help="train on the first N images (epoch seconds scale with N)")
    ap.add_argument("--no-infer", action="store_true",
                    help="skip the batch-1 timings (PyTorch's and ours)")
    args = ap.parse_args()

    print(f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset)')}  "
          f"threads {args.threads}  epochs {args.epochs}", flush=True)
    rows = []
    for r in range(args.repeat):
        o_epochs, o_rss = ours(args)
        t_epochs, t_rss, t_lat = torch(args)
        o_lat = float("nan") if args.no_infer else our_latency(args)
        rows.append((o_epochs, o_rss, o_lat, t_epochs, t_rss, t_lat))

    def fmt_epochs(epochs):
        return " / ".join(f"{s:.1f}" for s, _ in epochs)

    def fmt_acc(epochs):
        return " / ".join(f"{a:.2f}%" for _, a in epochs)

    print()
    print("| run | | epoch seconds | test accuracy | batch-1 ms | peak RSS MiB "
          "| last epoch, ours / PyTorch |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    ratios = []
    for i, (oe, orss, olat, te, trss, tlat) in enumerate(rows, 1):
        ratio = oe[-1][0] / te[-1][0] if oe and te else float("nan")
        ratios.append(ratio)
        print(f"| {i} | Convolve | {fmt_epochs(oe)} | {fmt_acc(oe)} | {olat:.3f} | {orss:.0f} | "
              f"{ratio:.2f} |")
        print(f"| {i} | PyTorch | {fmt_epochs(te)} | {fmt_acc(te)} | {tlat:.3f} | {trss:.0f} | |")
    # CPU seconds of whole runs (training, the test passes, start-up): a
    # measure of work that other load on the machine inflates less.
    print()
    for name, secs in CPU.items():
        print(f"CPU seconds, {name}: " + " / ".join(f"{c:.1f}" for c in secs))
    if len(ratios) > 1:
        print(f"\nmedian ratio of the last epochs: {statistics.median(ratios):.2f}")


if __name__ == "__main__":
    main()
