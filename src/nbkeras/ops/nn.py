"""Neural-network ops (``keras.ops.nn``): the activation functions, the softmax family and the
cross-entropies.

Each activation runs on a fused Numba kernel pair, the forward and a backward that computes
``g * f'(x)`` in one pass (``kernels/elementwise.py``; the derivative is written above each
backward kernel and derived in the activations chapter). The cross-entropies run on the fused
kernels of ``kernels/losses.py``.

As in Keras' TensorFlow backend, the output of ``sigmoid`` and ``softmax`` remembers its input
(``_keras_logits``): the cross-entropies then use the exact logits formula instead of clipping
the probabilities (see ``binary_crossentropy``).
"""

import numbers
import warnings

import numpy as np

from nbkeras import config
from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import elementwise as E
from nbkeras.kernels import losses as L
from nbkeras.kernels import reductions as R
from nbkeras.ops import _args
from nbkeras.ops.operation import symbolic_call
from nbkeras.tensor import Tensor

# -- elementwise activations ---------------------------------------------------------------------


def _elementwise(kernel_function, grad_kernel, saves="input"):
    """A primitive pair on an elementwise kernel; the backward needs x (or, with
    ``saves="output"``, the forward's result y). ``options`` (slopes, thresholds) reach both
    kernels as an array of x's dtype, so a float32 input meets float32 constants."""

    def forward(x, *, options=()):
        extra = (np.asarray(options, dtype=x.dtype),) if options else ()
        y = E.unary(kernel_function, x, *extra)
        return y, ((y if saves == "output" else x), extra)

    def backward(saved, g, needs):
        kept, extra = saved
        return (E.unary(grad_kernel, g, kept, *extra),)

    return forward, backward


def _with_derivative(kernel_function):
    """A primitive pair on a kernel that writes f'(x) into its second argument while it computes
    f(x) (softplus, gelu: the exponential or erfc both passes need is computed once). The
    forward saves f'(x); the backward is g f'(x)."""

    def forward(x):
        derivative = np.empty(x.shape, x.dtype)
        return E.unary(kernel_function, x, derivative), derivative

    def backward(derivative, g, needs):
        return (g * derivative,)

    return forward, backward


sigmoid_p = Primitive("sigmoid", *_elementwise(E.sigmoid, E.sigmoid_grad, saves="output"))
tanh_p = Primitive("tanh", *_elementwise(E.tanh, E.tanh_grad, saves="output"))
softplus_p = Primitive("softplus", *_with_derivative(E.softplus_with_derivative))
relu_p = Primitive("relu", *_elementwise(E.relu, E.relu_grad))
relu6_p = Primitive("relu6", *_elementwise(E.relu6, E.relu6_grad))
leaky_relu_p = Primitive("leaky_relu", *_elementwise(E.leaky_relu, E.leaky_relu_grad))
elu_p = Primitive("elu", *_elementwise(E.elu, E.elu_grad))
selu_p = Primitive("selu", *_elementwise(E.selu, E.selu_grad))
celu_p = Primitive("celu", *_elementwise(E.celu, E.celu_grad))
gelu_p = Primitive("gelu", *_with_derivative(E.gelu_with_derivative))
gelu_tanh_p = Primitive("gelu_tanh", *_elementwise(E.gelu_tanh, E.gelu_tanh_grad))
silu_p = Primitive("silu", *_elementwise(E.silu, E.silu_grad))
hard_sigmoid_p = Primitive("hard_sigmoid", *_elementwise(E.hard_sigmoid, E.hard_sigmoid_grad))
hard_silu_p = Primitive("hard_silu", *_elementwise(E.hard_silu, E.hard_silu_grad))
softsign_p = Primitive("softsign", *_elementwise(E.softsign, E.softsign_grad))
log_sigmoid_p = Primitive("log_sigmoid", *_elementwise(E.log_sigmoid, E.log_sigmoid_grad))
mish_p = Primitive("mish", *_elementwise(E.mish, E.mish_grad))
sparse_plus_p = Primitive("sparse_plus", *_elementwise(E.sparse_plus, E.sparse_plus_grad))
sparse_sigmoid_p = Primitive(
    "sparse_sigmoid", *_elementwise(E.sparse_sigmoid, E.sparse_sigmoid_grad)
)
squareplus_p = Primitive("squareplus", *_elementwise(E.squareplus, E.squareplus_grad))
soft_shrink_p = Primitive("soft_shrink", *_elementwise(E.soft_shrink, E.shrink_grad))
hard_shrink_p = Primitive("hard_shrink", *_elementwise(E.hard_shrink, E.shrink_grad))
hard_tanh_p = Primitive("hard_tanh", *_elementwise(E.hard_tanh, E.hard_tanh_grad))
tanh_shrink_p = Primitive("tanh_shrink", *_elementwise(E.tanh_shrink, E.tanh_shrink_grad))
threshold_p = Primitive("threshold", *_elementwise(E.threshold, E.threshold_grad))


