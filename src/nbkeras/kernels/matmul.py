"""Matrix multiplication: a batch of GEMMs.

``np.dot`` inside a Numba kernel calls the same BLAS ``sgemm``/``dgemm`` NumPy uses (hence the
scipy dependency); hand-written loops reach a quarter of its speed at best (ENGINE_NOTES 2.2).
The kernel takes 3-D C-contiguous stacks, so it compiles once per dtype.
"""

import numpy as np

from nbkeras.kernels._jit import kernel


@kernel
def matmul_3d(a, b, out):
    """out[i] = a[i] @ b[i] for stacks a (B, m, k), b (B, k, n), out (B, m, n)."""
    for i in range(a.shape[0]):
        np.dot(a[i], b[i], out[i])


def matmul(a, b):
    """``a @ b`` for ``a`` of shape (..., m, k) and ``b`` (..., k, n), batch dims broadcast."""
    m, k = a.shape[-2:]
    n = b.shape[-1]
    if b.ndim == 2:
        # Fold every batch dim of ``a`` into its rows: one big GEMM instead of many small ones.
        a2 = np.ascontiguousarray(a).reshape(1, -1, k)
        out = np.empty((1, a2.shape[1], n), dtype=a.dtype)
        _gemm(a2, np.ascontiguousarray(b)[None], out)
        return out.reshape(a.shape[:-1] + (n,))
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a3 = np.ascontiguousarray(np.broadcast_to(a, batch + (m, k))).reshape(-1, m, k)
    b3 = np.ascontiguousarray(np.broadcast_to(b, batch + (k, n))).reshape(-1, k, n)
    out = np.empty((a3.shape[0], m, n), dtype=a.dtype)
    _gemm(a3, b3, out)
    return out.reshape(batch + (m, n))


def _gemm(a3, b3, out):
    if a3.shape[2] == 0:
        out[...] = 0  # BLAS is not asked to multiply empty matrices
    elif out.size:
        matmul_3d(a3, b3, out)
