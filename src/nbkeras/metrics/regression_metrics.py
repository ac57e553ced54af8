"""Regression metrics: MeanSquaredError and MeanAbsoluteError (the per-sample loss functions
``losses.mean_squared_error`` and ``losses.mean_absolute_error``, averaged by ``Mean``)
and RootMeanSquaredError (the square root of the running mean of squared errors).

A loss-like metric divides by the sum of the sample weights, while the loss class divides by the
number of samples: with weights [0, 1] the MAE metric of [[0], [1]] against [[1], [0]] is 1.0 and
the MAE loss 0.5 (keras-team/keras#19740).
"""

import numpy as np

from nbkeras import losses
from nbkeras.metrics import metrics_utils as utils
from nbkeras.metrics.reduction_metrics import Mean, MeanMetricWrapper


class MeanSquaredError(MeanMetricWrapper):
    """The weighted mean, over samples, of each sample's mean squared error."""
    _direction = "down"

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(fn=losses.mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    """The weighted mean, over samples, of each sample's mean absolute error."""
    _direction = "down"

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(fn=losses.mean_absolute_error, name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the running (weighted) mean of squared errors. The root is taken in
    ``result``, after all batches are summed: the RMSE of the whole data, not a mean of
    per-batch RMSEs."""
    _direction = "down"

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        where = "RootMeanSquaredError.update_state"
        y_pred = utils.as_array(y_pred, where, "y_pred", dtype=self.dtype)
        y_true = utils.as_array(y_true, where, "y_true", dtype=self.dtype)
        y_true, y_pred = utils.squeeze_or_expand_to_same_rank(y_true, y_pred)
        utils.check_same_shape(y_true, y_pred, where)
        # the squared errors themselves, so that an elementwise weight weights each entry
        return super().update_state(np.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self):
        return utils.result_tensor(np.sqrt(super().result().numpy()))