def _float(x, op):
    return _args.float_tensor(x, op)


def _number(value, name, op):
    """A real number option (a slope, a threshold, ...); raises naming the argument."""
    if isinstance(value, Tensor) and value.ndim == 0:
        value = value.numpy().item()
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"ops.{op}: {name} must be a number, got {value!r}")
    return float(value)


class _ActivationOutput(Tensor):
    """A sigmoid or softmax output that remembers its logits, as Keras' TensorFlow backend does
    (``output._keras_logits``). Any further op returns a plain Tensor, which forgets them."""

    __slots__ = ("_keras_logits",)


def _remember_logits(output, logits):
    kept = _ActivationOutput(output._value, _id=output._id)  # the same tensor for the tape
    kept._keras_logits = logits
    return kept


def sigmoid(x):
    """1 / (1 + e^-x). The result remembers ``x`` as its logits (see ``binary_crossentropy``)."""
    if type(x) is KerasTensor:
        return symbolic_call("sigmoid", locals())
    t = _float(x, "sigmoid")
    return _remember_logits(sigmoid_p(t), t)


def tanh(x):
    if type(x) is KerasTensor:
        return symbolic_call("tanh", locals())
    return tanh_p(_float(x, "tanh"))


def softplus(x):
    """log(1 + e^x), computed as max(x, 0) + log(1 + e^-|x|)."""
    if type(x) is KerasTensor:
        return symbolic_call("softplus", locals())
    return softplus_p(_float(x, "softplus"))


def relu(x):
    if type(x) is KerasTensor:
        return symbolic_call("relu", locals())
    return relu_p(_float(x, "relu"))


def relu6(x):
    """min(max(x, 0), 6)."""
    if type(x) is KerasTensor:
        return symbolic_call("relu6", locals())
    return relu6_p(_float(x, "relu6"))


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, else ``negative_slope * x``."""
    if type(x) is KerasTensor:
        return symbolic_call("leaky_relu", locals())
    slope = _number(negative_slope, "negative_slope", "leaky_relu")
    return leaky_relu_p(_float(x, "leaky_relu"), options=(slope,))


def elu(x, alpha=1.0):
    """x for x > 0, else alpha (e^x - 1)."""
    if type(x) is KerasTensor:
        return symbolic_call("elu", locals())
    return elu_p(_float(x, "elu"), options=(_number(alpha, "alpha", "elu"),))


def selu(x):
    """scale * elu(x, alpha) with Klambauer et al.'s constants alpha = 1.6732632,
    scale = 1.0507010 (the activations of a deep net then keep mean 0 and variance 1)."""
    if type(x) is KerasTensor:
        return symbolic_call("selu", locals())
    return selu_p(_float(x, "selu"))


def celu(x, alpha=1.0):
    """max(x, 0) + alpha (e^(min(x, 0) / alpha) - 1); alpha must not be 0."""
    if type(x) is KerasTensor:
        return symbolic_call("celu", locals())
    a = _number(alpha, "alpha", "celu")
    if a == 0:
        raise ValueError("ops.celu: alpha must not be 0 (celu divides by it)")
    return celu_p(_float(x, "celu"), options=(a,))


def gelu(x, approximate=True):
    """x Phi(x), Phi the standard normal CDF; ``approximate=True`` (the ops default) uses
    x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    if type(x) is KerasTensor:
        return symbolic_call("gelu", locals())
    t = _float(x, "gelu")
    return gelu_tanh_p(t) if approximate else gelu_p(t)


def silu(x):
    """x sigmoid(x) (also called swish)."""
    if type(x) is KerasTensor:
        return symbolic_call("silu", locals())
    return silu_p(_float(x, "silu"))


swish = silu


