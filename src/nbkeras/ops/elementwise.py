"""Elementwise ops: arithmetic with broadcasting, and the unary math functions.

Arithmetic (add, multiply, maximum, ...) runs on NumPy's ufuncs, which already make one pass over
memory with broadcasting; the backward rules return cotangents in the broadcast shape and the tape
sums them back (``autodiff.sum_to_shape``). Unary functions whose derivative reuses the forward
result (exp, sqrt, sigmoid-like) run on the Numba kernels in ``kernels/elementwise.py``.
"""

import numpy as np

from nbkeras import config
from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import elementwise as K
from nbkeras.ops import _args
from nbkeras.ops.operation import any_symbolic, symbolic_call
from nbkeras.tensor import Tensor

# -- binary arithmetic ---------------------------------------------------------------------------


def _add_forward(a, b):
    return np.add(a, b), None


def _add_backward(saved, g, needs):
    return g, g


def _subtract_forward(a, b):
    return np.subtract(a, b), None


def _subtract_backward(saved, g, needs):
    return g, (-g if needs[1] else None)


def _multiply_forward(a, b):
    return np.multiply(a, b), (a, b)


# d(ab)/da = b, d(ab)/db = a
def _multiply_backward(saved, g, needs):
    a, b = saved
    return (g * b if needs[0] else None), (g * a if needs[1] else None)


def _divide_forward(a, b):
    return np.divide(a, b), (a, b)


# d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 (written (-a/b)/b, as TensorFlow does)
def _divide_backward(saved, g, needs):
    a, b = saved
    ga = g / b if needs[0] else None
    gb = g * ((-a / b) / b) if needs[1] else None
    return ga, gb


def _power_forward(a, b):
    y = np.power(a, b)
    return y, (a, b, y)


# d(a^b)/da = b a^(b-1); d(a^b)/db = a^b log a, taken as 0 where a <= 0 (TensorFlow's choice)
def _power_backward(saved, g, needs):
    a, b, y = saved
    ga = g * b * np.power(a, b - 1) if needs[0] else None
    gb = None
    if needs[1]:
        safe_log = np.log(np.where(a > 0, a, 1)).astype(y.dtype, copy=False)
        gb = g * y * safe_log
    return ga, gb


def _maximum_forward(a, b):
    return np.maximum(a, b), (a >= b)


# The chosen input gets the gradient; a tie goes to the first input (TensorFlow's rule).
def _choose_backward(first_wins, g, needs):
    zero = np.zeros((), g.dtype)
    ga = np.where(first_wins, g, zero) if needs[0] else None
    gb = np.where(first_wins, zero, g) if needs[1] else None
    return ga, gb


def _minimum_forward(a, b):
    return np.minimum(a, b), (a <= b)


add_p = Primitive("add", _add_forward, _add_backward)
subtract_p = Primitive("subtract", _subtract_forward, _subtract_backward)
multiply_p = Primitive("multiply", _multiply_forward, _multiply_backward)
divide_p = Primitive("divide", _divide_forward, _divide_backward)
power_p = Primitive("power", _power_forward, _power_backward)
maximum_p = Primitive("maximum", _maximum_forward, _choose_backward)
minimum_p = Primitive("minimum", _minimum_forward, _choose_backward)


