"""Show the real source of a kernel, op or class in the book (so the book never holds a copy)."""

import html
import inspect


class SourceListing:
    """Source code that displays highlighted in Jupyter and as plain text elsewhere."""

    def __init__(self, source):
        self.source = source

    def __repr__(self):
        return self.source.rstrip("\n")

    def _repr_html_(self):
        try:
            from pygments import highlight
            from pygments.formatters import HtmlFormatter
            from pygments.lexers import PythonLexer
        except ImportError:  # pygments ships with IPython; plain <pre> without it
            return f"<pre>{html.escape(self.source)}</pre>"
        formatter = HtmlFormatter(noclasses=True, style="default", nowrap=False)
        return highlight(self.source, PythonLexer(), formatter)


def _source_of(obj):
    from nbkeras.autodiff import Primitive

    if isinstance(obj, Primitive):
        parts = [_source_of(obj.forward), _source_of(obj.backward)]
        return "\n\n".join(dict.fromkeys(parts))  # forward and backward may share a factory
    function = getattr(obj, "py_func", obj)  # a Numba dispatcher wraps the Python function
    comments = inspect.getcomments(function) or ""
    return comments + inspect.getsource(function)


def show_source(*objects):
    """The source of each object (a function, class, Numba kernel or Primitive), with the
    comment lines just above it (where a backward kernel states its derivative)."""
    return SourceListing("\n\n".join(_source_of(o).rstrip("\n") for o in objects) + "\n")
