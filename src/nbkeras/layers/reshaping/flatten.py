"""``Flatten``: one axis per sample, ``(batch, d1, d2, ...) -> (batch, d1 * d2 * ...)``.

With ``data_format="channels_first"`` the channel axis is moved last before flattening, so a
channels-first model flattens its features in the same order as a channels-last one (and a
Dense layer after it can use the same weights).
"""

import math

from nbkeras import config, ops
from nbkeras.keras_tensor import KerasTensor
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class Flatten(Layer):
    """Flatten every axis but the batch axis (a rank-1 input becomes ``(batch, 1)``)."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = config.standardize_data_format(data_format)
        self.input_spec = InputSpec(min_ndim=1)

    def call(self, inputs):
        rank = inputs.ndim
        if self.data_format == "channels_first" and rank > 2:
            inputs = ops.transpose(inputs, (0, *range(2, rank), 1))
        return ops.reshape(inputs, (inputs.shape[0], math.prod(inputs.shape[1:])))

    def compute_output_shape(self, input_shape):
        rest = tuple(input_shape[1:])
        flat = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], flat)

    def compute_output_spec(self, inputs, *args, **kwargs):
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype=inputs.dtype)

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
