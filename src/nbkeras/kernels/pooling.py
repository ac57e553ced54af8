"""Max and average pooling (fixed and adaptive windows), forward and backward, as direct loops
over the windows.

Pooling does one comparison or one addition per input element of each window, so there is no
matrix product to hand to BLAS: plain loops with the channel axis innermost (contiguous in the
channels-last layout) are the fastest form. Every kernel sees the 5-D layout of ``spatial.py``:
x (N, D, H, W, C) and output (N, OD, OH, OW, C). Padding is never read: a window only visits its
real elements, which is how TensorFlow's "same" pooling behaves (the max ignores the padding,
the average divides by the number of real elements).

Adaptive pooling fixes the number of windows instead of their size: along an axis of length n
with m outputs, window i covers [floor(i n / m), ceil((i + 1) n / m)), so the windows tile the
axis (overlapping by one element where m does not divide n). The kernels take each axis'
window starts and ends as arrays.
"""

import numpy as np

from nbkeras.kernels._jit import kernel
from nbkeras.kernels.spatial import as_volume, volume_tuple


@kernel
def max_pool(x, out, pool_size, strides, pads_before):
    """out[n, o, c] = the largest real element of window o; ``out`` arrives filled with the
    dtype's lowest finite value (TensorFlow's starting point), and a NaN never wins."""
    _, depth, height, width, channels = x.shape
    _, out_d, out_h, out_w, _ = out.shape
    for n in range(x.shape[0]):
        for od in range(out_d):
            d0 = od * strides[0] - pads_before[0]
            for oh in range(out_h):
                h0 = oh * strides[1] - pads_before[1]
                for ow in range(out_w):
                    w0 = ow * strides[2] - pads_before[2]
                    for d in range(max(d0, 0), min(d0 + pool_size[0], depth)):
                        for h in range(max(h0, 0), min(h0 + pool_size[1], height)):
                            for w in range(max(w0, 0), min(w0 + pool_size[2], width)):
                                for c in range(channels):
                                    if x[n, d, h, w, c] > out[n, od, oh, ow, c]:
                                        out[n, od, oh, ow, c] = x[n, d, h, w, c]


# d max / dx_i = 1 for the element the max came from, 0 elsewhere. TensorFlow's 1-D/2-D rule
# finds that element by its own scan: start at the window's first real element and move only to
# a strictly greater one. So a tie goes to the first maximum, and a window (NaN, 1) sends its
# gradient to the NaN, although its forward max is 1 (comparisons with NaN are false).
#
# The scan keeps, per channel, the best value so far and its position (one flat index d·H·W +
# h·W + w) and updates both with a select rather than a branch, so the loop over the channels
# (contiguous) runs in SIMD registers: 3.5-6x faster than a branch that writes three coordinates
# (measured on the benchmark CNN's two pooling layers).
@kernel
def max_pool_grad_first(x, g, dx, pool_size, strides, pads_before, best, where):
    """Add g[n, o, c] to dx at the first arg-max of window o; ``best`` (C,) and ``where`` (C,)
    are scratch: each channel's candidate value and flat position d·H·W + h·W + w. ``dx`` is
    seen as (N, D·H·W, C)."""
    _, depth, height, width, channels = x.shape
    _, out_d, out_h, out_w, _ = g.shape
    flat = dx.reshape(dx.shape[0], depth * height * width, channels)
    for n in range(x.shape[0]):
        for od in range(out_d):
            d0 = max(od * strides[0] - pads_before[0], 0)
            d1 = min(od * strides[0] - pads_before[0] + pool_size[0], depth)
            for oh in range(out_h):
                h0 = max(oh * strides[1] - pads_before[1], 0)
                h1 = min(oh * strides[1] - pads_before[1] + pool_size[1], height)
                for ow in range(out_w):
                    w0 = max(ow * strides[2] - pads_before[2], 0)
                    w1 = min(ow * strides[2] - pads_before[2] + pool_size[2], width)
                    if d0 >= d1 or h0 >= h1 or w0 >= w1:
                        continue  # no real element (cannot happen for valid or same)
                    start = (d0 * height + h0) * width + w0
                    for c in range(channels):  # the first real element starts the scan
                        best[c] = x[n, d0, h0, w0, c]
                        where[c] = start
                    for d in range(d0, d1):
                        for h in range(h0, h1):
                            for w in range(w0, w1):
                                position = (d * height + h) * width + w
                                for c in range(channels):
                                    v = x[n, d, h, w, c]
                                    better = v > best[c]  # strictly: a tie keeps the first
                                    best[c] = v if better else best[c]
                                    where[c] = position if better else where[c]
                    for c in range(channels):
                        flat[n, where[c], c] += g[n, od, oh, ow, c]


