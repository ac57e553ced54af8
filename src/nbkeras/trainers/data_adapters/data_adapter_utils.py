"""What every data adapter shares: ``(x, y, sample_weight)`` tuples, arrays, class weights.

Data reaches fit, evaluate and predict as ``x`` / ``y`` / ``sample_weight`` (each one array, a
list or a dict of arrays), or as batches of ``x``, ``(x,)``, ``(x, y)`` or ``(x, y,
sample_weight)`` from a generator or a PyDataset.
"""

import math

import numpy as np

from nbkeras import config
from nbkeras.tensor import Tensor, Variable
from nbkeras.utils import tree


def unpack_x_y_sample_weight(data):
    """``(x, y, sample_weight)`` of a batch given as ``x``, ``(x,)``, ``(x, y)`` or ``(x, y,
    sample_weight)`` (a list counts as a tuple)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data
    raise ValueError(
        "Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, "
        f"found: {data}"
    )


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    """The batch tuple of ``x``, ``y`` and ``sample_weight`` (shortest form)."""
    if y is None:
        return (x,) if not isinstance(x, (list, tuple)) else (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def is_array(value):
    return isinstance(value, (np.ndarray, Tensor, Variable))


def to_array(value, name):
    """A NumPy array of an input leaf: arrays and tensors pass (floats become floatx, as the
    model computes in it); anything else (a Python list of numbers, a string) is refused."""
    if isinstance(value, Variable):
        value = value.value
    if isinstance(value, Tensor):
        value = value.numpy()
    if not isinstance(value, np.ndarray):
        raise ValueError(f"Unrecognized data type: {name}={value!r} (of type {type(value)})")
    if value.dtype.kind == "f" and value.dtype != config.floatx():
        value = value.astype(config.floatx())
    return value


def to_arrays(structure, name):
    """``structure`` (one array, a list, a tuple or a dict of them) with every leaf an array;
    a list of numbers is refused as a whole, naming the argument."""
    if structure is None:
        return None
    if isinstance(structure, (list, tuple)) and not all(
            is_array(v) or isinstance(v, (list, tuple, dict)) or v is None
            for v in structure):
        raise ValueError(
            f"Unrecognized data type: {name}={_short(structure)} (of type {type(structure)})"
        )
    try:
        return tree.map_structure(lambda v: None if v is None else to_array(v, name),
                                  structure)
    except ValueError:
        raise ValueError(
            f"Unrecognized data type: {name}={_short(structure)} (of type {type(structure)})"
        ) from None


def _short(value):
    text = repr(value)
    return text if len(text) < 200 else text[:200] + "..."


def check_data_cardinality(data):
    """All arrays of ``(x, y, sample_weight)`` must have the same number of samples."""
    sizes = {}
    for label, part in zip(("x", "y", "sample_weight"), data, strict=False):
        if part is None:
            continue
        sizes[label] = [leaf.shape[0] for leaf in tree.flatten(part) if leaf is not None]
    counts = {n for values in sizes.values() for n in values}
    if len(counts) > 1:
        lines = "".join(f"'{label}' sizes: {', '.join(str(n) for n in values)}\n"
                        for label, values in sizes.items())
        raise ValueError(
            "Data cardinality is ambiguous. Make sure all arrays contain the same number of "
            f"samples.{lines}"
        )
    return counts.pop() if counts else 0


def class_weight_to_sample_weights(y, class_weight):
    """Per-sample weights of the class of each target: ``argmax`` of one-hot (or
    probability) targets, the rounded label otherwise; classes missing from
    ``class_weight`` weigh 1."""
    y = np.asarray(y)
    if y.ndim > 1 and y.shape[-1] > 1:
        labels = np.argmax(y, axis=-1)
    else:
        labels = np.round(np.squeeze(y, axis=-1) if y.ndim > 1 else y).astype(np.int64)
    weights = np.array([float(class_weight.get(int(label), 1.0)) for label in labels.ravel()],
                       dtype=config.floatx())
    return weights.reshape(labels.shape)


def train_validation_split(arrays, validation_split):
    """Split ``(x, y, sample_weight)`` into training data (the first
    ``floor(N * (1 - validation_split))`` samples) and validation data (the rest), before
    any shuffling."""
    leaves = [leaf for leaf in tree.flatten(list(arrays)) if leaf is not None]
    if not all(is_array(leaf) for leaf in leaves):
        kinds = sorted({str(type(leaf)) for leaf in leaves if not is_array(leaf)})
        raise ValueError(
            "Argument `validation_split` is only supported for tensors or NumPy arrays. "
            f"Found incompatible type in the input: {kinds}"
        )
    if not leaves:
        return arrays, None
    total = int(leaves[0].shape[0])
    split_at = int(math.floor(total * (1.0 - validation_split)))
    if split_at == 0 or split_at == total:
        raise ValueError(
            f"Training data contains {total} samples, which is not sufficient to split it "
            "into a validation and training set as specified by "
            f"`validation_split={validation_split}`. Either provide more data, or a different "
            "value for the `validation_split` argument."
        )

    def take(part, lo, hi):
        return None if part is None else tree.map_structure(
            lambda a: None if a is None else a[lo:hi], part)

    train = tuple(take(part, 0, split_at) for part in arrays)
    validation = tuple(take(part, split_at, total) for part in arrays)
    return train, validation
