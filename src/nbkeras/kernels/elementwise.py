"""Elementwise kernels: forward and backward side by side.

Every kernel walks a 1-D array (the wrapper ``unary`` flattens any shape), so each compiles once
per dtype. The backward kernels compute the vector-Jacobian product ``g * f'(x)`` in one pass.
"""

import math

import numpy as np

from nbkeras.kernels import threads
from nbkeras.kernels._jit import kernel

THREADED = frozenset({
    "exp", "log", "log1p", "sigmoid", "tanh", "softplus", "softplus_grad", "elu", "elu_grad",
    "selu", "selu_grad", "celu", "celu_grad", "gelu", "gelu_grad", "gelu_tanh",
    "gelu_tanh_grad", "silu", "silu_grad", "log_sigmoid", "log_sigmoid_grad", "mish",
    "mish_grad", "tanh_shrink", "tanh_shrink_grad",
})
"""The kernels that ``unary`` cuts over the cores: those that compute an exponential, a
logarithm or a tanh per element, and so are bound by arithmetic. The others (relu, the
products of most backward kernels) move memory at the speed of the caches: two threads
gained nothing for them at any size measured (see ``threads.PARALLEL_ELEMENTS``), so they
stay on the calling thread."""


def unary(kernel_function, *arrays):
    """Apply an elementwise kernel to same-shaped arrays; returns a new array of that shape.

    For a kernel of ``THREADED`` and from ``threads.PARALLEL_ELEMENTS`` elements on, the flat
    arrays are cut into contiguous pieces (a multiple of ``EXP_BLOCK`` long, so the blocks of
    the exp kernels fall where they fall on one thread) and the pieces run on both cores:
    every element is computed by the same instructions either way, so the result has the
    same bits. A piece of a contiguous array is itself contiguous, so the kernel keeps its one
    compiled signature. Smaller arrays (and option arrays: a slope, a threshold) go whole to
    one call."""
    flat = []
    for a in arrays:
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a)
        flat.append(a.reshape(-1))
    out = np.empty(arrays[0].shape, dtype=arrays[0].dtype)
    flat_out = out.reshape(-1)
    size = flat_out.size
    if kernel_function.__name__ not in THREADED:
        kernel_function(*flat, flat_out)
        return out
    cuts = threads.pieces(size, size, EXP_BLOCK)
    if len(cuts) == 1:
        kernel_function(*flat, flat_out)
        return out

    def call(first, last):
        kernel_function(*(a[first:last] if a.size == size else a for a in flat),
                        flat_out[first:last])

    threads.over_pieces(cuts, call)
    return out


# -- a vectorised float32 exponential ----------------------------------------------------------
# pip's Numba has no SVML, so np.exp of a float32 inside a kernel is one scalar libm call per
# element (about 10 ns here), and no loop around it runs in SIMD registers. ``exp_block`` is
# plain arithmetic that LLVM vectorises, eight floats at a time:
#
#   e^v = 2^n e^r,  n = round(v / ln 2),  r = v - n ln 2  (|r| <= ln 2 / 2),
#
# with n ln 2 subtracted in two parts (Cody and Waite: ln2_hi has few bits, so n ln2_hi is
# exact) and e^r = 1 + r + r^2 p(r), p of degree 5 (Cephes' expf coefficients, a minimax fit on
# that interval). 2^n is built from its bits: (n + 127) << 23 is the float 2^n. To reach the
# denormals (e^v down to 2^-149, v > -103.97) and the top binade (e^88.72 = 3.4e38), the scale
# is applied as two factors 2^n1 2^n2 with n1 + n2 = n, each a normal float: the first product
# is exact and the second rounds once. Measured over a dense sweep of float32 (tests/
# test_kernels.py): at most EXP_ULPS units in the last place from the float64 exp, NaN gives NaN,
# -inf 0, +inf and v > 88.73 inf.

EXP_ULPS = 1
"""The largest error of ``exp_block`` over all float32 inputs tested, in units in the last
place of the correctly rounded float32 result (tests/test_kernels.py enforces it)."""

SIGMOID_ULPS = 3
"""The largest error of the float32 ``sigmoid`` kernel, in the same units: 1 / (1 + e) and
e / (1 + e) add two roundings to that of e."""

EXP_BLOCK = 512
"""Elements per block: the scratch of a block (two int32 scales) stays in L1."""


