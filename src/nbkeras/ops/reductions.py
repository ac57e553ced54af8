"""Reductions: sum, mean, max, min, prod, logsumexp (differentiable), argmax/argmin and the
logical any/all."""

import builtins
import math

import numpy as np

from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import reductions as K
from nbkeras.ops import _args
from nbkeras.ops.operation import symbolic_call
from nbkeras.tensor import Tensor


def _spread(g, shape, axes):
    """Broadcast an output cotangent back over the reduced axes of an input of ``shape``."""
    return np.broadcast_to(g.reshape(K.keepdims_shape(shape, axes)), shape)


# Keras sums (and multiplies) small integer types in 32 bits and keeps int32/int64 as they are.
_INTEGER_SUM_DTYPE = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32",
                      "uint16": "uint32"}


def _sum_forward(x, *, axes, keepdims):
    if x.dtype.kind != "f":
        dtype = _INTEGER_SUM_DTYPE.get(x.dtype.name, x.dtype)
        return np.asarray(np.sum(x, axis=axes, keepdims=keepdims, dtype=dtype)), None
    return K.reduce(K.sum_3d, x, axes, keepdims), (x.shape, axes)


# Each input element adds once to the sum: its cotangent is the output's, spread back.
def _sum_backward(saved, g, needs):
    shape, axes = saved
    return (_spread(g, shape, axes),)


def _mean_forward(x, *, axes, keepdims):
    n = math.prod([x.shape[a] for a in axes])
    total = K.reduce(K.sum_3d, x, axes, keepdims)
    return total / x.dtype.type(n), (x.shape, axes, n)


def _mean_backward(saved, g, needs):
    shape, axes, n = saved
    return (_spread(g / g.dtype.type(n), shape, axes),)


def _extreme_forward(kernel_function):
    def forward(x, *, axes, keepdims):
        y = K.reduce(kernel_function, x, axes, keepdims)
        return y, (x, axes, y)

    return forward


# The gradient goes to the extreme element; ties share it equally (as TensorFlow).
def _extreme_backward(saved, g, needs):
    x, axes, y = saved
    keep = K.keepdims_shape(x.shape, axes)
    chosen = x == y.reshape(keep)
    count = np.sum(chosen, axis=axes, keepdims=True, dtype=x.dtype)
    return (np.where(chosen, g.reshape(keep) / count, np.zeros((), g.dtype)),)


def _prod_forward(x, *, axes, keepdims):
    return K.reduce(K.prod_3d, x, axes, keepdims), (x, axes)


# d(prod x)/dx_i = product of all the other elements: computed from exclusive cumulative
# products from the left and from the right, so a zero element needs no division.
def _prod_backward(saved, g, needs):
    x, axes = saved
    kept = [a for a in range(x.ndim) if a not in axes]
    order = kept + list(axes)
    moved = np.transpose(x, order)  # reduced axes last
    rows = moved.reshape(-1, math.prod([x.shape[a] for a in axes]))
    ones = np.ones((rows.shape[0], 1), x.dtype)
    left = np.cumprod(np.concatenate([ones, rows[:, :-1]], axis=1), axis=1)
    right = np.cumprod(np.concatenate([ones, rows[:, :0:-1]], axis=1), axis=1)[:, ::-1]
    grad = (left * right * g.reshape(-1, 1)).reshape(moved.shape)
    return (np.transpose(grad, np.argsort(order)),)


def _logsumexp_forward(x, *, axes, keepdims):
    return K.reduce(K.logsumexp_3d, x, axes, keepdims), (x, axes)


# d logsumexp(x) / dx = softmax(x), computed as e^(x - max) / sum e^(x - max). The shorter
# e^(x - logsumexp(x)) is wrong in float32 for large x: logsumexp(1000, 999) = 1000.3133 keeps
# only 4 decimals, and the exponent inherits that error.
def _logsumexp_backward(saved, g, needs):
    x, axes = saved
    keep = K.keepdims_shape(x.shape, axes)
    m = np.max(x, axis=axes, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(m), m, np.zeros((), x.dtype)))
    return (g.reshape(keep) * (e / np.sum(e, axis=axes, keepdims=True)),)


sum_p = Primitive("sum", _sum_forward, _sum_backward)
mean_p = Primitive("mean", _mean_forward, _mean_backward)
max_p = Primitive("max", _extreme_forward(K.max_3d), _extreme_backward)
min_p = Primitive("min", _extreme_forward(K.min_3d), _extreme_backward)
prod_p = Primitive("prod", _prod_forward, _prod_backward)
logsumexp_p = Primitive("logsumexp", _logsumexp_forward, _logsumexp_backward)


def _reduction_input(x, axis, op, floats_only=False):
    t = _args.float_tensor(x, op) if floats_only else _args.tensor(x, op)
    return t, _args.normalize_axis(axis, t.ndim, op)


def _nonempty(t, axes, op):
    if builtins.any(t.shape[a] == 0 for a in axes):
        raise ValueError(
            f"ops.{op}: cannot reduce an empty axis (shape {t.shape}, axis {axes}); "
            "the result has no identity"
        )


