"""Winograd's F(2x2, 3x3): a 3x3 convolution with stride 1 in 2.25x fewer multiplications.

Cut the output into 2x2 tiles. Tile t needs a 4x4 patch d of the input, and for one input and
one output channel the tile is

    y = A^T [ (G g G^T) ⊙ (B^T d B) ] A,

with g the 3x3 kernel, ⊙ the element-wise product and the constant matrices

    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]],
    G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]],
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]].

The 16 products of a tile replace the 36 multiply-adds of the direct formula. Summed over input
channels, each of the 16 positions p of the 4x4 grid is a matrix product:
M[p] = V[p] @ U[p], with V[p] (tiles, C_in) the transformed input and U[p] (C_in, C_out) the
transformed kernel. So the work is 16 BLAS GEMMs plus cheap transforms made of additions only.

The backward pass is the adjoint of each step, read right to left (chapter 9 derives it):

- the cotangent of M is A ȳ A^T per tile (``winograd_cotangent``);
- V̄[p] = M̄[p] @ U[p]^T, and the input gradient adds B V̄ B^T of each tile back onto the 4x4
  patch it came from (``winograd_input_grad``; neighbouring patches overlap);
- Ū[p] = V[p]^T @ M̄[p] summed over tiles, and the kernel gradient is G^T Ū G.

Nothing here is an approximation: in exact arithmetic these are the same sums as the direct
convolution, in another order. In float32 the rounding differs in the last bits; measured
against a float64 result, the error is of the same order as im2col's: smaller for the output,
up to about 2x larger for the input gradient (see tests/test_winograd.py).

Work is cut into units of whole images, or of tile rows of one image when an image alone is
larger than ``TILE_ELEMENTS``, and the units into ``LANES`` lanes, which the convolution threads
of ``conv.py`` take (``threads.deal``). The units of one lane run one at a time, in order; all
units of one image share a lane (their input-gradient patches overlap). The kernel gradient is
summed in one running sum per lane, and the lanes are added at the end, so results are
bit-identical with one thread or two, whichever thread ran which lane.

Each transformed tile is one row of a buffer (tiles, 16 · C + padding): the transforms read and
write whole rows, and BLAS sees the 16 positions as 16 matrices with that row stride. The
padding (``row_padding``) keeps rows from sitting a multiple of 4 KiB apart, where the 16
streams would fight over the same cache sets (measured: 3-8x slower transforms without it).
"""

import numpy as np

from nbkeras.kernels import conv, threads
from nbkeras.kernels._jit import kernel

TILE_ELEMENTS = 1 << 18
"""Most elements (16 · tiles · channels) of one unit's transformed tiles: 1 MiB of float32,
so a unit's buffers stay in L2 between the transform and the GEMMs."""


LANES = 4
"""Running sums of the kernel gradient (a fixed number, so that the result does not depend on
the number of threads). More lanes than threads let a thread that starts late still find a
lane of work to take."""

MIN_CHANNELS = 8
"""Winograd is used when both channel counts reach this: with fewer, its GEMMs (inner dimension
C_in) are too thin for BLAS and im2col (inner dimension 9 · C_in) is faster."""

MAX_CHANNEL_PRODUCT = 96 * 128
"""... and when C_in · C_out is at most this. Measured on the project's 2-core Xeon VM (2 MiB
L2 per core; forward + both gradients, against im2col): 32 -> 64 0.6-0.7x the time, 64 -> 128,
128 -> 64 and 96 -> 96 0.65-0.8x, but 128 -> 128 1.2-1.3x and 256 -> 256 1.8x. With the 16
transformed kernels past 1 MiB, a thread's kernels and tile buffers no longer fit its 2 MiB L2
cache, and the small GEMMs stop gaining from the second core."""


def row_padding(channels, itemsize):
    """Spare elements at the end of a transformed tile row of 16 · ``channels`` elements: at
    least 16, and never leaving the row a multiple of 4 KiB long (cache-set conflicts)."""
    padding = 16
    while (16 * channels + padding) * itemsize % 4096 == 0:
        padding += 16
    return padding


