"""Convolution as matrix products: im2col, one GEMM per group, and col2im for the way back.

A convolution is a matrix product once every receptive field is copied out as one row: with
``cols`` of shape (output pixels, k_d·k_h·k_w·C_in) and the kernel seen as a matrix
(k_d·k_h·k_w·C_in, C_out), the output is ``cols @ kernel``. Its two gradients are the two other
products of the same factors: ``cols.T @ g`` for the kernel, and ``g @ kernel.T`` for the
columns, which ``col2im`` (the adjoint of ``im2col``) adds back onto the input pixels they
came from. The GEMMs run in BLAS; the two gathers are the Numba kernels here.

The rows are built for a few images at a time (``CHUNK_ELEMENTS`` bounds the buffer), so the
column matrix stays in cache between the gather and the GEMM, and memory does not grow with the
batch. Measured on the project machine (2 cores), this beats one batch-sized column matrix by
about 1.5x, and the direct Numba loops of ENGINE_NOTES 2.3 by 1.4x (backward) to 4x (forward).

When there are several chunks, two threads take them in turn (``threads.deal``: the calling
thread and a helper, whichever is free takes the next chunk), each running gather and GEMM with
single-threaded BLAS: the gathers then use both cores as well, which made a training step
1.2-1.35x faster here. Every chunk writes only its own output
rows, its own images of the input gradient, or its own partial kernel gradient, and the
partials are added in batch order; the chunk size depends only on the shapes. So the results
are the same, bit for bit, on every run, with one thread or two, whichever thread took which
chunk, and whatever the number of BLAS threads (BLAS computes each output element in one thread).

Every kernel sees the 5-D channels-last layout of ``spatial.py``: x (N, D, H, W, C) and kernel
(KD, KH, KW, C_in // groups, C_out). With ``groups`` > 1 the columns are ordered (group, kd, kh,
kw, channel), so each group's block is a contiguous range of columns.
"""

import numpy as np

from nbkeras.kernels import threads
from nbkeras.kernels._jit import kernel
from nbkeras.kernels.spatial import as_volume, as_volume_kernel, volume_tuple

# the dealer and the thread count live in threads.py (conv.THREADS sizes Winograd's scratch)
from nbkeras.kernels.threads import THREADS, deal  # noqa: F401

CHUNK_ELEMENTS = 1 << 20
"""Most elements in one chunk of the column matrix (4 MiB of float32: it stays in L2/L3)."""

MIN_CHUNKS = 8
"""A batch is cut into at least this many chunks when they hold ``MIN_CHUNK_ELEMENTS`` each:
a convolution with few channels (the first layer of an image model) fits one chunk, which
left one core idle and BLAS multi-threaded on a matrix a few columns wide."""

MIN_CHUNK_ELEMENTS = 1 << 15
"""Fewest elements (128 KiB of float32) in a chunk cut smaller for ``MIN_CHUNKS``."""

@kernel
def im2col(x, cols, first, out_size, kernel_size, strides, dilations, pads_before, groups):
    """Copy the receptive fields of images ``first, first + 1, ...`` into the rows of ``cols``.

    x (N, D, H, W, C); cols (images · OD·OH·OW, groups · KD·KH·KW · C // groups); row r is one
    output pixel, its columns the input values under the kernel, zero where the kernel hangs
    over the border (the padding).
    """
    _, depth, height, width, channels = x.shape
    out_d, out_h, out_w = out_size
    k_d, k_h, k_w = kernel_size
    per_group = channels // groups
    zero = x.dtype.type(0)
    images = cols.shape[0] // (out_d * out_h * out_w)
    r = 0
    for n in range(first, first + images):
        for od in range(out_d):
            for oh in range(out_h):
                for ow in range(out_w):
                    col = 0
                    for g in range(groups):
                        c0 = g * per_group
                        for kd in range(k_d):
                            d = od * strides[0] + kd * dilations[0] - pads_before[0]
                            for kh in range(k_h):
                                h = oh * strides[1] + kh * dilations[1] - pads_before[1]
                                for kw in range(k_w):
                                    w = ow * strides[2] + kw * dilations[2] - pads_before[2]
                                    if 0 <= d < depth and 0 <= h < height and 0 <= w < width:
                                        for c in range(per_group):
                                            cols[r, col + c] = x[n, d, h, w, c0 + c]
                                    else:
                                        for c in range(per_group):
                                            cols[r, col + c] = zero
                                    col += per_group
                    r += 1


