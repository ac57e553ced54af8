"""The built book, as a reader's browser gets it (``_build/html``, after ``jupyter-book build``).

- No TeX is left as text: every ``$...$`` must have become a math element. A formula that
  Markdown broke up (a wrapped line starting with ``+ `` reads as a list item) shows up as a
  stray ``$`` or ``\\frac`` in the page text.
- No internal link is broken: every relative ``href`` and ``src`` names a file of the build, and
  every ``#fragment`` an element id of the page it points to.

`make book-strict` runs this module right after its build; `make unit` leaves it out, and a plain
``pytest tests`` skips it while no book is built.
"""

import pathlib
import re
from urllib.parse import unquote, urlsplit

import pytest

bs4 = pytest.importorskip("bs4")

HTML = pathlib.Path(__file__).resolve().parent.parent / "_build" / "html"
PAGES = sorted([*HTML.glob("index.html"), *HTML.glob("book/*.html")])

pytestmark = pytest.mark.skipif(
    not (HTML / "index.html").exists(),
    reason="no built book: run `make book` (or `make book-strict`) first",
)

# Text a reader sees as prose: code, outputs and the math MathJax renders are left out.
_NOT_PROSE = ["script", "style", "code", "pre", "kbd", "samp"]
_NOT_PROSE_CLASSES = {"math", "cell_output", "highlight", "output"}
_RAW_TEX = re.compile(r"\$|\\(frac|sum|sigma|mathrm|partial|left|right|begin|end|cdot|tfrac)\b")


def _soup(path):
    return bs4.BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _prose_text(soup):
    body = soup.find("main") or soup
    for tag in body.find_all(_NOT_PROSE):
        tag.decompose()
    for tag in body.find_all(class_=lambda c: c is not None):
        if tag.decomposed:
            continue
        if _NOT_PROSE_CLASSES.intersection(tag.get("class", [])):
            tag.decompose()
    return body.get_text(" ")


def test_there_are_pages():
    assert len(PAGES) >= 2


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_raw_tex_outside_math(page):
    text = _prose_text(_soup(page))
    leftovers = [
        " ".join(text[max(0, m.start() - 40) : m.end() + 40].split())
        for m in _RAW_TEX.finditer(text)
    ]
    assert not leftovers, f"{page.name}: TeX shown as text: {leftovers[:5]}"


def _ids(path, cache={}):  # noqa: B006 (a per-run cache of each page's element ids)
    if path not in cache:
        cache[path] = {tag["id"] for tag in _soup(path).find_all(id=True)}
    return cache[path]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_internal_links_resolve(page):
    soup = _soup(page)
    broken = []
    for tag, attribute in [("a", "href"), ("img", "src"), ("link", "href"), ("script", "src")]:
        for element in soup.find_all(tag, attrs={attribute: True}):
            url = urlsplit(element[attribute])
            if url.scheme or url.netloc:
                continue  # external (http:, mailto:, data:): not ours to check offline
            target = (page.parent / unquote(url.path)).resolve() if url.path else page
            if not target.is_file():
                broken.append(element[attribute])
            elif url.fragment and target.suffix == ".html":
                if unquote(url.fragment) not in _ids(target):
                    broken.append(element[attribute])
    assert not broken, f"{page.name}: broken internal links: {sorted(set(broken))}"
