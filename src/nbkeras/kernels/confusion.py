"""Counting kernels for the classification metrics: confusion counts over thresholds, the
"is the target among the k best scores" test, and the selection of each row's k best scores.

Every kernel sees 2-D arrays ``(n, m)``: ``n`` predictions of ``m`` independent binary problems
(``m = 1`` when the metric flattens everything into one problem, ``m = L`` labels for a
multi-label AUC). Labels are positive when non-zero. A prediction is positive at threshold ``t``
when ``p > t`` (strictly). Counts are sums of sample weights, accumulated in float64 and rounded
to the metric's float32 once; the caller adds them to its state variables.
"""

import numpy as np

from nbkeras.kernels._jit import kernel


@kernel(float64_accumulator=True)
def threshold_counts(labels, predictions, weights, thresholds, tp, fp, tn, fn):
    # For every threshold: tp = sum w [y != 0][p > t], fp = sum w [y == 0][p > t], and tn, fn
    # the same with p <= t. Thresholds may come in any order; each is one pass over the data.
    n, m = predictions.shape
    acc = np.zeros((4, m), dtype=np.float64)
    for j in range(thresholds.size):
        threshold = thresholds[j]
        acc[:] = 0.0
        for i in range(n):
            for c in range(m):
                positive = labels[i, c] != 0
                if predictions[i, c] > threshold:  # NaN is never above: a negative
                    acc[0 if positive else 1, c] += weights[i, c]
                else:
                    acc[3 if positive else 2, c] += weights[i, c]
        for c in range(m):
            tp[j, c] = acc[0, c]
            fp[j, c] = acc[1, c]
            tn[j, c] = acc[2, c]
            fn[j, c] = acc[3, c]


@kernel(float64_accumulator=True)
def bucket_counts(labels, predictions, weights, below_zero_first, tp, fp, tn, fn):
    # Evenly spaced thresholds t_j = j / (T - 1): p > t_j exactly when j < ceil(p (T - 1)), so
    # p adds its weight to one bucket b = ceil(p (T - 1)) - 1, and the count at threshold j is
    # the sum of the buckets b >= j (a reverse cumulative sum): O(n + T) instead of O(n T).
    # b is computed in the predictions' float type, as Keras does. p is clipped to [0, 1] first.
    # When the first threshold lies just below 0 (AUC's -1e-7), p = 0 counts there too: b >= 0.
    n, m = predictions.shape
    num_thresholds = tp.shape[0]
    t = predictions.dtype.type
    scale = t(num_thresholds - 1)
    positive_in = np.zeros(num_thresholds, dtype=np.float64)
    negative_in = np.zeros(num_thresholds, dtype=np.float64)
    for c in range(m):
        positive_in[:] = 0.0
        negative_in[:] = 0.0
        all_positive = 0.0
        all_negative = 0.0
        for i in range(n):
            w = weights[i, c]
            positive = labels[i, c] != 0
            if positive:
                all_positive += w
            else:
                all_negative += w
            p = predictions[i, c]
            if p != p:
                continue  # NaN falls in no bucket: negative at every threshold
            p = min(max(p, t(0)), t(1))
            bucket = int(np.ceil(p * scale)) - 1
            if below_zero_first and bucket < 0:
                bucket = 0
            if bucket < 0:
                continue
            if positive:
                positive_in[bucket] += w
            else:
                negative_in[bucket] += w
        above_positive = 0.0
        above_negative = 0.0
        for j in range(num_thresholds - 1, -1, -1):
            above_positive += positive_in[j]
            above_negative += negative_in[j]
            tp[j, c] = above_positive
            fp[j, c] = above_negative
            tn[j, c] = all_negative - above_negative
            fn[j, c] = all_positive - above_positive


@kernel
def in_top_k(targets, predictions, k, out):
    # TensorFlow's in_top_k: the target is a hit when fewer than k classes score strictly
    # higher, so ties with the target all count as hits. A target outside [0, classes) and a
    # row holding a NaN or an infinity are misses (TensorFlow "cannot say").
    n, classes = predictions.shape
    for i in range(n):
        target = targets[i]
        if target < 0 or target >= classes:
            out[i] = False
            continue
        score = predictions[i, target]
        higher = 0
        finite = np.isfinite(score)
        for j in range(classes):
            v = predictions[i, j]
            if not np.isfinite(v):
                finite = False
                break
            if v > score:
                higher += 1
        out[i] = finite and higher < k


@kernel
def top_k_mask(scores, k, out):
    # Mark each row's k largest scores, as TensorFlow's top_k picks them: among equal scores the
    # lower index first. k passes over the row, each taking the largest score not yet taken.
    n, classes = scores.shape
    out[:] = False
    for i in range(n):
        for _ in range(min(k, classes)):
            best = -1
            for j in range(classes):
                if not out[i, j] and (best < 0 or scores[i, j] > scores[i, best]):
                    best = j
            out[i, best] = True


def IR_EXAMPLES():  # noqa: N802 - the name the kernel IR test looks for
    """Float32 arguments of each kernel, for the test that reads their machine code."""
    x = np.ones((4, 2), np.float32)
    counts = [np.empty((3, 2), np.float32) for _ in range(4)]
    return {
        "threshold_counts": (x, x, x, np.ones(3, np.float32), *counts),
        "bucket_counts": (x, x, x, True, *counts),
        "in_top_k": (np.zeros(4, np.int64), x, 2, np.empty(4, np.bool_)),
        "top_k_mask": (x, 1, np.empty((4, 2), np.bool_)),
    }
