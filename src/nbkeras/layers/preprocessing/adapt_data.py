"""How the preprocessing layers' ``adapt`` reads its data: one array (or tensor) at once, or an
iterable of batches, of which at most ``steps`` are read."""

import itertools

import numpy as np

from nbkeras.tensor import Tensor


def adapt_batches(data, steps=None, whole=(np.ndarray, Tensor)):
    """The batches of ``data``: ``[data]`` for an instance of ``whole`` (or anything that is not
    iterable), else the first ``steps`` items (all of them when ``steps`` is None)."""
    if isinstance(data, whole) or not hasattr(data, "__iter__"):
        return [data]
    return itertools.islice(data, steps)
