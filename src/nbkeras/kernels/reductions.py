"""Reductions and the softmax family.

Every kernel here sees its input as a 3-D array ``(outer, n, inner)`` and reduces (or normalises)
along the middle axis ``n``. The wrapper ``to_3d`` brings any input and any set of axes into that
layout, so each kernel compiles once per dtype.

Sums accumulate in float64 and round to float32 once at the end. A float32 running sum of 1e7
values of 0.1 drifts by 9% (each add rounds to 24 bits); the float64 one is exact to float32
precision. The summation order is fixed, so the result is the same on every run.
"""

import math

import numpy as np
from llvmlite import ir
from numba import types
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
    outer = math.prod(shape[: axes[0]])  # (math.prod: a tenth of np.prod's cost on a tuple)
    n = math.prod(shape[axes[0] : axes[-1] + 1])
    inner = math.prod(shape[axes[-1] + 1 :])
    if not x.flags.c_contiguous:
        x = np.ascontiguousarray(x)
    return x.reshape(outer, n, inner)


def read_only(view):
    """Mark ``view`` read-only and return it. ``view`` is a view this module made (``to_3d``
    always returns a new array object), so the caller's array keeps its own flags. Kernels then
    see every input as read-only, whether the caller passed NumPy data or an op result (which
    the tape keeps read-only): Numba compiles, caches and loads one signature per kernel instead
    of one per mix of writable and read-only inputs."""
    view.flags.writeable = False
    return view


def keepdims_shape(shape, axes):
    return tuple(1 if a in axes else d for a, d in enumerate(shape))


def reduce(kernel_function, x, axes, keepdims):
    """Apply a reduction kernel over ``axes`` (a sorted tuple) of ``x``. A large input runs on
    both cores, cut into blocks of whole ``outer`` rows (``threads.by_rows``): each result is
    still one thread's sum, in the same order, so it has the same bits. A sum of everything
    (one row) is cut into its ``SUM_CHUNK`` chunks instead (``sum_one_row``)."""
    x3 = read_only(to_3d(x, axes))
    out = np.empty((x3.shape[0], x3.shape[2]), dtype=x.dtype)
    if kernel_function is sum_3d and x3.shape[0] == 1 and x3.shape[2] == 1 \
            and x.dtype == np.float32 and x3.size >= threads.PARALLEL_ELEMENTS:
        out[0, 0] = sum_one_row(x3.reshape(-1))
    else:
        threads.by_rows(kernel_function, x3, out, rows=(0, 1))
    if keepdims:
        return out.reshape(keepdims_shape(x.shape, axes))
    return out.reshape(tuple(d for a, d in enumerate(x.shape) if a not in axes))


def sum_over_axes(x, axes, keepdims=False):
    """Float sum over ``axes`` with a float64 accumulator (used by the tape's unbroadcast)."""
    return reduce(sum_3d, x, tuple(sorted(axes)), keepdims)


SUM_CHUNK = 1 << 16
"""Elements per partial sum of a long row. A row of contiguous elements (the sum over the last
axes, or over everything) is summed chunk by chunk: each chunk in the float64 lanes of
``row_sum``, then the chunks' totals one after the other, from the first. The chunks are fixed,
so a single long row, which ``by_rows`` cannot share, is shared by threads chunk by chunk
(``sum_one_row``) with the same bits as on one thread."""


@kernel(float64_accumulator=True)
def sum_3d(x, out):
    outer, n, inner = x.shape
    if inner == 1:  # rows in memory
        flat = x.reshape(x.size)
        lanes = np.empty(LANES, np.float64)
        for o in range(outer):
            total = 0.0
            for start in range(0, n, SUM_CHUNK):
                total += row_sum(flat, o * n + start, min(SUM_CHUNK, n - start), lanes)
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
def chunk_sums(x, partials):
    """partials[c] = the float64 sum of chunk c of the flat float32 ``x`` (``SUM_CHUNK``
    elements, the last one shorter), as ``sum_3d`` adds it."""
    lanes = np.empty(LANES, np.float64)
    for c in range(partials.size):
        start = c * SUM_CHUNK
        partials[c] = row_sum(x, start, min(SUM_CHUNK, x.size - start), lanes)


