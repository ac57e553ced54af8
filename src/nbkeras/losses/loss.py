"""The ``Loss`` base class: everything a loss does besides its formula.

A subclass only says how to compute one loss value per sample (``call``); ``Loss.__call__``
converts the inputs to the loss dtype, weights each value by ``sample_weight`` (and by a mask
the values may carry) and reduces them to one number, or not, as ``reduction`` says.
"""

import numpy as np

from nbkeras import dtypes, ops
from nbkeras.utils import naming

REDUCTIONS = ("sum_over_batch_size", "mean", "mean_with_sample_weight", "sum", "none", None)


class Loss:
    """Base class of every loss; a custom loss subclasses it and implements ``call``.

    ``reduction``: ``"sum_over_batch_size"`` (the default) and its alias ``"mean"`` divide the
    weighted sum by the number of loss values, ``"mean_with_sample_weight"`` by the sum of the
    weights, ``"sum"`` returns the sum, ``None`` or ``"none"`` the weighted values themselves.
    ``dtype``: the float dtype both inputs are converted to (floatx by default).
    """

    _keras_module = "keras.losses"  # where Keras' configs say the class lives

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.auto_name(type(self).__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = dtypes.standardize_dtype(dtype)
        if not dtypes.is_float(self._dtype):
            raise ValueError(f"{type(self).__name__}: dtype must be a float dtype, got {dtype!r}")

    @property
    def dtype(self):
        return self._dtype

    def __call__(self, y_true, y_pred, sample_weight=None):
        """The reduced loss: a scalar tensor, or the weighted per-sample values for reduction
        None. ``y_true`` and ``y_pred`` have shape (batch, ...); ``sample_weight`` is a number,
        or has the shape of the per-sample values (or fewer trailing axes, or an extra 1)."""
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        values = self.call(y_true, y_pred)
        out_mask = getattr(values, "_keras_mask", None)
        if in_mask is not None and out_mask is not None:
            mask = ops.logical_and(in_mask, out_mask)
        else:
            mask = in_mask if in_mask is not None else out_mask
        return reduce_weighted_values(values, sample_weight, mask, self.reduction, self.dtype)

    def call(self, y_true, y_pred):
        """One loss value per sample (or per sample and position); implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement call(y_true, y_pred)")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`: {reduction!r}; expected one of "
            f"{list(REDUCTIONS)} (Keras 2's 'auto' is gone: it meant 'sum_over_batch_size')"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Align two tensors whose ranks differ by one and whose longer shape ends in 1: a rank-1
    tensor gets a trailing axis (with ``expand_rank_1``), otherwise the trailing 1 is dropped.
    Any other pair is returned as it is."""
    if x1.ndim == x2.ndim + 1 and x1.shape[-1] == 1:
        if x2.ndim == 1 and expand_rank_1:
            return x1, ops.expand_dims(x2, -1)
        return ops.squeeze(x1, axis=-1), x2
    if x2.ndim == x1.ndim + 1 and x2.shape[-1] == 1:
        if x1.ndim == 1 and expand_rank_1:
            return ops.expand_dims(x1, -1), x2
        return x1, ops.squeeze(x2, axis=-1)
    return x1, x2


def apply_mask(sample_weight, mask, dtype, reduction):
    """Fold a boolean mask into the sample weights. For the mean reductions each valid entry
    weighs total/valid, so that the mean runs over the valid entries only."""
    if mask is None:
        return sample_weight
    mask = ops.convert_to_tensor(mask)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = float(np.sum(mask.numpy() != 0))
        weight = mask.size / valid if valid else 0.0
        float_mask = ops.where(ops.cast(mask, "bool"), weight, 0.0)
        float_mask = ops.cast(float_mask, dtype)
    else:
        float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(values, sample_weight=None, mask=None,
                           reduction="sum_over_batch_size", dtype=None):
    """Weight the loss ``values`` by ``sample_weight`` (and ``mask``) and reduce them.

    The weight must broadcast to the values' shape without enlarging it: a weight of shape
    (batch,) against values of shape (batch, time) is an error here, as in Keras 3."""
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        _check_weight_shape(values.shape, sample_weight.shape)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _check_weight_shape(values_shape, weight_shape):
    try:
        grown = np.broadcast_shapes(values_shape, weight_shape) != tuple(values_shape)
    except ValueError:
        grown = True
    if grown:
        raise ValueError(
            f"sample_weight of shape {tuple(weight_shape)} does not fit loss values of shape "
            f"{tuple(values_shape)}: pass one weight per sample with the values' leading "
            "dimensions, e.g. (batch,) for (batch,) values or (batch, time) for (batch, time)"
        )


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Sum ``values``, and divide by their number (or by the summed weight for
    ``"mean_with_sample_weight"``); a zero divisor gives 0. Scalars and empty (0,) values, and
    reduction None/"none", come back as they are."""
    if reduction in (None, "none") or values.shape in ((), (0,)):
        return values
    if reduction == "sum":
        return ops.sum(values)
    if reduction == "sum_over_batch_size" and values.size:
        # the sum over the number of values: what ops.mean computes, with the same roundings
        # (the float64-accumulated sum, then one division by the count in the values' dtype),
        # and one record on the tape instead of a sum and a division
        return ops.mean(values)
    total = ops.sum(values)
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = float(ops.sum(sample_weight))
    else:
        divisor = float(values.size)
    if divisor == 0:
        return ops.where(False, total, 0.0)  # divide_no_nan: 0, and no gradient
    return total / ops.cast(divisor, total.dtype)
