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
        for o in range(outer):
            total = 0.0
            for start in range(0, n, SUM_CHUNK):
                total += row_sum(flat, o * n + start, min(SUM_CHUNK, n - start))
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
    for c in range(partials.size):
        start = c * SUM_CHUNK
        partials[c] = row_sum(x, start, min(SUM_CHUNK, x.size - start))


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
def row_max(x, start, n):
    """The largest of the float32 x[start], ..., x[start + n - 1] (n >= 1), found on integers.

    A float32's bits, read as an int32 ``b``, sort as the float does once the negative ones
    have their 31 low bits flipped (``b ^ 0x7FFFFFFF`` for b < 0: a larger magnitude, a smaller
    key). The largest key is found with integer compares, which LLVM vectorises (a float
    maximum it may not vectorise without ``fastmath``: its NaN and signed-zero rules depend on
    the order of the compares), and turned back into the float. For 1024 rows of 1000 on the
    project's VM this took 0.18 ms against 0.27 ms for eight scalar running maxima, and most of
    the 0.18 ms is reading the 4 MB from the L3 cache.

    The maximum is the same number whatever the order, +0 beating -0. A NaN (positive or
    negative) may win or lose against the numbers; a softmax row holding one is NaN either
    way, through its own e^(x - m) and the row's sum."""
    bits = x.view(np.int32)
    low = np.int32(0x7FFFFFFF)
    base = np.uint64(start)
    best = np.int32(-0x80000000)
    for j in range(n):
        b = bits[base + np.uint64(j)]
        key = b ^ ((b >> np.int32(31)) & low)
        best = key if key > best else best
    return float32_from_bits(best ^ ((best >> np.int32(31)) & low))


LANES = 32
"""Running sums per row of ``row_sum`` and ``row_dot``.

Element j of a row goes to running sum j mod LANES, in float64; after the last whole block of
LANES elements the 32 sums are added in order, from the first, and then the remaining elements
one by one. The result has this one summation order on every machine and for any number of
threads. One running sum would be one chain of dependent adds (4 cycles each); 32 independent
ones are what the vector units need.

The 32 sums are one LLVM vector value (``lane_sums``, an intrinsic that writes the loop in LLVM
IR), which stays in registers: four 512-bit ones on an AVX-512 CPU, eight 256-bit ones on an
AVX2 CPU, with the same additions in either case. Plain Numba code cannot say this: an array of
running sums is stored and reloaded every block (Numba tells LLVM nothing about which arrays
may overlap), and 32 scalar variables stay 32 scalar chains (Numba leaves LLVM's straight-line
vectoriser off). Measured against the scratch-array lanes (December 2026, the project's VM, one
thread, 5 alternated process pairs, median of the ratios): the sums of the rows of a (1024, 1000)
array 0.77x the time (0.27 -> 0.20 ms), a sum of 1e7 elements 0.91x, the softmax gradient
0.88x (with ``row_max`` below, the softmax 0.84x)."""


