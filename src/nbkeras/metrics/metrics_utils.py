"""What several metric families share: argument conversion, Keras' rank alignment of labels and
predictions, ``divide_no_nan``, and the confusion-count update behind Precision, Recall, the
TruePositives family and AUC.

Metrics are not differentiated, so they compute on NumPy arrays; the loops that pay for
compilation (counting over thresholds, top-k membership) are kernels in
``nbkeras.kernels.confusion``.
"""

import numpy as np

from nbkeras.kernels import confusion
from nbkeras.losses import loss as loss_module
from nbkeras.ops import nn
from nbkeras.tensor import Tensor, to_array

NEG_INF = -1e10
"""The score Keras gives predictions outside a row's top k (and the default threshold then)."""


def as_array(value, where, name, dtype=None):
    """``value`` (tensor, array, list, number) as a NumPy array, with Keras' dtype rules."""
    return to_array(value, dtype=dtype, name=name, where=where)


def result_tensor(value):
    """A metric's value as a tensor (NumPy turns 0-d results into scalars; a Tensor wraps an
    array)."""
    return Tensor(np.asarray(value))


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras' rank alignment (``losses.loss.squeeze_or_expand_to_same_rank``) on NumPy arrays:
    ``(B,)`` against ``(B, 1)`` compares sample by sample, never as a ``(B, B)`` table."""
    x1, x2 = loss_module.squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1)
    return np.asarray(x1), np.asarray(x2)


def check_same_shape(y_true, y_pred, where):
    """Raise ValueError unless labels and predictions have one shape (after rank alignment)."""
    nn.check_same_shape(y_true, y_pred, where, names=("y_true", "y_pred"))


def broadcast_weights(sample_weight, shape, where):
    """``sample_weight`` broadcast to ``shape`` (one way only, as Keras' ``broadcast_to``)."""
    try:
        return np.broadcast_to(sample_weight, shape)
    except ValueError:
        raise ValueError(
            f"{where}: sample_weight of shape {sample_weight.shape} cannot be broadcast to the "
            f"values' shape {tuple(shape)}"
        ) from None


def float_sum(x, axis=None):
    """Sum in float64, rounded once to ``x``'s float dtype (a float32 running sum drifts)."""
    return np.asarray(np.sum(x, axis=axis, dtype=np.float64)).astype(x.dtype)


def divide_no_nan(a, b):
    """``a / b``, and 0 wherever ``b`` is 0 (an undefined precision is reported as 0)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim == 0 and b.ndim == 0 and b != 0:  # a Mean's total / count: one division
        return np.asarray(a / b)
    safe = np.where(b == 0, np.ones_like(b), b)
    return np.where(b == 0, np.zeros_like(a / safe), a / safe)


def parse_init_thresholds(thresholds, default_threshold=0.5, where="metric"):
    """The list of thresholds a confusion metric counts at; each must lie in [0, 1]."""
    if thresholds is None:
        return [default_threshold]
    listed = list(thresholds) if isinstance(thresholds, (list, tuple, np.ndarray)) \
        else [thresholds]
    invalid = [t for t in listed if t is None or not 0 <= t <= 1]
    if invalid or not listed:
        raise ValueError(
            f"{where}: thresholds must be numbers in [0, 1]; got {thresholds!r}"
            + (f" (invalid: {invalid})" if invalid else " (an empty list)")
        )
    return [float(t) for t in listed]


def is_evenly_distributed_thresholds(thresholds):
    """True for 3 or more thresholds at ``i / (T - 1)`` (within 1e-7): the bucket algorithm
    applies."""
    count = len(thresholds)
    if count < 3:
        return False
    even = np.arange(count, dtype=np.float32) / (count - 1)
    return bool(np.allclose(thresholds, even, atol=1e-7))


def filter_top_k(x, k):
    """Keep each row's ``k`` largest scores (ties: the lower index first) and set the others to
    ``NEG_INF``, so that no threshold counts them as positive."""
    rows = np.ascontiguousarray(x.reshape(-1, x.shape[-1]))
    keep = np.empty(rows.shape, dtype=np.bool_)
    confusion.top_k_mask(rows, int(k), keep)
    return np.where(keep.reshape(x.shape), x, x.dtype.type(NEG_INF))


CONFUSION_COUNTS = ("tp", "fp", "tn", "fn")


def update_confusion_matrix_variables(
    variables,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
    where="metric",
):
    """Add one batch's weighted confusion counts, per threshold, to ``variables``.

    ``variables`` maps some of "tp", "fp", "tn", "fn" to float32 variables of shape ``(T,)``
    (``(T, L)`` with ``multi_label``). ``y_true`` and ``y_pred`` have one shape (after rank
    alignment); a label is positive when non-zero, a prediction when it is ``> threshold``.
    Unless ``multi_label``, every entry is one sample of a single binary problem.
    ``sample_weight`` broadcasts to ``y_pred`` (a ``(B,)`` weight weights a whole row).
    """
    unknown = sorted(set(variables) - set(CONFUSION_COUNTS))
    if unknown or not variables:
        raise ValueError(f"{where}: confusion counts must be among {CONFUSION_COUNTS}, got "
                         f"{sorted(variables)}")
    dtype = next(iter(variables.values()))._value.dtype
    y_true = as_array(y_true, where, "y_true").astype(dtype, copy=False)
    y_pred = as_array(y_pred, where, "y_pred").astype(dtype, copy=False)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    check_same_shape(y_true, y_pred, where)
    if sample_weight is not None:
        sample_weight = as_array(sample_weight, where, "sample_weight", dtype=dtype)[..., None]
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight,
                                                          expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim < 2:
            raise ValueError(
                f"{where}: with class_id, y_pred must have shape (num_samples, num_classes); "
                f"got shape {y_pred.shape}"
            )
        if not -y_pred.shape[-1] <= class_id < y_pred.shape[-1]:
            raise ValueError(f"{where}: class_id={class_id} is out of range for "
                             f"{y_pred.shape[-1]} classes")
        # keep the class axis (length 1) so that a per-sample weight still lines up
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    weights = np.ones(y_pred.shape, dtype)
    if sample_weight is not None:
        weights = weights * broadcast_weights(sample_weight, y_pred.shape, where)
    if label_weights is not None and not multi_label:
        weights = weights * broadcast_weights(np.asarray(label_weights, dtype)[None],
                                              y_pred.shape, where)
    if multi_label:
        shape = (y_pred.shape[0], -1)
    else:
        shape = (-1, 1)
    labels = np.ascontiguousarray(y_true.reshape(shape))
    predictions = np.ascontiguousarray(y_pred.reshape(shape))
    weights = np.ascontiguousarray(weights.reshape(shape))
    thresholds = np.asarray(thresholds, dtype=np.float64)
    counts = [np.empty((thresholds.size, labels.shape[1]), dtype) for _ in CONFUSION_COUNTS]
    if thresholds_distributed_evenly:
        below_zero_first = bool(thresholds[0] < 0.0 or thresholds[-1] > 1.0)
        confusion.bucket_counts(labels, predictions, weights, below_zero_first, *counts)
    else:
        confusion.threshold_counts(labels, predictions, weights, thresholds.astype(dtype),
                                   *counts)
    for key, count in zip(CONFUSION_COUNTS, counts, strict=True):
        if key in variables:
            variable = variables[key]
            variable.assign_add(count.reshape(variable.shape))
