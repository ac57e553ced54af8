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
            "to compute values. In a functional graph, an op that nbkeras cannot record as a "
            "step (those it can: nbkeras.ops.operation.KERAS_OPERATIONS) runs inside a "
            "keras.layers.Lambda."
        )

    def __array__(self, dtype=None, copy=None):
        raise self._no_value("a NumPy array")

    def __float__(self):
        raise self._no_value("a float")

    def __int__(self):
        raise self._no_value("an int")

    def __bool__(self):
        raise self._no_value("a bool")

    def reshape(self, newshape):
        """``ops.reshape(self, newshape)``: a Reshape step."""
        return _ops().reshape(self, newshape)

    def squeeze(self, axis=None):
        """``ops.squeeze(self, axis)``: a Squeeze step."""
        return _ops().squeeze(self, axis=axis)

    # Operators record ops in the graph, as Keras' do: ``x * 2`` is a Multiply step. There is
    # no ``==`` (a KerasTensor compares by identity, so it can be a dict key), but ``!=`` is
    # ``ops.not_equal``, as in Keras.
    def __add__(self, other):
        return _ops().add(self, other)

    def __radd__(self, other):
        return _ops().add(other, self)

    def __sub__(self, other):
        return _ops().subtract(self, other)

    def __rsub__(self, other):
        return _ops().subtract(other, self)

    def __mul__(self, other):
        return _ops().multiply(self, other)

    def __rmul__(self, other):
        return _ops().multiply(other, self)

    def __matmul__(self, other):
        return _ops().matmul(self, other)

    def __rmatmul__(self, other):
        return _ops().matmul(other, self)

    def __truediv__(self, other):
        return _ops().true_divide(self, other)

    def __rtruediv__(self, other):
        return _ops().true_divide(other, self)

    def __floordiv__(self, other):
        return _ops().floor_divide(self, other)

    def __rfloordiv__(self, other):
        return _ops().floor_divide(other, self)

    def __mod__(self, other):
        return _ops().mod(self, other)

    def __rmod__(self, other):
        return _ops().mod(other, self)

    def __pow__(self, other):
        return _ops().power(self, other)

    def __rpow__(self, other):
        return _ops().power(other, self)

    def __neg__(self):
        return _ops().negative(self)

    def __abs__(self):
        return _ops().absolute(self)

    def __lt__(self, other):
        return _ops().less(self, other)

    def __le__(self, other):
        return _ops().less_equal(self, other)

    def __gt__(self, other):
        return _ops().greater(self, other)

    def __ge__(self, other):
        return _ops().greater_equal(self, other)

    def __ne__(self, other):
        return _ops().not_equal(self, other)

    def __and__(self, other):
        return _ops().logical_and(self, other)

    def __rand__(self, other):
        return _ops().logical_and(other, self)

    def __or__(self, other):
        return _ops().logical_or(self, other)

    def __ror__(self, other):
        return _ops().logical_or(other, self)

    def __invert__(self):
        return _ops().logical_not(self)

    def __getitem__(self, key):
        return _ops().getitem(self, key)

    def __round__(self, ndigits=None):
        return _ops().round(self, decimals=ndigits or 0)

    def __repr__(self):
        return (
            f"<KerasTensor shape={self.shape}, dtype={self.dtype}, sparse=False, "
            f"ragged=False, name={self.name}>"
        )


def _ops():
    from nbkeras import ops  # (ops sit above this module: imported when an operator is used)

    return ops


def is_keras_tensor(x):
    """True for a KerasTensor produced by an Input or a layer call."""
    return isinstance(x, KerasTensor) and hasattr(x, "_keras_history")
