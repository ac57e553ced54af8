"""Matrix multiplication (``keras.ops.matmul``), on the BLAS kernel in ``kernels/matmul.py``."""

import numpy as np

from nbkeras.autodiff import Primitive
from nbkeras.kernels import matmul as K
from nbkeras.ops import _args
from nbkeras.tensor import Tensor


def _swap(x):
    return np.swapaxes(x, -1, -2)


def _matmul_forward(a, b):
    return K.matmul(a, b), (a, b)


# For Y = A B: dA = G B^T and dB = A^T G. With batch dims, the tape sums each cotangent back
# over the batch dims its input was broadcast along.
def _matmul_backward(saved, g, needs):
    a, b = saved
    ga = K.matmul(g, _swap(b)) if needs[0] else None
    gb = None
    if needs[1]:
        if b.ndim == 2:
            # Every batch entry of A met the same B: one GEMM over all rows at once.
            k, n = b.shape
            gb = K.matmul(_swap(a.reshape(-1, k)), g.reshape(-1, n))
        else:
            gb = K.matmul(_swap(a), g)
    return ga, gb


matmul_p = Primitive("matmul", _matmul_forward, _matmul_backward)


def matmul(x1, x2):
    """The matrix product, with NumPy's rules: batch dims broadcast, and a 1-D operand is a
    vector (a row on the left, a column on the right) whose axis is dropped from the result."""
    from nbkeras.ops.shape import expand_dims, squeeze

    t1, t2 = _args.operands((x1, x2), ("x1", "x2"), "matmul")
    if t1.ndim == 0 or t2.ndim == 0:
        raise ValueError(
            f"ops.matmul: both inputs need at least one dimension, got shapes {t1.shape} "
            f"and {t2.shape}"
        )
    if t1.shape[-1] != t2.shape[-2 if t2.ndim > 1 else 0]:
        raise ValueError(
            f"ops.matmul: the last dimension of x1 {t1.shape} must equal the "
            f"{'second-to-last' if t2.ndim > 1 else 'only'} dimension of x2 {t2.shape}"
        )
    _args.broadcast_shape(t1.shape[:-2], t2.shape[:-2], "matmul")
    if t1._value.dtype.kind != "f":
        return Tensor(np.matmul(t1._value, t2._value))
    if t1.ndim == 1:
        return squeeze(matmul(expand_dims(t1, 0), t2), -2 if t2.ndim > 1 else 0)
    if t2.ndim == 1:
        return squeeze(matmul(t1, expand_dims(t2, 1)), -1)
    return matmul_p(t1, t2)
