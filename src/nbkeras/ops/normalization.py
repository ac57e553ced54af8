"""Normalization ops (``keras.ops.moments``, ``batch_normalization``, ``layer_normalization``,
``rms_normalization``).

Four primitives, each a Numba kernel pair in ``kernels/normalization.py``:

- ``moments`` returns the mean and the (biased) variance over some axes. It is one primitive with
  one output that stacks the two statistics; ``ops.moments`` splits it, and the backward takes
  both cotangents in one pass.
- ``batch_normalization`` normalises with *given* statistics: ``x * inv + (offset - mean *
  inv)``, ``inv = scale / sqrt(variance + epsilon)``, differentiable in all five inputs. The
  BatchNormalization layer passes batch statistics from ``moments`` in training (so gradients
  also flow through the statistics) and its moving averages at inference.
- ``layer_normalization`` is fused: statistics and normalisation in one kernel, and the
  backward in one kernel that folds the gradient through the statistics in closed form.
- ``rms_normalization`` is fused the same way: ``x / sqrt(mean(x^2) + epsilon) * scale``, the
  root mean square over the normalised axes taking the place of the standard deviation.
"""

import numpy as np

from nbkeras import config
from nbkeras.autodiff import Primitive
from nbkeras.keras_tensor import KerasTensor
from nbkeras.kernels import normalization as K
from nbkeras.kernels import reductions
from nbkeras.kernels.threads import by_rows
from nbkeras.ops import _args
from nbkeras.ops.operation import symbolic_call
from nbkeras.tensor import Tensor


class _Layout:
    """``x`` viewed as ``(outer, n, inner)`` with the normalised ``axes`` in the middle, and the
    way back to ``x``'s shape (axes that are not contiguous are moved last, which copies)."""

    def __init__(self, shape, axes):
        self.shape = shape
        self.axes = axes
        kept = [a for a in range(len(shape)) if a not in axes]
        contiguous = axes == tuple(range(axes[0], axes[-1] + 1))
        self.order = None if contiguous else kept + list(axes)

    def to_3d(self, x):
        return reductions.to_3d(x, self.axes)

    def restore(self, y3):
        if self.order is None:
            return y3.reshape(self.shape)
        moved = tuple(self.shape[a] for a in self.order)
        return np.transpose(y3.reshape(moved), np.argsort(self.order))

    def stats_shape(self, keepdims):
        if keepdims:
            return reductions.keepdims_shape(self.shape, self.axes)
        return tuple(d for a, d in enumerate(self.shape) if a not in self.axes)


# -- moments -------------------------------------------------------------------------------------


def _moments_forward(x, *, axes, keepdims):
    layout = _Layout(x.shape, axes)
    x3 = layout.to_3d(x)
    mean = np.empty((x3.shape[0], x3.shape[2]), x.dtype)
    variance = np.empty_like(mean)
    by_rows(K.moments_3d, x3, mean, variance, rows=(0, 1, 2))
    stacked = np.stack([mean, variance]).reshape((2,) + layout.stats_shape(keepdims))
    return stacked, (layout, x3, mean)


def _moments_backward(saved, g, needs):
    layout, x3, mean = saved
    g_mean = np.ascontiguousarray(g[0]).reshape(mean.shape)
    g_variance = np.ascontiguousarray(g[1]).reshape(mean.shape)
    dx = np.empty_like(x3)
    by_rows(K.moments_grad_3d, g_mean, g_variance, x3, mean, dx, rows=(0, 1, 2, 3, 4))
    return (layout.restore(dx),)


moments_p = Primitive("moments", _moments_forward, _moments_backward)


def moments(x, axes, keepdims=False, synchronized=False):
    """The mean and the variance (divided by the count, not count - 1) of ``x`` over ``axes``."""
    if type(x) is KerasTensor:
        return symbolic_call("moments", locals())
    if synchronized:
        raise ValueError("ops.moments: synchronized=True needs a distributed strategy")
    t = _args.float_tensor(x, "moments")
    axes = _args.normalize_axis(axes, t.ndim, "moments")
    if not axes or any(t.shape[a] == 0 for a in axes):
        raise ValueError(f"ops.moments: cannot take moments over axes {axes} of shape {t.shape}")
    stacked = moments_p(t, axes=axes, keepdims=bool(keepdims))
    return stacked[0], stacked[1]