def add(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("add", locals())
    return add_p(*_args.binary(x1, x2, "add"))


def subtract(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("subtract", locals())
    return subtract_p(*_args.binary(x1, x2, "subtract"))


def multiply(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("multiply", locals())
    return multiply_p(*_args.binary(x1, x2, "multiply"))


def divide(x1, x2):
    """True division; integer inputs give floatx, as in Keras."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("divide", locals())
    t1, t2 = _args.binary(x1, x2, "divide")
    if t1._value.dtype.kind != "f":
        t1, t2 = _args.binary(t1, t2, "divide", dtype=config.floatx())
    return divide_p(t1, t2)


def true_divide(x1, x2):
    """``x1 / x2``, as ``divide``: Keras' name for the ``/`` operator (recorded as
    ``TrueDivide`` in a graph, where ``divide`` records ``Divide``)."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("true_divide", locals())
    return divide(x1, x2)


def power(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("power", locals())
    return power_p(*_args.binary(x1, x2, "power"))


def maximum(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("maximum", locals())
    return maximum_p(*_args.binary(x1, x2, "maximum"))


def minimum(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("minimum", locals())
    return minimum_p(*_args.binary(x1, x2, "minimum"))


# -- unary arithmetic ----------------------------------------------------------------------------


def _negative_forward(x):
    return np.negative(x), None


def _negative_backward(saved, g, needs):
    return (-g,)


def _abs_forward(x):
    return np.abs(x), x


# d|x|/dx = sign(x), 0 at x = 0
def _abs_backward(x, g, needs):
    return (g * np.sign(x),)


def _sign_forward(x):
    return np.sign(x), x


def _sign_backward(x, g, needs):
    return (np.zeros_like(g),)  # flat almost everywhere; TensorFlow returns zeros, not None


def _square_forward(x):
    return np.square(x), x


# d(x^2)/dx = 2x
def _square_backward(x, g, needs):
    return (g * (2 * x),)


negative_p = Primitive("negative", _negative_forward, _negative_backward)
abs_p = Primitive("abs", _abs_forward, _abs_backward)
sign_p = Primitive("sign", _sign_forward, _sign_backward)
square_p = Primitive("square", _square_forward, _square_backward)


def negative(x):
    if type(x) is KerasTensor:
        return symbolic_call("negative", locals())
    return negative_p(_args.tensor(x, "negative"))


def abs(x):  # noqa: A001 - Keras' name
    if type(x) is KerasTensor:
        return symbolic_call("absolute", locals())  # (Keras records ops.abs as Absolute)
    return abs_p(_args.tensor(x, "abs"))


absolute = abs


def sign(x):
    if type(x) is KerasTensor:
        return symbolic_call("sign", locals())
    return sign_p(_args.tensor(x, "sign"))


def square(x):
    if type(x) is KerasTensor:
        return symbolic_call("square", locals())
    return square_p(_args.tensor(x, "square"))


# -- unary math on Numba kernels -----------------------------------------------------------------


def _exp_forward(x):
    y = K.unary(K.exp, x)
    return y, y


# d e^x / dx = e^x: the forward result is the derivative
def _exp_backward(y, g, needs):
    return (g * y,)


def _log_forward(x):
    return K.unary(K.log, x), x


# d log x / dx = 1 / x
def _log_backward(x, g, needs):
    return (g / x,)


def _log1p_forward(x):
    return K.unary(K.log1p, x), x


def _log1p_backward(x, g, needs):
    return (K.unary(K.log1p_grad, g, x),)


def _sqrt_forward(x):
    y = K.unary(K.sqrt, x)
    return y, y


def _sqrt_backward(y, g, needs):
    return (K.unary(K.sqrt_grad, g, y),)


def _rsqrt_forward(x):
    y = np.reciprocal(np.sqrt(x))
    return y, y


# d x^(-1/2) / dx = -x^(-3/2) / 2 = -y^3 / 2, and 0 wherever the cotangent is 0 (TensorFlow's
# rule, as for sqrt: normalize's min(rsqrt(0), 1 / epsilon) sends no NaN back from rsqrt's inf)
def _rsqrt_backward(y, g, needs):
    return (np.where(g == 0, np.zeros((), g.dtype), g * (y * y * y) * y.dtype.type(-0.5)),)


exp_p = Primitive("exp", _exp_forward, _exp_backward)
log_p = Primitive("log", _log_forward, _log_backward)
log1p_p = Primitive("log1p", _log1p_forward, _log1p_backward)
sqrt_p = Primitive("sqrt", _sqrt_forward, _sqrt_backward)
rsqrt_p = Primitive("rsqrt", _rsqrt_forward, _rsqrt_backward)


def exp(x):
    if type(x) is KerasTensor:
        return symbolic_call("exp", locals())
    return exp_p(_args.float_tensor(x, "exp"))


def log(x):
    if type(x) is KerasTensor:
        return symbolic_call("log", locals())
    return log_p(_args.float_tensor(x, "log"))


def log1p(x):
    if type(x) is KerasTensor:
        return symbolic_call("log1p", locals())
    return log1p_p(_args.float_tensor(x, "log1p"))


def sqrt(x):
    if type(x) is KerasTensor:
        return symbolic_call("sqrt", locals())
    return sqrt_p(_args.float_tensor(x, "sqrt"))


def rsqrt(x):
    """1 / sqrt(x)."""
    if type(x) is KerasTensor:
        return symbolic_call("rsqrt", locals())
    return rsqrt_p(_args.float_tensor(x, "rsqrt"))


# -- clip and where ------------------------------------------------------------------------------


def _clip_forward(x, *, x_min, x_max):
    inside = (x >= x_min) & (x <= x_max)
    return np.clip(x, x_min, x_max).astype(x.dtype, copy=False), inside


# The gradient passes where x_min <= x <= x_max (bounds included, as tf.clip_by_value).
def _clip_backward(inside, g, needs):
    return (np.where(inside, g, np.zeros((), g.dtype)),)


clip_p = Primitive("clip", _clip_forward, _clip_backward)


def clip(x, x_min, x_max):
    """Limit ``x`` to ``[x_min, x_max]``; the bounds are constants (no gradient)."""
    if type(x) is KerasTensor:
        return symbolic_call("clip", locals())
    t = _args.tensor(x, "clip")
    lo, hi = (_clip_bound(b, name, t) for b, name in ((x_min, "x_min"), (x_max, "x_max")))
    _args.broadcast_shape(t.shape, lo.shape, "clip")
    _args.broadcast_shape(t.shape, hi.shape, "clip")
    return clip_p(t, x_min=lo, x_max=hi)


def _clip_bound(bound, name, t):
    """A bound as an array of ``t``'s dtype; a bound that the cast would change (3.5 for an
    integer tensor) is an error, as in Keras, not silently truncated."""
    given = np.asarray(bound._value if isinstance(bound, Tensor) else bound)
    with np.errstate(all="ignore"):
        cast = given.astype(t._value.dtype)
    if t._value.dtype.kind != "f" and given.dtype.kind == "f" and (cast != given).any():
        raise TypeError(f"ops.clip: {name}={bound!r} cannot be a bound of a {t.dtype} tensor")
    return cast


def _where_forward(condition, a, b):
    return np.where(condition, a, b), condition


def _where_backward(condition, g, needs):
    zero = np.zeros((), g.dtype)
    ga = np.where(condition, g, zero) if needs[1] else None
    gb = np.where(condition, zero, g) if needs[2] else None
    return None, ga, gb


where_p = Primitive("where", _where_forward, _where_backward)


def where(condition, x1=None, x2=None):
    """``x1`` where ``condition`` holds, else ``x2``; with one argument, the indices of the
    non-zero entries (a tuple of int32 tensors, one per axis, as in Keras)."""
    if any_symbolic(condition, x1, x2):
        return symbolic_call("where", locals())
    c = _args.tensor(condition, "where", "condition")
    if x1 is None and x2 is None:
        return tuple(Tensor(i.astype(np.int32)) for i in np.nonzero(c._value))
    if x1 is None or x2 is None:
        raise ValueError("ops.where: pass both x1 and x2, or neither")
    t1, t2 = _args.binary(x1, x2, "where")
    shape = _args.broadcast_shape(t1.shape, t2.shape, "where")
    _args.broadcast_shape(shape, c.shape, "where")
    return where_p(Tensor(c._value.astype(bool, copy=False)), t1, t2)


# -- non-differentiable elementwise ops ----------------------------------------------------------


def _compare(ufunc, op):
    def compare(x1, x2):
        if type(x1) is KerasTensor or type(x2) is KerasTensor:
            return symbolic_call(op, {"x1": x1, "x2": x2})
        t1, t2 = _args.binary(x1, x2, op)
        return Tensor(ufunc(t1._value, t2._value))

    compare.__name__ = op
    compare.__doc__ = f"Elementwise ``{op}`` (a bool tensor; no gradient)."
    return compare


equal = _compare(np.equal, "equal")
not_equal = _compare(np.not_equal, "not_equal")
less = _compare(np.less, "less")
less_equal = _compare(np.less_equal, "less_equal")
greater = _compare(np.greater, "greater")
greater_equal = _compare(np.greater_equal, "greater_equal")
logical_and = _compare(np.logical_and, "logical_and")
logical_or = _compare(np.logical_or, "logical_or")


def logical_not(x):
    if type(x) is KerasTensor:
        return symbolic_call("logical_not", locals())
    return Tensor(np.logical_not(_args.tensor(x, "logical_not")._value))


def floor_divide(x1, x2):
    """Elementwise floor division (no gradient, as in TensorFlow)."""
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("floor_divide", locals())
    t1, t2 = _args.binary(x1, x2, "floor_divide")
    with np.errstate(all="ignore"):  # x // 0.0 is inf or NaN, without a warning
        return Tensor(np.floor_divide(t1._value, t2._value))


def mod(x1, x2):
    if type(x1) is KerasTensor or type(x2) is KerasTensor:
        return symbolic_call("mod", locals())
    t1, t2 = _args.binary(x1, x2, "mod")
    with np.errstate(all="ignore"):
        return Tensor(np.mod(t1._value, t2._value))


def floor(x):
    if type(x) is KerasTensor:
        return symbolic_call("floor", locals())
    t = _args.float_tensor(x, "floor")
    return Tensor(np.floor(t._value))


def round(x, decimals=0):  # noqa: A001 - Keras' name
    if type(x) is KerasTensor:
        return symbolic_call("round", locals())
    t = _args.tensor(x, "round")
    return Tensor(np.round(t._value, decimals))


def isnan(x):
    if type(x) is KerasTensor:
        return symbolic_call("isnan", locals())
    return Tensor(np.isnan(_args.tensor(x, "isnan")._value))


def isfinite(x):
    if type(x) is KerasTensor:
        return symbolic_call("isfinite", locals())
    return Tensor(np.isfinite(_args.tensor(x, "isfinite")._value))