def applies(x_shape, kernel_shape, strides, dilations, groups):
    """Whether the convolution of these shapes takes the Winograd path: 2-D, a 3x3 kernel,
    stride 1, no dilation, one group, at least ``MIN_CHANNELS`` channels each way and at most
    ``MAX_CHANNEL_PRODUCT`` channel pairs."""
    c_in, c_out = kernel_shape[-2:]
    return (len(x_shape) == 4 and tuple(kernel_shape[:2]) == (3, 3)
            and tuple(strides) == (1, 1) and tuple(dilations) == (1, 1) and groups == 1
            and min(c_in, c_out) >= MIN_CHANNELS and c_in * c_out <= MAX_CHANNEL_PRODUCT)


# -- the tile transforms (Numba) -----------------------------------------------------------------
# The four 1-D steps, each applied to the rows of a 4x4 (or 2x2) tile and then to its columns.

@kernel
def _bt(d0, d1, d2, d3):
    """B^T times a column (d0, d1, d2, d3)."""
    return d0 - d2, d1 + d2, d2 - d1, d1 - d3


@kernel
def _b(e0, e1, e2, e3):
    """B times a column (the adjoint of ``_bt``)."""
    return e0, e1 - e2 + e3, e1 + e2 - e0, -e3


@kernel
def _at(m0, m1, m2, m3):
    """A^T times a column of four products: two outputs."""
    return m0 + m1 + m2, m1 - m2 - m3


@kernel
def _a(y0, y1):
    """A times a column of two cotangents (the adjoint of ``_at``)."""
    return y0, y0 + y1, y0 - y1, -y1


@kernel
def _transform_patch(src, n, h0, w0, v, t):
    """Row t of v = B^T d B for the 4x4 patch d = src[n, h0:h0 + 4, w0:w0 + 4], channel by
    channel; position p = 4 i + j of the 4x4 result goes to columns p · C + c."""
    channels = src.shape[3]
    for c in range(channels):
        # B^T d, one column of the patch at a time: column j gives entries (0..3, j)
        a0, b0, e0, f0 = _bt(src[n, h0, w0, c], src[n, h0 + 1, w0, c],
                             src[n, h0 + 2, w0, c], src[n, h0 + 3, w0, c])
        a1, b1, e1, f1 = _bt(src[n, h0, w0 + 1, c], src[n, h0 + 1, w0 + 1, c],
                             src[n, h0 + 2, w0 + 1, c], src[n, h0 + 3, w0 + 1, c])
        a2, b2, e2, f2 = _bt(src[n, h0, w0 + 2, c], src[n, h0 + 1, w0 + 2, c],
                             src[n, h0 + 2, w0 + 2, c], src[n, h0 + 3, w0 + 2, c])
        a3, b3, e3, f3 = _bt(src[n, h0, w0 + 3, c], src[n, h0 + 1, w0 + 3, c],
                             src[n, h0 + 2, w0 + 3, c], src[n, h0 + 3, w0 + 3, c])
        # (B^T d) B, one row at a time
        for i, (r0, r1, r2, r3) in enumerate(((a0, a1, a2, a3), (b0, b1, b2, b3),
                                              (e0, e1, e2, e3), (f0, f1, f2, f3))):
            q0, q1, q2, q3 = _bt(r0, r1, r2, r3)
            v[t, 4 * i * channels + c] = q0
            v[t, (4 * i + 1) * channels + c] = q1
            v[t, (4 * i + 2) * channels + c] = q2
            v[t, (4 * i + 3) * channels + c] = q3


@kernel
def winograd_input(x, v, patch, first, images, row0, rows, tiles_w, pad_top, pad_left):
    """Transform the input patches of the unit's tiles into the rows of v.

    x (N, H, W, C); v (tiles, ≥ 16 C); the unit is images first..first + images - 1, tile rows
    row0..row0 + rows - 1. Tile (ty, tx) reads x[2 ty - pad_top + i, 2 tx - pad_left + j] for
    i, j < 4, zero outside the image; such border tiles are copied to ``patch`` (1, 4, 4, C)
    first, so the transform itself never tests bounds.
    """
    _, height, width, channels = x.shape
    zero = x.dtype.type(0)
    t = 0
    for n in range(first, first + images):
        for ty in range(row0, row0 + rows):
            h0 = 2 * ty - pad_top
            for tx in range(tiles_w):
                w0 = 2 * tx - pad_left
                if h0 >= 0 and w0 >= 0 and h0 + 4 <= height and w0 + 4 <= width:
                    _transform_patch(x, n, h0, w0, v, t)
                else:
                    for i in range(4):
                        for j in range(4):
                            h, w = h0 + i, w0 + j
                            if 0 <= h < height and 0 <= w < width:
                                for c in range(channels):
                                    patch[0, i, j, c] = x[n, h, w, c]
                            else:
                                for c in range(channels):
                                    patch[0, i, j, c] = zero
                    _transform_patch(patch, 0, 0, 0, v, t)
                t += 1