def sum_one_row(flat):
    """The float32 sum of the flat float32 array ``flat`` with ``sum_3d``'s bits: its chunks'
    sums, computed on both cores (whole chunks per piece), added in order."""
    partials = np.empty(-(-flat.size // SUM_CHUNK))

    def chunks(first, last):
        chunk_sums(flat[first * SUM_CHUNK:last * SUM_CHUNK], partials[first:last])

    threads.over_pieces(threads.pieces(partials.size, flat.size), chunks)
    total = 0.0
    for partial in partials.tolist():  # one float64 addition each, in order, as in sum_3d
        total += partial
    return np.float32(total)


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


# -- the vectorised float32 exponential, for the softmax family ------------------------------------
# A copy of elementwise.exp_block (derived there; tests/test_kernels.py checks that the two
# sources are the same): a kernel never calls a jitted function of another module, whose edits
# Numba's cache would not notice.

EXP_BLOCK = 512
"""Elements per block of exponentials, as in elementwise.py."""


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
def exp_block(x, start, sign, offset, count, out, out_start):
    """out[out_start + k] = e^(sign · x[start + k] - offset) for k < count (float32 only; sign
    +1 or -1, offset any float32 number). Whole arrays and offsets, not slices: a slice's
    layout is not known to be contiguous, and LLVM would not vectorise the loop."""
    t = x.dtype.type
    zero, one = t(0), t(1)
    lowest, highest = t(-104.0), t(89.0)
    bias, nan = np.int32(127), np.int32(0x7FC00000)
    # unsigned indices: Numba then adds no negative-index wrap-around, whose branch would
    # turn the loads and stores into gathers and scatters
    first_in, first_out = np.uint64(start), np.uint64(out_start)
    for k in range(count):
        v = sign * x[first_in + np.uint64(k)] - offset
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
        out[first_out + np.uint64(k)] = e_r * first * second


@kernel
def row_max(x, start, n):
    """The largest of x[start], ..., x[start + n - 1] (a NaN first element stays the max, a
    later NaN is skipped: the row's result is NaN either way).

    Eight running maxima, each starting from its own first element and combined in order: one
    chain of compares waits on itself (this is 3.6x faster on rows of 1000). The maximum is
    the same number as a scan from the first element gives; only a row whose largest value is
    zero may come out as -0 instead of +0, which changes no bit of a softmax (x - m is the
    same) nor of a log-softmax (m + log(s) is +0 either way when log(s) = 0)."""
    base = np.uint64(start)
    m = x[base]
    if n < 16:
        for j in range(1, n):
            v = x[base + np.uint64(j)]
            m = v if v > m else m
        return m
    m0, m1 = x[base], x[base + np.uint64(1)]
    m2, m3 = x[base + np.uint64(2)], x[base + np.uint64(3)]
    m4, m5 = x[base + np.uint64(4)], x[base + np.uint64(5)]
    m6, m7 = x[base + np.uint64(6)], x[base + np.uint64(7)]
    full = n - n % 8
    for j in range(8, full, 8):
        b = base + np.uint64(j)
        v = x[b]
        m0 = v if v > m0 else m0
        v = x[b + np.uint64(1)]
        m1 = v if v > m1 else m1
        v = x[b + np.uint64(2)]
        m2 = v if v > m2 else m2
        v = x[b + np.uint64(3)]
        m3 = v if v > m3 else m3
        v = x[b + np.uint64(4)]
        m4 = v if v > m4 else m4
        v = x[b + np.uint64(5)]
        m5 = v if v > m5 else m5
        v = x[b + np.uint64(6)]
        m6 = v if v > m6 else m6
        v = x[b + np.uint64(7)]
        m7 = v if v > m7 else m7
    m = m0
    m = m1 if m1 > m else m
    m = m2 if m2 > m else m
    m = m3 if m3 > m else m
    m = m4 if m4 > m else m
    m = m5 if m5 > m else m
    m = m6 if m6 > m else m
    m = m7 if m7 > m else m
    for j in range(full, n):
        v = x[base + np.uint64(j)]
        m = v if v > m else m
    return m


LANES = 32
"""Running sums per row helper (``row_sum``, ``row_dot``).

Element j of a row goes to lane j mod LANES; the lanes are combined in order at the end, so the
result has one fixed summation order, whatever the machine and the number of threads. One
running sum is one chain of dependent adds (4 cycles each); 32 independent lanes are what the
vector units need. The lanes live in a scratch array whose length the helpers read at run time:
with a constant count LLVM would unroll the lane loop into 32 scalar chains, which stay scalar
(Numba leaves LLVM's straight-line vectoriser off), while a loop of unknown length is what its
loop vectoriser turns into vector instructions. Measured on rows of 1000 read from memory
(December 2026): the sum runs 2.2-2.5x and the dot product 1.4-1.6x faster than in four scalar
chains. LLVM picks the instructions; the order of the additions stays the one above."""


@kernel(float64_accumulator=True)
def row_sum(x, start, n, lanes):
    """Σ x[start + j] in float64, in the running sums of ``lanes`` (float64 scratch of
    ``LANES`` elements; see LANES for the order). The float64 result rounds to the same
    float32 as the sequential sum but for a tie."""
    base = np.uint64(start)
    width = lanes.size
    for lane in range(width):
        lanes[lane] = 0.0
    full = n - n % width
    for block in range(0, full, width):
        first = base + np.uint64(block)
        for lane in range(width):
            lanes[lane] += x[first + np.uint64(lane)]
    total = 0.0
    for lane in range(width):
        total += lanes[lane]
    for j in range(full, n):
        total += x[base + np.uint64(j)]
    return total


@kernel(float64_accumulator=True)
def row_dot(x, y, start, n, lanes):
    """Σ x[start + j] y[start + j] in float64 (each product exact), in lanes as ``row_sum``."""
    base = np.uint64(start)
    width = lanes.size
    for lane in range(width):
        lanes[lane] = 0.0
    full = n - n % width
    for block in range(0, full, width):
        first = base + np.uint64(block)
        for lane in range(width):
            i = first + np.uint64(lane)
            lanes[lane] += np.float64(x[i]) * y[i]
    total = 0.0
    for lane in range(width):
        total += lanes[lane]
    for j in range(full, n):
        i = base + np.uint64(j)
        total += np.float64(x[i]) * y[i]
    return total


@kernel(float64_accumulator=True)
def softmax_3d(x, out):
    # softmax(x)_j = e^(x_j - m) / sum_k e^(x_k - m), the division done as TensorFlow does it:
    # each e^(x_j - m) times the float32 reciprocal of the sum. Against TensorFlow's softmax on
    # rows of 10, 128 and 1000 (random normal logits times 3), that gives its exact bits for
    # 5 points more of the elements than a division does (38-43% against 33-39%; the rest
    # differ by TensorFlow's own exponential), at the same accuracy (mean 2.56 against 2.54
    # ulp from float64, the same largest error), and a multiplication is cheaper.
    outer, n, inner = x.shape
    t = x.dtype.type
    one = t(1)
    if x.itemsize == 4 and inner == 1 and n > 0:  # rows in memory: the vectorised exp
        flat_x, flat_out = x.reshape(x.size), out.reshape(out.size)
        sums = np.empty(LANES, np.float64)
        for o in range(outer):
            m = row_max(flat_x, o * n, n)
            exp_block(flat_x, o * n, t(1), m, n, flat_out, o * n)
            scale = one / t(row_sum(flat_out, o * n, n, sums))
            base = np.uint64(o * n)
            for j in range(n):
                flat_out[base + np.uint64(j)] = flat_out[base + np.uint64(j)] * scale
        return
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
            scale = one / t(s)
            for j in range(n):
                out[o, j, i] = out[o, j, i] * scale


# d softmax: g_x = y * (g - sum_j g_j y_j)
@kernel(float64_accumulator=True)
def softmax_grad_3d(g, y, out):
    outer, n, inner = y.shape
    t = y.dtype.type
    if inner == 1:  # rows in memory
        flat_g, flat_y, flat_out = g.reshape(g.size), y.reshape(y.size), out.reshape(out.size)
        sums = np.empty(LANES, np.float64)
        for o in range(outer):
            d = t(row_dot(flat_g, flat_y, o * n, n, sums))
            base = np.uint64(o * n)
            for j in range(n):
                i = base + np.uint64(j)
                flat_out[i] = flat_y[i] * (flat_g[i] - d)
        return
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
    if x.itemsize == 4 and inner == 1 and n > 0:  # rows in memory: the vectorised exp
        flat_x, flat_out = x.reshape(x.size), out.reshape(out.size)
        sums = np.empty(LANES, np.float64)
        for o in range(outer):
            m = row_max(flat_x, o * n, n)
            exp_block(flat_x, o * n, t(1), m, n, flat_out, o * n)
            shift = m + t(np.log(row_sum(flat_out, o * n, n, sums)))
            base = np.uint64(o * n)
            for j in range(n):
                flat_out[base + np.uint64(j)] = flat_x[base + np.uint64(j)] - shift
        return
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
    if y.itemsize == 4 and inner == 1 and n > 0:  # rows in memory: the vectorised exp
        flat_g, flat_y, flat_out = g.reshape(g.size), y.reshape(y.size), out.reshape(out.size)
        sums = np.empty(LANES, np.float64)
        for o in range(outer):
            total = t(row_sum(flat_g, o * n, n, sums))
            exp_block(flat_y, o * n, t(1), t(0), n, flat_out, o * n)
            base = np.uint64(o * n)
            for j in range(n):
                i = base + np.uint64(j)
                flat_out[i] = flat_g[i] - flat_out[i] * total
        return
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
    """Apply a softmax-family kernel along ``axis`` to same-shaped arrays; returns a new array
    (one that owns its memory: a tape hands it out as a gradient without copying it). A large
    input runs on both cores in blocks of whole ``outer`` rows, with the same bits as on one."""
    shape = arrays[0].shape
    # one axis: a reshape (of a contiguous copy), read-only (see read_only)
    views = [read_only(to_3d(a, (axis,))) for a in arrays]
    out = np.empty(shape, dtype=arrays[0].dtype)
    threads.by_rows(kernel_function, *views, out.reshape(views[0].shape),
                    rows=tuple(range(len(views) + 1)))
    return out


def IR_EXAMPLES():  # noqa: N802 - the hook tests/test_kernels.py reads
    """Float32 arguments for the row helpers of the softmax family (not ``_3d`` kernels)."""
    x, out = np.ones(4, np.float32), np.empty(4, np.float32)
    one, zero = np.float32(1), np.float32(0)
    sums = np.empty(LANES, np.float64)
    return {"exp_block": (x, 0, one, zero, 4, out, 0), "row_max": (x, 0, 4),
            "exp_reduce": (one,), "exp_poly": (one,),
            "row_sum": (x, 0, 4, sums), "row_dot": (x, x, 0, 4, sums),
            "chunk_sums": (x, np.empty(1))}
