"""Elementwise kernels: forward and backward side by side.

Every kernel walks a 1-D array (the wrapper ``unary`` flattens any shape), so each compiles once
per dtype. The backward kernels compute the vector-Jacobian product ``g * f'(x)`` in one pass.
"""

import math

import numpy as np

from nbkeras.kernels._jit import kernel


def unary(kernel_function, *arrays):
    """Apply an elementwise kernel to same-shaped arrays; returns a new array of that shape."""
    flat = []
    for a in arrays:
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a)
        flat.append(a.reshape(-1))
    out = np.empty(arrays[0].shape, dtype=arrays[0].dtype)
    kernel_function(*flat, out.reshape(-1))
    return out


@kernel
def exp(x, out):
    for i in range(x.size):
        out[i] = np.exp(x[i])


@kernel
def log(x, out):
    for i in range(x.size):
        out[i] = np.log(x[i])


@kernel
def log1p(x, out):
    for i in range(x.size):
        out[i] = np.log1p(x[i])


# d/dx log(1 + x) = 1 / (1 + x)
@kernel
def log1p_grad(g, x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        out[i] = g[i] / (one + x[i])


@kernel
def sqrt(x, out):
    for i in range(x.size):
        out[i] = np.sqrt(x[i])


# d/dx sqrt(x) = 1 / (2 sqrt(x)) = 0.5 / y; inf at x = 0, as in TensorFlow, and 0 wherever the
# cotangent is 0 (TensorFlow's rule: a branch that where() discards sends back no NaN)
@kernel
def sqrt_grad(g, y, out):
    zero, half = y.dtype.type(0), y.dtype.type(0.5)
    for i in range(y.size):
        out[i] = zero if g[i] == zero else half * g[i] / y[i]


@kernel
def sigmoid(x, out):
    # Two branches so that exp never overflows: for x < 0 use e^x / (1 + e^x).
    one = x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        if v >= 0:
            out[i] = one / (one + np.exp(-v))
        else:
            e = np.exp(v)
            out[i] = e / (one + e)


# d/dx sigmoid(x) = y (1 - y)
@kernel
def sigmoid_grad(g, y, out):
    one = y.dtype.type(1)
    for i in range(y.size):
        out[i] = g[i] * y[i] * (one - y[i])


@kernel
def tanh(x, out):
    for i in range(x.size):
        out[i] = np.tanh(x[i])


# d/dx tanh(x) = 1 - y^2
@kernel
def tanh_grad(g, y, out):
    one = y.dtype.type(1)
    for i in range(y.size):
        out[i] = g[i] * (one - y[i] * y[i])


@kernel
def softplus(x, out):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): exp never overflows.
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = max(v, zero) + np.log1p(np.exp(-abs(v)))


