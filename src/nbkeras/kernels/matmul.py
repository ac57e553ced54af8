"""Matrix multiplication: GEMMs in NumPy's BLAS, transposes passed as flags.

Hand-written loops reach a quarter of BLAS' speed at best (ENGINE_NOTES 2.2), so every product
goes to ``sgemm``/``dgemm`` through ``np.matmul``. A transposed operand (the backward pass' B^T
and A^T) is a view: NumPy hands BLAS its memory with the "transposed" flag, so no transposed
copy is ever made. Small products run on one BLAS thread (``blas.py``).
"""

import math

import numpy as np

from nbkeras.kernels import blas


def _operand(x):
    """``x`` as BLAS can read it: C-contiguous, or the transpose of a C-contiguous matrix (in its
    last two axes); anything else (a slice with a step, a broadcast) is copied."""
    if x.flags.c_contiguous or (x.ndim == 2 and x.flags.f_contiguous):
        return x
    swapped = np.swapaxes(x, -1, -2)
    if swapped.flags.c_contiguous:
        return x
    return np.ascontiguousarray(x)


def matmul(a, b):
    """``a @ b`` for ``a`` of shape (..., m, k) and ``b`` (..., k, n), batch dims broadcast."""
    m, k = a.shape[-2:]
    n = b.shape[-1]
    a, b = _operand(a), _operand(b)
    if a.ndim == 2 and b.ndim == 2:  # the common case, without the bookkeeping below
        with blas.threads_for(m * k * n):
            return np.matmul(a, b)
    if b.ndim == 2 and a.flags.c_contiguous:
        # Fold every batch dim of ``a`` into its rows: one big GEMM instead of many small ones.
        rows = a.reshape(-1, k)
        with blas.threads_for(rows.shape[0] * k * n):
            return np.matmul(rows, b).reshape(a.shape[:-1] + (n,))
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    with blas.threads_for(math.prod(batch) * m * k * n):
        return np.matmul(a, b)
