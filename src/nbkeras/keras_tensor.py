"""Symbolic tensors (``keras.KerasTensor``): a shape and a dtype, without values.

``keras.Input(shape=(16,))`` returns one, with batch size None. Calling a layer on it runs no
kernel: the layer computes the output's shape (``compute_output_shape``) and records the call as
a ``Node``, so the output remembers which layer made it from which inputs. Following those
records back from an output finds the whole graph of layers; the functional ``Model`` is built
from that graph.
"""

from nbkeras import dtypes
from nbkeras.utils import naming


def standardize_shape(shape):
    """A shape as a tuple of non-negative ints and None (unknown sizes)."""
    if shape is None:
        raise ValueError("Undefined shapes are not supported: pass a tuple of ints and None")
    if not hasattr(shape, "__iter__"):
        raise ValueError(f"Cannot convert {shape!r} to a shape: it is not a tuple")
    result = []
    for d in shape:
        if d is None:
            result.append(None)
            continue
        if isinstance(d, bool) or not hasattr(d, "__index__"):
            raise ValueError(f"Cannot convert {shape!r} to a shape: {d!r} is not an int or None")
        d = int(d)
        if d < 0:
            raise ValueError(f"Cannot convert {shape!r} to a shape: negative dimension {d}")
        result.append(d)
    return tuple(result)


class KerasTensor:
    """A placeholder for a tensor: ``shape`` (None for unknown sizes), ``dtype``, ``name``.

    ``_keras_history`` names the layer call (``Node``) that produced it, once it has one.
    """

    def __init__(self, shape, dtype="float32", sparse=False, ragged=False, record_history=True,
                 name=None):
        if sparse or ragged:
            raise ValueError("KerasTensor: sparse and ragged tensors are not supported")
        self._shape = standardize_shape(shape)
        self._dtype = dtypes.standardize_dtype(dtype)
        self.name = name if name is not None else naming.auto_name("KerasTensor")
        self.record_history = record_history

    @property
    def shape(self):
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def sparse(self):
        return False

    @property
    def ragged(self):
        return False

    def _no_value(self, what):
        return ValueError(
            "A KerasTensor is symbolic: it stands for a shape and a dtype and has no value, "
            f"so it cannot be converted to {what}. Call the layers on NumPy arrays or tensors "
            "to compute values."
        )

    def __array__(self, dtype=None, copy=None):
        raise self._no_value("a NumPy array")

    def __float__(self):
        raise self._no_value("a float")

    def __int__(self):
        raise self._no_value("an int")

    def __bool__(self):
        raise self._no_value("a bool")

    def __repr__(self):
        return (
            f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse=False, "
            f"ragged=False, name={self.name}>"
        )


def is_keras_tensor(x):
    """True for a KerasTensor produced by an Input or a layer call."""
    return isinstance(x, KerasTensor) and hasattr(x, "_keras_history")
