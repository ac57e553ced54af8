"""The API-coverage table (tests/api_coverage.toml) tells the truth about nbkeras.

Keras' public names come from real Keras (tests/reference/api_names.json, `make reference`). The
table gives each one a status: a chapter, "" (present, no chapter) or "missing". These tests fail
when nbkeras gains or loses a Keras name and the table does not say so, when the table names a
chapter that does not exist or never mentions the name, or when a name nbkeras has is a function
where Keras has a class (or the other way round). Fix by running `tools/api_coverage.py`, then
re-executing chapter 17 and the preface, which render the table.
"""

import importlib
import inspect
import json
import pathlib
import re
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
KERAS = {
    case["id"]: {entry["name"]: entry["kind"] for entry in case["names"]}
    for case in json.loads((ROOT / "tests" / "reference" / "api_names.json").read_text())["cases"]
}
TABLE = tomllib.loads((ROOT / "tests" / "api_coverage.toml").read_text())
CHAPTERS = {p.stem: p for p in BOOK.glob("[0-9][0-9]_*.ipynb")}
FIX = "run `.venv/bin/python tools/api_coverage.py`, review, re-execute chapter 17 and the preface"


def test_reference_covers_the_appendix_modules():
    assert list(KERAS) == [
        "layers", "losses", "metrics", "optimizers", "optimizers.schedules", "activations",
        "initializers", "regularizers", "constraints", "callbacks", "models", "saving", "ops",
        "utils", "backend",
    ]
    assert sum(len(names) for names in KERAS.values()) > 800


def test_table_lists_exactly_the_keras_names():
    assert list(TABLE) == list(KERAS)
    for module, names in KERAS.items():
        assert sorted(TABLE[module]) == sorted(names), f"keras.{module}: {FIX}"


@pytest.mark.parametrize("module", list(KERAS))
def test_table_status_matches_the_package(module):
    ours = importlib.import_module(f"nbkeras.{module}")
    wrong = [
        f"{name} (table: {status!r}, nbkeras {'has' if hasattr(ours, name) else 'lacks'} it)"
        for name, status in TABLE[module].items()
        if (status != "missing") != hasattr(ours, name)
    ]
    assert not wrong, f"keras.{module}: {wrong}; {FIX}"


@pytest.mark.parametrize("module", list(KERAS))
def test_present_names_are_the_same_kind_as_keras(module):
    ours = importlib.import_module(f"nbkeras.{module}")
    wrong = []
    for name, kind in KERAS[module].items():
        if TABLE[module][name] == "missing" or kind == "constant":
            continue
        value = getattr(ours, name)
        if (kind == "class") != inspect.isclass(value) or not callable(value):
            wrong.append(f"{name} (Keras: {kind})")
    assert not wrong, f"keras.{module}: {wrong}"


@pytest.mark.parametrize("module", list(KERAS))
def test_named_chapters_exist_and_mention_the_name(module):
    texts = {}
    wrong = []
    for name, status in TABLE[module].items():
        if status in ("", "missing"):
            continue
        if status not in CHAPTERS:
            wrong.append(f"{name}: no chapter {status!r}")
            continue
        if status not in texts:
            cells = json.loads(CHAPTERS[status].read_text())["cells"]
            texts[status] = "\n".join("".join(c["source"]) for c in cells)
        if not re.search(rf"\b{re.escape(name)}\b", texts[status]):
            wrong.append(f"{name}: {status} never names it")
    assert not wrong, f"keras.{module}: {wrong}"