# d/dx softplus(x) = sigmoid(x)
@kernel
def softplus_grad(g, x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        if v >= 0:
            s = one / (one + np.exp(-v))
        else:
            e = np.exp(v)
            s = e / (one + e)
        out[i] = g[i] * s


@kernel
def relu(x, out):
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if (v > zero or v != v) else zero  # NaN passes through


# d/dx relu(x) = 1 for x > 0, else 0 (0 at x = 0, as in TensorFlow)
@kernel
def relu_grad(g, x, out):
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = g[i] if x[i] > zero else zero


# -- activations -----------------------------------------------------------------------------
# Kernels with an option (a slope, a threshold) receive it as a small array of the input's dtype,
# so that the option is a float32 number in float32 arithmetic, as in TensorFlow.


@kernel
def relu6(x, out):
    zero, six = x.dtype.type(0), x.dtype.type(6)
    for i in range(x.size):
        v = x[i]
        out[i] = zero if v < zero else (six if v > six else v)  # NaN passes through


# d/dx relu6(x) = 1 for 0 < x < 6, else 0 (0 at both kinks, as in TensorFlow)
@kernel
def relu6_grad(g, x, out):
    zero, six = x.dtype.type(0), x.dtype.type(6)
    for i in range(x.size):
        out[i] = g[i] if zero < x[i] < six else zero


@kernel
def leaky_relu(x, slope, out):
    s, zero = slope[0], x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if v > zero else s * v


# d/dx leaky_relu(x) = 1 for x > 0, else the slope (the slope at x = 0)
@kernel
def leaky_relu_grad(g, x, slope, out):
    s, zero = slope[0], x.dtype.type(0)
    for i in range(x.size):
        out[i] = g[i] if x[i] > zero else s * g[i]


@kernel
def elu(x, alpha, out):
    a, zero = alpha[0], x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if v > zero else a * np.expm1(v)


# d/dx elu(x) = 1 for x > 0, else alpha e^x (alpha at x = 0)
@kernel
def elu_grad(g, x, alpha, out):
    a, zero = alpha[0], x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = g[i] if v > zero else g[i] * (a * np.exp(v))


@kernel
def selu(x, out):
    t = x.dtype.type
    scale, alpha, zero = t(1.0507009873554805), t(1.6732632423543772), t(0)
    for i in range(x.size):
        v = x[i]
        out[i] = scale * v if v > zero else (scale * alpha) * np.expm1(v)


# d/dx selu(x) = scale for x >= 0, else scale alpha e^x (scale at x = 0, as TensorFlow)
@kernel
def selu_grad(g, x, out):
    t = x.dtype.type
    scale, alpha, zero = t(1.0507009873554805), t(1.6732632423543772), t(0)
    for i in range(x.size):
        v = x[i]
        out[i] = g[i] * scale if v >= zero else g[i] * ((scale * alpha) * np.exp(v))


@kernel
def celu(x, alpha, out):
    a, zero = alpha[0], x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if v > zero else a * np.expm1(v / a)


# d/dx celu(x) = 1 for x > 0, e^(x/alpha) for x < 0, and 2 at x = 0: TensorFlow builds celu from
# max(x, 0) + alpha expm1(min(x, 0) / alpha), and both max and min pass a tie to x
@kernel
def celu_grad(g, x, alpha, out):
    a = alpha[0]
    zero, one = x.dtype.type(0), x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        d = one if v >= zero else zero
        if v <= zero:
            d += np.exp(v / a)
        out[i] = g[i] * d


@kernel
def gelu(x, out):
    # x Phi(x) = x/2 erfc(-x/sqrt 2): erfc keeps the tiny left tail accurate, where 1 + erf
    # would cancel to 0
    t = x.dtype.type
    half, c = t(0.5), t(0.7071067811865476)
    for i in range(x.size):
        v = x[i]
        out[i] = half * v * math.erfc(-v * c)


# d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi)
@kernel
def gelu_grad(g, x, out):
    t = x.dtype.type
    half, c, inv_sqrt_2pi = t(0.5), t(0.7071067811865476), t(0.3989422804014327)
    for i in range(x.size):
        v = x[i]
        cdf = half * math.erfc(-v * c)
        pdf = inv_sqrt_2pi * np.exp(-half * v * v)
        out[i] = g[i] * (cdf + v * pdf)


@kernel
def gelu_tanh(x, out):
    # x/2 (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3)
    t = x.dtype.type
    half, one, k, c = t(0.5), t(1), t(0.7978845608028654), t(0.044715)
    for i in range(x.size):
        v = x[i]
        out[i] = half * v * (one + np.tanh(k * (v + c * v * v * v)))


# d/dx = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
@kernel
def gelu_tanh_grad(g, x, out):
    t = x.dtype.type
    half, one, k, c, c3 = t(0.5), t(1), t(0.7978845608028654), t(0.044715), t(0.134145)
    for i in range(x.size):
        v = x[i]
        th = np.tanh(k * (v + c * v * v * v))
        du = k * (one + c3 * v * v)
        out[i] = g[i] * (half * (one + th) + half * v * (one - th * th) * du)


@kernel
def silu(x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        s = one / (one + np.exp(-v)) if v >= zero else np.exp(v) / (one + np.exp(v))
        out[i] = v * s


# d/dx x sigmoid(x) = sigmoid(x) (1 + x (1 - sigmoid(x)))
@kernel
def silu_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        s = one / (one + np.exp(-v)) if v >= zero else np.exp(v) / (one + np.exp(v))
        out[i] = g[i] * (s * (one + v * (one - s)))


@kernel
def hard_sigmoid(x, out):
    # relu6(x + 3) / 6: the line x/6 + 1/2 between -3 and 3
    zero, three, six = x.dtype.type(0), x.dtype.type(3), x.dtype.type(6)
    for i in range(x.size):
        u = x[i] + three
        out[i] = (zero if u < zero else (six if u > six else u)) / six


# d/dx relu6(x + 3) / 6 = 1/6 for -3 < x < 3, else 0 (0 at the kinks)
@kernel
def hard_sigmoid_grad(g, x, out):
    zero, three, six = x.dtype.type(0), x.dtype.type(3), x.dtype.type(6)
    for i in range(x.size):
        u = x[i] + three
        out[i] = g[i] / six if zero < u < six else zero


@kernel
def hard_silu(x, out):
    zero, three, six = x.dtype.type(0), x.dtype.type(3), x.dtype.type(6)
    for i in range(x.size):
        v = x[i]
        u = v + three
        out[i] = v * ((zero if u < zero else (six if u > six else u)) / six)


# d/dx x h(x) = h(x) + x h'(x), h = hard_sigmoid, h' = 1/6 strictly between -3 and 3
@kernel
def hard_silu_grad(g, x, out):
    zero, three, six = x.dtype.type(0), x.dtype.type(3), x.dtype.type(6)
    for i in range(x.size):
        v = x[i]
        u = v + three
        h = (zero if u < zero else (six if u > six else u)) / six
        slope = v / six if zero < u < six else zero
        out[i] = g[i] * (h + slope)


@kernel
def softsign(x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        out[i] = v / (one + abs(v))


# d/dx x / (1 + |x|) = 1 / (1 + |x|)^2
@kernel
def softsign_grad(g, x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        d = one + abs(x[i])
        out[i] = g[i] / (d * d)


@kernel
def log_sigmoid(x, out):
    # -softplus(-x) = min(x, 0) - log(1 + e^-|x|)
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = min(v, zero) - np.log1p(np.exp(-abs(v)))


# d/dx log sigmoid(x) = 1 - sigmoid(x) = sigmoid(-x)
@kernel
def log_sigmoid_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    for i in range(x.size):
        v = -x[i]
        out[i] = g[i] * (one / (one + np.exp(-v)) if v >= zero else np.exp(v) / (one + np.exp(v)))


@kernel
def mish(x, out):
    # x tanh(softplus(x)), softplus written so that exp never overflows
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v * np.tanh(max(v, zero) + np.log1p(np.exp(-abs(v))))


# d/dx x tanh(sp(x)) = tanh(sp(x)) + x (1 - tanh^2(sp(x))) sigmoid(x), since sp' = sigmoid
@kernel
def mish_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        th = np.tanh(max(v, zero) + np.log1p(np.exp(-abs(v))))
        s = one / (one + np.exp(-v)) if v >= zero else np.exp(v) / (one + np.exp(v))
        out[i] = g[i] * (th + v * (one - th * th) * s)


@kernel
def sparse_plus(x, out):
    # 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1
    zero, one, quarter = x.dtype.type(0), x.dtype.type(1), x.dtype.type(0.25)
    for i in range(x.size):
        v = x[i]
        out[i] = zero if v <= -one else (quarter * ((v + one) * (v + one)) if v < one else v)


# d/dx sparse_plus(x) = 0 for x <= -1, (x + 1)/2 for -1 < x < 1, 1 for x >= 1
@kernel
def sparse_plus_grad(g, x, out):
    zero, one, half = x.dtype.type(0), x.dtype.type(1), x.dtype.type(0.5)
    for i in range(x.size):
        v = x[i]
        out[i] = zero if v <= -one else (g[i] * (half * (v + one)) if v < one else g[i])


@kernel
def sparse_sigmoid(x, out):
    # 0 for x <= -1, (x + 1)/2 between, 1 for x >= 1
    zero, one, half = x.dtype.type(0), x.dtype.type(1), x.dtype.type(0.5)
    for i in range(x.size):
        v = x[i]
        out[i] = zero if v <= -one else (one if v >= one else half * (v + one))


# d/dx sparse_sigmoid(x) = 1/2 for -1 < x < 1, else 0 (0 at the kinks)
@kernel
def sparse_sigmoid_grad(g, x, out):
    zero, one, half = x.dtype.type(0), x.dtype.type(1), x.dtype.type(0.5)
    for i in range(x.size):
        out[i] = half * g[i] if -one < x[i] < one else zero


@kernel
def squareplus(x, b, out):
    c = b[0]
    half = x.dtype.type(0.5)
    for i in range(x.size):
        v = x[i]
        out[i] = (v + np.sqrt(v * v + c)) * half


# d/dx (x + sqrt(x^2 + b)) / 2 = (1 + x / sqrt(x^2 + b)) / 2
@kernel
def squareplus_grad(g, x, b, out):
    c = b[0]
    half, one = x.dtype.type(0.5), x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        out[i] = g[i] * (half * (one + v / np.sqrt(v * v + c)))


@kernel
def soft_shrink(x, threshold, out):
    th = threshold[0]
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v - th if v > th else (v + th if v < -th else zero)  # NaN gives 0, as in TF


# d/dx soft_shrink(x) = d/dx hard_shrink(x) = 1 for |x| > threshold, else 0
@kernel
def shrink_grad(g, x, threshold, out):
    th = threshold[0]
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = g[i] if abs(x[i]) > th else zero


@kernel
def hard_shrink(x, threshold, out):
    th = threshold[0]
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if abs(v) > th else zero  # NaN gives 0, as in TF


@kernel
def hard_tanh(x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        out[i] = -one if v < -one else (one if v > one else v)


# d/dx clip(x, -1, 1) = 1 for -1 <= x <= 1, else 0 (1 at the kinks, as tf.clip_by_value)
@kernel
def hard_tanh_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    for i in range(x.size):
        out[i] = g[i] if -one <= x[i] <= one else zero


@kernel
def tanh_shrink(x, out):
    for i in range(x.size):
        v = x[i]
        out[i] = v - np.tanh(v)


# d/dx (x - tanh x) = tanh^2 x
@kernel
def tanh_shrink_grad(g, x, out):
    for i in range(x.size):
        th = np.tanh(x[i])
        out[i] = g[i] * (th * th)


@kernel
def threshold(x, options, out):
    # options = (threshold, default_value): x where x > threshold, else the default value
    th, default = options[0], options[1]
    for i in range(x.size):
        v = x[i]
        out[i] = v if v > th else default


# d/dx threshold(x) = 1 for x > threshold, else 0
@kernel
def threshold_grad(g, x, options, out):
    th = options[0]
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = g[i] if x[i] > th else zero