@kernel
def exp_block(x, start, sign, offset, count, out, out_start, first, second):
    """out[out_start + k] = e^(sign · x[start + k] - offset) for k < count (float32 only; sign
    +1 or -1, offset any float32 number). ``first`` and ``second`` are int32 scratch of at least
    ``count`` elements. Whole arrays and offsets, not slices: a slice's layout is not known to
    be contiguous, and LLVM would not vectorise the loop."""
    t = x.dtype.type
    zero, one, half = t(0), t(1), t(0.5)
    log2e, ln2_hi, ln2_lo = t(1.44269504088896341), t(0.693359375), t(-2.12194440e-4)
    lowest, highest = t(-104.0), t(89.0)
    p0, p1, p2 = t(1.9875691500e-4), t(1.3981999507e-3), t(8.3334519073e-3)
    p3, p4, p5 = t(4.1665795894e-2), t(1.6666665459e-1), t(5.0000001201e-1)
    bias, nan = np.int32(127), np.int32(0x7FC00000)
    # unsigned indices: Numba then adds no negative-index wrap-around, whose branch would
    # turn the loads and stores into gathers and scatters
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    for k in range(count):
        v = sign * x[first_in + np.uint64(k)] - offset
        w = highest if v > highest else v
        w = lowest if w < lowest else w
        w = w if w == w else zero  # NaN: any number here, a NaN factor below
        n = np.floor(w * log2e + half)
        r = w - n * ln2_hi - n * ln2_lo
        p = ((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5
        out[first_out + np.uint64(k)] = p * r * r + r + one
        whole = np.int32(n)
        half_n = whole >> np.int32(1)
        first[k] = (half_n + bias) << np.int32(23) if v == v else nan
        second[k] = (whole - half_n + bias) << np.int32(23)
    first_factor, second_factor = first.view(np.float32), second.view(np.float32)
    for k in range(count):
        i = first_out + np.uint64(k)
        out[i] = out[i] * first_factor[k] * second_factor[k]


@kernel
def exp(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = np.exp(x[i])
        return
    t = x.dtype.type
    first, second = np.empty(EXP_BLOCK, np.int32), np.empty(EXP_BLOCK, np.int32)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        exp_block(x, start, t(1), t(0), count, out, start, first, second)


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
    # e = e^-|x| never overflows: 1 / (1 + e) for x >= 0, e / (1 + e) = e^x / (1 + e^x) below.
    t = x.dtype.type
    zero, one = t(0), t(1)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            if v >= zero:
                out[i] = one / (one + np.exp(-v))
            else:
                e = np.exp(v)
                out[i] = e / (one + e)
        return
    # float32: the two loops of exp_block on v = -|x| (the same operations, so the same bits:
    # tests/test_kernels.py checks sigmoid against exp), with the division fused into the
    # second loop. The exponential is compute-bound (about 45 vector instructions per 16
    # floats), so every pass saved over the block counts: this is 1.3x faster than calling
    # exp_block between a -|x| pass and a division pass.
    half = t(0.5)
    log2e, ln2_hi, ln2_lo = t(1.44269504088896341), t(0.693359375), t(-2.12194440e-4)
    lowest = t(-104.0)  # v <= 0: no upper clamp
    p0, p1, p2 = t(1.9875691500e-4), t(1.3981999507e-3), t(8.3334519073e-3)
    p3, p4, p5 = t(4.1665795894e-2), t(1.6666665459e-1), t(5.0000001201e-1)
    bias, nan = np.int32(127), np.int32(0x7FC00000)
    first, second = np.empty(EXP_BLOCK, np.int32), np.empty(EXP_BLOCK, np.int32)
    first_factor, second_factor = first.view(np.float32), second.view(np.float32)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        base = np.uint64(start)  # unsigned indices vectorise (see exp_block)
        for k in range(count):
            u = x[base + np.uint64(k)]
            v = -u if u >= zero else u  # -|x| (NaN stays NaN)
            w = lowest if v < lowest else v
            w = w if w == w else zero  # NaN: any number here, a NaN factor below
            n = np.floor(w * log2e + half)
            r = w - n * ln2_hi - n * ln2_lo
            p = ((((p0 * r + p1) * r + p2) * r + p3) * r + p4) * r + p5
            out[base + np.uint64(k)] = p * r * r + r + one
            whole = np.int32(n)
            half_n = whole >> np.int32(1)
            first[k] = (half_n + bias) << np.int32(23) if v == v else nan
            second[k] = (whole - half_n + bias) << np.int32(23)
        for k in range(count):
            i = base + np.uint64(k)
            e = out[i] * first_factor[k] * second_factor[k]
            s = one / (one + e)
            out[i] = s if x[i] >= zero else e * s


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


def IR_EXAMPLES():  # noqa: N802 - the hook tests/test_kernels.py reads
    """Float32 arguments for the kernels that are not (array, ..., out) elementwise loops."""
    x, out = np.ones(4, np.float32), np.empty(4, np.float32)
    scratch = (np.empty(4, np.int32), np.empty(4, np.int32))
    one, zero = np.float32(1), np.float32(0)
    return {"exp_block": (x, 0, one, zero, 4, out, 0, *scratch)}