# col2im is the adjoint of im2col: every input pixel receives the sum of the column entries
# that were copied from it (padding positions receive nothing).
@kernel
def col2im(cols, dx, first, out_size, kernel_size, strides, dilations, pads_before, groups):
    """Add the rows of ``cols`` back onto images ``first, first + 1, ...`` of ``dx``."""
    _, depth, height, width, channels = dx.shape
    out_d, out_h, out_w = out_size
    k_d, k_h, k_w = kernel_size
    per_group = channels // groups
    images = cols.shape[0] // (out_d * out_h * out_w)
    r = 0
    for n in range(first, first + images):
        for od in range(out_d):
            for oh in range(out_h):
                for ow in range(out_w):
                    col = 0
                    for g in range(groups):
                        c0 = g * per_group
                        for kd in range(k_d):
                            d = od * strides[0] + kd * dilations[0] - pads_before[0]
                            for kh in range(k_h):
                                h = oh * strides[1] + kh * dilations[1] - pads_before[1]
                                for kw in range(k_w):
                                    w = ow * strides[2] + kw * dilations[2] - pads_before[2]
                                    if 0 <= d < depth and 0 <= h < height and 0 <= w < width:
                                        for c in range(per_group):
                                            dx[n, d, h, w, c0 + c] += cols[r, col + c]
                                    col += per_group
                    r += 1


# A convolution with few input values per output (the first layer of an image model: 3 x 3 x 1
# or 3 x 3 x 3) makes a column matrix a few columns wide: copying it out costs more than the
# product, and BLAS is slow on so thin a matrix. Below DIRECT_WIDTH the output and the kernel
# gradient are computed in place instead, each output row the sum of the kernel rows weighted
# by the input values under the window, the loop over output channels innermost (contiguous,
# in SIMD registers). The sums run over the same (kd, kh, kw, c) order as the GEMM's.

DIRECT_WIDTH = 16
"""Largest k_d·k_h·k_w·C_in (one group) computed without a column matrix. Measured on the
benchmark CNN's first layer (3 x 3 x 1 -> 32, batch 64, 28 x 28): forward 2.5 ms against 7.8 ms
for im2col and BLAS, kernel gradient 3.0 against 8.1; but 3 x 3 x 3 (27) ran 1.1-1.6x slower
than im2col."""


@kernel
def direct_conv(x, w2, y, first, out_size, kernel_size, strides, dilations, pads_before):
    """Rows of y (images first, first + 1, ... · out pixels, C_out) = the convolution of those
    images of x (N, D, H, W, C) with w2 (k_d·k_h·k_w·C, C_out); y's rows arrive uninitialised."""
    _, depth, height, width, channels = x.shape
    out_d, out_h, out_w = out_size
    k_d, k_h, k_w = kernel_size
    filters = w2.shape[1]
    zero = x.dtype.type(0)
    images = y.shape[0] // (out_d * out_h * out_w)
    r = 0
    for n in range(first, first + images):
        for od in range(out_d):
            for oh in range(out_h):
                for ow in range(out_w):
                    row = y[r]
                    for f in range(filters):
                        row[f] = zero
                    k = 0
                    for kd in range(k_d):
                        d = od * strides[0] + kd * dilations[0] - pads_before[0]
                        for kh in range(k_h):
                            h = oh * strides[1] + kh * dilations[1] - pads_before[1]
                            for kw in range(k_w):
                                w = ow * strides[2] + kw * dilations[2] - pads_before[2]
                                if 0 <= d < depth and 0 <= h < height and 0 <= w < width:
                                    for c in range(channels):
                                        value = x[n, d, h, w, c]
                                        tap = w2[k + c]
                                        for f in range(filters):
                                            row[f] += value * tap[f]
                                k += channels
                    r += 1


@kernel
def direct_kernel_grad(x, g, partial, first, out_size, kernel_size, strides, dilations,
                       pads_before):
    """partial (k_d·k_h·k_w·C, C_out) = Σ over the output pixels of images first, first + 1,
    ... (the rows of g) of the input values under the window times that pixel's cotangent."""
    _, depth, height, width, channels = x.shape
    out_d, out_h, out_w = out_size
    k_d, k_h, k_w = kernel_size
    filters = g.shape[1]
    partial[:, :] = x.dtype.type(0)
    images = g.shape[0] // (out_d * out_h * out_w)
    r = 0
    for n in range(first, first + images):
        for od in range(out_d):
            for oh in range(out_h):
                for ow in range(out_w):
                    cotangent = g[r]
                    k = 0
                    for kd in range(k_d):
                        d = od * strides[0] + kd * dilations[0] - pads_before[0]
                        for kh in range(k_h):
                            h = oh * strides[1] + kh * dilations[1] - pads_before[1]
                            for kw in range(k_w):
                                w = ow * strides[2] + kw * dilations[2] - pads_before[2]
                                if 0 <= d < depth and 0 <= h < height and 0 <= w < width:
                                    for c in range(channels):
                                        value = x[n, d, h, w, c]
                                        tap = partial[k + c]
                                        for f in range(filters):
                                            tap[f] += value * cotangent[f]
                                k += channels
                    r += 1