# TensorFlow's 3-D rule: every real element equal to the max receives the whole g.
@kernel
def max_pool_grad_ties(x, y, g, dx, pool_size, strides, pads_before):
    """Add g[n, o, c] to dx at every element of window o that equals the max."""
    _, depth, height, width, channels = x.shape
    _, out_d, out_h, out_w, _ = y.shape
    for n in range(x.shape[0]):
        for od in range(out_d):
            d0 = od * strides[0] - pads_before[0]
            for oh in range(out_h):
                h0 = oh * strides[1] - pads_before[1]
                for ow in range(out_w):
                    w0 = ow * strides[2] - pads_before[2]
                    for d in range(max(d0, 0), min(d0 + pool_size[0], depth)):
                        for h in range(max(h0, 0), min(h0 + pool_size[1], height)):
                            for w in range(max(w0, 0), min(w0 + pool_size[2], width)):
                                for c in range(channels):
                                    if x[n, d, h, w, c] == y[n, od, oh, ow, c]:
                                        dx[n, d, h, w, c] += g[n, od, oh, ow, c]


@kernel
def average_pool(x, out, pool_size, strides, pads_before):
    """out[n, o, c] = the mean of the real elements of window o (``out`` arrives zeroed)."""
    _, depth, height, width, channels = x.shape
    _, out_d, out_h, out_w, _ = out.shape
    t = x.dtype.type
    for n in range(x.shape[0]):
        for od in range(out_d):
            d0 = max(od * strides[0] - pads_before[0], 0)
            d1 = min(od * strides[0] - pads_before[0] + pool_size[0], depth)
            for oh in range(out_h):
                h0 = max(oh * strides[1] - pads_before[1], 0)
                h1 = min(oh * strides[1] - pads_before[1] + pool_size[1], height)
                for ow in range(out_w):
                    w0 = max(ow * strides[2] - pads_before[2], 0)
                    w1 = min(ow * strides[2] - pads_before[2] + pool_size[2], width)
                    for d in range(d0, d1):
                        for h in range(h0, h1):
                            for w in range(w0, w1):
                                for c in range(channels):
                                    out[n, od, oh, ow, c] += x[n, d, h, w, c]
                    count = t((d1 - d0) * (h1 - h0) * (w1 - w0))
                    for c in range(channels):
                        out[n, od, oh, ow, c] /= count


# d mean / dx_i = 1 / count for each of the window's count real elements.
@kernel
def average_pool_grad(g, dx, pool_size, strides, pads_before):
    """Spread g[n, o, c] evenly over the real elements of window o (``dx`` arrives zeroed)."""
    _, depth, height, width, channels = dx.shape
    _, out_d, out_h, out_w, _ = g.shape
    t = g.dtype.type
    for n in range(g.shape[0]):
        for od in range(out_d):
            d0 = max(od * strides[0] - pads_before[0], 0)
            d1 = min(od * strides[0] - pads_before[0] + pool_size[0], depth)
            for oh in range(out_h):
                h0 = max(oh * strides[1] - pads_before[1], 0)
                h1 = min(oh * strides[1] - pads_before[1] + pool_size[1], height)
                for ow in range(out_w):
                    w0 = max(ow * strides[2] - pads_before[2], 0)
                    w1 = min(ow * strides[2] - pads_before[2] + pool_size[2], width)
                    count = t((d1 - d0) * (h1 - h0) * (w1 - w0))
                    for d in range(d0, d1):
                        for h in range(h0, h1):
                            for w in range(w0, w1):
                                for c in range(channels):
                                    dx[n, d, h, w, c] += g[n, od, oh, ow, c] / count


@kernel
def adaptive_max_pool(x, out, starts_d, ends_d, starts_h, ends_h, starts_w, ends_w):
    """out[n, o, c] = the largest element of window o (``out`` arrives filled with the dtype's
    lowest finite value)."""
    channels = x.shape[4]
    for n in range(x.shape[0]):
        for od in range(out.shape[1]):
            for oh in range(out.shape[2]):
                for ow in range(out.shape[3]):
                    for d in range(starts_d[od], ends_d[od]):
                        for h in range(starts_h[oh], ends_h[oh]):
                            for w in range(starts_w[ow], ends_w[ow]):
                                for c in range(channels):
                                    if x[n, d, h, w, c] > out[n, od, oh, ow, c]:
                                        out[n, od, oh, ow, c] = x[n, d, h, w, c]


