"""The stored notebooks are what nbval checks, so they must be complete and in sync.

- every code cell was executed, top to bottom, in one kernel (execution counts 1, 2, 3, ...);
  nbval would silently skip a cell stored without an execution count;
- each notebook's jupytext twin (``.py``, percent format) has the same cells;
- each notebook stores its kernelspec (also in the twin's header), so JupyterLab opens it without
  marking it modified;
- every chapter is listed in _toc.yml.
"""

import json
import pathlib
import re

import jupytext
import pytest

BOOK = pathlib.Path(__file__).resolve().parent.parent / "book"
NOTEBOOKS = sorted(BOOK.glob("*.ipynb"))


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 2


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_executed_top_to_bottom(path):
    cells = json.loads(path.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "".join(c["source"]).strip()]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts}; run `make execute` and save"
    )


def _cells(notebook):
    return [
        (c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", [])))
        for c in notebook.cells
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_jupytext_pair_in_sync(path):
    twin = path.with_suffix(".py")
    assert twin.exists(), f"{path.name} has no py:percent twin; run `jupytext --sync`"
    from_ipynb = _cells(jupytext.read(path))
    from_py = _cells(jupytext.read(twin))
    assert from_ipynb == from_py, (
        f"{path.name} and {twin.name} differ; run `jupytext --sync {path}`"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_stored(path):
    for stored in (jupytext.read(path), jupytext.read(path.with_suffix(".py"))):
        kernelspec = stored.metadata.get("kernelspec", {})
        assert kernelspec.get("name") == "python3", (
            f"{path.name}: kernelspec {kernelspec!r}; expected the python3 kernel: run "
            f"`jupytext --set-kernel python3 book/{path.name} && jupytext --sync book/{path.name}`"
        )


def test_every_chapter_is_in_the_table_of_contents():
    # The book builds only the files _toc.yml lists (only_build_toc_files): a chapter left out
    # would be tested but never shown.
    toc = (BOOK.parent / "_toc.yml").read_text()
    listed = set(re.findall(r"(?:root|file):\s*book/(\S+)", toc))
    assert listed == {p.stem for p in NOTEBOOKS}, (
        f"_toc.yml lists {sorted(listed)}; book/ holds {sorted(p.stem for p in NOTEBOOKS)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_section_heading_hides_in_a_code_cell(path):
    # A lost "# %% [markdown]" line in a twin turns the next section into comments of the code
    # cell above it: the heading and its prose vanish from the rendered book.
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] == "code":
            headings = [line for line in "".join(cell["source"]).splitlines()
                        if re.match(r"# #{1,4} ", line)]
            assert not headings, f"{path.name}: a code cell holds the heading(s) {headings}"
