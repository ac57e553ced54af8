"""Normalization kernels: moments, batch, layer and RMS normalization, and their backwards.

Layouts (the wrappers in ``ops/normalization.py`` make them with reshapes, copying only when the
axes are not contiguous):

- moments, layer and RMS normalization see ``x`` as ``(outer, n, inner)`` and normalise over
  the middle axis ``n``; the statistics have shape ``(outer, inner)``;
- batch normalization sees ``x`` as ``(outer, channels, inner)``: one mean, variance, scale and
  offset per channel.

Sums over many float32 values accumulate in float64 (see ``reductions.py``). The variance is
computed in two passes, as the mean of squared deviations from the mean: the one-pass form
E[x^2] - E[x]^2 cancels catastrophically when the mean is large against the spread.
"""

import numpy as np

from nbkeras.kernels._jit import kernel


@kernel(float64_accumulator=True)
def moments_3d(x, mean, variance):
    """mean[o, i] and biased variance[o, i] of x[o, :, i]."""
    outer, n, inner = x.shape
    total = np.empty(inner, dtype=np.float64)
    center = np.empty(inner, dtype=np.float64)
    for o in range(outer):
        total[:] = 0.0
        for j in range(n):
            for i in range(inner):
                total[i] += x[o, j, i]
        for i in range(inner):
            center[i] = total[i] / n
            total[i] = 0.0
        for j in range(n):
            for i in range(inner):
                d = x[o, j, i] - center[i]
                total[i] += d * d
        for i in range(inner):
            mean[o, i] = center[i]
            variance[o, i] = total[i] / n


# mean = sum x / n, var = sum (x - mean)^2 / n: dx = g_mean / n + 2 (x - mean) g_var / n
# (var's dependence through the mean drops out, because sum (x - mean) = 0)
@kernel
def moments_grad_3d(g_mean, g_variance, x, mean, out):
    outer, n, inner = x.shape
    t = x.dtype.type
    count = t(n)
    two = t(2)
    for o in range(outer):
        for j in range(n):
            for i in range(inner):
                out[o, j, i] = g_mean[o, i] / count + (
                    two * (g_variance[o, i] / count) * (x[o, j, i] - mean[o, i]))


@kernel
def batch_normalization_3d(x, mean, variance, offset, scale, epsilon, out):
    """out = x * inv + (offset - mean * inv), inv = scale / sqrt(variance + epsilon), per channel
    (the order of TensorFlow's ``tf.nn.batch_normalization``)."""
    outer, channels, inner = x.shape
    t = x.dtype.type
    inv = np.empty(channels, dtype=x.dtype)
    shift = np.empty(channels, dtype=x.dtype)
    for c in range(channels):
        inv[c] = t(1) / np.sqrt(variance[c] + epsilon) * scale[c]
        shift[c] = offset[c] - mean[c] * inv[c]
    for o in range(outer):
        for c in range(channels):
            for i in range(inner):
                out[o, c, i] = x[o, c, i] * inv[c] + shift[c]


# y = (x - mean) inv + offset with inv = scale r, r = (variance + epsilon)^(-1/2):
# dx = g inv, d_offset = sum g, d_mean = -inv sum g, d_scale = r sum g (x - mean),
# d_variance = -scale r^3 / 2 * sum g (x - mean)
@kernel(float64_accumulator=True)
def batch_normalization_grad_3d(g, x, mean, variance, scale, epsilon, dx, d_mean, d_variance,
                                d_offset, d_scale):
    outer, channels, inner = x.shape
    t = x.dtype.type
    r = np.empty(channels, dtype=x.dtype)
    inv = np.empty(channels, dtype=x.dtype)
    sum_g = np.zeros(channels, dtype=np.float64)
    sum_gx = np.zeros(channels, dtype=np.float64)
    for c in range(channels):
        r[c] = t(1) / np.sqrt(variance[c] + epsilon)
        inv[c] = r[c] * scale[c]
    for o in range(outer):
        for c in range(channels):
            for i in range(inner):
                gi = g[o, c, i]
                dx[o, c, i] = gi * inv[c]
                sum_g[c] += gi
                sum_gx[c] += gi * (x[o, c, i] - mean[c])
    for c in range(channels):
        rc = np.float64(r[c])
        d_offset[c] = sum_g[c]
        d_mean[c] = -np.float64(inv[c]) * sum_g[c]
        d_scale[c] = rc * sum_gx[c]
        d_variance[c] = -0.5 * np.float64(scale[c]) * rc * rc * rc * sum_gx[c]


