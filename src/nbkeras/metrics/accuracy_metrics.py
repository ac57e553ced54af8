"""The accuracy family: a per-sample hit (1.0) or miss (0.0), averaged by ``MeanMetricWrapper``.

Each function takes ``y_true`` and ``y_pred`` (tensors, arrays or lists) and returns a float32
tensor of hits; its class is the function wrapped with its name as the metric's default name.
"""

import numpy as np

from nbkeras import config
from nbkeras.kernels import confusion
from nbkeras.metrics import metrics_utils as utils
from nbkeras.metrics.reduction_metrics import MeanMetricWrapper
from nbkeras.tensor import Tensor


def _hits(matches):
    return Tensor(np.asarray(matches, dtype=config.floatx()))


def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred`` exactly (labels cast to y_pred's dtype), else 0.0."""
    where = "metrics.accuracy"
    y_pred = utils.as_array(y_pred, where, "y_pred")
    y_true = utils.as_array(y_true, where, "y_true", dtype=y_pred.dtype)
    y_true, y_pred = utils.squeeze_or_expand_to_same_rank(y_true, y_pred)
    utils.check_same_shape(y_true, y_pred, where)
    return _hits(y_true == y_pred)


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``(y_pred > threshold) == y_true``: a probability exactly at the threshold
    predicts 0, and a soft label such as 0.9 never matches. Same shape as the inputs."""
    where = "metrics.binary_accuracy"
    y_pred = utils.as_array(y_pred, where, "y_pred")
    y_true = utils.as_array(y_true, where, "y_true")
    y_true, y_pred = utils.squeeze_or_expand_to_same_rank(y_true, y_pred)
    utils.check_same_shape(y_true, y_pred, where)
    # Keras makes the threshold a float32 tensor: 0.3 is compared as float32(0.3)
    predicted = (y_pred > np.float32(threshold)).astype(y_true.dtype)
    return _hits(y_true == predicted)


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_true) == argmax(y_pred)`` along the last axis (one-hot labels; ties
    go to the lowest index). Shape ``y_pred.shape[:-1]``."""
    where = "metrics.categorical_accuracy"
    y_pred = utils.as_array(y_pred, where, "y_pred")
    y_true = utils.as_array(y_true, where, "y_true")
    if y_true.ndim == 0 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true holds one-hot labels and must have y_pred's shape "
            f"{y_pred.shape}; got {y_true.shape} (use sparse_categorical_accuracy for integer "
            "labels)"
        )
    return _hits(np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1))


def _sparse_labels(y_true, y_pred, where):
    """Integer-label input of the sparse metrics: ``y_true`` of shape ``y_pred.shape[:-1]``, or
    that with a trailing 1. Returns (labels of shape y_pred.shape[:-1], y_true's shape)."""
    if y_pred.ndim == 0:
        raise ValueError(f"{where}: y_pred must have a class axis; got a scalar")
    batch_shape = y_pred.shape[:-1]
    if y_true.shape not in (batch_shape, batch_shape + (1,)):
        raise ValueError(
            f"{where}: y_true holds integer labels and must have shape {batch_shape} (or "
            f"{batch_shape + (1,)}) for y_pred of shape {y_pred.shape}; got {y_true.shape}"
        )
    return y_true.reshape(batch_shape), y_true.shape


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals ``argmax(y_pred)`` (float labels such as 2.0 work).
    Shape ``y_pred.shape[:-1]``."""
    where = "metrics.sparse_categorical_accuracy"
    y_pred = utils.as_array(y_pred, where, "y_pred")
    y_true = utils.as_array(y_true, where, "y_true", dtype=y_pred.dtype)
    labels, _ = _sparse_labels(y_true, y_pred, where)
    return _hits(labels == np.argmax(y_pred, axis=-1).astype(labels.dtype))


def _check_k(k, where):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{where}: k must be an int, got {k!r}")


def _in_top_k(targets, predictions, k):
    """For each row, whether ``targets`` is among the ``k`` best scores, ties counting as hits
    (the kernel ``confusion.in_top_k``). ``predictions`` is ``(..., C)``, ``targets`` ``(...)``."""
    scores = np.ascontiguousarray(predictions.reshape(-1, predictions.shape[-1]))
    if scores.dtype.kind != "f":
        scores = scores.astype(config.floatx())
    out = np.empty(scores.shape[0], dtype=np.bool_)
    confusion.in_top_k(targets.reshape(-1).astype(np.int64), scores, int(k), out)
    return out.reshape(targets.shape)


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the one-hot label's class is among the ``k`` highest scores. A class counts as
    within the top k when fewer than k classes score strictly higher, so ties are hits: four
    equal scores give 1.0 even for ``k=1``. Shape ``y_pred.shape[:-1]``."""
    where = "metrics.top_k_categorical_accuracy"
    _check_k(k, where)
    y_pred = utils.as_array(y_pred, where, "y_pred")
    y_true = utils.as_array(y_true, where, "y_true", dtype=y_pred.dtype)
    if y_true.ndim == 0 or y_true.shape != y_pred.shape:
        raise ValueError(
            f"{where}: y_true holds one-hot labels and must have y_pred's shape "
            f"{y_pred.shape}; got {y_true.shape}"
        )
    return _hits(_in_top_k(np.argmax(y_true, axis=-1), y_pred, k))


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest scores of ``y_pred`` (ties are
    hits, as in ``top_k_categorical_accuracy``). With ``from_sorted_ids=True``, ``y_pred``
    holds class ids sorted from best to worst and a hit is a label among the first ``k`` ids.
    Shape ``y_true``'s."""
    where = "metrics.sparse_top_k_categorical_accuracy"
    _check_k(k, where)
    y_pred = utils.as_array(y_pred, where, "y_pred")
    y_true = utils.as_array(y_true, where, "y_true",
                            dtype=y_pred.dtype if from_sorted_ids else "int32")
    labels, true_shape = _sparse_labels(y_true, y_pred, where)
    if from_sorted_ids:
        hits = np.any(labels[..., None] == y_pred[..., :k], axis=-1)
    else:
        hits = _in_top_k(labels, y_pred, k)
    return _hits(hits.reshape(true_shape))


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` (``accuracy``, averaged)."""
    _direction = "up"

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the 0/1 label (``binary_accuracy``)."""
    _direction = "up"

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max class matches the one-hot label (``categorical_accuracy``)."""
    _direction = "up"

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg-max class matches the integer label
    (``sparse_categorical_accuracy``)."""
    _direction = "up"

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label is among the ``k`` best scores
    (``top_k_categorical_accuracy``)."""
    _direction = "up"

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        _check_k(k, "TopKCategoricalAccuracy")
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` best scores
    (``sparse_top_k_categorical_accuracy``)."""
    _direction = "up"

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None,
                 from_sorted_ids=False):
        _check_k(k, "SparseTopKCategoricalAccuracy")
        super().__init__(fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k,
                         from_sorted_ids=from_sorted_ids)
        self.k = k
        self.from_sorted_ids = from_sorted_ids

    def get_config(self):
        config = super().get_config()
        if not self.from_sorted_ids:
            del config["from_sorted_ids"]  # Keras lists it only when set
        return config
