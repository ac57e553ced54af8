"""``BaseGlobalPooling``: one value per channel, the mean or the max over every spatial axis.

``keepdims=True`` keeps the spatial axes with length 1, ``(batch, 1, 1, channels)``, so the
result broadcasts against the input. The gradient of the mean spreads evenly; that of the max
goes to the maximum (split evenly between tied maxima, as ``ops.max``).
"""

from nbkeras.config import standardize_data_format
from nbkeras.layers.input_spec import InputSpec
from nbkeras.layers.layer import Layer


class BaseGlobalPooling(Layer):
    """Global pooling over ``pool_dimensions`` spatial axes; subclasses write ``call``."""

    def __init__(self, pool_dimensions, data_format=None, keepdims=False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = keepdims
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self.built = True

    @property
    def spatial_axes(self):
        rank = self.input_spec.ndim - 2
        return tuple(range(1, rank + 1) if self.data_format == "channels_last"
                     else range(2, rank + 2))

    def compute_output_shape(self, input_shape):
        rank = len(input_shape) - 2
        if self.data_format == "channels_last":
            kept = (1,) * rank + (input_shape[-1],) if self.keepdims else (input_shape[-1],)
        else:
            kept = (input_shape[1],) + (1,) * rank if self.keepdims else (input_shape[1],)
        return (input_shape[0],) + kept

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format,
                "keepdims": self.keepdims}