@kernel
def winograd_output(m, bias, y, first, images, row0, rows, tiles_w):
    """Write y's 2x2 output tiles A^T m A + bias from the rows of m (tiles, ≥ 16 C_out); a tile
    that hangs over the bottom or right edge of y (odd output size) keeps only its inside part.
    ``bias`` (C_out,) is added to every pixel, or (0,) for none (the same bits as adding it to
    the finished convolution, without a second pass over y)."""
    _, out_h, out_w, channels = y.shape
    has_bias = bias.shape[0] > 0
    t = 0
    for n in range(first, first + images):
        for ty in range(row0, row0 + rows):
            h = 2 * ty
            for tx in range(tiles_w):
                w = 2 * tx
                right, below = w + 1 < out_w, h + 1 < out_h
                for c in range(channels):
                    # A^T m, column by column: column j gives entries (0, j) and (1, j)
                    s0, d0 = _at(m[t, c], m[t, 4 * channels + c], m[t, 8 * channels + c],
                                 m[t, 12 * channels + c])
                    s1, d1 = _at(m[t, channels + c], m[t, 5 * channels + c],
                                 m[t, 9 * channels + c], m[t, 13 * channels + c])
                    s2, d2 = _at(m[t, 2 * channels + c], m[t, 6 * channels + c],
                                 m[t, 10 * channels + c], m[t, 14 * channels + c])
                    s3, d3 = _at(m[t, 3 * channels + c], m[t, 7 * channels + c],
                                 m[t, 11 * channels + c], m[t, 15 * channels + c])
                    # (A^T m) A, row by row
                    y00, y01 = _at(s0, s1, s2, s3)
                    y10, y11 = _at(d0, d1, d2, d3)
                    if has_bias:
                        b = bias[c]
                        y00, y01, y10, y11 = y00 + b, y01 + b, y10 + b, y11 + b
                    y[n, h, w, c] = y00
                    if right:
                        y[n, h, w + 1, c] = y01
                    if below:
                        y[n, h + 1, w, c] = y10
                        if right:
                            y[n, h + 1, w + 1, c] = y11
                t += 1


# The adjoint of winograd_output: the cotangent of a tile's 16 products is A ȳ A^T, with ȳ the
# tile's 2x2 output cotangent (zero where the tile hangs over the edge).
@kernel
def winograd_cotangent(g, mg, first, images, row0, rows, tiles_w):
    """Rows of mg (tiles, ≥ 16 C_out) = A ȳ A^T for the unit's 2x2 tiles of g (N, OH, OW, C)."""
    _, out_h, out_w, channels = g.shape
    zero = g.dtype.type(0)
    t = 0
    for n in range(first, first + images):
        for ty in range(row0, row0 + rows):
            h = 2 * ty
            # a tile hanging over the bottom or right edge (odd output size) reads from its own
            # row or column instead, and the missing entries are set to zero below
            below = min(h + 1, out_h - 1)
            for tx in range(tiles_w):
                w = 2 * tx
                right = min(w + 1, out_w - 1)
                whole_w, whole_h = w + 1 < out_w, h + 1 < out_h
                for c in range(channels):
                    g00, g01 = g[n, h, w, c], g[n, h, right, c]
                    g10, g11 = g[n, below, w, c], g[n, below, right, c]
                    if not whole_w:
                        g01, g11 = zero, zero
                    if not whole_h:
                        g10, g11 = zero, zero
                    # A ȳ, column by column: column j gives entries (0..3, j)
                    a0, b0, e0, f0 = _a(g00, g10)
                    a1, b1, e1, f1 = _a(g01, g11)
                    # (A ȳ) A^T, row by row
                    q0, q1, q2, q3 = _a(a0, a1)
                    mg[t, c], mg[t, channels + c] = q0, q1
                    mg[t, 2 * channels + c], mg[t, 3 * channels + c] = q2, q3
                    q0, q1, q2, q3 = _a(b0, b1)
                    mg[t, 4 * channels + c], mg[t, 5 * channels + c] = q0, q1
                    mg[t, 6 * channels + c], mg[t, 7 * channels + c] = q2, q3
                    q0, q1, q2, q3 = _a(e0, e1)
                    mg[t, 8 * channels + c], mg[t, 9 * channels + c] = q0, q1
                    mg[t, 10 * channels + c], mg[t, 11 * channels + c] = q2, q3
                    q0, q1, q2, q3 = _a(f0, f1)
                    mg[t, 12 * channels + c], mg[t, 13 * channels + c] = q0, q1
                    mg[t, 14 * channels + c], mg[t, 15 * channels + c] = q2, q3
                t += 1


