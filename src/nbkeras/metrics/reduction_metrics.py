"""``Sum``, ``Mean`` and ``MeanMetricWrapper``: the running sums most metrics are made of.

``Mean`` keeps two numbers, ``total`` and ``count``; its value is ``total / count``. Every
accuracy metric and every loss-like metric is a ``MeanMetricWrapper``: a function that gives one
value per sample, averaged by ``Mean``.
"""

import numpy as np

from nbkeras.losses.loss import apply_mask
from nbkeras.metrics import metrics_utils as utils
from nbkeras.metrics.metric import Metric

_NUMBERS = (int, float, np.int32, np.int64, np.float32, np.float64)
"""Weights that a plain update takes as they are (bool is not one: it goes the general way)."""


def _mean(x, axes):
    return (np.sum(x, axis=axes, dtype=np.float64) / np.prod([x.shape[a] for a in axes]))\
        .astype(x.dtype)


def _sum(x, axes):
    return utils.float_sum(x, axis=axes)


def reduce_to_samplewise_values(values, sample_weight, reduce, dtype, where):
    """One value (and one weight) per sample, as Keras reduces them before accumulating.

    ``values`` of shape ``(B, d1, ...)`` are reduced with ``reduce`` (``_mean`` or ``_sum``)
    over the axes the weight does not have; the weight, aligned to the values' rank (Keras'
    squeeze-or-expand rule) and broadcast to them, multiplies them; then both are reduced to
    shape ``(B,)``. Returns ``(values, weights)``; ``weights`` is None without a sample_weight.
    A scalar weight therefore turns a batch into a single sample of that weight. A Keras mask
    on ``values`` multiplies a given weight (as in Keras, it is ignored without one).
    """
    mask = getattr(values, "_keras_mask", None)
    values = utils.as_array(values, where, "values").astype(dtype, copy=False)
    if sample_weight is not None:
        sample_weight = utils.as_array(sample_weight, where, "sample_weight", dtype=dtype)
        if mask is not None:
            sample_weight = np.asarray(apply_mask(sample_weight, mask, dtype, "sum"))
        values, sample_weight = utils.squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim = sample_weight.ndim
        if values.ndim > weight_ndim:
            values = reduce(values, tuple(range(weight_ndim, values.ndim)))
        sample_weight = utils.broadcast_weights(sample_weight, values.shape, where)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = reduce(sample_weight, tuple(range(1, weight_ndim)))
    if values.ndim > 1:
        values = reduce(values, tuple(range(1, values.ndim)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of all values seen: one variable, ``total``.

    ``update_state(values, sample_weight=None)``; ``result()`` is a scalar of ``dtype``.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(
            values, sample_weight, _sum, self.dtype, f"{type(self).__name__}.update_state")
        self.total.assign_add(utils.float_sum(values))

    def result(self):
        return utils.result_tensor(self.total.numpy())


class Mean(Metric):
    """The (weighted) mean of all values seen: ``total / count``, 0 before any update.

    Values of shape ``(B, ...)`` count as ``B`` samples, each the mean of its entries; with a
    ``sample_weight`` the count is the sum of the (per-sample) weights.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), dtype=self.dtype, name="count")

    def update_state(self, values, sample_weight=None):
        if self._update_plainly(values, sample_weight):
            return
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, _mean, self.dtype, f"{type(self).__name__}.update_state")
        self.total.assign_add(utils.float_sum(values))
        if sample_weight is not None:
            samples = utils.float_sum(sample_weight)
        else:
            samples = values.shape[0] if values.ndim else 1
        self.count.assign_add(np.asarray(samples, dtype=self.dtype))

    def _update_plainly(self, values, sample_weight):
        """The two updates fit makes every step, done directly: a scalar (the loss) with a
        number as its weight (the batch size), and one value per sample (an accuracy) without
        weights. The same operations as the general path, so the same bits; anything else
        (a mask, weight arrays, higher ranks) returns False and takes the general path."""
        if getattr(values, "_keras_mask", None) is not None:
            return False
        if not (sample_weight is None or type(sample_weight) in _NUMBERS):
            return False
        array = utils.as_array(values, f"{type(self).__name__}.update_state", "values")
        dtype = self.total._value.dtype
        if array.ndim == 0:
            total = array.astype(dtype, copy=False)
            samples = np.asarray(1 if sample_weight is None else sample_weight, dtype=dtype)
            if sample_weight is not None:
                total = total * samples
        elif array.ndim == 1 and sample_weight is None:
            total = np.sum(array.astype(dtype, copy=False), dtype=np.float64).astype(dtype)
            samples = np.asarray(array.shape[0], dtype=dtype)
        else:
            return False
        target = self.total._array_for_writing()
        np.add(target, total, out=target)
        target = self.count._array_for_writing()
        np.add(target, samples, out=target)
        return True

    def result(self):
        total, count = self.total._value, self.count._value
        if count != 0:  # (divide_no_nan's case of a nonzero count, without its copies)
            return utils.result_tensor(total / count)
        return utils.result_tensor(utils.divide_no_nan(total, count))


class MeanMetricWrapper(Mean):
    """A ``Mean`` of ``fn(y_true, y_pred, **kwargs)``: turns a function that returns one value
    per sample into a stateful metric. ``update_state(y_true, y_pred, sample_weight=None)``."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        if not callable(fn):
            raise TypeError(f"MeanMetricWrapper: fn must be callable, got {fn!r}")
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_loss(fn):  # a wrapped loss is better when smaller, as in Keras
            self._direction = "down"

    def update_state(self, y_true, y_pred, sample_weight=None):
        # the prediction's Keras mask (see Layer.__call__) becomes 0/1 weights: masked entries
        # do not count
        mask = getattr(y_pred, "_keras_mask", None)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            if sample_weight is not None:
                sample_weight = utils.as_array(sample_weight, f"{type(self).__name__}."
                                               "update_state", "sample_weight", dtype=self.dtype)
            sample_weight = apply_mask(sample_weight, mask, self.dtype, "sum")
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """name, dtype and the keyword arguments of ``fn``; and ``fn`` itself, unless a
        subclass (Accuracy, MeanSquaredError, ...) fixes it."""
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = self._fn
        return config


def _is_loss(fn):
    """Whether ``fn`` is one of keras.losses' functions or Loss classes (or an instance)."""
    from nbkeras import losses

    public = set(losses.ALL_OBJECTS_DICT.values())
    return fn in public or type(fn) in public