# d max / dx_i = 1 at the window's arg-max (the first in scan order on a tie), 0 elsewhere.
@kernel
def adaptive_max_pool_grad(x, g, dx, starts_d, ends_d, starts_h, ends_h, starts_w, ends_w,
                           best, where):
    """Add g[n, o, c] to dx at the first arg-max of window o; ``best`` (C,) and ``where``
    (C, 3) are scratch."""
    channels = x.shape[4]
    for n in range(x.shape[0]):
        for od in range(g.shape[1]):
            for oh in range(g.shape[2]):
                for ow in range(g.shape[3]):
                    for d in range(starts_d[od], ends_d[od]):
                        for h in range(starts_h[oh], ends_h[oh]):
                            for w in range(starts_w[ow], ends_w[ow]):
                                first = d == starts_d[od] and h == starts_h[oh] and \
                                    w == starts_w[ow]
                                for c in range(channels):
                                    if first or x[n, d, h, w, c] > best[c]:
                                        best[c] = x[n, d, h, w, c]
                                        where[c, 0] = d
                                        where[c, 1] = h
                                        where[c, 2] = w
                    for c in range(channels):
                        dx[n, where[c, 0], where[c, 1], where[c, 2], c] += g[n, od, oh, ow, c]


@kernel
def adaptive_average_pool(x, out, starts_d, ends_d, starts_h, ends_h, starts_w, ends_w):
    """out[n, o, c] = the mean of window o (``out`` arrives zeroed)."""
    channels = x.shape[4]
    t = x.dtype.type
    for n in range(x.shape[0]):
        for od in range(out.shape[1]):
            for oh in range(out.shape[2]):
                for ow in range(out.shape[3]):
                    for d in range(starts_d[od], ends_d[od]):
                        for h in range(starts_h[oh], ends_h[oh]):
                            for w in range(starts_w[ow], ends_w[ow]):
                                for c in range(channels):
                                    out[n, od, oh, ow, c] += x[n, d, h, w, c]
                    count = t((ends_d[od] - starts_d[od]) * (ends_h[oh] - starts_h[oh])
                              * (ends_w[ow] - starts_w[ow]))
                    for c in range(channels):
                        out[n, od, oh, ow, c] /= count


# d mean / dx_i = 1 / count for each element of the window.
@kernel
def adaptive_average_pool_grad(g, dx, starts_d, ends_d, starts_h, ends_h, starts_w, ends_w):
    """Spread g[n, o, c] evenly over window o (``dx`` arrives zeroed)."""
    channels = g.shape[4]
    t = g.dtype.type
    for n in range(g.shape[0]):
        for od in range(g.shape[1]):
            for oh in range(g.shape[2]):
                for ow in range(g.shape[3]):
                    count = t((ends_d[od] - starts_d[od]) * (ends_h[oh] - starts_h[oh])
                              * (ends_w[ow] - starts_w[ow]))
                    for d in range(starts_d[od], ends_d[od]):
                        for h in range(starts_h[oh], ends_h[oh]):
                            for w in range(starts_w[ow], ends_w[ow]):
                                for c in range(channels):
                                    dx[n, d, h, w, c] += g[n, od, oh, ow, c] / count