# The adjoint of winograd_input: each tile's V̄ goes back through B V̄ B^T onto its 4x4 patch.
# Neighbouring patches overlap by two rows or columns, so the tiles add into dx one by one.
@kernel
def winograd_input_grad(vg, dx, first, images, row0, rows, tiles_w, pad_top, pad_left):
    """Add B V̄ B^T of every row of vg (tiles, ≥ 16 C) onto the unit's patches of dx (N, H, W,
    C); the parts of a patch outside dx (the padding) are dropped."""
    _, height, width, channels = dx.shape
    t = 0
    for n in range(first, first + images):
        for ty in range(row0, row0 + rows):
            h0 = 2 * ty - pad_top
            for tx in range(tiles_w):
                w0 = 2 * tx - pad_left
                inside = h0 >= 0 and w0 >= 0 and h0 + 4 <= height and w0 + 4 <= width
                for c in range(channels):
                    # B V̄, column by column
                    a0, b0, e0, f0 = _b(vg[t, c], vg[t, 4 * channels + c],
                                        vg[t, 8 * channels + c], vg[t, 12 * channels + c])
                    a1, b1, e1, f1 = _b(vg[t, channels + c], vg[t, 5 * channels + c],
                                        vg[t, 9 * channels + c], vg[t, 13 * channels + c])
                    a2, b2, e2, f2 = _b(vg[t, 2 * channels + c], vg[t, 6 * channels + c],
                                        vg[t, 10 * channels + c], vg[t, 14 * channels + c])
                    a3, b3, e3, f3 = _b(vg[t, 3 * channels + c], vg[t, 7 * channels + c],
                                        vg[t, 11 * channels + c], vg[t, 15 * channels + c])
                    # (B V̄) B^T row by row, added onto the patch
                    for i, (r0, r1, r2, r3) in enumerate(((a0, a1, a2, a3), (b0, b1, b2, b3),
                                                          (e0, e1, e2, e3), (f0, f1, f2, f3))):
                        q0, q1, q2, q3 = _b(r0, r1, r2, r3)
                        h = h0 + i
                        if inside:
                            dx[n, h, w0, c] += q0
                            dx[n, h, w0 + 1, c] += q1
                            dx[n, h, w0 + 2, c] += q2
                            dx[n, h, w0 + 3, c] += q3
                        elif 0 <= h < height:
                            for j, q in enumerate((q0, q1, q2, q3)):
                                if 0 <= w0 + j < width:
                                    dx[n, h, w0 + j, c] += q
                t += 1


# -- the kernel transforms (16 x C_in x C_out numbers: NumPy) ------------------------------------

def _g(dtype):
    return np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype)


def transform_kernel(w):
    """U = G w G^T per channel pair: (3, 3, C_in, C_out) -> (16, C_in, C_out)."""
    g = _g(w.dtype)
    gw = np.tensordot(g, w, axes=(1, 0))  # (4, 3, C_in, C_out): G w
    u = np.tensordot(gw, g, axes=(1, 1))  # (4, C_in, C_out, 4): (G w) G^T, j last
    return np.ascontiguousarray(u.transpose(0, 3, 1, 2)).reshape(16, *w.shape[2:])