def hard_sigmoid(x):
    """relu6(x + 3) / 6: 0 below -3, 1 above 3, the line x/6 + 1/2 between."""
    if type(x) is KerasTensor:
        return symbolic_call("hard_sigmoid", locals())
    return hard_sigmoid_p(_float(x, "hard_sigmoid"))


def hard_silu(x):
    """x hard_sigmoid(x) (also called hard_swish)."""
    if type(x) is KerasTensor:
        return symbolic_call("hard_silu", locals())
    return hard_silu_p(_float(x, "hard_silu"))


hard_swish = hard_silu


def softsign(x):
    """x / (1 + |x|)."""
    if type(x) is KerasTensor:
        return symbolic_call("softsign", locals())
    return softsign_p(_float(x, "softsign"))


def log_sigmoid(x):
    """log sigmoid(x) = -softplus(-x)."""
    if type(x) is KerasTensor:
        return symbolic_call("log_sigmoid", locals())
    return log_sigmoid_p(_float(x, "log_sigmoid"))


def mish(x):
    """x tanh(softplus(x)) (keras.activations.mish; Keras has no ops.mish)."""
    return mish_p(_float(x, "mish"))


def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    if type(x) is KerasTensor:
        return symbolic_call("sparse_plus", locals())
    return sparse_plus_p(_float(x, "sparse_plus"))


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1."""
    if type(x) is KerasTensor:
        return symbolic_call("sparse_sigmoid", locals())
    return sparse_sigmoid_p(_float(x, "sparse_sigmoid"))


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2, a smooth relu; b must be >= 0."""
    if type(x) is KerasTensor:
        return symbolic_call("squareplus", locals())
    c = _number(b, "b", "squareplus")
    if c < 0:
        raise ValueError(f"ops.squareplus: b must be >= 0, got {b!r}")
    return squareplus_p(_float(x, "squareplus"), options=(c,))


def soft_shrink(x, threshold=0.5):
    """x - threshold above the threshold, x + threshold below -threshold, else 0."""
    if type(x) is KerasTensor:
        return symbolic_call("soft_shrink", locals())
    th = _number(threshold, "threshold", "soft_shrink")
    return soft_shrink_p(_float(x, "soft_shrink"), options=(th,))


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    if type(x) is KerasTensor:
        return symbolic_call("hard_shrink", locals())
    th = _number(threshold, "threshold", "hard_shrink")
    return hard_shrink_p(_float(x, "hard_shrink"), options=(th,))


def hard_tanh(x):
    """clip(x, -1, 1)."""
    if type(x) is KerasTensor:
        return symbolic_call("hard_tanh", locals())
    return hard_tanh_p(_float(x, "hard_tanh"))


def tanh_shrink(x):
    """x - tanh(x)."""
    if type(x) is KerasTensor:
        return symbolic_call("tanh_shrink", locals())
    return tanh_shrink_p(_float(x, "tanh_shrink"))


def threshold(x, threshold, default_value):
    """x where x > threshold, else ``default_value`` (both numbers)."""
    if type(x) is KerasTensor:
        return symbolic_call("threshold", locals())
    th = _number(threshold, "threshold", "threshold")
    default = _number(default_value, "default_value", "threshold")
    return threshold_p(_float(x, "threshold"), options=(th, default))