def adaptive_windows(length, outputs):
    """(starts, ends) of the ``outputs`` windows that tile an axis of ``length`` elements:
    window i is [floor(i length / outputs), ceil((i + 1) length / outputs))."""
    i = np.arange(outputs, dtype=np.int64)
    starts = (i * length) // outputs
    ends = -((-(i + 1) * length) // outputs)  # ceil division
    return starts, ends


def _adaptive_windows_5d(spatial_shape, output_size):
    """The six window arrays of the 5-D layout (leading axes: one window of length 1)."""
    lengths = volume_tuple(spatial_shape, 1)
    outputs = volume_tuple(output_size, 1)
    windows = []
    for n, m in zip(lengths, outputs, strict=True):
        windows.extend(adaptive_windows(n, m))
    return windows


def adaptive_pool(x, mode, output_size):
    """Adaptive max (``mode="max"``) or average pooling of x (N, *spatial, C), channels last,
    to ``output_size`` windows per spatial axis."""
    y = np.empty(x.shape[:1] + tuple(output_size) + x.shape[-1:], x.dtype)
    windows = _adaptive_windows_5d(x.shape[1:-1], output_size)
    if mode == "max":
        y.fill(np.finfo(x.dtype).min)
        adaptive_max_pool(as_volume(x), as_volume(y), *windows)
    else:
        y.fill(0)
        adaptive_average_pool(as_volume(x), as_volume(y), *windows)
    return y


def adaptive_pool_input_grad(x, g, mode):
    """The cotangent of adaptive pooling's input x, for output cotangent g."""
    dx = np.zeros(x.shape, x.dtype)
    windows = _adaptive_windows_5d(x.shape[1:-1], g.shape[1:-1])
    if mode == "max":
        channels = x.shape[-1]
        adaptive_max_pool_grad(as_volume(x), as_volume(g), as_volume(dx), *windows,
                               np.empty(channels, x.dtype), np.empty((channels, 3), np.int64))
    else:
        adaptive_average_pool_grad(as_volume(g), as_volume(dx), *windows)
    return dx


def _geometry(pool_size, strides, pads):
    return (volume_tuple(pool_size, 1), volume_tuple(strides, 1),
            volume_tuple([p[0] for p in pads], 0))


def output_shape(input_shape, pool_size, strides, pads):
    """(N, *out_spatial, C) for windows of ``pool_size`` moved by ``strides`` over the input
    padded by ``pads`` ((before, after) per spatial axis)."""
    out = [(n + before + after - k) // s + 1
           for n, k, s, (before, after) in zip(input_shape[1:-1], pool_size, strides, pads,
                                               strict=True)]
    return tuple(input_shape[:1]) + tuple(out) + tuple(input_shape[-1:])


def pool(x, mode, pool_size, strides, pads):
    """Max (``mode="max"``) or average pooling of x (N, *spatial, C), channels last."""
    y = np.empty(output_shape(x.shape, pool_size, strides, pads), x.dtype)
    if mode == "max":
        y.fill(np.finfo(x.dtype).min)
        max_pool(as_volume(x), as_volume(y), *_geometry(pool_size, strides, pads))
    else:
        y.fill(0)
        average_pool(as_volume(x), as_volume(y), *_geometry(pool_size, strides, pads))
    return y


def max_pool_input_grad(x, y, g, pool_size, strides, pads, all_ties):
    """The cotangent of max pooling's input: g routed to the first arg-max of each window
    (``all_ties=False``, TensorFlow's 1-D/2-D rule) or to every tied maximum (3-D rule)."""
    dx = np.zeros(x.shape, x.dtype)
    x5, g5, dx5 = as_volume(x), as_volume(g), as_volume(dx)
    geometry = _geometry(pool_size, strides, pads)
    if all_ties:
        max_pool_grad_ties(x5, as_volume(y), g5, dx5, *geometry)
    else:
        channels = x.shape[-1]
        max_pool_grad_first(x5, g5, dx5, *geometry, np.empty(channels, x.dtype),
                            np.empty(channels, np.int64))
    return dx


def average_pool_input_grad(g, input_shape, pool_size, strides, pads):
    """The cotangent of average pooling's input (shape ``input_shape``)."""
    dx = np.zeros(input_shape, g.dtype)
    average_pool_grad(as_volume(g), as_volume(dx), *_geometry(pool_size, strides, pads))
    return dx


def _examples():
    x = np.ones((1, 2, 3, 3, 2), np.float32)
    y = np.ones((1, 1, 2, 2, 2), np.float32)
    geometry = ((2, 2, 2), (1, 1, 1), (0, 0, 0))
    windows = _adaptive_windows_5d((2, 3, 3), (1, 2, 2))
    return {
        "max_pool": (x, y, *geometry),
        "max_pool_grad_first": (x, y, x, *geometry, np.empty(2, np.float32),
                                np.empty(2, np.int64)),
        "max_pool_grad_ties": (x, y, y, x, *geometry),
        "average_pool": (x, y, *geometry),
        "average_pool_grad": (y, x, *geometry),
        "adaptive_max_pool": (x, y, *windows),
        "adaptive_max_pool_grad": (x, y, x, *windows, np.empty(2, np.float32),
                                   np.empty((2, 3), np.int64)),
        "adaptive_average_pool": (x, y, *windows),
        "adaptive_average_pool_grad": (y, x, *windows),
    }


def float32_example_arguments(kernel_function):
    """Float32 arguments to compile ``kernel_function`` (tests read every kernel's machine
    code)."""
    return _examples()[kernel_function.py_func.__name__]
