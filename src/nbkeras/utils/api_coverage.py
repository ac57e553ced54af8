"""How much of Keras 3.15's public API nbkeras has: the data behind the appendix and the preface.

Two files of the repository, found like the reference data (``tests/`` above the working
directory): ``tests/reference/api_names.json``, every public name of the appendix's Keras modules
as real Keras lists them (``make reference``), and ``tests/api_coverage.toml``, the status of each
name in nbkeras (a chapter, ``""`` or ``"missing"``; written by ``tools/api_coverage.py`` and
checked against the package by ``tests/test_api_coverage.py``).
"""

import json
import tomllib
from typing import NamedTuple

from nbkeras.utils.keras_reference import reference_dir

MISSING = "missing"


class ApiName(NamedTuple):
    module: str  # "layers", "optimizers.schedules", ...
    name: str
    kind: str  # "class", "function" or "constant", as in Keras
    present: bool  # nbkeras has it
    chapter: str  # the book chapter that derives it ("07_layers"), or ""


def api_coverage():
    """Every public name of the appendix's Keras modules, in Keras' module order, as ApiName."""
    names = json.loads((reference_dir() / "api_names.json").read_text())["cases"]
    table = tomllib.loads((reference_dir().parent / "api_coverage.toml").read_text())
    rows = []
    for case in names:
        for entry in case["names"]:
            status = table[case["id"]][entry["name"]]
            present = status != MISSING
            rows.append(
                ApiName(case["id"], entry["name"], entry["kind"], present,
                        status if present else "")
            )
    return rows


def coverage_summary():
    """One line: how many of Keras' public names nbkeras has, over all the appendix's modules."""
    rows = api_coverage()
    modules = len({row.module for row in rows})
    present = sum(row.present for row in rows)
    return (
        f"nbkeras has {present} of the {len(rows)} public names ({present / len(rows):.0%}) of "
        f"Keras 3.15's {modules} API modules (layers, losses, metrics, optimizers, ops, ...)."
    )
