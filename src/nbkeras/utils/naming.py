"""Unique default names, as Keras makes them: ``dense``, ``dense_1``, ``dense_2``, ..."""

import collections

_counts = collections.defaultdict(int)


def unique_name(prefix):
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ..."""
    count = _counts[prefix]
    _counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    """Forget every name handed out (``keras.backend.clear_session`` does this)."""
    _counts.clear()