class _Plan:
    """The 5-D geometry of one convolution and its chunking.

    ``input_shape`` is (N, *spatial, C_in), ``kernel_shape`` (*kernel_size, C_in // groups,
    C_out), ``pads`` one (before, after) pair per spatial axis.
    """

    def __init__(self, input_shape, kernel_shape, strides, dilations, pads, groups, dtype):
        rank = len(input_shape) - 2
        self.input_shape = tuple(input_shape)
        self.kernel_shape = tuple(kernel_shape)
        self.groups = groups
        self.dtype = dtype
        self.output_shape = output_shape(input_shape, kernel_shape, strides, dilations, pads)
        out = self.output_shape[1:-1]
        # the kernel's arguments, in the 5-D layout
        self.args = (
            volume_tuple(out, 1),
            volume_tuple(self.kernel_shape[:rank], 1),
            volume_tuple(strides, 1),
            volume_tuple(dilations, 1),
            volume_tuple([p[0] for p in pads], 0),
            groups,
        )
        self.batch = self.input_shape[0]
        self.rows_per_image = int(np.prod(out, dtype=np.int64))
        self.group_width = int(np.prod(self.kernel_shape[:-1], dtype=np.int64))  # KK · C_in/g
        self.group_filters = self.kernel_shape[-1] // groups
        width = self.group_width * groups
        per_image = max(1, self.rows_per_image * width)
        # as many images as fit in CHUNK_ELEMENTS, but at least MIN_CHUNKS chunks where each
        # still holds MIN_CHUNK_ELEMENTS: both threads then get work (sizes depend on the
        # shapes only, never on the thread count)
        self.images_per_chunk = max(1, min(
            self.batch, CHUNK_ELEMENTS // per_image,
            max(-(-self.batch // MIN_CHUNKS), MIN_CHUNK_ELEMENTS // per_image)))
        self.width = width
        self.direct = groups == 1 and width <= DIRECT_WIDTH
        self.buffers = {}

    def chunks(self):
        """(first image, slice of output rows) for each chunk, in batch order."""
        return [
            (first, slice(first * self.rows_per_image,
                          min(first + self.images_per_chunk, self.batch) * self.rows_per_image))
            for first in range(0, self.batch, self.images_per_chunk)
        ]

    def columns(self, thread, rows):
        """Thread ``thread``'s column buffer, cut to the chunk's ``rows``."""
        if thread not in self.buffers:
            shape = (self.images_per_chunk * self.rows_per_image, self.width)
            self.buffers[thread] = np.empty(shape, self.dtype)
        return self.buffers[thread][: rows.stop - rows.start]

    def group_blocks(self, cols, kernel_matrix, out_matrix):
        """Per group: its columns of ``cols``, its kernel block and its output columns."""
        gw, gf = self.group_width, self.group_filters
        for g in range(self.groups):
            yield (cols[:, g * gw:(g + 1) * gw], kernel_matrix[:, g * gf:(g + 1) * gf],
                   out_matrix[:, g * gf:(g + 1) * gf])


def _for_each_chunk(plan, work, columns=True):
    """Call ``work(index, first, cols, rows)`` for every chunk of ``plan``, each chunk on
    whichever thread takes it (``threads.deal``), with that thread's column buffer (None without
    ``columns``). The Numba kernels
    release the GIL (``nogil``), and so does BLAS."""
    chunks = plan.chunks()  # none for an empty batch
    if chunks and columns:
        for thread in range(threads.THREADS if len(chunks) > 1 else 1):  # allocate them here
            plan.columns(thread, chunks[0][1])

    def run(index, thread):
        first, rows = chunks[index]
        work(index, first, plan.columns(thread, rows) if columns else None, rows)

    deal([[index] for index in range(len(chunks))], run)


def conv(x, w, strides, dilations, pads, groups):
    """The cross-correlation of x (N, *spatial, C_in) with w (*kernel_size, C_in // groups,
    C_out): output (N, *out_spatial, C_out), same dtype."""
    plan = _Plan(x.shape, w.shape, strides, dilations, pads, groups, x.dtype)
    x5 = as_volume(x)
    w2 = as_volume_kernel(w).reshape(plan.group_width, -1)
    y = np.empty((plan.batch * plan.rows_per_image, w.shape[-1]), x.dtype)

    def work(index, first, cols, rows):
        if plan.direct:
            direct_conv(x5, w2, y[rows], first, *plan.args[:-1])
            return
        im2col(x5, cols, first, *plan.args)
        for cols_g, w_g, y_g in plan.group_blocks(cols, w2, y[rows]):
            np.matmul(cols_g, w_g, out=y_g)

    _for_each_chunk(plan, work, columns=not plan.direct)
    return y.reshape(plan.output_shape)


# d/dx: the columns' cotangent is g @ w.T; col2im adds each entry back onto its input pixel.
def conv_input_grad(g, w, input_shape, strides, dilations, pads, groups):
    """The gradient of ``conv`` with respect to its input, of shape ``input_shape``, for the
    output cotangent g (N, *out_spatial, C_out). It is also the transposed convolution of g."""
    plan = _Plan(input_shape, w.shape, strides, dilations, pads, groups, g.dtype)
    if plan.output_shape != g.shape:
        raise ValueError(f"conv_input_grad: g has shape {g.shape}, expected {plan.output_shape}")
    dx = np.zeros(input_shape, g.dtype)
    dx5 = as_volume(dx)  # a view: col2im accumulates into dx itself
    w2 = as_volume_kernel(w).reshape(plan.group_width, -1)
    g2 = np.ascontiguousarray(g).reshape(-1, w.shape[-1])

    def work(index, first, cols, rows):  # each chunk adds into its own images of dx only
        for cols_g, w_g, g_g in plan.group_blocks(cols, w2, g2[rows]):
            np.matmul(g_g, w_g.T, out=cols_g)
        col2im(cols, dx5, first, *plan.args)

    _for_each_chunk(plan, work)
    return dx


# d/dw: cols.T @ g, one partial per chunk, added in batch order (a fixed order: deterministic).
def conv_kernel_grad(x, g, kernel_shape, strides, dilations, pads, groups):
    """The gradient of ``conv`` with respect to its kernel (shape ``kernel_shape``)."""
    plan = _Plan(x.shape, kernel_shape, strides, dilations, pads, groups, x.dtype)
    x5 = as_volume(x)
    g2 = np.ascontiguousarray(g).reshape(-1, kernel_shape[-1])
    partials = np.empty((len(plan.chunks()), plan.group_width, kernel_shape[-1]), x.dtype)

    def work(index, first, cols, rows):
        if plan.direct:
            direct_kernel_grad(x5, g2[rows], partials[index], first, *plan.args[:-1])
            return
        im2col(x5, cols, first, *plan.args)
        for cols_g, g_g, partial_g in plan.group_blocks(cols, g2[rows], partials[index]):
            np.matmul(cols_g.T, g_g, out=partial_g)

    _for_each_chunk(plan, work, columns=not plan.direct)
    dw = partials[0].copy() if len(partials) else np.zeros(partials.shape[1:], x.dtype)
    for partial in partials[1:]:
        dw += partial
    return dw.reshape(kernel_shape)


def output_shape(input_shape, kernel_shape, strides, dilations, pads):
    """The shape ``conv`` returns for these shapes and this geometry (no computation)."""
    rank = len(input_shape) - 2
    out = [
        (n + before + after - d * (k - 1) - 1) // s + 1
        for n, k, s, d, (before, after) in zip(
            input_shape[1:-1], kernel_shape[:rank], strides, dilations, pads, strict=True
        )
    ]
    return tuple(input_shape[:1]) + tuple(out) + tuple(kernel_shape[-1:])


def _examples():
    x = np.ones((1, 2, 3, 3, 2), np.float32)
    cols = np.empty((4, 16), np.float32)
    geometry = ((1, 2, 2), (2, 2, 2), (1, 1, 1), (1, 1, 1), (0, 0, 0), 1)
    y, w2 = np.empty((4, 3), np.float32), np.ones((16, 3), np.float32)
    return {"im2col": (x, cols, 0, *geometry), "col2im": (cols, x, 0, *geometry),
            "direct_conv": (x, w2, y, 0, *geometry[:-1]),
            "direct_kernel_grad": (x, y, w2, 0, *geometry[:-1])}


def float32_example_arguments(kernel_function):
    """Float32 arguments to compile ``kernel_function`` (tests read every kernel's machine
    code)."""
    return _examples()[kernel_function.py_func.__name__]