# -- batch normalization -------------------------------------------------------------------------


def _channel_layout(shape, axis):
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    inner = int(np.prod(shape[axis + 1:], dtype=np.int64))
    return outer, shape[axis], inner


def _batch_normalization_forward(x, mean, variance, offset, scale, *, axis, epsilon):
    x3 = np.ascontiguousarray(x).reshape(_channel_layout(x.shape, axis))
    out = np.empty_like(x3)
    eps = x.dtype.type(epsilon)
    by_rows(K.batch_normalization_3d, x3, mean, variance, offset, scale, eps, out, rows=(0, 6))
    return out.reshape(x.shape), (x3, mean, variance, scale, eps)


def _batch_normalization_backward(saved, g, needs):
    x3, mean, variance, scale, eps = saved
    g3 = np.ascontiguousarray(g).reshape(x3.shape)
    dx = np.empty_like(x3)
    d_stats = [np.empty_like(mean) for _ in range(4)]
    K.batch_normalization_grad_3d(g3, x3, mean, variance, scale, eps, dx, *d_stats)
    d_mean, d_variance, d_offset, d_scale = d_stats
    return dx.reshape(g.shape), d_mean, d_variance, d_offset, d_scale


batch_normalization_p = Primitive(
    "batch_normalization", _batch_normalization_forward, _batch_normalization_backward
)


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Normalise ``x`` with per-channel statistics along ``axis``:
    ``(x - mean) * scale / sqrt(variance + epsilon) + offset``, computed in TensorFlow's order
    ``x * inv + (offset - mean * inv)``. ``mean``, ``variance``, ``offset`` and ``scale`` are
    vectors of length ``x.shape[axis]``; a missing offset is 0 and a missing scale 1."""
    t = _args.float_tensor(x, "batch_normalization")
    if t.ndim == 0:
        raise ValueError("ops.batch_normalization: x must have at least one dimension")
    a = _args.single_axis(axis, t.ndim, "batch_normalization")
    channels = t.shape[a]
    dtype = t.dtype
    vectors = []
    for name, value, default in (("mean", mean, None), ("variance", variance, None),
                                 ("offset", offset, 0.0), ("scale", scale, 1.0)):
        if value is None:
            vectors.append(Tensor(np.full(channels, default, dtype=t._value.dtype)))
            continue
        v = _args.operands((value,), (name,), "batch_normalization", dtype=dtype)[0]
        if v.shape != (channels,):
            raise ValueError(
                f"ops.batch_normalization: {name} must be a vector of length x.shape[axis] = "
                f"{channels}, got shape {v.shape}"
            )
        vectors.append(v)
    return batch_normalization_p(t, *vectors, axis=a, epsilon=float(epsilon))


# -- layer normalization -------------------------------------------------------------------------


def _layer_normalization_forward(x, gamma, beta, *, axes, epsilon):
    layout = _Layout(x.shape, axes)
    x3 = layout.to_3d(x)
    out = np.empty_like(x3)
    stats = (x3.shape[0], x3.shape[2])
    mean, rstd = np.empty(stats, x.dtype), np.empty(stats, x.dtype)
    gamma1, beta1 = np.ascontiguousarray(gamma).reshape(-1), np.ascontiguousarray(beta).reshape(-1)
    by_rows(K.layer_normalization_3d, x3, gamma1, beta1, x.dtype.type(epsilon), out, mean,
            rstd, rows=(0, 4, 5, 6))
    return layout.restore(out), (layout, x3, gamma1, gamma.shape, beta.shape, mean, rstd)


def _layer_normalization_backward(saved, g, needs):
    layout, x3, gamma1, gamma_shape, beta_shape, mean, rstd = saved
    g3 = layout.to_3d(g)
    dx = np.empty_like(x3)
    d_gamma, d_beta = np.empty_like(gamma1), np.empty_like(gamma1)
    K.layer_normalization_grad_3d(g3, x3, gamma1, mean, rstd, dx, d_gamma, d_beta)
    return layout.restore(dx), d_gamma.reshape(gamma_shape), d_beta.reshape(beta_shape)


layer_normalization_p = Primitive(
    "layer_normalization", _layer_normalization_forward, _layer_normalization_backward
)


def layer_normalization(x, gamma=None, beta=None, axis=-1, epsilon=None, **kwargs):
    """Normalise each sample over ``axis`` (an int or a list of ints) to mean 0 and variance 1,
    then scale by ``gamma`` and shift by ``beta``, which span the normalised axes.
    ``epsilon`` defaults to ``keras.config.epsilon()`` (the layer passes its own, 1e-3)."""
    if kwargs.pop("rms_scaling", False):
        raise ValueError("ops.layer_normalization: rms_scaling is deprecated in Keras and "
                         "not supported; use rms_normalization")
    if kwargs:
        raise TypeError(f"ops.layer_normalization: unexpected arguments {sorted(kwargs)}")
    t = _args.float_tensor(x, "layer_normalization")
    axes = _args.normalize_axis(axis, t.ndim, "layer_normalization")
    if not axes:
        raise ValueError("ops.layer_normalization: x must have at least one dimension")
    shape = tuple(t.shape[a] for a in axes)
    params = []
    for name, value, default in (("gamma", gamma, 1.0), ("beta", beta, 0.0)):
        if value is None:
            params.append(Tensor(np.full(shape, default, dtype=t._value.dtype)))
            continue
        v = _args.operands((value,), (name,), "layer_normalization", dtype=t.dtype)[0]
        if int(np.prod(v.shape)) != int(np.prod(shape)):
            raise ValueError(
                f"ops.layer_normalization: {name} must have the shape of the normalised axes "
                f"{shape}, got {v.shape}"
            )
        params.append(v)
    eps = config.epsilon() if epsilon is None else float(epsilon)
    return layer_normalization_p(t, *params, axes=axes, epsilon=eps)


# -- RMS normalization ---------------------------------------------------------------------------


def _rms_normalization_forward(x, scale, *, axes, epsilon):
    layout = _Layout(x.shape, axes)
    x3 = layout.to_3d(x)
    out = np.empty_like(x3)
    rrms = np.empty((x3.shape[0], x3.shape[2]), x.dtype)
    scale1 = np.ascontiguousarray(scale).reshape(-1)
    by_rows(K.rms_normalization_3d, x3, scale1, x.dtype.type(epsilon), out, rrms,
            rows=(0, 3, 4))
    return layout.restore(out), (layout, x3, scale1, scale.shape, rrms)


def _rms_normalization_backward(saved, g, needs):
    layout, x3, scale1, scale_shape, rrms = saved
    dx = np.empty_like(x3)
    d_scale = np.empty_like(scale1)
    K.rms_normalization_grad_3d(layout.to_3d(g), x3, scale1, rrms, dx, d_scale)
    return layout.restore(dx), d_scale.reshape(scale_shape)


rms_normalization_p = Primitive(
    "rms_normalization", _rms_normalization_forward, _rms_normalization_backward
)


def rms_normalization(x, scale=None, axis=-1, epsilon=None):
    """``x / sqrt(mean(x^2) + epsilon) * scale``, the mean over ``axis`` (an int or a list of
    ints); ``scale`` spans the normalised axes (default 1), ``epsilon`` defaults to
    ``keras.config.epsilon()``."""
    t = _args.float_tensor(x, "rms_normalization")
    if t.ndim == 0:
        from nbkeras.ops.shape import expand_dims

        t = expand_dims(t, 0)
    axes = _args.normalize_axis(axis, t.ndim, "rms_normalization")
    shape = tuple(t.shape[a] for a in axes)
    if scale is None:
        s = Tensor(np.ones(shape, dtype=t._value.dtype))
    else:
        s = _args.operands((scale,), ("scale",), "rms_normalization", dtype=t.dtype)[0]
        if s.size != int(np.prod(shape)):
            raise ValueError(
                f"ops.rms_normalization: scale must have the shape of the normalised axes "
                f"{shape}, got {s.shape}"
            )
    eps = config.epsilon() if epsilon is None else float(epsilon)
    return rms_normalization_p(t, s, axes=axes, epsilon=eps)
