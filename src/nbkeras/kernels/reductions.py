"""Reductions and the softmax family.

Every kernel here sees its input as a 3-D array ``(outer, n, inner)`` and reduces (or normalises)
along the middle axis ``n``. The wrapper ``to_3d`` brings any input and any set of axes into that
layout, so each kernel compiles once per dtype.

Sums accumulate in float64 and round to float32 once at the end. A float32 running sum of 1e7
values of 0.1 drifts by 9% (each add rounds to 24 bits); the float64 one is exact to float32
precision. The summation order is fixed, so the result is the same on every run.
"""

import numpy as np

from nbkeras.kernels._jit import kernel


def to_3d(x, axes):
    """View ``x`` as ``(outer, n, inner)`` with the reduced ``axes`` in the middle.

    ``axes`` is a sorted tuple of non-negative axes. Contiguous axes need no copy; otherwise the
    reduced axes are moved to the end first (one copy).
    """
    shape = x.shape
    if not axes:
        return np.ascontiguousarray(x).reshape(1, 1, -1) if x.size else x.reshape(1, 1, 0)
    if axes != tuple(range(axes[0], axes[-1] + 1)):
        kept = [a for a in range(x.ndim) if a not in axes]
        x = np.transpose(x, kept + list(axes))
        shape = x.shape
        axes = tuple(range(len(kept), x.ndim))
    outer = int(np.prod(shape[: axes[0]], dtype=np.int64))
    n = int(np.prod(shape[axes[0] : axes[-1] + 1], dtype=np.int64))
    inner = int(np.prod(shape[axes[-1] + 1 :], dtype=np.int64))
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    return x.reshape(outer, n, inner)


def keepdims_shape(shape, axes):
    return tuple(1 if a in axes else d for a, d in enumerate(shape))


def reduce(kernel_function, x, axes, keepdims):
    """Apply a reduction kernel over ``axes`` (a sorted tuple) of ``x``."""
    x3 = to_3d(x, axes)
    out = np.empty((x3.shape[0], x3.shape[2]), dtype=x.dtype)
    kernel_function(x3, out)
    if keepdims:
        return out.reshape(keepdims_shape(x.shape, axes))
    return out.reshape(tuple(d for a, d in enumerate(x.shape) if a not in axes))


def sum_over_axes(x, axes, keepdims=False):
    """Float sum over ``axes`` with a float64 accumulator (used by the tape's unbroadcast)."""
    return reduce(sum_3d, x, tuple(sorted(axes)), keepdims)


@kernel(float64_accumulator=True)
def sum_3d(x, out):
    outer, n, inner = x.shape
    if inner == 1:
        # One long sum: a single accumulator makes every add wait for the previous one. Eight
        # accumulators, combined in a fixed order, let the CPU overlap them (4x faster here)
        # and still give the same result on every run.
        lanes = np.empty(8, dtype=np.float64)
        full = n - n % 8
        for o in range(outer):
            lanes[:] = 0.0
            for j in range(0, full, 8):
                for k in range(8):
                    lanes[k] += x[o, j + k, 0]
            total = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + (
                (lanes[4] + lanes[5]) + (lanes[6] + lanes[7])
            )
            for j in range(full, n):
                total += x[o, j, 0]
            out[o, 0] = total
        return
    acc = np.empty(inner, dtype=np.float64)
    for o in range(outer):
        acc[:] = 0.0
        for j in range(n):
            for i in range(inner):  # independent columns: LLVM vectorises this loop
                acc[i] += x[o, j, i]
        for i in range(inner):
            out[o, i] = acc[i]


@kernel(float64_accumulator=True)
def prod_3d(x, out):
    outer, n, inner = x.shape
    acc = np.empty(inner, dtype=np.float64)
    for o in range(outer):
        acc[:] = 1.0
        for j in range(n):
            for i in range(inner):
                acc[i] *= x[o, j, i]
        for i in range(inner):
            out[o, i] = acc[i]


@kernel
def max_3d(x, out):
    outer, n, inner = x.shape
    for o in range(outer):
        for i in range(inner):
            m = x[o, 0, i]
            for j in range(1, n):
                v = x[o, j, i]
                if v > m or v != v:  # a NaN wins and stays
                    m = v
                    if v != v:
                        break
            out[o, i] = m


@kernel
def min_3d(x, out):
    outer, n, inner = x.shape
    for o in range(outer):
        for i in range(inner):
            m = x[o, 0, i]
            for j in range(1, n):
                v = x[o, j, i]
                if v < m or v != v:
                    m = v
                    if v != v:
                        break
            out[o, i] = m


