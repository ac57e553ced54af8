"""The one layout the convolution and pooling kernels know: five dimensions, channels last.

A 1-D signal ``(N, W, C)`` is the volume ``(N, 1, 1, W, C)``, an image ``(N, H, W, C)`` the
volume ``(N, 1, H, W, C)``: leading spatial axes of size 1 change no sum, so one kernel serves
every rank and compiles once per dtype. Geometry arguments (strides, paddings, sizes) get the
matching neutral entries. Plain Python, no jitted code: both kernel modules import it.
"""

import numpy as np


def as_volume(x):
    """View ``x`` of shape (N, *spatial, C), with 1 to 3 spatial axes, as (N, D, H, W, C)."""
    missing = 5 - x.ndim
    return np.ascontiguousarray(x).reshape(x.shape[:1] + (1,) * missing + x.shape[1:])


def as_volume_kernel(w):
    """View a kernel (*kernel_size, C_in, C_out) as (KD, KH, KW, C_in, C_out)."""
    return np.ascontiguousarray(w).reshape((1,) * (5 - w.ndim) + w.shape)


def volume_tuple(values, fill):
    """Left-pad a per-spatial-axis tuple to three entries with the neutral value ``fill``."""
    return (fill,) * (3 - len(values)) + tuple(int(v) for v in values)
