"""Argument handling shared by the ops: conversion, dtype promotion, shape and axis checks.

Errors name the op, the argument and what was expected, e.g.
``ops.add: cannot broadcast shapes (2, 3) and (4,)``.
"""

import numpy as np

from nbkeras import config, dtypes
from nbkeras.tensor import Tensor, _infer_dtype, as_tensor, to_array


def _dtype_or_weak(x):
    """Python scalars are weak (they adopt the other operand's dtype); all else is strong."""
    if isinstance(x, bool):
        return bool
    if isinstance(x, int):
        return int
    if isinstance(x, float):
        return float
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, (np.ndarray, np.generic)):
        return dtypes.name_of(x.dtype)
    if isinstance(x, (str, bytes)) or x is None:
        return None  # as_tensor raises the clear error below
    return _infer_dtype(x)


def operands(values, names, op, dtype=None):
    """Convert ``values`` to tensors of one promoted dtype (``dtype`` overrides the promotion)."""
    kinds = [_dtype_or_weak(v) for v in values]
    for v, kind, name in zip(values, kinds, names, strict=True):
        if kind is None:
            as_tensor(v, name=name, where=f"ops.{op}")  # raises TypeError naming the argument
    target = dtype if dtype is not None else dtypes.result_type(*kinds)
    tensors = []
    for v, name in zip(values, names, strict=True):
        if isinstance(v, Tensor):
            tensors.append(v if v.dtype == target else cast_tensor(v, target))
        else:
            tensors.append(Tensor(to_array(v, target, name=name, where=f"ops.{op}")))
    return tensors


def binary(x1, x2, op, dtype=None):
    """Two operands of one dtype whose shapes broadcast; raises ValueError naming both shapes."""
    if dtype is None:
        t1 = x1 if isinstance(x1, Tensor) else _scalar_like(x1, x2)
        t2 = x2 if isinstance(x2, Tensor) else _scalar_like(x2, x1)
        if t1 is not None and t2 is not None and t1._value.dtype is t2._value.dtype:
            # the common cases: nothing to promote (two tensors of one dtype, or a float tensor
            # and a Python number)
            if t1._value.shape != t2._value.shape:
                broadcast_shape(t1._value.shape, t2._value.shape, op)
            return t1, t2
    t1, t2 = operands((x1, x2), ("x1", "x2"), op, dtype)
    broadcast_shape(t1.shape, t2.shape, op)
    return t1, t2


def _scalar_like(number, other):
    """A Python int or float next to a float tensor, as a 0-d tensor of that tensor's dtype
    (Keras' weak typing), where that gives the very bits of the general path below (a float
    rounded to floatx, a small int, both exact in the tensor's dtype); None for anything else,
    which takes the general path."""
    kind = type(number)
    if kind is not int and kind is not float or not isinstance(other, Tensor):
        return None
    dtype = other._value.dtype
    if dtype.kind != "f":
        return None
    if kind is float:
        if dtype != _floatx_dtype() or not -_FLOAT32_MAX <= number <= _FLOAT32_MAX:
            return None
    elif not -(1 << 24) <= number <= 1 << 24:
        return None
    return Tensor(np.asarray(number, dtype=dtype))


_FLOAT32_MAX = float(np.finfo(np.float32).max)

_FLOATX_DTYPES = {}


def _floatx_dtype():
    """``np.dtype(config.floatx())``, made once per name (NumPy's ``dtype.name`` builds a new
    string each time: a microsecond per Python number in a training step)."""
    name = config.floatx()
    dtype = _FLOATX_DTYPES.get(name)
    if dtype is None:
        dtype = _FLOATX_DTYPES[name] = np.dtype(name)
    return dtype


_BROADCASTS = {}
"""Broadcast shapes by pair of shapes: a training step meets the same few pairs every step."""


def broadcast_shape(shape1, shape2, op):
    cacheable = type(shape1) is tuple and type(shape2) is tuple
    key = (shape1, shape2)
    shape = _BROADCASTS.get(key) if cacheable else None
    if shape is not None:
        return shape
    try:
        shape = np.broadcast_shapes(shape1, shape2)
    except ValueError:
        raise ValueError(
            f"ops.{op}: cannot broadcast shapes {tuple(shape1)} and {tuple(shape2)}; "
            "each dimension must be equal or 1"
        ) from None
    if cacheable and len(_BROADCASTS) < 4096:
        _BROADCASTS[key] = shape
    return shape


def float_tensor(x, op, name="x"):
    """A float tensor: integer and bool inputs become floatx (as Keras' exp, log, sqrt, ...)."""
    if isinstance(x, Tensor) and x._value.dtype.kind == "f":
        return x  # the common case, before any message is formatted
    t = as_tensor(x, name=name, where=f"ops.{op}")
    if t._value.dtype.kind != "f":
        t = cast_tensor(t, config.floatx())
    return t


def tensor(x, op, name="x"):
    return as_tensor(x, name=name, where=f"ops.{op}")


def cast_tensor(t, dtype):
    from nbkeras.ops.core import cast

    return cast(t, dtype)


def normalize_axis(axis, ndim, op):
    """A sorted tuple of non-negative axes; None means every axis."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axes = (axis,)
    elif isinstance(axis, (list, tuple)):
        axes = tuple(axis)
    else:
        raise TypeError(f"ops.{op}: axis must be an int or a tuple of ints, got {axis!r}")
    result = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"ops.{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(
                f"ops.{op}: axis {a} is out of bounds for a tensor of rank {ndim}"
            )
        result.append(int(a) % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise ValueError(f"ops.{op}: repeated axis in {axis!r}")
    return tuple(sorted(result))


def single_axis(axis, ndim, op):
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"ops.{op}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"ops.{op}: axis {axis} is out of bounds for a tensor of rank {ndim}")
    return int(axis) % ndim