def _lane_sums_ir(context, builder, array_types, arrays, start, blocks):
    """LLVM IR of the running sums over ``blocks`` whole blocks of LANES elements from
    ``start``: the elementwise product of the arrays (one array: its elements), widened to
    double, added to a <LANES x double> vector block after block; then the lanes added in
    order. Returns the double."""
    f64, i64 = ir.DoubleType(), ir.IntType(64)
    lanes_type = ir.VectorType(f64, LANES)
    data = [context.make_array(array_type)(context, builder, array).data
            for array_type, array in zip(array_types, arrays, strict=True)]
    entry = builder.block
    loop = builder.append_basic_block("lanes.loop")
    done = builder.append_basic_block("lanes.done")
    zeros = ir.Constant(lanes_type, None)
    builder.cbranch(builder.icmp_signed(">", blocks, ir.Constant(i64, 0)), loop, done)

    builder.position_at_end(loop)
    block = builder.phi(i64)
    lanes = builder.phi(lanes_type)
    first = builder.add(start, builder.mul(block, ir.Constant(i64, LANES)))
    term = None
    for pointer, array_type in zip(data, array_types, strict=True):
        element = pointer.type.pointee
        vector_pointer = builder.bitcast(builder.gep(pointer, [first]),
                                         ir.VectorType(element, LANES).as_pointer())
        values = builder.load(vector_pointer, align=array_type.dtype.bitwidth // 8)
        if element != f64:
            values = builder.fpext(values, lanes_type)  # exact, as is a product of two
        term = values if term is None else builder.fmul(term, values)
    added = builder.fadd(lanes, term)
    following = builder.add(block, ir.Constant(i64, 1))
    builder.cbranch(builder.icmp_signed("<", following, blocks), loop, done)
    block.add_incoming(ir.Constant(i64, 0), entry)
    block.add_incoming(following, loop)
    lanes.add_incoming(zeros, entry)
    lanes.add_incoming(added, loop)

    builder.position_at_end(done)
    final = builder.phi(lanes_type)
    final.add_incoming(zeros, entry)
    final.add_incoming(added, loop)
    total = ir.Constant(f64, 0.0)
    for lane in range(LANES):
        total = builder.fadd(total, builder.extract_element(final, ir.Constant(i64, lane)))
    return total


@intrinsic
def lane_sums(typingctx, x, y, start, blocks):
    """Σ over ``blocks`` blocks of LANES elements from ``start`` of x (y None) or of x y, in
    float64, in LANES running sums added in order at the end (see LANES). x and y: contiguous
    1-D float arrays."""
    arrays = (x,) if y == types.none else (x, y)
    if not all(isinstance(a, types.Array) and a.ndim == 1 and a.layout == "C"
               and isinstance(a.dtype, types.Float) for a in arrays):
        return None

    def codegen(context, builder, signature, args):
        return _lane_sums_ir(context, builder, arrays, args[:len(arrays)], args[2], args[3])

    return types.float64(x, y, types.int64, types.int64), codegen


@kernel(float64_accumulator=True)
def row_sum(x, start, n):
    """Σ x[start + j] for j < n in float64, in the order of LANES. The float64 result rounds to
    the same float32 as the sequential sum but for a tie."""
    full = n - n % LANES
    total = lane_sums(x, None, start, full // LANES)
    base = np.uint64(start)
    for j in range(full, n):
        total += x[base + np.uint64(j)]
    return total


@kernel(float64_accumulator=True)
def row_dot(x, y, start, n):
    """Σ x[start + j] y[start + j] in float64 (each product exact), in the order of LANES."""
    full = n - n % LANES
    total = lane_sums(x, y, start, full // LANES)
    base = np.uint64(start)
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
        for o in range(outer):
            m = row_max(flat_x, o * n, n)
            exp_block(flat_x, o * n, t(1), m, n, flat_out, o * n)
            scale = one / t(row_sum(flat_out, o * n, n))
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
        for o in range(outer):
            d = t(row_dot(flat_g, flat_y, o * n, n))
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
        for o in range(outer):
            m = row_max(flat_x, o * n, n)
            exp_block(flat_x, o * n, t(1), m, n, flat_out, o * n)
            shift = m + t(np.log(row_sum(flat_out, o * n, n)))
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
        for o in range(outer):
            total = t(row_sum(flat_g, o * n, n))
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
    input runs on the cores in blocks of whole ``outer`` rows (on Numba's threads through
    ``parallel_rows``, else through ``threads.by_rows``), with the same bits as on one."""
    shape = arrays[0].shape
    # one axis: a reshape (of a contiguous copy), read-only (see read_only)
    views = [read_only(to_3d(a, (axis,))) for a in arrays]
    out = np.empty(shape, dtype=arrays[0].dtype)
    out3 = out.reshape(views[0].shape)
    if out3.size >= threads.NUMBA_PARALLEL_ELEMENTS and out.dtype == np.float32 \
            and kernel_function.__name__ in PARALLEL_ROWS and threads.numba_parallel():
        cuts = threads.pieces(out3.shape[0], out3.size, numba=True)
        if len(cuts) == 1:
            kernel_function(*views, out3)
        else:
            code = PARALLEL_ROWS.index(kernel_function.__name__)
            g, y = views if len(views) == 2 else views * 2  # a forward: x as both
            threads.run_parallel(parallel_rows, code, g, y, out3, grain=cuts[0][1])
        return out
    threads.by_rows(kernel_function, *views, out3, rows=tuple(range(len(views) + 1)))
    return out


PARALLEL_ROWS = ("softmax_3d", "log_softmax_3d", "softmax_grad_3d", "log_softmax_grad_3d")
"""The kernels of ``parallel_rows``, by code."""


# The parallel form of the softmax family (see threads.py): a prange loop over pieces of
# ``grain`` rows, each one call of the kernel numbered ``code`` (a forward takes ``(x, out)``
# and gets ``g`` as ``y`` too, a gradient ``(g, y, out)``). Its kernels sum in float64.
@kernel(parallel=True, float64_accumulator=True)
def parallel_rows(code, g, y, out, grain):
    n = out.shape[0]
    for piece in prange((n + grain - 1) // grain):
        a, b = piece * grain, min(piece * grain + grain, n)
        if code == 0:
            softmax_3d(y[a:b], out[a:b])
        elif code == 1:
            log_softmax_3d(y[a:b], out[a:b])
        elif code == 2:
            softmax_grad_3d(g[a:b], y[a:b], out[a:b])
        elif code == 3:
            log_softmax_grad_3d(g[a:b], y[a:b], out[a:b])


def IR_EXAMPLES():  # noqa: N802 - the hook tests/test_kernels.py reads
    """Float32 arguments for the row helpers of the softmax family (not ``_3d`` kernels)."""
    x, out = np.ones(4, np.float32), np.empty(4, np.float32)
    one, zero = np.float32(1), np.float32(0)
    return {"exp_block": (x, 0, one, zero, 4, out, 0), "exp_value": (one,), "row_max": (x, 0, 4),
            "exp_reduce": (one,), "exp_poly": (one,),
            "row_sum": (x, 0, 4), "row_dot": (x, x, 0, 4),
            "chunk_sums": (x, np.empty(1)),
            "parallel_rows": (0, read_only(x.reshape(1, 4, 1)), read_only(x.reshape(1, 4, 1)),
                              out.reshape(1, 4, 1), 1)}  # read-only inputs, as along_axis
