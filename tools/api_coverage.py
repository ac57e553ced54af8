"""Write tests/api_coverage.toml: for every public name of Keras 3.15, where nbkeras stands.

The names come from the reference family ``api_names`` (tests/reference/api_names.json, made by
`make reference` from real Keras). For each name the file records one of

    "07_layers"   nbkeras has it, and that chapter (book/07_layers.ipynb) derives it;
    ""            nbkeras has it, and no chapter is about it;
    "missing"     nbkeras does not have it.

An existing entry whose status still holds is kept, so chapters chosen by hand survive a rerun.
A new entry, or one whose name nbkeras gained or lost, gets the chapter that names it most (a
guess from the notebooks' text: review the diff). tests/test_api_coverage.py fails until this
file agrees with the package, and chapter 17 and the preface render it.

    .venv/bin/python tools/api_coverage.py
"""

import importlib
import json
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAMES = ROOT / "tests" / "reference" / "api_names.json"
COVERAGE = ROOT / "tests" / "api_coverage.toml"
BOOK = ROOT / "book"
MISSING = "missing"
HEADER = """\
# Which of Keras 3.15's public names nbkeras has, and the chapter that derives each one.
# "NN_chapter": nbkeras has the name and book/NN_chapter.ipynb derives it; "": nbkeras has it, no
# chapter is about it; "missing": nbkeras does not have it. Written by tools/api_coverage.py
# (keeps entries that still hold); checked by tests/test_api_coverage.py; rendered by chapter 17.
"""


def keras_names():
    """{module: [name, ...]} for the modules of the appendix, in Keras' order."""
    cases = json.loads(NAMES.read_text())["cases"]
    return {case["id"]: [entry["name"] for entry in case["names"]] for case in cases}


def has_name(module, name):
    return hasattr(importlib.import_module(f"nbkeras.{module}"), name)


def _notebook_text(path):
    cells = json.loads(path.read_text())["cells"]
    return "\n".join("".join(cell["source"]) for cell in cells)


# The chapter that derives most of a module: it wins whenever it names the name at all.
HOME = {
    "losses": "03_losses",
    "metrics": "04_metrics",
    "optimizers": "05_optimizers",
    "optimizers.schedules": "06_learning_rate_schedules",
    "activations": "02_activations",
    "initializers": "08_initializers_regularizers_constraints",
    "regularizers": "08_initializers_regularizers_constraints",
    "constraints": "08_initializers_regularizers_constraints",
    "callbacks": "13_callbacks",
    "models": "11_models",
    "saving": "14_saving",
}


def _guess_chapter(module, name, texts):
    """The module's home chapter if it names ``name``, else the chapter that names it most."""
    prefix = module.split(".")[-1]
    prefixed = re.compile(rf"\b{re.escape(prefix)}\.{re.escape(name)}\b")
    quoted = re.compile(rf"`{re.escape(name)}[`(]")
    bare = re.compile(rf"\b{re.escape(name)}\b")
    # A bare "get" or "maximum" says nothing; a class name or a snake_case name does.
    distinctive = name[:1].isupper() or "_" in name.strip("_")

    def score(text):
        points = 5 * len(prefixed.findall(text))
        if distinctive:
            points += 2 * len(quoted.findall(text)) + len(bare.findall(text))
        return points

    home = HOME.get(module)
    if home in texts and score(texts[home]) > 0:
        return home
    best, best_score = "", 0
    for chapter, text in texts.items():
        if score(text) > best_score:
            best, best_score = chapter, score(text)
    return best


def read_coverage(path=COVERAGE):
    return tomllib.loads(path.read_text()) if path.exists() else {}


def _toml_key(key):
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key)


def write_coverage(coverage, path=COVERAGE):
    lines = [HEADER]
    for module, entries in coverage.items():
        lines.append(f"\n[{_toml_key(module)}]")
        lines.extend(f"{_toml_key(name)} = {json.dumps(value)}" for name, value in entries.items())
    path.write_text("\n".join(lines) + "\n")


def main():
    texts = {p.stem: _notebook_text(p) for p in sorted(BOOK.glob("[0-9][0-9]_*.ipynb"))}
    old = read_coverage()
    coverage, changed = {}, []
    for module, names in keras_names().items():
        coverage[module] = {}
        for name in names:
            present = has_name(module, name)
            previous = old.get(module, {}).get(name)
            still_holds = previous is not None and (previous != MISSING) == present
            if still_holds and (previous in ("", MISSING) or previous in texts):
                value = previous
            else:
                value = _guess_chapter(module, name, texts) if present else MISSING
                changed.append(f"{module}.{name}: {previous!r} -> {value!r}")
            coverage[module][name] = value
    write_coverage(coverage)
    print("\n".join(changed) or "no change", file=sys.stderr)


if __name__ == "__main__":
    main()
