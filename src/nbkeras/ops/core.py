"""``keras.ops`` core: conversion, casting, stopping gradients."""

import numpy as np

from nbkeras import dtypes
from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.ops.operation import symbolic_call
from nbkeras.tensor import Tensor, Variable, to_array


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A tensor with Keras' dtype rules: Python floats become float32, Python ints int32, and
    NumPy arrays keep their dtype (float64 stays float64) unless ``dtype`` is given."""
    if sparse or ragged:
        raise ValueError("convert_to_tensor: sparse and ragged tensors are not supported")
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, Tensor):
        return x if dtype is None else cast(x, dtype)
    array = np.array(to_array(x, dtype, name="x", where="convert_to_tensor"), copy=True)
    array.flags.writeable = False
    return Tensor(array)


def _cast_forward(x, *, dtype):
    return x.astype(dtype), None


def _cast_backward(saved, g, needs):
    return (g,)  # the tape casts the cotangent back to the input's dtype


cast_p = Primitive("cast", _cast_forward, _cast_backward)


def cast(x, dtype):
    dtype = dtypes.standardize_dtype(dtype)  # (before a graph step: its config has the name)
    if type(x) is KerasTensor:
        return symbolic_call("cast", locals())
    if not isinstance(x, Tensor):
        return convert_to_tensor(x, dtype)  # a constant: nothing to differentiate
    if x.dtype == dtype:
        return x
    return cast_p(x, dtype=dtype)


def stop_gradient(variable):
    """The same value, cut off from the tape: no gradient flows back through it."""
    t = convert_to_tensor(variable)
    return Tensor(t._value)


def is_tensor(x):
    return isinstance(x, Tensor)


def shape(x):
    """The shape as a tuple (of a KerasTensor too: None where the size is unknown)."""
    if type(x) is KerasTensor:
        return x.shape
    return tuple(convert_to_tensor(x).shape)


def dtype(x):
    """The dtype's Keras name (of a KerasTensor too)."""
    if type(x) is KerasTensor:
        return x.dtype
    return convert_to_tensor(x).dtype


# -- constructors (constants: nothing to differentiate) -----------------------------------------


def _constant(array):
    array.flags.writeable = False
    return Tensor(array)


def zeros(shape, dtype=None):
    return _constant(np.zeros(shape, dtypes.standardize_dtype(dtype)))


def ones(shape, dtype=None):
    return _constant(np.ones(shape, dtypes.standardize_dtype(dtype)))


def full(shape, fill_value, dtype=None):
    """A tensor of ``shape`` filled with ``fill_value``, of ``dtype`` (floatx by default, whatever
    the fill value's type, as in Keras)."""
    return _constant(np.full(shape, fill_value, dtypes.standardize_dtype(dtype)))


def zeros_like(x, dtype=None):
    if type(x) is KerasTensor:
        return symbolic_call("zeros_like", locals())
    t = convert_to_tensor(x)
    return zeros(t.shape, dtype or t.dtype)


def ones_like(x, dtype=None):
    if type(x) is KerasTensor:
        return symbolic_call("ones_like", locals())
    t = convert_to_tensor(x)
    return ones(t.shape, dtype or t.dtype)


def full_like(x, fill_value, dtype=None):
    if type(x) is KerasTensor or type(fill_value) is KerasTensor:
        return symbolic_call("full_like", locals())
    t = convert_to_tensor(x)
    return full(t.shape, fill_value, dtype or t.dtype)


def arange(start, stop=None, step=1, dtype=None):
    if dtype is None:
        numbers = [v for v in (start, stop, step) if v is not None]
        dtype = "float32" if any(isinstance(v, float) for v in numbers) else "int32"
    return _constant(np.arange(start, stop, step, dtype=dtypes.standardize_dtype(dtype)))


def eye(N, M=None, k=0, dtype=None):  # noqa: N803 - Keras' argument names
    return _constant(np.eye(N, M, k, dtype=dtypes.standardize_dtype(dtype)))


def convert_to_numpy(x):
    """A NumPy array of ``x`` (a tensor, a variable, or anything array-like): a copy that
    can be written to."""
    if isinstance(x, Variable):
        x = x.value
    if isinstance(x, Tensor):
        return np.array(x._value, copy=True)
    return np.array(x)