def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in halves a, b along ``axis``; a * sigmoid(b)."""
    if type(x) is KerasTensor:
        return symbolic_call("glu", locals())
    t = _float(x, "glu")
    if t.ndim == 0:
        raise ValueError("ops.glu: the input must have at least one dimension")
    a = _args.single_axis(axis, t.ndim, "glu")
    size = t.shape[a]
    if size % 2:
        raise ValueError(
            f"ops.glu: the size of axis {axis} must be even to split it in halves; "
            f"got shape {t.shape}"
        )
    before = (slice(None),) * a
    first, second = t[before + (slice(0, size // 2),)], t[before + (slice(size // 2, size),)]
    return first * sigmoid_p(second)


# -- along an axis: the softmax family and sparsemax ---------------------------------------------


def _along_axis_pair(kernel_function, grad_kernel):
    def forward(x, *, axis):
        y = R.along_axis(kernel_function, axis, x)
        return y, (y, axis)

    def backward(saved, g, needs):
        y, axis = saved
        return (R.along_axis(grad_kernel, axis, g, y),)

    return forward, backward


softmax_p = Primitive("softmax", *_along_axis_pair(R.softmax_3d, R.softmax_grad_3d))
log_softmax_p = Primitive(
    "log_softmax", *_along_axis_pair(R.log_softmax_3d, R.log_softmax_grad_3d)
)


def _sparsemax_forward(x, *, axis):
    x3 = R.to_3d(x, (axis,))
    tau = np.empty((x3.shape[0], 1, x3.shape[2]), x.dtype)
    dtau_dx = np.empty(x3.shape, x.dtype)
    R.sparsemax_threshold_3d(x3, tau, dtau_dx)
    shifted = x3 - tau
    y = np.maximum(shifted, np.zeros((), x.dtype))
    return y.reshape(x.shape), (shifted >= 0, dtau_dx, x.shape, axis)


# out = max(x - tau, 0): the cotangent passes where x - tau >= 0 (a tie too, as TF's maximum);
# tau depends on every x_j, so the passed cotangents flow back through d tau / d x as well.
def _sparsemax_backward(saved, g, needs):
    passes, dtau_dx, shape, axis = saved
    g3 = np.where(passes, R.to_3d(g, (axis,)), np.zeros((), g.dtype))
    grad = g3 - np.sum(g3, axis=1, keepdims=True) * dtau_dx
    return (grad.reshape(shape),)


sparsemax_p = Primitive("sparsemax", _sparsemax_forward, _sparsemax_backward)


def _normalize_along(prim, x, axis, op):
    from nbkeras.ops.shape import reshape

    t = _float(x, op)
    if t.ndim == 0:
        raise ValueError(f"ops.{op}: the input must have at least one dimension")
    if axis is None:  # normalise over every element
        return reshape(prim(reshape(t, (-1,)), axis=0), t.shape)
    return prim(t, axis=_args.single_axis(axis, t.ndim, op))


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (every element with ``axis=None``), computed as
    exp(x - max) / sum(exp(x - max)). The result remembers ``x`` as its logits."""
    if type(x) is KerasTensor:
        return symbolic_call("softmax", locals())
    t = _float(x, "softmax")
    return _remember_logits(_normalize_along(softmax_p, t, axis, "softmax"), t)


def log_softmax(x, axis=-1):
    if type(x) is KerasTensor:
        return symbolic_call("log_softmax", locals())
    return _normalize_along(log_softmax_p, x, axis, "log_softmax")


def sparsemax(x, axis=-1):
    """max(x - tau, 0) along ``axis``, with Keras 3.15's threshold tau (see the kernel)."""
    if type(x) is KerasTensor:
        return symbolic_call("sparsemax", locals())
    return _normalize_along(sparsemax_p, x, axis, "sparsemax")


# -- cross-entropies -----------------------------------------------------------------------------


def _sigmoid_cross_entropy_forward(labels, logits):
    return E.unary(L.sigmoid_cross_entropy, labels, logits), (labels, logits)


def _sigmoid_cross_entropy_backward(saved, g, needs):
    labels, logits = saved
    d_labels = -g * logits if needs[0] else None
    return d_labels, E.unary(L.sigmoid_cross_entropy_grad, g, labels, logits)


sigmoid_cross_entropy_p = Primitive(
    "sigmoid_cross_entropy", _sigmoid_cross_entropy_forward, _sigmoid_cross_entropy_backward
)


def _softmax_cross_entropy_forward(labels, logits, *, axis):
    labels3, logits3 = R.to_3d(labels, (axis,)), R.to_3d(logits, (axis,))
    loss, max_logit, log_total = (
        np.empty((logits3.shape[0], 1, logits3.shape[2]), logits.dtype) for _ in range(3)
    )
    L.softmax_cross_entropy_3d(labels3, logits3, loss, max_logit, log_total)
    shape = logits.shape[:axis] + logits.shape[axis + 1:]
    return loss.reshape(shape), (labels3, logits3, max_logit, log_total, labels.shape)


def _softmax_cross_entropy_backward(saved, g, needs):
    labels3, logits3, max_logit, log_total, shape = saved
    g3 = np.ascontiguousarray(g).reshape(max_logit.shape)
    d_labels, d_logits = np.empty_like(logits3), np.empty_like(logits3)
    L.softmax_cross_entropy_grad_3d(g3, labels3, logits3, max_logit, log_total, d_labels,
                                    d_logits)
    return (d_labels.reshape(shape) if needs[0] else None), d_logits.reshape(shape)


softmax_cross_entropy_p = Primitive(
    "softmax_cross_entropy", _softmax_cross_entropy_forward, _softmax_cross_entropy_backward
)


