"""Elementwise kernels: forward and backward side by side.

Every kernel walks a 1-D array (the wrapper ``unary`` flattens any shape), so each compiles once
per dtype. The backward kernels compute the vector-Jacobian product ``g * f'(x)`` in one pass.
"""

import math

import numpy as np
from llvmlite import ir
from numba import prange, types
from numba.extending import intrinsic

from nbkeras.kernels import threads
from nbkeras.kernels._jit import kernel


@intrinsic
def float32_from_bits(typingctx, bits):
    """The float32 whose bits are the low 32 bits of the integer ``bits`` (an LLVM bitcast, so
    a loop that builds 2^n from its bits stays one vectorised loop)."""
    if not isinstance(bits, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        value = args[0]
        if bits.bitwidth > 32:
            value = builder.trunc(value, ir.IntType(32))
        return builder.bitcast(value, ir.FloatType())

    return types.float32(bits), codegen

def unary(kernel_function, *arrays):
    """Apply an elementwise kernel to same-shaped arrays; returns a new array of that shape.

    For a kernel of ``THREADED`` and from ``threads.NUMBA_PARALLEL_ELEMENTS`` elements on, the
    flat arrays are cut into contiguous pieces (a multiple of ``EXP_BLOCK`` long, so the blocks
    of the exp kernels fall where they fall on one thread) that run on Numba's threads through
    the kernel's parallel form (``PARALLEL_FORMS``); where Numba cannot run them
    (``threads.numba_parallel``), float64 arrays too, the pieces (from ``PARALLEL_ELEMENTS``
    elements on) go to ``threads.deal``. Every element is
    computed by the same instructions either way, so the result has the same bits. A piece of
    a contiguous array is itself contiguous, so the kernel keeps its one compiled signature.
    Smaller arrays (and option arrays: a slope, a threshold) go whole to one call."""
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
    # (a small array never asks: the first question starts Numba's threads, 6 ms)
    parallel = size >= threads.NUMBA_PARALLEL_ELEMENTS and out.dtype == np.float32 \
        and threads.numba_parallel()
    cuts = threads.pieces(size, size, EXP_BLOCK, numba=parallel)
    if len(cuts) == 1:
        kernel_function(*flat, flat_out)
        return out
    if parallel:
        parallel_form, code = PARALLEL_FORMS[kernel_function.__name__]
        written = 1 if parallel_form is parallel_with_derivative else 0  # the derivative
        arrays = [_read_only(a) for a in flat[: len(flat) - written]] + flat[len(flat) - written:]
        threads.run_parallel(parallel_form, code, *arrays, flat_out, grain=cuts[0][1])
        return out

    def call(first, last):
        kernel_function(*(a[first:last] if a.size == size else a for a in flat),
                        flat_out[first:last])

    threads.over_pieces(cuts, call)
    return out


def _read_only(a):
    view = a.view()
    view.flags.writeable = False
    return view


# -- a vectorised float32 exponential ----------------------------------------------------------
# pip's Numba has no SVML, so np.exp of a float32 inside a kernel is one scalar libm call per
# element (about 10 ns here), and no loop around it runs in SIMD registers. ``exp_block`` is
# plain arithmetic that LLVM vectorises, eight floats at a time:
#
#   e^v = 2^n e^r,  n = round(v / ln 2),  r = v - n ln 2  (|r| <= ln 2 / 2),
#
# with n ln 2 subtracted in two parts (Cody and Waite: ln2_hi has few bits, so n ln2_hi is
# exact) and e^r = 1 + r + r^2 p(r), p of degree 5 (Cephes' expf coefficients, a minimax fit on
# that interval). 2^n is built from its bits: (n + 127) << 23 is the float 2^n, read as a float
# by an LLVM bitcast (``float32_from_bits``: the loop stays one vectorised pass; through int32
# scratch arrays and a second pass, exp took 1.25x the time, with the same bits). To reach the
# denormals (e^v down to 2^-149, v > -103.97) and the top binade (e^88.72 = 3.4e38), the scale
# is applied as two factors 2^n1 2^n2 with n1 + n2 = n, each a normal float: the first product
# is exact and the second rounds once. The reduction (exp_reduce) and p's Horner steps (exp_poly)
# are compiled with fused multiply-adds (``contract``, see _jit.py); r^2 p + r + 1 is not, which
# keeps the sweep's worst error below one ulp (fused, it was 1.0005). Measured over a dense sweep
# of float32 (tests/test_kernels.py): at most EXP_ULPS units in the last place from the float64
# exp, NaN gives NaN, -inf 0, +inf and v > 88.73 inf.

EXP_ULPS = 1
"""The largest error of ``exp_block`` over all float32 inputs tested, in units in the last
place of the correctly rounded float32 result (tests/test_kernels.py enforces it)."""

SIGMOID_ULPS = 3
"""The largest error of the float32 ``sigmoid`` kernel, in the same units: 1 / (1 + e) and
e / (1 + e) add two roundings to that of e."""

EXP_BLOCK = 512
"""Elements per block: a block's scratch (e^-|x| of the softplus family, erfc's e^-z^2, the
arguments of the kernels that still run exp_block over a scratch array) stays in L1."""


@kernel(contract=True)
def exp_reduce(w):
    """n = round(w / ln 2) and r = w - n ln 2 for a float32 w in [-104, 89], ln 2 subtracted
    in two parts: exp_block's range reduction. Compiled with ``contract`` (see ``_jit``): the
    products fuse into the sums that follow them, one rounding each instead of two."""
    t = np.float32
    n = np.floor(w * t(1.44269504088896341) + t(0.5))
    return n, w - n * t(0.693359375) - n * t(-2.12194440e-4)


@kernel(contract=True)
def exp_poly(r):
    """p(r) of e^r = 1 + r + r^2 p(r) on |r| <= ln 2 / 2 (Cephes' expf coefficients), by
    Horner's rule with fused multiply-adds (``contract``)."""
    t = np.float32
    return ((((t(1.9875691500e-4) * r + t(1.3981999507e-3)) * r + t(8.3334519073e-3)) * r
             + t(4.1665795894e-2)) * r + t(1.6666665459e-1)) * r + t(5.0000001201e-1)


@kernel
def exp_value(v):
    """e^v for one float32 v: exp_block's arithmetic, element by element. A kernel whose loop
    needs an exponential calls it inside that loop (LLVM inlines it, and the loop stays one
    vectorised pass) instead of running exp_block over a scratch array."""
    t = np.float32
    zero, one = t(0), t(1)
    lowest, highest = t(-104.0), t(89.0)
    bias, nan = np.int32(127), np.int32(0x7FC00000)
    w = highest if v > highest else v
    w = lowest if w < lowest else w
    w = w if w == w else zero  # NaN: any number here, a NaN factor below
    n, r = exp_reduce(w)
    # the last two sums unfused: fused, they lost accuracy (1.0005 ulp in the sweep)
    e_r = exp_poly(r) * r * r + r + one
    whole = np.int32(n)
    half_n = whole >> np.int32(1)
    first = float32_from_bits((half_n + bias) << np.int32(23) if v == v else nan)
    second = float32_from_bits((whole - half_n + bias) << np.int32(23))
    return e_r * first * second


@kernel
def exp_block(x, start, sign, offset, count, out, out_start):
    """out[out_start + k] = e^(sign · x[start + k] - offset) for k < count (float32 only; sign
    +1 or -1, offset any float32 number). Whole arrays and offsets, not slices: a slice's
    layout is not known to be contiguous, and LLVM would not vectorise the loop."""
    # unsigned indices: Numba then adds no negative-index wrap-around, whose branch would
    # turn the loads and stores into gathers and scatters
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    for k in range(count):
        out[first_out + np.uint64(k)] = exp_value(sign * x[first_in + np.uint64(k)] - offset)


@kernel
def exp(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = np.exp(x[i])
        return
    t = x.dtype.type
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        exp_block(x, start, t(1), t(0), count, out, start)


# -- a vectorised float32 logarithm ------------------------------------------------------------
# The same idea as exp_block, run backwards. x = 2^e m, with e and m read from the bits of x:
# adding 0x3f800000 - 0x3f3504f3 to the bits carries into the exponent field exactly when the
# mantissa is at least sqrt 2, so after the shift e = (bits >> 23) - 127 and the low 23 bits
# with the exponent field of sqrt(1/2) make m in [sqrt(1/2), sqrt 2). Then
#
#   log x = e ln 2 + log(1 + f),  f = m - 1 in [-0.293, 0.415)  (f is exact: Sterbenz),
#
# log(1 + f) = f - f^2/2 + f^3 p(f), p of degree 8 fitted here on [sqrt(1/2) - 1, 1/2] (a
# Lawson-weighted least-squares fit, close to minimax, of the relative error: 2e-9 before the
# coefficients were rounded to float32). e ln 2 is added in two parts as in exp_block (e ln2_hi is
# exact), the small parts first. The interval is centred on m = 1 so that |log x| >= ln 2 / 2
# whenever e != 0: the sum never cancels by more than one bit. Denormals are first multiplied by
# 2^23 (exact) and 23 is taken off e. 0, negative numbers, inf and NaN go through the same
# arithmetic on garbage and are replaced at the end by selects (-inf, NaN, inf, NaN), so no branch
# is left in the loop.

LOG_ULPS = 1
"""The largest error of the float32 ``log`` kernel over all float32 inputs tested (every 257th
bit pattern, and 16 million points on (0, 4]), in units in the last place of the correctly
rounded result (tests/test_kernels.py enforces it)."""

LOG1P_ULPS = 1
"""The same for ``log1p``: near 0 the polynomial on x itself; elsewhere log u of u = 1 + x
(rounded) plus the correction (x - (u - 1)) / u, the part of x that the rounding lost."""


@kernel(contract=True)
def log1p_minus_x(f):
    """log(1 + f) - f = -f^2/2 + f^3 p(f) for float32 f in [sqrt(1/2) - 1, 1/2]. A scalar
    function: LLVM inlines it into the loops that call it, which stay vectorised."""
    c = np.float32
    p = (((((((c(0.048059456050395966) * f + c(-0.10456153750419617)) * f
              + c(0.12129420042037964)) * f + c(-0.12636905908584595)) * f
            + c(0.14216108620166779)) * f + c(-0.166540265083313)) * f
          + c(0.20001783967018127)) * f + c(-0.2500026822090149)) * f + c(0.33333319425582886)
    ff = f * f
    return ff * f * p - c(0.5) * ff


@kernel(contract=True)
def log1p_unit(e):
    """log(1 + e) for float32 e in [0, 1] (NaN gives NaN), in registers: f = e below 1/2, and
    above it 1 + e = 2 (1 + f) with f = (e - 1)/2, exact there (Sterbenz). For the softplus
    family, whose e = e^-|x| is always in that interval: no bits, no scratch."""
    c = np.float32
    upper = e >= c(0.5)
    f = (e - c(1)) * c(0.5) if upper else e
    k = c(1) if upper else c(0)
    return (k * c(-2.12194440e-4) + log1p_minus_x(f)) + f + k * c(0.693359375)


@kernel(contract=True)
def log_block(x, start, count, out, out_start, scratch):
    """out[out_start + k] = log x[start + k] for k < count (float32 only). ``scratch`` is int32
    scratch of at least ``count`` elements. Whole arrays and offsets, as in exp_block."""
    t = x.dtype.type
    zero, one = t(0), t(1)
    tiny, two23, twenty_three = t(1.1754943508222875e-38), t(8388608.0), t(23)
    inf, nan = t(np.inf), t(np.nan)
    ln2_hi, ln2_lo = t(0.693359375), t(-2.12194440e-4)
    shift, low_bits, sqrt_half = np.int32(0x004AFB0D), np.int32(0x007FFFFF), np.int32(0x3F3504F3)
    first_in, first_out = np.uint64(start), np.uint64(out_start)  # unsigned: see exp_block
    scaled = scratch.view(np.float32)
    for k in range(count):  # denormals (and 0 and negatives, replaced below) times 2^23
        v = x[first_in + np.uint64(k)]
        scaled[k] = v * two23 if v < tiny else v
    for k in range(count):  # e, as a float, into out; m's bits into scratch
        bits = scratch[k] + shift
        out[first_out + np.uint64(k)] = t((bits >> np.int32(23)) - np.int32(127))
        scratch[k] = (bits & low_bits) + sqrt_half
    for k in range(count):
        i = first_out + np.uint64(k)
        v = x[first_in + np.uint64(k)]
        e = out[i] - twenty_three if v < tiny else out[i]
        f = scaled[k] - one
        r = (e * ln2_lo + log1p_minus_x(f)) + f + e * ln2_hi
        r = r if v < inf else v  # inf stays inf, NaN stays NaN
        r = -inf if v == zero else r
        out[i] = nan if v < zero else r


@kernel
def log(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = np.log(x[i])
        return
    scratch = np.empty(EXP_BLOCK, np.int32)
    for start in range(0, x.size, EXP_BLOCK):
        log_block(x, start, min(EXP_BLOCK, x.size - start), out, start, scratch)


@kernel(contract=True)
def log1p_block(x, start, count, out, out_start, scratch):
    """out[out_start + k] = log(1 + x[start + k]) for k < count (float32 only); ``scratch`` int32
    scratch of at least ``count`` elements. log_block's steps on u = 1 + x (never a denormal),
    with two changes: near 0, x itself is the f of the polynomial (exact there, where log u
    may sit a binade above the result), and elsewhere the correction (x - (u - 1))/u, the part
    of x that rounding 1 + x lost, is added: log(u + d) = log u + d/u + O(d^2)."""
    t = x.dtype.type
    zero, one, inf, nan = t(0), t(1), t(np.inf), t(np.nan)
    small = t(2.9802322387695312e-08)  # 2^-25: log1p x = x below
    low, high = t(-0.2928932188134524), t(0.41421356237309515)  # sqrt(1/2) - 1, sqrt 2 - 1
    ln2_hi, ln2_lo = t(0.693359375), t(-2.12194440e-4)
    shift, low_bits, sqrt_half = np.int32(0x004AFB0D), np.int32(0x007FFFFF), np.int32(0x3F3504F3)
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    u = scratch.view(np.float32)
    for k in range(count):
        u[k] = one + x[first_in + np.uint64(k)]
    for k in range(count):  # e, as a float, into out; m's bits into scratch (see log_block)
        bits = scratch[k] + shift
        out[first_out + np.uint64(k)] = t((bits >> np.int32(23)) - np.int32(127))
        scratch[k] = (bits & low_bits) + sqrt_half
    for k in range(count):
        i = first_out + np.uint64(k)
        v = x[first_in + np.uint64(k)]
        w = one + v  # u again (the same rounding)
        near = low <= v < high
        f = v if near else u[k] - one
        e = zero if near else out[i]
        d = (v - (w - one)) / w
        d = zero if near or not (zero < w < inf) else d
        r = (e * ln2_lo + (log1p_minus_x(f) + d)) + f + e * ln2_hi
        r = r if w < inf else v  # inf stays inf, NaN stays NaN
        r = -inf if w == zero else r
        r = nan if w < zero else r
        out[i] = v if abs(v) < small else r  # keeps -0 and denormals


@kernel
def log1p(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = np.log1p(x[i])
        return
    scratch = np.empty(EXP_BLOCK, np.int32)
    for start in range(0, x.size, EXP_BLOCK):
        log1p_block(x, start, min(EXP_BLOCK, x.size - start), out, start, scratch)


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
    # float32: exp_value's operations on v = -|x| (the same operations, so the same bits:
    # tests/test_kernels.py checks sigmoid against exp), with the division in the same pass,
    # and without the upper clamp, which v <= 0 never reaches (calling exp_value itself, clamp
    # included, took 1.06-1.14x the time).
    # The exponential is compute-bound (about 34 instructions per 8 floats, with FMA), so
    # every pass saved over the data counts: in separate passes (-|x|, exp_block, the
    # division) the sigmoid took 1.3x the time.
    lowest = t(-104.0)  # v <= 0: no upper clamp
    bias, nan = np.int32(127), np.int32(0x7FC00000)
    for i in range(np.uint64(x.size)):  # unsigned indices vectorise (see exp_block)
        u = x[i]
        v = -u if u >= zero else u  # -|x| (NaN stays NaN)
        w = lowest if v < lowest else v
        w = w if w == w else zero  # NaN: any number here, a NaN factor below
        n, r = exp_reduce(w)
        e_r = exp_poly(r) * r * r + r + one
        whole = np.int32(n)
        half_n = whole >> np.int32(1)
        first = float32_from_bits((half_n + bias) << np.int32(23) if v == v else nan)
        second = float32_from_bits((whole - half_n + bias) << np.int32(23))
        e = e_r * first * second
        s = one / (one + e)
        out[i] = s if u >= zero else e * s


# d/dx sigmoid(x) = y (1 - y)
@kernel
def sigmoid_grad(g, y, out):
    one = y.dtype.type(1)
    for i in range(y.size):
        out[i] = g[i] * y[i] * (one - y[i])


# -- tanh and the activations built on exp_block and log1p_unit ---------------------------------
# tanh(x) for |x| < 0.625: x + x^3 p(x^2), p of degree 5 (fitted here like log's: relative error
# 2e-10 before rounding). Beyond, with e = e^-2|x| <= 0.29 from exp_value, tanh |x| =
# (1 - e)/(1 + e), which neither overflows nor cancels, and is 1 once e < 2^-25 (|x| > 9.01).
# Both branches are computed and one is selected, so the loop has no branch. Below 2^-13,
# tanh x = x within 0.05 ulp, and x itself is returned (so -0 stays -0).

TANH_ULPS = 2
"""The largest error of the float32 ``tanh`` kernel over all float32 inputs tested, in units in
the last place of the correctly rounded result: e's error, and 1 - e, 1 + e and their ratio."""

SOFTPLUS_ULPS = 2
"""The same for ``softplus`` = max(x, 0) + log1p(e^-|x|) (and ``log_sigmoid``, its mirror):
exp_block's error passes through log1p_unit, and the sum rounds once more."""


@kernel
def exp_minus_abs_block(x, start, count, e):
    """e[k] = e^-|x[start + k]| for k < count (float32; NaN stays NaN): no overflow for any x."""
    zero = x.dtype.type(0)
    base = np.uint64(start)
    for k in range(count):
        v = x[base + np.uint64(k)]
        e[k] = exp_value(-v if v >= zero else v)


@kernel(contract=True)
def tanh_block(x, start, count, out, out_start):
    """out[out_start + k] = tanh x[start + k] for k < count (float32)."""
    t = x.dtype.type
    zero, one, minus_two, edge, tiny = t(0), t(1), t(-2), t(0.625), t(1.220703125e-4)  # 2^-13
    p0, p1, p2 = t(-0.3333333134651184), t(0.1333320587873459), t(-0.05394677072763443)
    p3, p4, p5 = t(0.02170073613524437), t(-0.008177481591701508), t(0.00214303913526237)
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    for k in range(count):
        v = x[first_in + np.uint64(k)]
        e = exp_value(minus_two * abs(v))  # not contracted, inlined here (see _jit.OPTIONS)
        far = (one - e) / (one + e)
        far = far if v >= zero else -far
        v2 = v * v
        p = ((((p5 * v2 + p4) * v2 + p3) * v2 + p2) * v2 + p1) * v2 + p0
        near = v + v * v2 * p
        near = v if abs(v) < tiny else near  # tanh x = x there (within 0.05 ulp); keeps -0
        out[first_out + np.uint64(k)] = near if abs(v) < edge else far  # NaN: far, NaN


@kernel
def tanh(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = np.tanh(x[i])
        return
    for start in range(0, x.size, EXP_BLOCK):
        tanh_block(x, start, min(EXP_BLOCK, x.size - start), out, start)


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
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = max(v, zero) + np.log1p(np.exp(-abs(v)))
        return
    e = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        exp_minus_abs_block(x, start, count, e)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            v = x[i]
            out[i] = log1p_unit(e[k]) + (v if v > zero else zero)


# d/dx softplus(x) = sigmoid(x)
@kernel
def softplus_grad(g, x, out):
    sigmoid(x, out)
    for i in range(x.size):
        out[i] = g[i] * out[i]


@kernel
def log_sigmoid(x, out):
    # -softplus(-x) = min(x, 0) - log(1 + e^-|x|)
    zero = x.dtype.type(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = min(v, zero) - np.log1p(np.exp(-abs(v)))
        return
    e = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        exp_minus_abs_block(x, start, count, e)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            v = x[i]
            out[i] = (v if v < zero else zero) - log1p_unit(e[k])


# d/dx log sigmoid(x) = 1 - sigmoid(x) = sigmoid(-x): e/(1 + e) for x >= 0, 1/(1 + e) below,
# e = e^-|x|
@kernel
def log_sigmoid_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    if x.itemsize != 4:
        for i in range(x.size):
            v = -x[i]
            out[i] = g[i] * (one / (one + np.exp(-v)) if v >= zero
                             else np.exp(v) / (one + np.exp(v)))
        return
    for i in range(np.uint64(x.size)):  # one pass: exp_value in the loop (see exp_value)
        v = x[i]
        e = exp_value(-v if v >= zero else v)
        out[i] = g[i] * ((e if v >= zero else one) / (one + e))


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


# -- expm1, and the ELU family on it -----------------------------------------------------------
# e^v - 1 from exp_block's n and r: e^v - 1 = 2^n (e^r - 1) + (2^n - 1), where e^r - 1 = r +
# r^2 p(r) never cancels (|r| <= ln 2 / 2). Up to n = 24 the factor 2^n is one normal float, so
# the products by it are exact and so is 2^n - 1: the result is (2^n r + (2^n - 1)) + 2^n r^2 p,
# the large exact-or-nearly part first and the small correction last. From n = 25 (v > 17) the
# -1 is a fraction of an ulp of e^v, and e^v - 1 is (1 + r + r^2 p) 2^n1 2^n2 - 1 with
# exp_block's two factors (up to the top binade; v > 88.73 gives inf). Below -88, e^v - 1 rounds
# to -1 long since: v is clamped there. NaN stays NaN, and for |v| < 2^-25, expm1 v = v (within
# 0.02 ulp), returned as it is (so -0 stays -0). No branch: both results are computed, one is
# selected.

EXPM1_ULPS = 2
"""The largest error of the float32 ``expm1`` block over all float32 inputs tested (every 257th
bit pattern and 16 million points on [-16, 16]; 1.32 measured, at v = 17.01, where the -1 of the
second form rounds after e^v has), in units in the last place of the correctly rounded result.
``elu``, ``selu`` and ``celu`` add one product (tests/test_kernels.py enforces both)."""


@kernel
def expm1_value(v):
    """e^v - 1 for one float32 v (the derivation above); ``expm1_block`` loops over it, and the
    elu family calls it inside its own loops, as exp_value."""
    t = np.float32
    zero, one = t(0), t(1)
    lowest, highest, tiny = t(-88.0), t(89.0), t(2.9802322387695312e-08)  # 2^-25
    far, bias, nan = np.int32(25), np.int32(127), np.int32(0x7FC00000)
    w = highest if v > highest else v
    w = lowest if w < lowest else w
    w = w if w == w else zero  # NaN: any number here, a NaN factor below
    n, r = exp_reduce(w)
    q = exp_poly(r) * r * r  # e^r - 1 - r
    whole = np.int32(n)
    half_n = whole >> np.int32(1) if whole >= far else whole  # one factor below 2^25
    scale = float32_from_bits((half_n + bias) << np.int32(23) if v == v else nan)
    second = float32_from_bits((whole - half_n + bias) << np.int32(23))
    near = (r * scale + (scale - one)) + q * scale
    big = (((q + r) + one) * scale) * second - one
    e = near if second == one else big  # (the second factor is 1 below 2^25)
    return v if abs(v) < tiny else e


@kernel
def expm1_block(x, start, count, out, out_start):
    """out[out_start + k] = e^x[start + k] - 1 for k < count (float32 only). Whole arrays and
    offsets, as in exp_block."""
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    for k in range(count):
        out[first_out + np.uint64(k)] = expm1_value(x[first_in + np.uint64(k)])


@kernel
def expm1(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = np.expm1(x[i])
        return
    for start in range(0, x.size, EXP_BLOCK):
        expm1_block(x, start, min(EXP_BLOCK, x.size - start), out, start)


@kernel
def elu(x, alpha, out):
    a, zero = alpha[0], x.dtype.type(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = v if v > zero else a * np.expm1(v)
        return
    for i in range(np.uint64(x.size)):  # one pass: expm1_value in the loop
        v = x[i]
        e = expm1_value(v)  # for every element, so the loop has no branch and vectorises
        out[i] = v if v > zero else a * e


# d/dx elu(x) = 1 for x > 0, else alpha e^x (alpha at x = 0)
@kernel
def elu_grad(g, x, alpha, out):
    t = x.dtype.type
    a, zero = alpha[0], t(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = g[i] if v > zero else g[i] * (a * np.exp(v))
        return
    for i in range(np.uint64(x.size)):  # one pass: exp_value in the loop (see exp_value)
        v = x[i]
        e = exp_value(v)  # for every element, so the loop has no branch and vectorises
        out[i] = g[i] if v > zero else g[i] * (a * e)


@kernel
def selu(x, out):
    t = x.dtype.type
    scale, alpha, zero = t(1.0507009873554805), t(1.6732632423543772), t(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = scale * v if v > zero else (scale * alpha) * np.expm1(v)
        return
    for i in range(np.uint64(x.size)):  # one pass, no branch (see elu)
        v = x[i]
        e = expm1_value(v)
        out[i] = scale * v if v > zero else (scale * alpha) * e


# d/dx selu(x) = scale for x >= 0, else scale alpha e^x (scale at x = 0, as TensorFlow)
@kernel
def selu_grad(g, x, out):
    t = x.dtype.type
    scale, alpha, zero = t(1.0507009873554805), t(1.6732632423543772), t(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = g[i] * scale if v >= zero else g[i] * ((scale * alpha) * np.exp(v))
        return
    for i in range(np.uint64(x.size)):  # one pass, no branch (see elu_grad)
        v = x[i]
        e = exp_value(v)
        out[i] = g[i] * scale if v >= zero else g[i] * ((scale * alpha) * e)


@kernel
def celu(x, alpha, out):
    a, zero = alpha[0], x.dtype.type(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = v if v > zero else a * np.expm1(v / a)
        return
    for i in range(np.uint64(x.size)):  # one pass, no branch (see elu)
        v = x[i]
        e = expm1_value(v / a)
        out[i] = v if v > zero else a * e


# d/dx celu(x) = 1 for x > 0, e^(x/alpha) for x < 0, and 2 at x = 0: TensorFlow builds celu from
# max(x, 0) + alpha expm1(min(x, 0) / alpha), and both max and min pass a tie to x
@kernel
def celu_grad(g, x, alpha, out):
    a = alpha[0]
    zero, one = x.dtype.type(0), x.dtype.type(1)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            d = one if v >= zero else zero
            if v <= zero:
                d += np.exp(v / a)
            out[i] = g[i] * d
        return
    for i in range(np.uint64(x.size)):  # one pass, no branch (see elu_grad)
        v = x[i]
        e = exp_value(v / a)
        d = one if v >= zero else zero
        out[i] = g[i] * (d + e if v <= zero else d)


# -- erfc, and the exact gelu on it ------------------------------------------------------------
# For z >= 0, erfc(z) = t e^-z^2 Q(t) with t = 2/(2 + z): Q = erfcx(z) (2 + z)/2 is smooth on t in
# (0, 1] (1 at z = 0, 1/(2 sqrt pi) as z -> inf), a polynomial of degree 10 in t - 1/2 fitted here
# (relative error 1.7e-8 before float32 arithmetic). e^-z^2 must not come from a rounded z^2: at z =
# 9 the rounding of z^2 alone would cost 40 ulps. So |x| is split (Veltkamp: a_hi keeps 12 bits,
# a_hi^2 is exact) and, with z^2 = s^2 x^2, e^-z^2 = e^(-s^2 a_hi^2) e^(-s^2 a_lo (|x| + a_hi)):
# exp_value on the exact first argument, and a Taylor polynomial on the second, which is at most
# 1/8. s^2 is passed exactly (1 for erfc, 1/2 for gelu's x / sqrt 2), so gelu's tail is that of the
# exact x Phi(x), not of a rounded x / sqrt 2. For |z| < 1/2, erfc z = 1 - z p(z^2) (p of degree 5,
# fitted here: 1.2e-11) instead. Below zero, erfc(z) = 2 - erfc(-z): the left tail of Phi never
# computes 1 + erf(x / sqrt 2), which would cancel to 0.

ERFC_ULPS = 7
"""The largest error of the float32 ``erfc`` kernel over all float32 inputs tested (every 257th
bit pattern and 16 million points on [-16, 16]; 6.01 measured), in units in the last place of
the correctly rounded result: t, Q's float32 evaluation, the exponential and three products each
add a rounding (tests/test_kernels.py enforces it); the mean is below half an ulp."""

GELU_ULPS = 8
"""The same for the exact ``gelu`` x/2 erfc(-x / sqrt 2), against the float64 x Phi(x) (7.33
measured): one more product, and the rounded x / sqrt 2 inside t."""


@kernel(contract=True)
def erfc_q(u):
    """Q(t) of erfc(z) = t e^-z^2 Q(t) as a polynomial of degree 10 in u = t - 1/2, by Horner's
    rule with fused multiply-adds (``contract``: erfc_block itself is not contracted, since
    its Veltkamp split needs every product rounded)."""
    c = np.float32
    return ((((((((((c(0.03307512402534485) * u + c(-0.015672115609049797)) * u
                     + c(-0.07212312519550323)) * u + c(0.054052673280239105)) * u
                   + c(0.09714023023843765)) * u + c(-0.10367246717214584)) * u
                 + c(-0.17197738587856293)) * u + c(0.14576904475688934)) * u
               + c(0.5589417815208435)) * u + c(0.6871606707572937)) * u
            + c(0.5107913613319397))


@kernel(contract=True)
def gauss_tail(y):
    """e^y for |y| <= 1/8 as its Taylor polynomial to y^6 (within 1e-10), fused as erfc_q."""
    c = np.float32
    return (((((y * c(1 / 720) + c(1 / 120)) * y + c(1 / 24)) * y + c(1 / 6)) * y + c(0.5)) * y
            + c(1)) * y + c(1)


@kernel(contract=True)
def erf_p(zz):
    """p(z^2) of erfc z = 1 - z p(z^2) for |z| < 1/2 (degree 5), fused as erfc_q."""
    c = np.float32
    return ((((c(-0.0007692939834669232) * zz + c(0.005200313404202461)) * zz
              + c(-0.02686312049627304)) * zz + c(0.11283773928880692)) * zz
            + c(-0.37612637877464294)) * zz + c(1.128379225730896)


@kernel
def erfc_block(x, start, scale, square, count, out, out_start, gauss):
    """out[out_start + k] = erfc(z) and gauss[k] = e^-z^2 for z = scale x[start + k], k < count,
    with z^2 taken as square x^2 (``square``: scale^2 exactly, 1 or 1/2). Float32 only;
    ``gauss`` float32, at least ``count`` long. One pass: e^(-s^2 a_hi^2) is ``exp_value``
    inside the loop (in two passes, through a scratch array and exp_block, gelu took 1.14x
    the time)."""
    t = x.dtype.type
    zero, one, two, half, split, cap = t(0), t(1), t(2), t(0.5), t(4097), t(16)
    magnitude = abs(scale)
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    for k in range(count):
        v = x[first_in + np.uint64(k)]
        a = abs(v)
        a = cap if a > cap else a  # erfc(16 s) is 0 in float32 already; NaN stays NaN
        c = a * split
        a_hi = c - (c - a)
        e_hi = exp_value(-(square * (a_hi * a_hi)))
        y = -(square * ((a - a_hi) * (a + a_hi)))
        tt = two / (two + magnitude * a)
        u = tt - half
        q = erfc_q(u)
        # |y| <= s^2 2^-11 a^2 <= 1/8: e^y = 1 + y + ... + y^6/6! within 1e-10
        tail = gauss_tail(y)
        g = e_hi * tail
        gauss[k] = g
        r = (tt * q) * g
        z = magnitude * a
        zz = z * z
        p = erf_p(zz)
        r = one - z * p if z < half else r  # near 0: 1 - erf(z) loses at most a bit there
        out[first_out + np.uint64(k)] = two - r if scale * v < zero else r


@kernel
def erfc(x, out):
    if x.itemsize != 4:
        for i in range(x.size):
            out[i] = math.erfc(x[i])
        return
    t = x.dtype.type
    gauss = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        erfc_block(x, start, t(1), t(1), min(EXP_BLOCK, x.size - start), out, start, gauss)


@kernel
def gelu(x, out):
    # x Phi(x) = x/2 erfc(-x/sqrt 2): erfc keeps the tiny left tail accurate, where 1 + erf
    # would cancel to 0
    t = x.dtype.type
    half, c = t(0.5), t(0.7071067811865476)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = half * v * math.erfc(-v * c)
        return
    gauss = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        erfc_block(x, start, -c, half, count, out, start, gauss)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            out[i] = (half * x[i]) * out[i]


# d/dx x Phi(x) = Phi(x) + x phi(x), phi(x) = e^(-x^2/2) / sqrt(2 pi): erfc_block leaves
# e^(-x^2/2) in ``gauss``
@kernel
def gelu_grad(g, x, out):
    t = x.dtype.type
    half, c, inv_sqrt_2pi = t(0.5), t(0.7071067811865476), t(0.3989422804014327)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            cdf = half * math.erfc(-v * c)
            pdf = inv_sqrt_2pi * np.exp(-half * v * v)
            out[i] = g[i] * (cdf + v * pdf)
        return
    gauss = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        erfc_block(x, start, -c, half, count, out, start, gauss)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            v = x[i]
            out[i] = g[i] * (half * out[i] + v * (inv_sqrt_2pi * gauss[k]))


@kernel
def gelu_tanh(x, out):
    # x/2 (1 + tanh u), u = sqrt(2/pi) (x + 0.044715 x^3), is x sigmoid(2u): 1 + tanh u =
    # 2 / (1 + e^-2u). With e = e^-2|u|, sigmoid(2u) = 1/(1 + e) for u >= 0, e/(1 + e) below,
    # so the left tail never computes 1 + (-1 + tiny)
    t = x.dtype.type
    zero, one, k, c = t(0), t(1), t(0.7978845608028654), t(0.044715)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            e = np.exp(-abs(t(2) * k * (v + c * v * v * v)))
            out[i] = v * ((one if v >= zero else e) / (one + e))
        return
    minus_two = t(-2)
    for i in range(np.uint64(x.size)):
        v = x[i]
        e = exp_value(minus_two * abs(k * (v + c * v * v * v)))
        out[i] = v * ((one if v >= zero else e) / (one + e))  # u has the sign of x


# d/dx x sigmoid(2u) = s + x 2u' s (1 - s), u' = sqrt(2/pi) (1 + 3 * 0.044715 x^2), and
# s (1 - s) = e / (1 + e)^2 on both sides, without cancellation
@kernel
def gelu_tanh_grad(g, x, out):
    t = x.dtype.type
    zero, one, k, c, c3 = t(0), t(1), t(0.7978845608028654), t(0.044715), t(0.134145)
    minus_two, two = t(-2), t(2)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            e = np.exp(-abs(two * k * (v + c * v * v * v)))
            d = one / (one + e)
            s = d if v >= zero else e * d
            out[i] = g[i] * (s + v * (two * k * (one + c3 * v * v)) * (e * d * d))
        return
    for i in range(np.uint64(x.size)):
        v = x[i]
        e = exp_value(minus_two * abs(k * (v + c * v * v * v)))
        d = one / (one + e)
        s = d if v >= zero else e * d
        du = k * (one + c3 * v * v)
        out[i] = g[i] * (s + v * (two * du) * (e * d * d))


@kernel
def silu(x, out):
    sigmoid(x, out)  # the vectorised one for float32
    for i in range(x.size):
        out[i] = x[i] * out[i]


# d/dx x sigmoid(x) = s (1 + x (1 - s)); with e = e^-|x|, 1 - s = e s for x >= 0 and 1/(1 + e)
# below: no 1 - s cancels
@kernel
def silu_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            s = one / (one + np.exp(-v)) if v >= zero else np.exp(v) / (one + np.exp(v))
            out[i] = g[i] * (s * (one + v * (one - s)))
        return
    for i in range(np.uint64(x.size)):
        v = x[i]
        e = exp_value(-v if v >= zero else v)
        d = one / (one + e)
        s, rest = (d, e * d) if v >= zero else (e * d, d)
        out[i] = g[i] * (s * (one + v * rest))


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
def mish(x, out):
    # x tanh(softplus(x)); e^softplus(x) = 1 + e^x, so with n = e^x
    # tanh(softplus(x)) = n (n + 2) / (n (n + 2) + 2). For x >= 0 divide through by n^2, with
    # e = e^-|x| = 1/n: (1 + 2e) / (1 + 2e + 2e^2). Below, n = e. One exp, no overflow.
    zero = x.dtype.type(0)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            out[i] = v * np.tanh(max(v, zero) + np.log1p(np.exp(-abs(v))))
        return
    t = x.dtype.type
    one, two = t(1), t(2)
    for i in range(np.uint64(x.size)):
        v = x[i]
        e = exp_value(-v if v >= zero else v)
        top = one + two * e if v >= zero else e * (e + two)
        bottom = top + two * e * e if v >= zero else top + two
        out[i] = v * (top / bottom)


# d/dx x tanh(sp(x)) = th + x (1 - th^2) sigmoid(x), since sp' = sigmoid. With th = top/bottom
# as in mish, 1 - th^2 = (bottom - top)(bottom + top) / bottom^2, and bottom - top is 2e^2
# (x >= 0) or 2 (below): exact, where 1 - th*th would cancel
@kernel
def mish_grad(g, x, out):
    zero, one = x.dtype.type(0), x.dtype.type(1)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            th = np.tanh(max(v, zero) + np.log1p(np.exp(-abs(v))))
            s = one / (one + np.exp(-v)) if v >= zero else np.exp(v) / (one + np.exp(v))
            out[i] = g[i] * (th + v * (one - th * th) * s)
        return
    two = x.dtype.type(2)
    for i in range(np.uint64(x.size)):
        v = x[i]
        e = exp_value(-v if v >= zero else v)
        positive = v >= zero
        top = one + two * e if positive else e * (e + two)
        gap = two * e * e if positive else two
        bottom = top + gap
        d = one / (one + e)
        s = d if positive else e * d
        out[i] = g[i] * (top / bottom + v * (gap * (bottom + top) / (bottom * bottom)) * s)


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
    tanh(x, out)  # the vectorised one for float32
    for i in range(x.size):
        out[i] = x[i] - out[i]


# d/dx (x - tanh x) = tanh^2 x
@kernel
def tanh_shrink_grad(g, x, out):
    tanh(x, out)
    for i in range(x.size):
        out[i] = g[i] * (out[i] * out[i])


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


# -- forward passes that also write the derivative ------------------------------------------------
# softplus and the exact gelu spend nearly all their time in e^-|x| or erfc, which their backward
# passes need again. These kernels write f'(x) into ``derivative`` (their second argument, an
# array of x's shape that the caller allocates) while they compute f(x): the backward pass is
# then g f'(x), one multiplication. Same (arrays..., out) convention as every elementwise kernel.


@kernel
def softplus_with_derivative(x, derivative, out):
    # softplus' = sigmoid: 1/(1 + e) for x >= 0, e/(1 + e) below, e = e^-|x|
    t = x.dtype.type
    zero, one = t(0), t(1)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            e = np.exp(-abs(v))
            out[i] = max(v, zero) + np.log1p(e)
            derivative[i] = (one if v >= zero else e) / (one + e)
        return
    e = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        exp_minus_abs_block(x, start, count, e)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            v, ek = x[i], e[k]
            out[i] = log1p_unit(ek) + (v if v > zero else zero)
            derivative[i] = (one if v >= zero else ek) / (one + ek)


@kernel
def gelu_with_derivative(x, derivative, out):
    # x Phi(x) and Phi(x) + x phi(x), from one erfc_block
    t = x.dtype.type
    half, c, inv_sqrt_2pi = t(0.5), t(0.7071067811865476), t(0.3989422804014327)
    if x.itemsize != 4:
        for i in range(x.size):
            v = x[i]
            cdf = half * math.erfc(-v * c)
            out[i] = v * cdf
            derivative[i] = cdf + v * (inv_sqrt_2pi * np.exp(-half * v * v))
        return
    gauss = np.empty(EXP_BLOCK, x.dtype)
    for start in range(0, x.size, EXP_BLOCK):
        count = min(EXP_BLOCK, x.size - start)
        erfc_block(x, start, -c, half, count, out, start, gauss)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            v = x[i]
            cdf = half * out[i]
            out[i] = (half * v) * out[i]
            derivative[i] = cdf + v * (inv_sqrt_2pi * gauss[k])


# -- the parallel forms -----------------------------------------------------------------------
# One Numba function per argument pattern, whose prange loop calls the kernel numbered ``code``
# on each piece of ``grain`` elements (arrays of another size, the options, go whole). Numba
# caches a function only when it names its callees, so the kernels are written out one by one
# (a test checks each number against its kernel); a float32 call compiles every kernel of its
# pattern once, and the cache keeps them. Inputs always come read-only (``unary``), so each
# pattern has one compiled signature.

PARALLEL_ONE_ARRAY = (exp, expm1, log, log1p, sigmoid, tanh, softplus, selu, gelu, gelu_tanh,
                      silu, log_sigmoid, mish, tanh_shrink)
"""Kernels ``(x, out)`` of ``parallel_one_array``, by code."""


@kernel(parallel=True)
def parallel_one_array(code, x, out, grain):
    n = out.size
    for piece in prange((n + grain - 1) // grain):
        a, b = piece * grain, min(piece * grain + grain, n)
        if code == 0:
            exp(x[a:b], out[a:b])
        elif code == 1:
            expm1(x[a:b], out[a:b])
        elif code == 2:
            log(x[a:b], out[a:b])
        elif code == 3:
            log1p(x[a:b], out[a:b])
        elif code == 4:
            sigmoid(x[a:b], out[a:b])
        elif code == 5:
            tanh(x[a:b], out[a:b])
        elif code == 6:
            softplus(x[a:b], out[a:b])
        elif code == 7:
            selu(x[a:b], out[a:b])
        elif code == 8:
            gelu(x[a:b], out[a:b])
        elif code == 9:
            gelu_tanh(x[a:b], out[a:b])
        elif code == 10:
            silu(x[a:b], out[a:b])
        elif code == 11:
            log_sigmoid(x[a:b], out[a:b])
        elif code == 12:
            mish(x[a:b], out[a:b])
        elif code == 13:
            tanh_shrink(x[a:b], out[a:b])


PARALLEL_TWO_ARRAYS = (sigmoid_grad, tanh_grad, softplus_grad, selu_grad, gelu_grad,
                       gelu_tanh_grad, silu_grad, log_sigmoid_grad, mish_grad, tanh_shrink_grad,
                       elu, celu)
"""Kernels ``(g, x, out)`` or ``(x, alpha, out)`` of ``parallel_two_arrays``, by code."""


@kernel(parallel=True)
def parallel_two_arrays(code, u, v, out, grain):
    n = out.size
    for piece in prange((n + grain - 1) // grain):
        a, b = piece * grain, min(piece * grain + grain, n)
        v_piece = v[a:b] if v.size == n else v
        if code == 0:
            sigmoid_grad(u[a:b], v_piece, out[a:b])
        elif code == 1:
            tanh_grad(u[a:b], v_piece, out[a:b])
        elif code == 2:
            softplus_grad(u[a:b], v_piece, out[a:b])
        elif code == 3:
            selu_grad(u[a:b], v_piece, out[a:b])
        elif code == 4:
            gelu_grad(u[a:b], v_piece, out[a:b])
        elif code == 5:
            gelu_tanh_grad(u[a:b], v_piece, out[a:b])
        elif code == 6:
            silu_grad(u[a:b], v_piece, out[a:b])
        elif code == 7:
            log_sigmoid_grad(u[a:b], v_piece, out[a:b])
        elif code == 8:
            mish_grad(u[a:b], v_piece, out[a:b])
        elif code == 9:
            tanh_shrink_grad(u[a:b], v_piece, out[a:b])
        elif code == 10:
            elu(u[a:b], v_piece, out[a:b])
        elif code == 11:
            celu(u[a:b], v_piece, out[a:b])


PARALLEL_WITH_DERIVATIVE = (softplus_with_derivative, gelu_with_derivative)
"""Kernels ``(x, derivative, out)`` of ``parallel_with_derivative``, by code."""


@kernel(parallel=True)
def parallel_with_derivative(code, x, derivative, out, grain):
    n = out.size
    for piece in prange((n + grain - 1) // grain):
        a, b = piece * grain, min(piece * grain + grain, n)
        if code == 0:
            softplus_with_derivative(x[a:b], derivative[a:b], out[a:b])
        elif code == 1:
            gelu_with_derivative(x[a:b], derivative[a:b], out[a:b])


PARALLEL_THREE_ARRAYS = (elu_grad, celu_grad)
"""Kernels ``(g, x, alpha, out)`` of ``parallel_three_arrays``, by code."""


@kernel(parallel=True)
def parallel_three_arrays(code, g, x, alpha, out, grain):
    n = out.size
    for piece in prange((n + grain - 1) // grain):
        a, b = piece * grain, min(piece * grain + grain, n)
        if code == 0:
            elu_grad(g[a:b], x[a:b], alpha, out[a:b])
        elif code == 1:
            celu_grad(g[a:b], x[a:b], alpha, out[a:b])


PARALLEL_FORMS = {kernel_function.__name__: (parallel_form, code)
                  for parallel_form, kernels in ((parallel_one_array, PARALLEL_ONE_ARRAY),
                                                 (parallel_two_arrays, PARALLEL_TWO_ARRAYS),
                                                 (parallel_with_derivative,
                                                  PARALLEL_WITH_DERIVATIVE),
                                                 (parallel_three_arrays, PARALLEL_THREE_ARRAYS))
                  for code, kernel_function in enumerate(kernels)}
"""kernel name -> (its parallel form, its code there)."""

THREADED = frozenset(PARALLEL_FORMS)
"""The kernels that ``unary`` cuts over the cores: those that compute an exponential, a
logarithm or a tanh per element, and so are bound by arithmetic, and the sigmoid's and tanh's
backward products. The others (relu, the products of most backward kernels) stay on the
calling thread. (Measured on the project's 2-core VM, December 2026, 1e6 float32: the
sigmoid's backward took 412 us on one thread and 218 us on Numba's two, PyTorch's 437 and 224;
with the thread dealer's Python helper it gained nothing.)"""


def IR_EXAMPLES():  # noqa: N802 - the hook tests/test_kernels.py reads
    """Float32 arguments for the kernels that are not (array, ..., out) elementwise loops."""
    x, out = np.ones(4, np.float32), np.empty(4, np.float32)
    scratch = (np.empty(4, np.int32), np.empty(4, np.int32))
    one, zero = np.float32(1), np.float32(0)
    return {"exp_block": (x, 0, one, zero, 4, out, 0), "exp_value": (one,),
            "exp_reduce": (one,), "exp_poly": (one,),
            "expm1_block": (x, 0, 4, out, 0), "expm1_value": (one,),
            "log1p_minus_x": (one,),
            "log1p_unit": (one,),
            "log_block": (x, 0, 4, out, 0, scratch[0]),
            "log1p_block": (x, 0, 4, out, 0, scratch[0]),
            "exp_minus_abs_block": (x, 0, 4, out),
            "tanh_block": (x, 0, 4, out, 0),
            "erfc_q": (one,), "gauss_tail": (one,), "erf_p": (one,),
            "erfc_block": (x, 0, one, one, 4, out, 0, np.empty(4, np.float32)),
            "parallel_one_array": (0, _read_only(x), out, 4),
            "parallel_two_arrays": (0, _read_only(x), _read_only(x), out, 4),
            "parallel_with_derivative": (0, _read_only(x), np.empty(4, np.float32), out, 4),
            "parallel_three_arrays": (0, _read_only(x), _read_only(x), _read_only(x[:1]), out,
                                      4)}
