"""Scaled dot-product attention, forward and backward, one (batch, head) pair at a time.

For one pair, with Q (T, H), K and V (S, H):

    L = scale · Q K^T (T, S), masked entries replaced by ``big_negative``,
    P = softmax(L) along each row,   O = P V (T, H).

The two products go to BLAS (``np.dot``); the masked softmax is a loop over the rows, around
NumPy's vectorised ``exp``. Arrays
are (batch, heads, length, head_dim), C-contiguous; the mask is (mask_batch, mask_heads, T, S)
with mask_batch and mask_heads 1 or the full size (broadcast). ``causal`` also hides the keys
after each query (j > i). The kernels do the pairs ``first`` to ``last - 1``, so that two
threads can share them; each pair writes only its own rows.
"""

import numpy as np

from nbkeras.kernels._jit import kernel
from nbkeras.kernels.threads import in_threads


@kernel
def attention_logits(q, k, mask, causal, scale, big_negative, first, last, shifted):
    """L - rowmax(L) for the pairs [first, last) into ``shifted`` (B, N, T, S): the masked,
    scaled logits, shifted so that their exponentials cannot overflow."""
    heads, queries = q.shape[1], q.shape[2]
    keys = k.shape[2]
    mask_batch, mask_heads = mask.shape[0], mask.shape[1]
    for pair in range(first, last):
        b, n = pair // heads, pair % heads
        mb = b if mask_batch > 1 else 0
        mn = n if mask_heads > 1 else 0
        logits = shifted[b, n]
        np.dot(q[b, n], k[b, n].T, logits)
        for i in range(queries):
            top = big_negative
            for j in range(keys):
                if mask[mb, mn, i, j] and not (causal and j > i):
                    x = logits[i, j] * scale
                else:
                    x = big_negative
                logits[i, j] = x
                if x > top:
                    top = x
            for j in range(keys):
                logits[i, j] -= top


@kernel(float64_accumulator=True)
def attention_combine(probs, v, first, last, out):
    """From ``probs`` = exp(L - rowmax L): normalise each row (a softmax) in place, then
    O = P V for the pairs [first, last). Row sums accumulate in float64."""
    heads, queries, keys = probs.shape[1], probs.shape[2], probs.shape[3]
    for pair in range(first, last):
        b, n = pair // heads, pair % heads
        for i in range(queries):
            total = 0.0
            for j in range(keys):
                total += probs[b, n, i, j]
            inverse = probs.dtype.type(1.0 / total)
            for j in range(keys):
                probs[b, n, i, j] *= inverse
        np.dot(probs[b, n], v[b, n], out[b, n])


# With Ō the cotangent of O: V̄ = P^T Ō, P̄ = Ō V^T, and through the softmax
# L̄ = P ⊙ (P̄ - rowsum(P̄ ⊙ P)), zero at masked entries (they were constants); then with
# L = scale Q K^T: Q̄ = scale L̄ K and K̄ = scale L̄^T Q.
@kernel
def attention_backward(q, k, v, probs, mask, causal, scale, first, last, g, dq, dk, dv):
    """Q̄, K̄, V̄ for the pairs [first, last), from ``g`` = Ō (B, N, T, H)."""
    heads, queries = q.shape[1], q.shape[2]
    keys = k.shape[2]
    mask_batch, mask_heads = mask.shape[0], mask.shape[1]
    zero = q.dtype.type(0)
    dp = np.empty((queries, keys), q.dtype)
    for pair in range(first, last):
        b, n = pair // heads, pair % heads
        mb = b if mask_batch > 1 else 0
        mn = n if mask_heads > 1 else 0
        p = probs[b, n]
        np.dot(p.T, g[b, n], dv[b, n])
        np.dot(g[b, n], v[b, n].T, dp)
        for i in range(queries):
            inner = zero
            for j in range(keys):
                inner += dp[i, j] * p[i, j]
            for j in range(keys):
                if mask[mb, mn, i, j] and not (causal and j > i):
                    dp[i, j] = p[i, j] * (dp[i, j] - inner) * scale
                else:
                    dp[i, j] = zero
        np.dot(dp, k[b, n], dq[b, n])
        np.dot(dp.T, q[b, n], dk[b, n])


def _bounds(pairs):
    """Where each thread's share of the (batch, head) pairs starts and ends."""
    from nbkeras.kernels import threads

    workers = threads.THREADS if pairs > 1 else 1
    return [pairs * w // workers for w in range(workers + 1)]


def forward(q, k, v, mask, causal, scale):
    """(probs, out) for q (B, N, T, H), k (B, N, S, H) and v (B, N, S, Hv) (C-contiguous, one
    dtype): out is (B, N, T, Hv). The exponentials between the two kernels are NumPy's, which
    are vectorised (a Numba kernel's ``np.exp`` calls the C library once per element)."""
    batch, heads, queries = q.shape[:3]
    probs = np.empty((batch, heads, queries, k.shape[2]), q.dtype)
    out = np.empty(q.shape[:3] + v.shape[3:], q.dtype)
    t = q.dtype.type
    big_negative = t(-0.7 * 3.38953e38)  # TensorFlow's large negative for masked logits
    bounds = _bounds(batch * heads)

    def logits(thread):
        attention_logits(q, k, mask, causal, t(scale), big_negative, bounds[thread],
                         bounds[thread + 1], probs)

    def combine(thread):
        attention_combine(probs, v, bounds[thread], bounds[thread + 1], out)

    in_threads(logits, len(bounds) - 1)
    np.exp(probs, out=probs)
    in_threads(combine, len(bounds) - 1)
    return probs, out


def backward(q, k, v, probs, mask, causal, scale, g):
    """(dq, dk, dv) for the cotangent ``g`` of ``forward``'s out."""
    batch, heads = q.shape[:2]
    dq, dk, dv = np.empty_like(q), np.empty_like(k), np.empty_like(v)
    t = q.dtype.type
    bounds = _bounds(batch * heads)

    def worker(thread):
        first, last = bounds[thread], bounds[thread + 1]
        attention_backward(q, k, v, probs, mask, causal, t(scale), first, last, g, dq, dk, dv)

    in_threads(worker, len(bounds) - 1)
    return dq, dk, dv


def float32_example_arguments(kernel_function):
    """Arguments that compile each kernel for float32 (the kernel IR test calls this)."""
    f = np.float32
    q = np.full((1, 2, 3, 2), 0.5, f)
    k = np.full((1, 2, 4, 2), 0.5, f)
    mask = np.ones((1, 1, 3, 4), np.bool_)
    probs = np.full((1, 2, 3, 4), 0.25, f)
    name = kernel_function.py_func.__name__
    if name == "attention_logits":
        return (q, k, mask, False, f(0.5), f(-1e30), 0, 2, probs)
    if name == "attention_combine":
        return (probs, k, 0, 2, q.copy())
    return (q, k, k.copy(), probs, mask, False, f(0.5), 0, 2, q.copy(), q.copy(), k.copy(),
            k.copy())
