"""Elementwise kernels: forward and backward side by side.

Every kernel walks a 1-D array (the wrapper ``unary`` flattens any shape), so each compiles once
per dtype. The backward kernels compute the vector-Jacobian product ``g * f'(x)`` in one pass.
"""

import numpy as np

from nbkeras.kernels._jit import kernel


def unary(kernel_function, *arrays):
    """Apply an elementwise kernel to same-shaped arrays; returns a new array of that shape."""
    flat = []
    for a in arrays:
        if not a.flags.c_contiguous:
            a = np.ascontiguousarray(a)
        flat.append(a.reshape(-1))
    out = np.empty(arrays[0].shape, dtype=arrays[0].dtype)
    kernel_function(*flat, out.reshape(-1))
    return out


@kernel
def exp(x, out):
    for i in range(x.size):
        out[i] = np.exp(x[i])


@kernel
def log(x, out):
    for i in range(x.size):
        out[i] = np.log(x[i])


@kernel
def log1p(x, out):
    for i in range(x.size):
        out[i] = np.log1p(x[i])


# d/dx log(1 + x) = 1 / (1 + x)
@kernel
def log1p_grad(g, x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        out[i] = g[i] / (one + x[i])


@kernel
def sqrt(x, out):
    for i in range(x.size):
        out[i] = np.sqrt(x[i])


# d/dx sqrt(x) = 1 / (2 sqrt(x)) = 0.5 / y; inf at x = 0, as in TensorFlow
@kernel
def sqrt_grad(g, y, out):
    half = y.dtype.type(0.5)
    for i in range(y.size):
        out[i] = half * g[i] / y[i]


@kernel
def sigmoid(x, out):
    # Two branches so that exp never overflows: for x < 0 use e^x / (1 + e^x).
    one = x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        if v >= 0:
            out[i] = one / (one + np.exp(-v))
        else:
            e = np.exp(v)
            out[i] = e / (one + e)


# d/dx sigmoid(x) = y (1 - y)
@kernel
def sigmoid_grad(g, y, out):
    one = y.dtype.type(1)
    for i in range(y.size):
        out[i] = g[i] * y[i] * (one - y[i])


@kernel
def tanh(x, out):
    for i in range(x.size):
        out[i] = np.tanh(x[i])


# d/dx tanh(x) = 1 - y^2
@kernel
def tanh_grad(g, y, out):
    one = y.dtype.type(1)
    for i in range(y.size):
        out[i] = g[i] * (one - y[i] * y[i])


@kernel
def softplus(x, out):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): exp never overflows.
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = max(v, zero) + np.log1p(np.exp(-abs(v)))


# d/dx softplus(x) = sigmoid(x)
@kernel
def softplus_grad(g, x, out):
    one = x.dtype.type(1)
    for i in range(x.size):
        v = x[i]
        if v >= 0:
            s = one / (one + np.exp(-v))
        else:
            e = np.exp(v)
            s = e / (one + e)
        out[i] = g[i] * s


@kernel
def relu(x, out):
    zero = x.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        out[i] = v if (v > zero or v != v) else zero  # NaN passes through


# d/dx relu(x) = 1 for x > 0, else 0 (0 at x = 0, as in TensorFlow)
@kernel
def relu_grad(g, x, out):
    zero = x.dtype.type(0)
    for i in range(x.size):
        out[i] = g[i] if x[i] > zero else zero
