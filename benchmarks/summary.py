"""The headline figures of benchmarks/results/latest.json, as the README's table.

    python benchmarks/summary.py            print the table (markdown)
    python benchmarks/summary.py --readme   write it into README.md between its two markers

The chapters read the same file (``load`` below, through nbkeras-free JSON), so every speed
figure in the book and the README comes from one `make bench` run.
"""

import argparse
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
LATEST = ROOT / "benchmarks" / "results" / "latest.json"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def load(path=LATEST):
    with open(path) as f:
        return json.load(f)


def row(results, section, name):
    return results["sections"][section]["rows"][name]


def ms(seconds):
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"


def ratio(a, b):
    """'0.5x' style: a's time over b's (below 1: a is faster)."""
    return f"{a / b:.2f}x"


def table(results):
    lines = ["| benchmark | nbkeras | nbkeras / TensorFlow | nbkeras / PyTorch |",
             "|---|---|---|---|"]

    def add(label, times, torch_key="torch", extra=""):
        tf = f"{ratio(times['nbkeras'], times['tensorflow'])}" if "tensorflow" in times else "-"
        pt = f"{ratio(times['nbkeras'], times[torch_key])}" if torch_key in times else "-"
        lines.append(f"| {label} | {ms(times['nbkeras'])}{extra} | {tf} | {pt} |")

    steady = results["sections"]["steady"]["rows"]
    for name, times in steady.items():
        extra = ""
        if "numpy" in times:
            extra = f" ({ratio(times['nbkeras'], times['numpy'])} NumPy's three GEMMs)"
        if name.startswith("tape"):
            lines.append(f"| {name} | {times['nbkeras'] * 1e6:.1f} us | "
                         f"{ratio(times['nbkeras'], times['tensorflow'])} | "
                         f"{ratio(times['nbkeras'], times['torch'])} |")
            continue
        add(name, times, extra=extra)
    adam = row(results, "adam", "Adam step")
    lines.append(f"| Adam step, 1M parameters | {ms(adam['nbkeras'])} | "
                 f"{ratio(adam['nbkeras'], adam['Keras 3 / TensorFlow (eager)'])} | "
                 f"{ratio(adam['nbkeras'], adam['PyTorch Adam (fused)'])} (fused) |")
    add("Conv2D 3x3 32->64, batch 64, 26x26, fwd+bwd", row(results, "conv2d", "Conv2D step"))
    for name, times in results["sections"]["training_fit"]["rows"].items():
        if name.startswith("(a)") or name.startswith("predict"):
            add(name, times)
    add("(b) CNN train_on_batch, 64x28x28x1", row(results, "training_cnn",
                                                  "(b) CNN train_on_batch, 64x28x28x1"))
    for name, times in results["sections"]["recurrent"]["rows"].items():
        add(name, times)
    meta = results["meta"]
    lines.append("")
    lines.append(f"`make bench`, {meta['date']}, {meta['cpus']} cores ({meta['machine']}), "
                 "all frameworks in the same run; ratios below 1 mean nbkeras is faster.")
    return "\n".join(lines)


def write_readme(text):
    readme = ROOT / "README.md"
    content = readme.read_text()
    before, rest = content.split(START, 1)
    _, after = rest.split(END, 1)
    readme.write_text(f"{before}{START}\n{text}\n{END}{after}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--results", default=str(LATEST))
    arguments = parser.parse_args()
    text = table(load(arguments.results))
    if arguments.readme:
        write_readme(text)
    print(text)
