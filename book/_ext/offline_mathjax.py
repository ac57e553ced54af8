"""Sphinx extension: serve MathJax from the installed ``django-static-mathjax`` wheel.

Jupyter Book 1 loads MathJax from a CDN, so formulas show as raw TeX without a network. This
extension copies the CommonHTML build of MathJax 3.2.2 (the script and its fonts, about 1.6 MB)
from site-packages into the book's static files and points Sphinx's ``mathjax_path`` at it.
"""

import importlib.util
import pathlib
import shutil

from sphinx.errors import ExtensionError


def _mathjax_es5():
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        raise ExtensionError(
            "offline_mathjax: the 'django-static-mathjax' package is missing; "
            "install the book extra: pip install -e '.[book]'"
        )
    es5 = pathlib.Path(spec.submodule_search_locations[0]) / "static" / "mathjax" / "es5"
    if not (es5 / "tex-chtml.js").is_file():
        raise ExtensionError(f"offline_mathjax: no tex-chtml.js under {es5}")
    return es5


def _stage(app, config):
    es5 = _mathjax_es5()
    staging = pathlib.Path(app.doctreedir).parent / "offline_static"
    target = staging / "mathjax"
    if target.exists():
        shutil.rmtree(target)
    (target / "output" / "chtml").mkdir(parents=True)
    shutil.copy2(es5 / "tex-chtml.js", target / "tex-chtml.js")
    shutil.copytree(es5 / "output" / "chtml" / "fonts", target / "output" / "chtml" / "fonts")
    config.html_static_path = [*config.html_static_path, str(staging)]
    config.mathjax_path = "mathjax/tex-chtml.js"


def setup(app):
    app.connect("config-inited", _stage)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
