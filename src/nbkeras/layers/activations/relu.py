"""``ReLU``: the rectified linear unit with its three options as a layer.

``f(x) = max_value`` for x >= max_value, ``x`` for threshold <= x < max_value, and
``negative_slope * (x - threshold)`` below the threshold (``activations.relu``).
"""

from nbkeras import activations
from nbkeras.layers.layer import Layer


def _non_negative(value, name, where, allow_none=False):
    if value is None and allow_none:
        return value
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)) \
            or value < 0:
        raise ValueError(
            f"{name} of a {where} layer cannot be {'None or ' if not allow_none else ''}a "
            f"negative value; expected a float >= 0. Received: {name}={value!r}"
        )
    return value


class ReLU(Layer):
    """Rectified linear unit (``keras.layers.ReLU``); no weights."""

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _non_negative(max_value, "max_value", "ReLU", allow_none=True)
        self.negative_slope = _non_negative(negative_slope, "negative_slope", "ReLU")
        self.threshold = _non_negative(threshold, "threshold", "ReLU")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        return activations.relu(inputs, negative_slope=self.negative_slope,
                                max_value=self.max_value, threshold=self.threshold)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}
