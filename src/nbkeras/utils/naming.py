"""Unique default names, as Keras makes them: ``dense``, ``dense_1``, ``dense_2``, ..."""

import collections
import re

_counts = collections.defaultdict(int)


def unique_name(prefix):
    """``prefix`` the first time, then ``prefix_1``, ``prefix_2``, ..."""
    count = _counts[prefix]
    _counts[prefix] += 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    """Forget every name handed out (``keras.backend.clear_session`` does this)."""
    _counts.clear()


def to_snake_case(name):
    """Keras' class-name-to-object-name rule: ``BatchNormalization`` -> ``batch_normalization``,
    ``Conv2D`` -> ``conv2d``, ``L1L2`` -> ``l1l2``."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(class_name):
    """The default name of a new object of class ``class_name`` (``Dense`` -> ``dense_1``)."""
    return unique_name(to_snake_case(class_name))
