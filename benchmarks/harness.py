"""Timing helpers shared by the benchmarks: medians of repeated runs, and ratio tables.

Every table printed is also kept in ``RESULTS`` (seconds per framework, by section key and row
name), and ``make bench`` (run.py) writes them to benchmarks/results/latest.json: the README
and the book's chapters quote that file, so no speed figure is typed by hand.
"""

import json
import os
import platform
import statistics
import subprocess
import sys
import time

SETTLE = 0.3
"""Seconds of sleep before each measurement: the thread pools of the framework measured just
before (TensorFlow's, PyTorch's OpenMP, OpenBLAS) spin for a while after their last call, and
on two cores they would slow down whatever is measured next (measured: NumPy's three 512 x 512
GEMMs took 158 ms right after TensorFlow's step instead of about 5 ms)."""


def median_time(function, repeat=20, warmup=3, min_time=0.2):
    """Median wall time of ``function()`` in seconds (after ``warmup`` calls)."""
    time.sleep(SETTLE)
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


RESULTS = {}
"""section key -> {"title": ..., "rows": {row name: {framework: seconds or figure}}}"""


def record(key, title, name, values):
    """Keep one row of figures (seconds, or other numbers) for the results file."""
    section = RESULTS.setdefault(key, {"title": title, "rows": {}})
    section["rows"][name] = {k: float(v) for k, v in values.items()}


def write_results(path):
    """Write ``RESULTS`` and a description of the machine to ``path`` (JSON)."""
    import numpy

    import nbkeras

    meta = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpus": os.cpu_count(), "machine": platform.machine(),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "nbkeras": getattr(nbkeras, "__version__", "")}
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w") as f:
        json.dump({"meta": meta, "sections": RESULTS}, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(path + ".tmp", path)


def print_table(title, rows, frameworks, key=None):
    """rows: list of (name, {framework: seconds}); ratios are nbkeras time / other time.
    ``key`` names the section in the results file (default: the title)."""
    for name, times in rows:
        record(key or title, title, name, times)
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