def sum(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    if type(x) is KerasTensor:
        return symbolic_call("sum", locals())
    t, axes = _reduction_input(x, axis, "sum")
    return sum_p(t, axes=axes, keepdims=bool(keepdims))


def mean(x, axis=None, keepdims=False):
    if type(x) is KerasTensor:
        return symbolic_call("mean", locals())
    t, axes = _reduction_input(x, axis, "mean", floats_only=True)
    return mean_p(t, axes=axes, keepdims=bool(keepdims))


def _extreme(prim, numpy_function, combine, x, axis, keepdims, initial, op):
    t, axes = _reduction_input(x, axis, op)
    keepdims = bool(keepdims)
    if initial is not None and builtins.any(t.shape[a] == 0 for a in axes):
        shape = K.keepdims_shape(t.shape, axes) if keepdims else tuple(
            d for a, d in enumerate(t.shape) if a not in axes
        )
        return Tensor(np.full(shape, initial, dtype=t._value.dtype))
    _nonempty(t, axes, op)
    if t._value.dtype.kind != "f":
        result = Tensor(np.asarray(numpy_function(t._value, axis=axes, keepdims=keepdims)))
    else:
        result = prim(t, axes=axes, keepdims=keepdims)
    if initial is not None:
        result = combine(result, np.asarray(initial, dtype=t._value.dtype))
    return result


def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras' name
    if type(x) is KerasTensor:
        return symbolic_call("max", locals())
    from nbkeras.ops.elementwise import maximum

    return _extreme(max_p, np.max, maximum, x, axis, keepdims, initial, "max")


def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001 - Keras' name
    if type(x) is KerasTensor:
        return symbolic_call("min", locals())
    from nbkeras.ops.elementwise import minimum

    return _extreme(min_p, np.min, minimum, x, axis, keepdims, initial, "min")


def prod(x, axis=None, keepdims=False, dtype=None):
    if type(x) is KerasTensor:
        return symbolic_call("prod", locals())
    t, axes = _reduction_input(x, axis, "prod")
    if dtype is not None:
        from nbkeras.ops.core import cast

        t = cast(t, dtype)
    if t._value.dtype.kind != "f":
        dtype = _INTEGER_SUM_DTYPE.get(t.dtype, t._value.dtype)  # as Keras: int32 stays int32
        return Tensor(np.asarray(np.prod(t._value, axis=axes, keepdims=bool(keepdims),
                                         dtype=dtype)))
    return prod_p(t, axes=axes, keepdims=bool(keepdims))


def logsumexp(x, axis=None, keepdims=False):
    if type(x) is KerasTensor:
        return symbolic_call("logsumexp", locals())
    t, axes = _reduction_input(x, axis, "logsumexp", floats_only=True)
    _nonempty(t, axes, "logsumexp")
    return logsumexp_p(t, axes=axes, keepdims=bool(keepdims))


def _arg_extreme(function, x, axis, keepdims, op):
    t = _args.tensor(x, op)
    if axis is None:
        flat = t._value.reshape(-1)
        if flat.size == 0:
            raise ValueError(f"ops.{op}: the input is empty")
        index = np.asarray(function(flat), dtype=np.int32)
        if keepdims:
            index = index.reshape((1,) * t.ndim)
        return Tensor(index)
    a = _args.single_axis(axis, t.ndim, op)
    _nonempty(t, (a,), op)
    return Tensor(np.asarray(function(t._value, axis=a, keepdims=bool(keepdims)), np.int32))


def argmax(x, axis=None, keepdims=False):
    """Index of the largest value (the first one on ties), as int32 (no gradient)."""
    if type(x) is KerasTensor:
        return symbolic_call("argmax", locals())
    return _arg_extreme(np.argmax, x, axis, keepdims, "argmax")


def argmin(x, axis=None, keepdims=False):
    if type(x) is KerasTensor:
        return symbolic_call("argmin", locals())
    return _arg_extreme(np.argmin, x, axis, keepdims, "argmin")


# any and all shadow the builtins in this module: the code above calls builtins.any
def _logical_reduction(function, x, axis, keepdims, op):
    t = _args.tensor(x, op)
    axes = _args.normalize_axis(axis, t.ndim, op)
    return Tensor(np.asarray(function(t._value, axis=axes, keepdims=bool(keepdims))))


def any(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """True where any element along ``axis`` is non-zero (a bool tensor; no gradient)."""
    if type(x) is KerasTensor:
        return symbolic_call("any", locals())
    return _logical_reduction(np.any, x, axis, keepdims, "any")


def all(x, axis=None, keepdims=False):  # noqa: A001 - Keras' name
    """True where every element along ``axis`` is non-zero (a bool tensor; no gradient)."""
    if type(x) is KerasTensor:
        return symbolic_call("all", locals())
    return _logical_reduction(np.all, x, axis, keepdims, "all")
