"""Numba kernels: the bottom floor of nbkeras.

One module per family (elementwise, reductions, matmul, ...). Kernels take NumPy arrays in a
fixed layout (C-contiguous, a fixed number of dimensions) and write into an ``out`` array the
caller allocated; a small Python wrapper next to each kernel reshapes arbitrary inputs into that
layout, so every kernel compiles once per dtype. Modules here import nothing else from nbkeras
and never call jitted functions from another module (Numba's cache would not see such a change).
"""

from nbkeras.kernels import (
    _jit,
    conv,
    elementwise,
    hashing,
    matmul,
    memory,
    optimizers,
    pooling,
    reductions,
    winograd,
)

memory.keep_freed_memory()
_jit.start_numba()

__all__ = [
    "conv", "elementwise", "hashing", "matmul", "optimizers", "pooling", "reductions", "winograd",
]
