"""Fused cross-entropy kernels: a loss computed straight from logits, and its backward.

Computing ``sigmoid`` (or ``softmax``) first and taking a log afterwards loses everything the
float32 probability rounded away: sigmoid(20) is exactly 1 in float32, so log(1 - p) is -inf.
From the logits, the same losses need no exponential that can overflow and no log of 0.

The elementwise kernels walk 1-D arrays (``elementwise.unary`` flattens any shape). The softmax
kernels see ``(outer, n, inner)`` arrays with the class axis in the middle (``reductions.to_3d``)
and write one loss per row into an ``(outer, 1, inner)`` array, the keepdims layout.
"""

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

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

# -- copies from elementwise.py --------------------------------------------------------------
# Kernels never call another module's jitted functions (Numba's cache would not notice an edit to
# them), so the vectorised exponential and log1p are copied here; tests/test_kernels.py keeps the
# copies identical to the originals (see elementwise.py for how they work).

EXP_BLOCK = 512
"""Elements per block, as in elementwise.py."""


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
def exp_minus_abs_block(x, start, count, e):
    """e[k] = e^-|x[start + k]| for k < count (float32; NaN stays NaN): no overflow for any x."""
    zero = x.dtype.type(0)
    base = np.uint64(start)
    for k in range(count):
        v = x[base + np.uint64(k)]
        e[k] = exp_value(-v if v >= zero else v)


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


@kernel
def sigmoid_cross_entropy(labels, logits, out):
    # -y log sigmoid(x) - (1 - y) log(1 - sigmoid(x)) = max(x, 0) - x y + log(1 + e^-|x|)
    zero = logits.dtype.type(0)
    if logits.itemsize != 4:
        for i in range(logits.size):
            x, y = logits[i], labels[i]
            out[i] = (max(x, zero) - x * y) + np.log1p(np.exp(-abs(x)))
        return
    e = np.empty(EXP_BLOCK, logits.dtype)
    for start in range(0, logits.size, EXP_BLOCK):  # float32: vectorised, no libm call
        count = min(EXP_BLOCK, logits.size - start)
        exp_minus_abs_block(logits, start, count, e)
        base = np.uint64(start)  # unsigned indices vectorise (see exp_block)
        for k in range(count):
            i = base + np.uint64(k)
            x = logits[i]
            out[i] = ((x if x > zero else zero) - x * labels[i]) + log1p_unit(e[k])


# d/dx = sigmoid(x) - y (and d/dy = -x, computed by the caller)
@kernel
def sigmoid_cross_entropy_grad(g, labels, logits, out):
    zero, one = logits.dtype.type(0), logits.dtype.type(1)
    if logits.itemsize != 4:
        for i in range(logits.size):
            x = logits[i]
            s = one / (one + np.exp(-x)) if x >= zero else np.exp(x) / (one + np.exp(x))
            out[i] = g[i] * (s - labels[i])
        return
    e = np.empty(EXP_BLOCK, logits.dtype)
    for start in range(0, logits.size, EXP_BLOCK):
        count = min(EXP_BLOCK, logits.size - start)
        exp_minus_abs_block(logits, start, count, e)
        base = np.uint64(start)
        for k in range(count):
            i = base + np.uint64(k)
            ek = e[k]
            s = (one if logits[i] >= zero else ek) / (one + ek)
            out[i] = g[i] * (s - labels[i])


@kernel(float64_accumulator=True)
def softmax_cross_entropy_3d(labels, logits, loss, max_logit, log_total):
    # sum_j y_j (log sum_k e^(x_k - m) - (x_j - m)), m = max_k x_k: -sum_j y_j log softmax(x)_j.
    # m and log sum_k e^(x_k - m) are kept for the backward.
    outer, n, inner = logits.shape
    t = logits.dtype.type
    for o in range(outer):
        for i in range(inner):
            m = logits[o, 0, i]
            for j in range(1, n):
                if logits[o, j, i] > m:
                    m = logits[o, j, i]
            s = 0.0
            for j in range(n):
                s += np.exp(logits[o, j, i] - m)
            log_s = t(np.log(s))
            acc = 0.0
            for j in range(n):
                acc += labels[o, j, i] * (log_s - (logits[o, j, i] - m))
            loss[o, 0, i] = acc
            max_logit[o, 0, i] = m
            log_total[o, 0, i] = log_s


# d/dx_j = softmax(x)_j sum_k y_k - y_j (softmax - y for labels that sum to 1);
# d/dy_j = -log softmax(x)_j
@kernel(float64_accumulator=True)
def softmax_cross_entropy_grad_3d(g, labels, logits, max_logit, log_total, d_labels, d_logits):
    outer, n, inner = logits.shape
    t = logits.dtype.type
    for o in range(outer):
        for i in range(inner):
            m, log_s, gi = max_logit[o, 0, i], log_total[o, 0, i], g[o, 0, i]
            label_sum = 0.0
            for j in range(n):
                label_sum += labels[o, j, i]
            total = t(label_sum)
            for j in range(n):
                log_softmax = (logits[o, j, i] - m) - log_s
                d_logits[o, j, i] = gi * (np.exp(log_softmax) * total - labels[o, j, i])
                d_labels[o, j, i] = gi * -log_softmax


def IR_EXAMPLES():  # noqa: N802 - the hook tests/test_kernels.py reads
    """Float32 arguments for the kernels that are not (array, ..., out) loops."""
    x, out = np.ones(4, np.float32), np.empty(4, np.float32)
    one, zero = np.float32(1), np.float32(0)
    return {"exp_block": (x, 0, one, zero, 4, out, 0), "exp_value": (one,),
            "exp_reduce": (one,), "exp_poly": (one,),
            "exp_minus_abs_block": (x, 0, 4, out),
            "log1p_minus_x": (one,), "log1p_unit": (one,)}
