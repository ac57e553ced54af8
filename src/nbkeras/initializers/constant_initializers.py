"""Initializers without randomness: Zeros, Ones, Constant, Identity."""

import numpy as np

from nbkeras import dtypes
from nbkeras.initializers.initializer import Initializer
from nbkeras.tensor import Tensor, to_array


def _constant(array):
    array.flags.writeable = False
    return Tensor(array)


class Constant(Initializer):
    """Every entry equals ``value`` (a number, or an array that broadcasts to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = dtypes.standardize_dtype(dtype)
        value = to_array(self.value, dtype, name="value", where="initializers.Constant")
        return _constant(value * np.ones(shape, dtype))

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray):
            value = value.tolist()
        return {"value": value}


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return _constant(np.zeros(shape, dtypes.standardize_dtype(dtype)))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return _constant(np.ones(shape, dtypes.standardize_dtype(dtype)))


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; a non-square shape gets ones on the
    main diagonal)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) != 2:
            raise ValueError(
                "initializers.Identity can only fill 2-D matrices, got "
                f"shape={shape} of rank {len(shape)}"
            )
        dtype = dtypes.standardize_dtype(dtype)
        return _constant(np.asarray(self.gain, dtype) * np.eye(*shape, dtype=dtype))

    def get_config(self):
        return {"gain": self.gain}
