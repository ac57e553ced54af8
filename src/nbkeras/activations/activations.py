"""The activation functions of ``keras.activations``.

Each takes a tensor (or anything ``ops.convert_to_tensor`` accepts) and returns a tensor of the
same shape; floats keep their dtype, integer inputs become floatx. Most are one op of
``nbkeras.ops`` (a fused Numba kernel pair); ``relu`` with options is composed of ops exactly as
Keras composes it, so its derivative follows from theirs.
"""

from nbkeras import ops
from nbkeras.ops import nn as _nn


def relu(x, negative_slope=0.0, max_value=None, threshold=0.0, alpha=None):
    """max(x, 0), or with options: x for x > threshold (clipped to [0, max_value] when given),
    ``negative_slope * (x - threshold)`` for x <= threshold.

    ``alpha`` is Keras 2's name for ``negative_slope``. With ``max_value=6`` and no threshold
    the positive part is ``relu6`` (whose derivative is 0 at x = 6, where a clip's is 1)."""
    if alpha is not None:
        if negative_slope != 0.0:
            raise ValueError(
                "activations.relu: pass negative_slope or its Keras 2 name alpha, not both "
                f"(got negative_slope={negative_slope!r}, alpha={alpha!r})"
            )
        negative_slope = alpha
    slope = _nn._number(negative_slope, "negative_slope", "relu")
    th = _nn._number(threshold, "threshold", "relu")
    if max_value is not None:
        max_value = _nn._number(max_value, "max_value", "relu")
        if max_value < 0:
            raise ValueError(f"activations.relu: max_value must be >= 0, got {max_value!r}")
    x = ops.convert_to_tensor(x)
    if slope == 0.0 and max_value is None and th == 0.0:
        return ops.relu(x)
    if slope != 0.0 and max_value is None and th == 0.0:
        return ops.leaky_relu(x, negative_slope=slope)
    if slope != 0.0:
        negative_part = ops.relu(ops.add(ops.negative(x), th))  # relu(threshold - x)
    clip_max = max_value is not None
    if th != 0.0:
        positive_part = ops.where(ops.greater(x, th), x, 0)
    elif max_value == 6.0:
        positive_part = ops.relu6(x)
        clip_max = False
    else:
        positive_part = ops.relu(x)
    if clip_max:
        positive_part = ops.clip(positive_part, 0.0, max_value)
    if slope != 0.0:
        return positive_part - slope * negative_part
    return positive_part


def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, ``negative_slope * x`` otherwise."""
    return ops.leaky_relu(x, negative_slope=negative_slope)


def relu6(x):
    """min(max(x, 0), 6)."""
    return ops.relu6(x)


def softmax(x, axis=-1):
    """exp(x) / sum(exp(x)) along ``axis`` (``None``: over every element). The result
    remembers its logits, so the cross-entropy losses can use the exact logits formula."""
    return ops.softmax(x, axis=axis)


def log_softmax(x, axis=-1):
    """x - log(sum(exp(x))) along ``axis``."""
    return ops.log_softmax(x, axis=axis)


def sparsemax(x, axis=-1):
    """max(x - tau, 0) along ``axis``: a softmax that can output exact zeros."""
    return ops.sparsemax(x, axis=axis)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (e^x - 1) otherwise."""
    return ops.elu(x, alpha=alpha)


def selu(x):
    """1.0507 * elu(x, 1.6733): self-normalising (use with lecun_normal initialisation)."""
    return ops.selu(x)


def celu(x, alpha=1.0):
    """max(x, 0) + alpha (e^(min(x, 0) / alpha) - 1)."""
    return ops.celu(x, alpha=alpha)


def gelu(x, approximate=False):
    """x Phi(x) with Phi the standard normal CDF (the activation's default is exact; keras.ops'
    gelu defaults to the tanh approximation)."""
    return ops.gelu(x, approximate=approximate)


def glu(x, axis=-1):
    """a * sigmoid(b), where a and b are the two halves of ``x`` along ``axis``."""
    return ops.glu(x, axis=axis)


def silu(x):
    """x sigmoid(x), also called swish."""
    return ops.silu(x)


swish = silu


def sigmoid(x):
    """1 / (1 + e^-x). The result remembers its logits (see ``softmax``)."""
    return ops.sigmoid(x)


def tanh(x):
    return ops.tanh(x)


def softplus(x):
    """log(1 + e^x)."""
    return ops.softplus(x)


def softsign(x):
    """x / (1 + |x|)."""
    return ops.softsign(x)


def hard_sigmoid(x):
    """relu6(x + 3) / 6 (Keras 3; Keras 2 used clip(0.2 x + 0.5, 0, 1))."""
    return ops.hard_sigmoid(x)


def hard_silu(x):
    """x hard_sigmoid(x), also called hard_swish."""
    return ops.hard_silu(x)


hard_swish = hard_silu


def mish(x):
    """x tanh(softplus(x))."""
    return _nn.mish(x)


def exponential(x):
    """e^x (overflows to inf above 88.7 in float32, as in Keras)."""
    return ops.exp(x)


def linear(x):
    """The identity: returns ``x`` itself."""
    return x


def log_sigmoid(x):
    """log sigmoid(x) = -softplus(-x)."""
    return ops.log_sigmoid(x)


def sparse_plus(x):
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    return ops.sparse_plus(x)


def sparse_sigmoid(x):
    """0 for x <= -1, (x + 1) / 2 for -1 < x < 1, 1 for x >= 1."""
    return ops.sparse_sigmoid(x)


def squareplus(x, b=4):
    """(x + sqrt(x^2 + b)) / 2."""
    return ops.squareplus(x, b=b)


def soft_shrink(x, threshold=0.5):
    """x - threshold above it, x + threshold below -threshold, 0 between."""
    return ops.soft_shrink(x, threshold=threshold)


def hard_shrink(x, threshold=0.5):
    """x where |x| > threshold, else 0."""
    return ops.hard_shrink(x, threshold=threshold)


def hard_tanh(x):
    """clip(x, -1, 1)."""
    return ops.hard_tanh(x)


def tanh_shrink(x):
    """x - tanh(x)."""
    return ops.tanh_shrink(x)


def threshold(x, threshold, default_value):
    """x where x > threshold, else ``default_value``."""
    return ops.threshold(x, threshold, default_value)
