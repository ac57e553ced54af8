"""Fused cross-entropy kernels: a loss computed straight from logits, and its backward.

Computing ``sigmoid`` (or ``softmax``) first and taking a log afterwards loses everything the
float32 probability rounded away: sigmoid(20) is exactly 1 in float32, so log(1 - p) is -inf.
From the logits, the same losses need no exponential that can overflow and no log of 0.

The elementwise kernels walk 1-D arrays (``elementwise.unary`` flattens any shape). The softmax
kernels see ``(outer, n, inner)`` arrays with the class axis in the middle (``reductions.to_3d``)
and write one loss per row into an ``(outer, 1, inner)`` array, the keepdims layout.
"""

import numpy as np

from nbkeras.kernels._jit import kernel


@kernel
def sigmoid_cross_entropy(labels, logits, out):
    # -y log sigmoid(x) - (1 - y) log(1 - sigmoid(x)) = max(x, 0) - x y + log(1 + e^-|x|)
    zero = logits.dtype.type(0)
    for i in range(logits.size):
        x, y = logits[i], labels[i]
        out[i] = (max(x, zero) - x * y) + np.log1p(np.exp(-abs(x)))


# d/dx = sigmoid(x) - y (and d/dy = -x, computed by the caller)
@kernel
def sigmoid_cross_entropy_grad(g, labels, logits, out):
    zero, one = logits.dtype.type(0), logits.dtype.type(1)
    for i in range(logits.size):
        x = logits[i]
        s = one / (one + np.exp(-x)) if x >= zero else np.exp(x) / (one + np.exp(x))
        out[i] = g[i] * (s - labels[i])


@kernel(float64_accumulator=True)
def softmax_cross_entropy_3d(labels, logits, loss, max_logit, log_total):
    # sum_j y_j (log sum_k e^(x_k - m) - (x_j - m)), m = max_k x_k: -sum_j y_j log softmax(x)_j.
    # m and log sum_k e^(x_k - m) are kept for the backward.
    outer, n, inner = logits.shape
    t = logits.dtype.type
    for o in range(outer):
        for i in range(inner):
            m = logits[o, 0, i]
            for j in range(1, n):
                if logits[o, j, i] > m:
                    m = logits[o, j, i]
            s = 0.0
            for j in range(n):
                s += np.exp(logits[o, j, i] - m)
            log_s = t(np.log(s))
            acc = 0.0
            for j in range(n):
                acc += labels[o, j, i] * (log_s - (logits[o, j, i] - m))
            loss[o, 0, i] = acc
            max_logit[o, 0, i] = m
            log_total[o, 0, i] = log_s


# d/dx_j = softmax(x)_j - y_j, TensorFlow's rule: the exact derivative is softmax(x)_j sum_k y_k
# - y_j, the same for labels that sum to 1. d/dy_j = -log softmax(x)_j.
@kernel
def softmax_cross_entropy_grad_3d(g, labels, logits, max_logit, log_total, d_labels, d_logits):
    outer, n, inner = logits.shape
    for o in range(outer):
        for i in range(inner):
            m, log_s, gi = max_logit[o, 0, i], log_total[o, 0, i], g[o, 0, i]
            for j in range(n):
                log_softmax = (logits[o, j, i] - m) - log_s
                d_logits[o, j, i] = gi * (np.exp(log_softmax) - labels[o, j, i])
                d_labels[o, j, i] = gi * -log_softmax
