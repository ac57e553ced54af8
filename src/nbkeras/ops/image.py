"""``keras.ops.image``: resizing images (bilinear and nearest-neighbour, as TensorFlow's
``tf.image.resize`` without antialiasing).

Both are separable: each output row (then column) is made from one or two input rows. With
TensorFlow's half-pixel centres, output index i of a resize from n to m samples the input at

    s_i = (i + 1/2) n / m - 1/2,

and bilinear interpolation blends the two neighbours ``lo = max(floor(s_i), 0)`` and
``hi = min(ceil(s_i), n - 1)`` with weight ``lam = s_i - floor(s_i)``: ``a + (b - a) lam``.
Along one axis that is a linear map, a matrix with two non-zeros per row, (1 - lam) at ``lo``
and lam at ``hi``; resizing an image is that map along the columns and then along the rows, and
its backward pass is the transposed maps (chapter 10). nbkeras composes it from ``take`` and
arithmetic in TensorFlow's order (columns first), so the forward values are TensorFlow's bit
for bit; the tape's backward through ``take`` is the transpose.
"""

import numpy as np

from nbkeras import config
from nbkeras.ops import _args
from nbkeras.ops.convolution import standardize_data_format

SUPPORTED_INTERPOLATIONS = ("bilinear", "nearest")
KERAS_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")


def _sample_positions(n, m):
    """TensorFlow's float32 sampling positions (i + 0.5) * (n / m) - 0.5 for i < m."""
    scale = np.float32(n) / np.float32(m)
    return (np.arange(m, dtype=np.float32) + np.float32(0.5)) * scale - np.float32(0.5)


def bilinear_weights(n, m):
    """(lo, hi, lam) of the bilinear resize of an axis from n to m samples: output i is
    x[lo] + (x[hi] - x[lo]) * lam (lam in float32, as TensorFlow computes it)."""
    s = _sample_positions(n, m)
    below = np.floor(s)
    lo = np.maximum(below.astype(np.int64), 0)
    hi = np.minimum(np.ceil(s).astype(np.int64), n - 1)
    return lo, hi, s - below


def nearest_indices(n, m):
    """The input index of each output of a nearest-neighbour resize from n to m samples
    (half-pixel centres: floor((i + 0.5) n / m), within [0, n - 1])."""
    scale = np.float32(n) / np.float32(m)
    index = np.floor((np.arange(m, dtype=np.float32) + np.float32(0.5)) * scale)
    return np.clip(index.astype(np.int64), 0, n - 1)


def _along(x, axis, n, m, interpolation):
    from nbkeras.ops.elementwise import add, multiply, subtract
    from nbkeras.ops.shape import reshape, take

    if n == m:
        return x
    if interpolation == "nearest":
        return take(x, nearest_indices(n, m), axis=axis)
    lo, hi, lam = bilinear_weights(n, m)
    a, b = take(x, lo, axis=axis), take(x, hi, axis=axis)
    shape = [1] * x.ndim
    shape[axis] = m
    weight = reshape(lam.astype(x._value.dtype), tuple(shape))
    return add(a, multiply(subtract(b, a), weight))


def resize(images, size, interpolation="bilinear", antialias=False, crop_to_aspect_ratio=False,
           pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None):
    """Resize images (batch, height, width, channels), or one image without the batch axis,
    to ``size`` = (height, width). Bilinear and nearest-neighbour interpolation without
    antialiasing are supported. Integer images come back in floatx for bilinear, in their own
    dtype for nearest (TensorFlow's rule); float64 images stay float64 (TensorFlow would return
    float32)."""
    from nbkeras.ops.convolution import to_channels_first, to_channels_last
    from nbkeras.ops.core import cast
    from nbkeras.ops.shape import expand_dims, squeeze

    op = "image.resize"
    if interpolation not in SUPPORTED_INTERPOLATIONS:
        known = interpolation in KERAS_INTERPOLATIONS
        raise ValueError(
            f"ops.{op}: interpolation={interpolation!r} is "
            f"{'not supported by nbkeras' if known else 'unknown'}; expected one of "
            f"{SUPPORTED_INTERPOLATIONS}"
        )
    if antialias or crop_to_aspect_ratio or pad_to_aspect_ratio:
        raise ValueError(
            f"ops.{op}: antialias, crop_to_aspect_ratio and pad_to_aspect_ratio are not "
            "supported by nbkeras"
        )
    if fill_mode != "constant":
        raise ValueError(f"ops.{op}: only fill_mode='constant' is supported, got {fill_mode!r}")
    if len(size) != 2:
        raise ValueError(
            f"ops.{op}: size must be a tuple of two elements (height, width), got size={size!r}"
        )
    t = _args.tensor(images, op, "images")
    if t.ndim not in (3, 4):
        raise ValueError(
            f"ops.{op}: images must have rank 3 (one image) or 4 (a batch), got shape {t.shape}"
        )
    data_format = standardize_data_format(data_format, op)
    single = t.ndim == 3
    if single:
        t = expand_dims(t, 0)
    if interpolation == "bilinear" and t._value.dtype.kind != "f":
        t = cast(t, config.floatx())
    t = to_channels_last(t, data_format)
    height, width = (int(s) for s in size)
    out = _along(t, 2, t.shape[2], width, interpolation)
    out = _along(out, 1, t.shape[1], height, interpolation)
    out = to_channels_first(out, data_format)
    return squeeze(out, 0) if single else out