def _logits_or_probabilities(output, from_logits, activation, op):
    """Keras' TensorFlow backend: an output that remembers its logits (the result of sigmoid or
    softmax) is replaced by them, and the loss takes the exact logits path."""
    logits = getattr(output, "_keras_logits", None)
    if logits is None:
        return output, from_logits
    if from_logits:
        warnings.warn(
            f"ops.{op} received from_logits=True, but the output argument was produced by a "
            f"{activation} activation and thus does not represent logits; its logits are used",
            stacklevel=3,
        )
    return logits, True


def check_same_shape(target, output, where, names=("target", "output")):
    """Raise ValueError naming both shapes unless ``target`` and ``output`` have the same one
    (the cross-entropies never broadcast one against the other)."""
    if target.shape != output.shape:
        raise ValueError(
            f"{where}: {names[0]} and {names[1]} must have the same shape, got "
            f"{names[0]}.shape={target.shape} and {names[1]}.shape={output.shape}"
        )


def _clipped(p):
    """Probabilities clipped to [epsilon, 1 - epsilon]; the gradient stops outside."""
    from nbkeras.ops.elementwise import clip

    eps = config.epsilon()
    return clip(p, eps, 1.0 - eps)


def binary_crossentropy(target, output, from_logits=False):
    """Elementwise -t log p - (1 - t) log(1 - p) (no mean over any axis).

    Probabilities are clipped to [1e-7, 1 - 1e-7] first, so the loss never exceeds
    -log(1e-7) = 16.118; with ``from_logits=True`` (or an output that remembers its logits)
    it is max(x, 0) - x t + log(1 + e^-|x|), exact for any logit."""
    if type(target) is KerasTensor or type(output) is KerasTensor:
        return symbolic_call("binary_crossentropy", locals())
    from nbkeras.ops.elementwise import log, multiply, negative, subtract

    output = _float(output, "binary_crossentropy")
    output, from_logits = _logits_or_probabilities(
        output, from_logits, "Sigmoid", "binary_crossentropy")
    target = _args.operands([target], ["target"], "binary_crossentropy", output.dtype)[0]
    check_same_shape(target, output, "ops.binary_crossentropy")
    if from_logits:
        return sigmoid_cross_entropy_p(target, output)
    p = _clipped(output)
    positive = multiply(target, log(p))
    return negative(positive + multiply(subtract(1, target), log(subtract(1, p))))


def categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-sum_j t_j log p_j along ``axis``.

    Probabilities are renormalised to sum to 1 along ``axis`` and clipped to [1e-7, 1 - 1e-7];
    logits go through the fused log-softmax kernel."""
    if type(target) is KerasTensor or type(output) is KerasTensor:
        return symbolic_call("categorical_crossentropy", locals())
    from nbkeras.ops.elementwise import divide, log, multiply, negative
    from nbkeras.ops.reductions import sum as reduce_sum

    output = _float(output, "categorical_crossentropy")
    output, from_logits = _logits_or_probabilities(
        output, from_logits, "Softmax", "categorical_crossentropy")
    target = _args.operands([target], ["target"], "categorical_crossentropy", output.dtype)[0]
    if target.ndim < 1:
        raise ValueError("ops.categorical_crossentropy: target and output must have rank >= 1")
    check_same_shape(target, output, "ops.categorical_crossentropy")
    a = _args.single_axis(axis, output.ndim, "categorical_crossentropy")
    if from_logits:
        return softmax_cross_entropy_p(target, output, axis=a)
    p = _clipped(divide(output, reduce_sum(output, axis=a, keepdims=True)))
    return negative(reduce_sum(multiply(target, log(p)), axis=a))


def sparse_categorical_crossentropy(target, output, from_logits=False, axis=-1):
    """-log p_t for integer labels t, the classes along the last axis of ``output``.

    Probabilities are clipped to [1e-7, 1 - 1e-7] and used as logits, without renormalising
    first (TensorFlow's order): the loss is -log clip(p_t) + log sum_j clip(p_j)."""
    if type(target) is KerasTensor or type(output) is KerasTensor:
        return symbolic_call("sparse_categorical_crossentropy", locals())
    from nbkeras.ops.elementwise import log

    output = _float(output, "sparse_categorical_crossentropy")
    if output.ndim < 1:
        raise ValueError("ops.sparse_categorical_crossentropy: output must have rank >= 1")
    if axis not in (-1, output.ndim - 1):
        raise ValueError(
            f"ops.sparse_categorical_crossentropy: only the last axis holds the classes; got "
            f"axis={axis!r} for output of rank {output.ndim}"
        )
    output, from_logits = _logits_or_probabilities(
        output, from_logits, "Softmax", "sparse_categorical_crossentropy")
    labels = _class_labels(target, output, "sparse_categorical_crossentropy")
    if not from_logits:
        output = log(_clipped(output))
    return sparse_softmax_cross_entropy_p(output, labels=labels)


# -log softmax(x)_t for each row of logits x and label t: log_softmax, the pick of the label's
# entry and the negation, in one record (a training step pays the tape once, not four times).
# Each step computes what ops.log_softmax, take_along_axis and negative compute, in their
# order, so the bits are those of the three ops: backward sends -g to the label's entry (added
# into zeros, as take_along_axis' backward does) through log_softmax's backward.
def _sparse_softmax_cross_entropy_forward(logits, *, labels):
    axis = logits.ndim - 1
    log_p = R.along_axis(R.log_softmax_3d, axis, logits)
    picked = np.take_along_axis(log_p, labels[..., None], axis=-1)[..., 0]
    return np.negative(picked), (log_p, labels)


def _sparse_softmax_cross_entropy_backward(saved, g, needs):
    log_p, labels = saved
    scattered = np.zeros(log_p.shape, g.dtype)
    index = list(np.indices(labels.shape, sparse=True)) + [labels]
    np.add.at(scattered, tuple(index), np.negative(g))
    return (R.along_axis(R.log_softmax_grad_3d, log_p.ndim - 1, scattered, log_p),)


sparse_softmax_cross_entropy_p = Primitive(
    "sparse_softmax_cross_entropy", _sparse_softmax_cross_entropy_forward,
    _sparse_softmax_cross_entropy_backward)


def _class_labels(target, output, op):
    """Integer labels of shape ``output.shape[:-1]`` (a trailing axis of 1 is dropped), each in
    [0, number of classes)."""
    labels = np.asarray(target._value if isinstance(target, Tensor) else target)
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels)) or np.any(labels != np.floor(labels)):
            raise ValueError(f"ops.{op}: target must hold integer class labels, got {labels!r}")
    elif labels.dtype.kind not in "iub":
        raise TypeError(f"ops.{op}: target must hold integer class labels, got {labels.dtype}")
    labels = labels.astype(np.int64)
    if labels.ndim == output.ndim and labels.shape[-1:] == (1,):
        labels = labels[..., 0]
    if labels.shape != output.shape[:-1]:
        raise ValueError(
            f"ops.{op}: target must have the shape of output without its class axis; got "
            f"target.shape={np.shape(target)} and output.shape={output.shape}"
        )
    classes = output.shape[-1]
    bad = (labels < 0) | (labels >= classes)
    if bad.any():
        raise ValueError(
            f"ops.{op}: label {int(labels[bad][0])} is outside the valid range [0, {classes})"
        )
    return labels


# -- normalize ------------------------------------------------------------------------------------


def normalize(x, axis=-1, order=2, epsilon=None):
    """``x / max(norm(x), epsilon)`` along ``axis`` (every element with ``axis=None``);
    ``epsilon`` defaults to ``keras.config.epsilon()``.

    For ``order=2`` it is computed as Keras computes it, ``x * min(rsqrt(sum(x^2)),
    1 / epsilon)``; other orders divide by the vector p-norm ``sum(|x|^p)^(1/p)``."""
    if type(x) is KerasTensor:
        return symbolic_call("normalize", locals())
    from nbkeras.ops import elementwise as el
    from nbkeras.ops import reductions as red
    from nbkeras.ops.shape import expand_dims

    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"ops.normalize: order must be an int >= 1, got order={order!r}")
    t = _float(x, "normalize")
    if t.ndim == 0:
        t = expand_dims(t, 0)
    eps = config.epsilon() if epsilon is None else float(epsilon)
    if order == 2:
        inverse_norm = el.rsqrt(red.sum(el.square(t), axis=axis, keepdims=True))
        return t * el.minimum(inverse_norm, 1.0 / eps)
    norm = red.sum(el.power(el.abs(t), order), axis=axis, keepdims=True)
    norm = norm if order == 1 else el.power(norm, 1.0 / order)
    return el.divide(t, el.maximum(norm, eps))
