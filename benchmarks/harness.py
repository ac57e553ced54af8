"""Timing helpers shared by the benchmarks: medians of repeated runs, and ratio tables."""

import os
import statistics
import subprocess
import sys
import time


def median_time(function, repeat=20, warmup=3, min_time=0.2):
    """Median wall time of ``function()`` in seconds (after ``warmup`` calls)."""
    for _ in range(warmup):
        function()
    times = []
    start = time.perf_counter()
    while len(times) < repeat or time.perf_counter() - start < min_time:
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
        if len(times) >= 10 * repeat:
            break
    return statistics.median(times)


def process_time(code, env=None, repeat=3):
    """Best wall time of ``python -c code`` in a fresh process (seconds)."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, **(env or {})},
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} us"


def print_table(title, rows, frameworks):
    """rows: list of (name, {framework: seconds}); ratios are nbkeras time / other time."""
    print(f"\n## {title}\n")
    others = [f for f in frameworks if f != "nbkeras"]
    header = ["benchmark", *frameworks, *[f"nbkeras/{o}" for o in others]]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * len(header)) + "|")
    for name, times in rows:
        cells = [name] + [fmt_time(times[f]) if f in times else "-" for f in frameworks]
        for o in others:
            cells.append(f"{times['nbkeras'] / times[o]:.2f}x" if o in times else "-")
        print("| " + " | ".join(cells) + " |")