@kernel(float64_accumulator=True)
def layer_normalization_3d(x, gamma, beta, epsilon, out, mean, rstd):
    """Normalise x[o, :, i]: inv = gamma / sqrt(var + epsilon), out = x * inv + (beta - mean *
    inv) (Keras' order). Saves the mean and r = 1 / sqrt(var + epsilon) for the backward."""
    outer, n, inner = x.shape
    t = x.dtype.type
    for o in range(outer):
        for i in range(inner):
            total = 0.0
            for j in range(n):
                total += x[o, j, i]
            center = total / n
            squares = 0.0
            for j in range(n):
                d = x[o, j, i] - center
                squares += d * d
            m = t(center)
            r = t(1) / np.sqrt(t(squares / n) + epsilon)
            mean[o, i] = m
            rstd[o, i] = r
            for j in range(n):
                scale = r * gamma[j]
                out[o, j, i] = x[o, j, i] * scale + (beta[j] - m * scale)


# With xhat = (x - mean) r and y = gamma xhat + beta, over the n normalised entries of a row:
# dx = r (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = g gamma;
# d_gamma = sum over rows of g xhat, d_beta = sum over rows of g
@kernel(float64_accumulator=True)
def layer_normalization_grad_3d(g, x, gamma, mean, rstd, dx, d_gamma, d_beta):
    outer, n, inner = x.shape
    sum_gamma = np.zeros(n, dtype=np.float64)
    sum_beta = np.zeros(n, dtype=np.float64)
    for o in range(outer):
        for i in range(inner):
            m = np.float64(mean[o, i])
            r = np.float64(rstd[o, i])
            s1 = 0.0
            s2 = 0.0
            for j in range(n):
                xhat = (x[o, j, i] - m) * r
                dxhat = np.float64(g[o, j, i]) * gamma[j]
                s1 += dxhat
                s2 += dxhat * xhat
                sum_gamma[j] += g[o, j, i] * xhat
                sum_beta[j] += g[o, j, i]
            s1 /= n
            s2 /= n
            for j in range(n):
                xhat = (x[o, j, i] - m) * r
                dxhat = np.float64(g[o, j, i]) * gamma[j]
                dx[o, j, i] = r * (dxhat - s1 - xhat * s2)
    for j in range(n):
        d_gamma[j] = sum_gamma[j]
        d_beta[j] = sum_beta[j]


@kernel(float64_accumulator=True)
def rms_normalization_3d(x, scale, epsilon, out, rrms):
    """out = x * r * scale with r = 1 / sqrt(mean(x^2) + epsilon) over x[o, :, i] (Keras' order:
    x times r, then times the scale). Saves r for the backward."""
    outer, n, inner = x.shape
    t = x.dtype.type
    for o in range(outer):
        for i in range(inner):
            squares = 0.0
            for j in range(n):
                squares += x[o, j, i] * x[o, j, i]
            r = t(1) / np.sqrt(t(squares / n) + epsilon)
            rrms[o, i] = r
            for j in range(n):
                out[o, j, i] = x[o, j, i] * r * scale[j]


# With y_j = s_j x_j r and r = (mean(x^2) + epsilon)^(-1/2), dr/dx_k = -r^3 x_k / n, so over
# the n entries of a row: dx_k = r g_k s_k - x_k r^3 mean_j(g_j s_j x_j);
# d_scale_j = sum over rows of g_j x_j r
@kernel(float64_accumulator=True)
def rms_normalization_grad_3d(g, x, scale, rrms, dx, d_scale):
    outer, n, inner = x.shape
    sum_scale = np.zeros(n, dtype=np.float64)
    for o in range(outer):
        for i in range(inner):
            r = np.float64(rrms[o, i])
            projection = 0.0
            for j in range(n):
                gj = np.float64(g[o, j, i])
                projection += gj * scale[j] * x[o, j, i]
                sum_scale[j] += gj * x[o, j, i] * r
            projection *= r * r * r / n
            for j in range(n):
                dx[o, j, i] = r * g[o, j, i] * scale[j] - x[o, j, i] * projection
    for j in range(n):
        d_scale[j] = sum_scale[j]


def float32_example_arguments(kernel_function):
    """Float32 arguments of the right ranks to compile ``kernel_function`` (tests inspect the
    compiled code of every kernel)."""
    x = np.ones((2, 3, 2), np.float32)
    vector = np.ones(3, np.float32)
    stats = np.ones((2, 2), np.float32)
    eps = np.float32(1e-3)
    return {
        "moments_3d": (x, stats.copy(), stats.copy()),
        "moments_grad_3d": (stats, stats, x, stats, x.copy()),
        "batch_normalization_3d": (x, vector, vector, vector, vector, eps, x.copy()),
        "batch_normalization_grad_3d": (x, x, vector, vector, vector, eps, x.copy(),
                                        *(vector.copy() for _ in range(4))),
        "layer_normalization_3d": (x, vector, vector, eps, x.copy(), stats.copy(),
                                   stats.copy()),
        "layer_normalization_grad_3d": (x, x, vector, stats, stats, x.copy(), vector.copy(),
                                        vector.copy()),
        "rms_normalization_3d": (x, vector, eps, x.copy(), stats.copy()),
        "rms_normalization_grad_3d": (x, x, vector, stats, x.copy(), vector.copy()),
    }[kernel_function.py_func.__name__]