@kernel(float64_accumulator=True)
def logsumexp_3d(x, out):
    # log sum_j e^x_j = m + log sum_j e^(x_j - m), with m = max_j x_j so no exp overflows.
    outer, n, inner = x.shape
    t = x.dtype.type
    for o in range(outer):
        for i in range(inner):
            m = x[o, 0, i]
            for j in range(1, n):
                if x[o, j, i] > m:
                    m = x[o, j, i]
            if m == -np.inf or m == np.inf or m != m:
                # all -inf (log 0), or an inf/NaN input: x - m would be NaN
                s = 0.0
                for j in range(n):
                    s += np.exp(x[o, j, i])
                out[o, i] = t(np.log(s))
                continue
            s = 0.0
            for j in range(n):
                s += np.exp(x[o, j, i] - m)
            out[o, i] = m + t(np.log(s))


@kernel(float64_accumulator=True)
def softmax_3d(x, out):
    # softmax(x)_j = e^(x_j - m) / sum_k e^(x_k - m)
    outer, n, inner = x.shape
    t = x.dtype.type
    for o in range(outer):
        for i in range(inner):
            m = x[o, 0, i]
            for j in range(1, n):
                if x[o, j, i] > m:
                    m = x[o, j, i]
            s = 0.0
            for j in range(n):
                e = np.exp(x[o, j, i] - m)
                out[o, j, i] = e
                s += e
            total = t(s)
            for j in range(n):
                out[o, j, i] = out[o, j, i] / total


# d softmax: g_x = y * (g - sum_j g_j y_j)
@kernel(float64_accumulator=True)
def softmax_grad_3d(g, y, out):
    outer, n, inner = y.shape
    t = y.dtype.type
    for o in range(outer):
        for i in range(inner):
            dot = 0.0
            for j in range(n):
                dot += g[o, j, i] * y[o, j, i]
            d = t(dot)
            for j in range(n):
                out[o, j, i] = y[o, j, i] * (g[o, j, i] - d)


@kernel(float64_accumulator=True)
def log_softmax_3d(x, out):
    # log_softmax(x)_j = x_j - m - log sum_k e^(x_k - m)
    outer, n, inner = x.shape
    t = x.dtype.type
    for o in range(outer):
        for i in range(inner):
            m = x[o, 0, i]
            for j in range(1, n):
                if x[o, j, i] > m:
                    m = x[o, j, i]
            s = 0.0
            for j in range(n):
                s += np.exp(x[o, j, i] - m)
            shift = m + t(np.log(s))
            for j in range(n):
                out[o, j, i] = x[o, j, i] - shift


# d log_softmax: g_x = g - softmax(x) * sum_j g_j = g - e^y * sum_j g_j
@kernel(float64_accumulator=True)
def log_softmax_grad_3d(g, y, out):
    outer, n, inner = y.shape
    t = y.dtype.type
    for o in range(outer):
        for i in range(inner):
            s = 0.0
            for j in range(n):
                s += g[o, j, i]
            total = t(s)
            for j in range(n):
                out[o, j, i] = g[o, j, i] - np.exp(y[o, j, i]) * total


@kernel
def sparsemax_threshold_3d(x, tau, dtau_dx):
    # Keras 3.15's sparsemax is max(x - tau, 0) with this threshold: sort z = x in decreasing
    # order (ties keep their order), c_r = z_1 + ... + z_r, support S = {r : z_r > (c_r - 1)/r}
    # of size k, tau = (sum_{r in S} c_r - 1) / k. The sums run in float32, in order, as
    # TensorFlow's cumsum does: the support test is sensitive to their rounding.
    # tau has shape (outer, 1, inner); dtau_dx (outer, n, inner) gets d tau / d x_j, which is
    # (number of r in S at or after z_j's rank) / k, as c_r contains z_j for every r >= rank.
    outer, n, inner = x.shape
    t = x.dtype.type
    zero, one = t(0), t(1)
    column = np.empty(n, dtype=x.dtype)
    in_support = np.empty(n, dtype=np.bool_)
    for o in range(outer):
        for i in range(inner):
            for j in range(n):
                column[j] = -x[o, j, i]
            order = np.argsort(column, kind="mergesort")  # decreasing x, ties by index
            running, support_sum, k = zero, zero, zero
            for r in range(n):
                z = x[o, order[r], i]
                running += z
                in_support[r] = z - (running - one) / t(r + 1) > zero
                if in_support[r]:
                    support_sum += running
                    k += one
            tau[o, 0, i] = (support_sum - one) / k
            later = zero
            for r in range(n - 1, -1, -1):
                if in_support[r]:
                    later += one
                dtau_dx[o, order[r], i] = later / k


def along_axis(kernel_function, axis, *arrays):
    """Apply a softmax-family kernel along ``axis`` to same-shaped arrays; returns a new array."""
    shape = arrays[0].shape
    views = [to_3d(a, (axis,)) for a in arrays]
    out = np.empty(views[0].shape, dtype=arrays[0].dtype)
    kernel_function(*views, out)
    return out.reshape(shape)