def kernel_gradient(u_grad):
    """The kernel gradient G^T Ū G from Ū (16, C_in, C_out): -> (3, 3, C_in, C_out)."""
    g = _g(u_grad.dtype)
    gu = np.tensordot(g, u_grad.reshape(4, 4, *u_grad.shape[1:]), axes=(0, 0))  # (3, 4, ...)
    dw = np.tensordot(gu, g, axes=(1, 0))  # (3, C_in, C_out, 3)
    return np.ascontiguousarray(dw.transpose(0, 3, 1, 2))


# -- the drivers ---------------------------------------------------------------------------------

class _Plan:
    """Tiles, work units and buffers of one Winograd convolution.

    x (N, H, W, C_in), kernel (3, 3, C_in, C_out), pads ((top, bottom), (left, right)).
    """

    def __init__(self, x_shape, kernel_shape, pads, dtype):
        batch, height, width, self.c_in = x_shape
        self.c_out = kernel_shape[-1]
        self.pad_top, self.pad_left = pads[0][0], pads[1][0]
        self.output_shape = (batch, height + sum(pads[0]) - 2, width + sum(pads[1]) - 2,
                             self.c_out)
        tiles_h = -(-self.output_shape[1] // 2)
        self.tiles_w = -(-self.output_shape[2] // 2)
        self.dtype = dtype
        row_elements = 16 * max(self.c_in, self.c_out) * self.tiles_w
        rows = max(1, TILE_ELEMENTS // max(1, row_elements))
        if batch == 0 or tiles_h == 0 or self.tiles_w == 0:  # nothing to compute
            self.units, self.tiles = [], 0
        elif rows >= tiles_h:  # units of whole images: (first, images, row0, rows)
            images = max(1, min(batch, rows // tiles_h))
            self.units = [(first, min(images, batch - first), 0, tiles_h)
                          for first in range(0, batch, images)]
            self.tiles = images * tiles_h * self.tiles_w
        else:  # units of `rows` tile rows of one image
            self.units = [(n, 1, row0, min(rows, tiles_h - row0))
                          for n in range(batch) for row0 in range(0, tiles_h, rows)]
            self.tiles = rows * self.tiles_w
        self.images_per_unit = self.units[0][1] if self.units else 1
        self.buffers = {}

    def lane(self, index):
        """The running sum of the kernel gradient that unit ``index`` adds into. A lane's units
        run one at a time and in order (``threads.deal``), so the sums have the same bits with one
        thread or two; all units of one image share a lane (their input-gradient patches
        overlap)."""
        return (self.units[index][0] // self.images_per_unit) % LANES

    def buffer(self, thread, name, channels):
        """Thread ``thread``'s buffer ``name``: (tiles, 16 · channels + padding), and the same
        memory as 16 stacked (tiles, channels) matrices for BLAS."""
        key = (thread, name)
        if key not in self.buffers:
            width = 16 * channels + row_padding(channels, np.dtype(self.dtype).itemsize)
            rows = np.empty((self.tiles, width), self.dtype)
            item = rows.itemsize
            stacked = np.lib.stride_tricks.as_strided(
                rows, (16, self.tiles, channels), (channels * item, rows.strides[0], item))
            patch = np.empty((1, 4, 4, self.c_in), self.dtype)
            self.buffers[key] = rows, stacked, patch
        return self.buffers[key]

    def run(self, work):
        """Call ``work(index, unit, thread)`` for every unit, the units of each lane in order
        (``threads.deal``: on whichever thread is free; all on this thread, with multi-threaded
        BLAS, when there is one lane)."""
        lanes = [[index for index in range(len(self.units)) if self.lane(index) == lane]
                 for lane in range(LANES)]
        count = threads.THREADS if sum(1 for lane in lanes if lane) > 1 else 1
        for thread in range(count):  # allocate here, not in threads
            self.buffer(thread, "input", self.c_in)
            self.buffer(thread, "output", self.c_out)
        threads.deal(lanes, lambda index, thread: work(index, self.units[index], thread))


def _part(stacked, tiles):
    """The first ``tiles`` rows of each of the 16 stacked matrices (a unit may be short)."""
    return stacked[:, :tiles]


def winograd_conv(x, w, pads, bias=None):
    """The 3x3, stride-1 cross-correlation of x (N, H, W, C_in) with w (3, 3, C_in, C_out) and
    padding ``pads``, plus ``bias`` (C_out,) if given: the same result as ``conv.conv``,
    computed with F(2x2, 3x3)."""
    plan = _Plan(x.shape, w.shape, pads, x.dtype)
    x = np.ascontiguousarray(x)
    u = transform_kernel(w)
    bias = np.zeros(0, x.dtype) if bias is None else np.ascontiguousarray(bias, x.dtype)
    y = np.empty(plan.output_shape, x.dtype)

    def work(index, unit, thread):
        first, images, row0, rows = unit
        tiles = images * rows * plan.tiles_w
        v_rows, v, patch = plan.buffer(thread, "input", plan.c_in)
        m_rows, m, _ = plan.buffer(thread, "output", plan.c_out)
        winograd_input(x, v_rows, patch, first, images, row0, rows, plan.tiles_w,
                       plan.pad_top, plan.pad_left)
        np.matmul(_part(v, tiles), u, out=_part(m, tiles))
        winograd_output(m_rows, bias, y, first, images, row0, rows, plan.tiles_w)

    plan.run(work)
    return y


def winograd_conv_grads(x, w, g, pads, need_input=True, need_kernel=True):
    """The gradients of ``winograd_conv(x, w, pads)`` with respect to x and w for the output
    cotangent g, in one pass over the tiles (None for a gradient not needed)."""
    plan = _Plan(x.shape, w.shape, pads, x.dtype)
    x, g = np.ascontiguousarray(x), np.ascontiguousarray(g)
    u_t = np.ascontiguousarray(transform_kernel(w).transpose(0, 2, 1))  # U[p]^T
    dx = np.zeros(x.shape, x.dtype) if need_input else None
    if need_kernel:  # one running sum of Ū per lane, and a scratch product per thread
        lanes = np.zeros((LANES, 16, plan.c_in, plan.c_out), x.dtype)
        scratch = np.empty((conv.THREADS, 16, plan.c_in, plan.c_out), x.dtype)

    def work(index, unit, thread):
        first, images, row0, rows = unit
        tiles = images * rows * plan.tiles_w
        v_rows, v, patch = plan.buffer(thread, "input", plan.c_in)
        m_rows, m, _ = plan.buffer(thread, "output", plan.c_out)
        winograd_cotangent(g, m_rows, first, images, row0, rows, plan.tiles_w)
        if need_input:  # V̄ = M̄ U^T, then back onto the patches
            np.matmul(_part(m, tiles), u_t, out=_part(v, tiles))
            winograd_input_grad(v_rows, dx, first, images, row0, rows, plan.tiles_w,
                                plan.pad_top, plan.pad_left)
        if need_kernel:  # Ū += V^T M̄ for this unit's tiles (V computed again: cheap, in cache)
            winograd_input(x, v_rows, patch, first, images, row0, rows, plan.tiles_w,
                           plan.pad_top, plan.pad_left)
            np.matmul(_part(v, tiles).transpose(0, 2, 1), _part(m, tiles), out=scratch[thread])
            lanes[plan.lane(index)] += scratch[thread]

    plan.run(work)
    dw = None
    if need_kernel:
        dw = kernel_gradient(lanes.sum(axis=0)).astype(x.dtype, copy=False)
    return dx, dw


def float32_example_arguments(kernel_function):
    """Float32 arguments to compile each kernel (tests read their machine code)."""
    x = np.ones((1, 4, 4, 2), np.float32)
    rows = np.empty((1, 32), np.float32)
    patch = np.empty((1, 4, 4, 2), np.float32)
    y = np.empty((1, 2, 2, 2), np.float32)
    one = np.float32(1)
    return {
        "_bt": (one,) * 4, "_b": (one,) * 4, "_at": (one,) * 4, "_a": (one,) * 2,
        "_transform_patch": (x, 0, 0, 0, rows, 0),
        "winograd_input": (x, rows, patch, 0, 1, 0, 1, 1, 0, 0),
        "winograd_output": (rows, np.ones(2, np.float32), y, 0, 1, 0, 1, 1),
        "winograd_cotangent": (y, rows, 0, 1, 0, 1, 1),
        "winograd_input_grad": (rows, x, 0, 1, 0, 1, 1, 0, 0),
    }[kernel_function.py_func.__name__]
